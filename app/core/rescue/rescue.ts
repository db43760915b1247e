// Rescue: programs of the user that run in a bare SSH terminal (a pty that is not a tmux pane) die with the next
// drop. One bounded remote command lists them (ps, plus /proc for the directory where there is one); Move into tmux
// runs `reptyr PID` in a new tmux session (the running process, with its state, now lives in tmux), after checking
// what would stop it; Resume in tmux starts the agent's resume command in a new session in its directory. Nothing
// runs on a server but the listing unless the user clicks, and the exact command is shown first.
import { HoldfastError } from '../../shared/contract';
import type { UnprotectedProcess } from '../../shared/model';
import { posixCommand } from '../tmux/shell';
import { TMUX_PATH_SETUP, tmux, tmuxExec, tmuxInScript } from '../tmux/tmux';
import { NEW_SESSION_FORMAT } from '../tmux/sessions';

/** Programs known to be long-running interactive agents, by the name they run as (or a word of their command line). */
export const KNOWN_AGENTS = ['claude', 'codex', 'aider', 'gemini', 'cursor-agent', 'opencode', 'goose', 'amp'];

/** How each agent resumes its last conversation in a directory (the user can change these in settings). */
export const DEFAULT_RESUME_COMMANDS: Record<string, string> = {
  claude: 'claude --continue',
  codex: 'codex resume --last',
  aider: 'aider --restore-chat-history',
  gemini: 'gemini',
  opencode: 'opencode --continue',
};

/** A program that has run this long in a bare SSH terminal is listed whatever its name (a build, a training run). */
export const LONG_RUNNING_SEC = 10 * 60;

/** Shells, pagers and the like: never listed by running long alone (an idle login shell is not work to lose). */
const NOT_WORK = new Set(['bash', 'sh', 'zsh', 'fish', 'dash', 'ksh', 'tcsh', 'csh', 'ps', 'sshd', 'ssh', 'tmux', 'screen', 'less', 'more', 'man', 'sleep', 'login', 'su', 'sudo', 'awk', 'sed', 'head', 'cat', 'readlink']);

const MARK = '@@holdfast-rescue';

/**
 * The listing, one command: the user's processes with a terminal, the terminals of tmux panes (to leave out), and the
 * directory of each candidate. Output is bounded; a server without /proc (macOS) lists without directories.
 */
export function scanCommand(): string {
  const script = [
    TMUX_PATH_SETUP,
    `echo ${MARK} panes`,
    `${tmuxInScript(tmux.listPanes({ all: true }, '#{pane_tty}'))} 2>/dev/null | head -n 2000`,
    `echo ${MARK} ps`,
    // pid, parent pid, terminal, seconds running, name, command line.
    `ps -o pid= -o ppid= -o tty= -o etimes= -o comm= -o args= -u "$(id -u)" 2>/dev/null | head -n 2000 | cut -c1-600`,
    `echo ${MARK} cwd`,
    // The directory, and where its input comes from: a process reptyr moved keeps its old controlling terminal, but
    // reads from a tmux pane now.
    `for d in /proc/[0-9]*; do [ -O "$d" ] || continue; c=$(readlink "$d/cwd" 2>/dev/null) || continue; i=$(readlink "$d/fd/0" 2>/dev/null); echo "\${d#/proc/} $c	$i"; done 2>/dev/null | head -n 4000`,
    `echo ${MARK} end`,
  ].join('\n');
  return posixCommand(script);
}

interface PsRow {
  pid: number;
  ppid: number;
  tty: string;
  elapsedSec: number;
  comm: string;
  args: string;
}

function section(stdout: string, name: string): string[] {
  const start = stdout.indexOf(`${MARK} ${name}\n`);
  if (start < 0) return [];
  const from = start + MARK.length + name.length + 2;
  const end = stdout.indexOf(`${MARK} `, from);
  return stdout.slice(from, end < 0 ? undefined : end).split('\n').filter((l) => l.trim() !== '');
}

/** Which agent a process is, by its name or a word of its command line (Claude Code runs as `node …/claude`). */
export function agentOf(comm: string, args: string): string | undefined {
  const name = comm.toLowerCase();
  if (KNOWN_AGENTS.includes(name)) return name;
  // Each path segment of the first words: `node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js` is claude.
  const segments = args.trim().split(/\s+/).slice(0, 3).flatMap((w) => w.toLowerCase().split('/'));
  return KNOWN_AGENTS.find((a) => segments.some((s) => s === a || s === `${a}-code` || s === `${a}-cli`));
}

/**
 * The processes worth rescuing: in a terminal that is not a tmux pane, a known agent (or one the user named) or
 * running longer than LONG_RUNNING_SEC; one per terminal (the topmost such program in it), never a shell.
 */
export function parseScan(stdout: string, options: { extraNames?: readonly string[]; longRunningSec?: number } = {}): { supported: boolean; processes: UnprotectedProcess[] } {
  const paneTtys = new Set(section(stdout, 'panes').map((t) => t.replace(/^\/dev\//, '')));
  const rows: PsRow[] = [];
  for (const line of section(stdout, 'ps')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    rows.push({ pid: Number(m[1]), ppid: Number(m[2]), tty: m[3]!, elapsedSec: Number(m[4]), comm: m[5]!, args: m[6] ?? '' });
  }
  const cwds = new Map<number, string>();
  const inputs = new Map<number, string>();
  for (const line of section(stdout, 'cwd')) {
    const at = line.indexOf(' ');
    if (at <= 0) continue;
    const [cwd, input] = line.slice(at + 1).split('\t');
    cwds.set(Number(line.slice(0, at)), cwd!);
    if (input) inputs.set(Number(line.slice(0, at)), input.replace(/^\/dev\//, ''));
  }
  const extra = new Set((options.extraNames ?? []).map((n) => n.toLowerCase()));
  const longRunning = options.longRunningSec ?? LONG_RUNNING_SEC;
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  // The terminals SSH sessions hold: sshd's session process is named for its terminal ("sshd: ada@pts/2").
  const sshTtys = new Set(rows.flatMap((r) => (r.comm.startsWith('sshd') ? [...r.args.matchAll(/@(pts\/\d+|tty\w+)/g)].map((m) => m[1]!) : [])));
  const candidates = rows.filter((r) => {
    if (r.tty === '?' || r.tty === '-' || paneTtys.has(r.tty)) return false;
    // Only an SSH terminal dies with the link (not a tmux pane, not a terminal reptyr already relays into tmux).
    if (!sshTtys.has(r.tty)) return false;
    const input = inputs.get(r.pid);
    if (input && paneTtys.has(input)) return false;
    const name = r.comm.toLowerCase();
    if (agentOf(r.comm, r.args) || extra.has(name)) return true;
    return !NOT_WORK.has(name) && r.elapsedSec >= longRunning;
  });
  // One per terminal: a candidate whose parent is a candidate in the same terminal is part of it.
  const chosen = candidates.filter((r) => {
    const parent = byPid.get(r.ppid);
    return !(parent && parent.tty === r.tty && candidates.includes(parent));
  });
  return {
    supported: section(stdout, 'ps').length > 0,
    processes: chosen.map((r) => {
      const agent = agentOf(r.comm, r.args) ?? (extra.has(r.comm.toLowerCase()) ? r.comm.toLowerCase() : undefined);
      const cwd = cwds.get(r.pid);
      return { pid: r.pid, tty: r.tty, command: r.comm, args: r.args, elapsedSec: r.elapsedSec, ...(cwd ? { cwd } : {}), ...(agent ? { agent } : {}) };
    }),
  };
}

/** A tmux session name from the program and its directory: "claude-myproject" (tmux's own rules on the characters). */
export function rescueSessionName(program: string, cwd: string | undefined): string {
  const dir = (cwd ?? '').split('/').filter(Boolean).pop() ?? '';
  const base = `${program}${dir ? `-${dir}` : ''}`.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return (base || 'rescued').slice(0, 60).replace(/^[$@%]/, 'x');
}

/** What Move into tmux checks first (reptyr, ptrace rules, the process), one command. */
export function moveCheckCommand(pid: number): string {
  return posixCommand(
    [
      `p=${Math.floor(pid)}`,
      'command -v reptyr >/dev/null 2>&1 && echo reptyr=yes || echo reptyr=no',
      'echo "scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo none)"',
      'if kill -0 "$p" 2>/dev/null; then echo alive=yes; else echo alive=no; fi',
      'echo "tty=$(ps -o tty= -p "$p" 2>/dev/null | tr -d " ")"',
      'echo "os=$( (. /etc/os-release 2>/dev/null && echo "$ID $ID_LIKE") || uname -s)"',
    ].join('; '),
  );
}

/** The install command for reptyr on the server's OS (from /etc/os-release's ID and ID_LIKE). */
export function reptyrInstallHint(os: string): string {
  const o = os.toLowerCase();
  if (/debian|ubuntu/.test(o)) return 'sudo apt-get install reptyr';
  if (/fedora|rhel|centos|rocky|alma/.test(o)) return 'sudo dnf install reptyr';
  if (/arch/.test(o)) return 'sudo pacman -S reptyr';
  if (/suse/.test(o)) return 'sudo zypper install reptyr';
  if (/alpine/.test(o)) return 'sudo apk add reptyr';
  if (/darwin/.test(o)) return 'reptyr runs on Linux and FreeBSD only';
  return 'install reptyr with the system package manager';
}

export interface MoveCheck {
  ok: boolean;
  /** Why it cannot work, in words; with a hint (an install command) where there is one. */
  problems: string[];
  hint?: string;
}

export function parseMoveCheck(stdout: string): MoveCheck {
  const values = new Map(stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  const problems: string[] = [];
  let hint: string | undefined;
  if (values.get('alive') !== 'yes') problems.push('The process is not running any more (or is not yours).');
  const tty = values.get('tty') ?? '';
  if (values.get('alive') === 'yes' && (tty === '' || tty === '?')) problems.push('The process has no terminal: it is not a terminal program.');
  if (values.get('reptyr') !== 'yes') {
    problems.push('reptyr is not installed on the server.');
    hint = reptyrInstallHint(values.get('os') ?? '');
  }
  const scope = values.get('scope');
  if (scope === '2' || scope === '3') {
    problems.push(`The kernel does not let a user attach to a running process (kernel.yama.ptrace_scope is ${scope}${scope === '3' ? ', which only a reboot undoes' : ''}).`);
  } else if (scope === '1') {
    hint ??= 'kernel.yama.ptrace_scope is 1: if reptyr is refused, run "sudo sysctl kernel.yama.ptrace_scope=0" on the server, or Resume in tmux instead.';
  }
  return { ok: problems.length === 0, problems, ...(hint ? { hint } : {}) };
}

/** The command that makes a tmux session running `program` in `cwd`; it prints the session's id and name. */
export function rescueSessionCommand(sessionName: string, cwd: string | undefined, program: string): string {
  if (sessionName.trim() === '') throw new HoldfastError({ code: 'VALIDATION', message: 'No session name.' });
  return tmuxExec(tmux.newSession({ name: sessionName, print: NEW_SESSION_FORMAT, ...(cwd ? { cwd } : {}), command: program }));
}

/**
 * What Move into tmux runs inside the new session: reptyr takes the process's terminal over. Plain `reptyr PID`
 * refuses a program with children in its process group (an agent in the middle of running a command); then `-T`
 * steals the whole terminal, which works where the terminal's owner may be traced (not an sshd that made itself
 * untraceable). If neither can, the pane stays open with reptyr's own words.
 */
export function reptyrProgram(pid: number): string {
  const p = Math.floor(pid);
  return `reptyr ${p} || reptyr -T ${p} || { echo; echo 'Holdfast: reptyr could not take the process over (its words are above). Press Enter to close.'; read -r _; }`;
}
