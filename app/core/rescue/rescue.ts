// Rescue: programs of the user that run in a bare SSH terminal (a pty that is not a tmux pane) die with the next
// drop. One bounded remote command lists them (ps, plus /proc for the directory where there is one); Move into tmux
// runs `reptyr PID` in a new tmux session (the running process, with its state, now lives in tmux), after checking
// what would stop it; Resume in tmux starts the agent's resume command in a new session in its directory. Nothing
// runs on a server but the listing unless the user clicks, and the exact command is shown first.
import { HoldfastError } from '../../shared/contract';
import type { UnprotectedProcess } from '../../shared/model';
import { posixCommand, shellQuote } from '../tmux/shell';
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

/** At most this many of the user's processes are listed (and read in /proc); past it the listing says it was cut. */
export const SCAN_LIMIT = 5000;

/**
 * The byte that frames the listing's sections. The script makes it at run time (`printf '\036'`), so its own text,
 * which ps lists with every other command line, never holds it; it is taken out of everything listed before the
 * /proc part, and that part is NUL-separated fields, which no file name or command line can hold.
 */
const FRAME = '\x1e';

/**
 * The listing, one command: the scan's own pid (it and what it runs are left out), the terminals of tmux panes (to
 * leave out), the user's processes (pid, parent, terminal, seconds running, name), their command lines, and from
 * /proc for each of them its start time and, for one on a terminal, its directory and where its input comes from.
 * Output is bounded (SCAN_LIMIT processes); a server without /proc (macOS) lists without directories.
 */
export function scanCommand(): string {
  const mark = (name: string) => `printf '%s${name}\\n' "$R"`;
  const limit = SCAN_LIMIT;
  const script = [
    TMUX_PATH_SETUP,
    `R=$(printf '\\036')`,
    `printf '%sself %s\\n' "$R" "$$"`,
    mark('panes'),
    `${tmuxInScript(tmux.listPanes({ all: true }, '#{pane_tty}'))} 2>/dev/null | head -n 2000 | tr -d '\\036'`,
    mark('ps'),
    // The name last: it may hold spaces. One line more than the limit tells that the listing was cut.
    `ps -o pid= -o ppid= -o tty= -o etimes= -o comm= -u "$(id -u)" 2>/dev/null | head -n ${limit + 1} | tr -d '\\036'`,
    mark('args'),
    `ps -o pid= -o args= -u "$(id -u)" 2>/dev/null | head -n ${limit + 1} | cut -c1-600 | tr -d '\\036'`,
    mark('proc'),
    // Per process four NUL-terminated fields: pid, directory, input, start time. /proc/PID/stat's fields after the
    // last ")" (the name before it may hold anything): $5 is the terminal (0: none), $20 the start time in clock
    // ticks since boot, which with the pid names this process and no later one. The directory and the input only for
    // a process on a terminal (a readlink each); `&& echo .` keeps a trailing line break of a directory's name.
    `n=0; for d in /proc/[0-9]*; do [ -O "$d" ] || continue; n=$((n+1)); [ "$n" -gt ${limit} ] && break; ` +
      `read -r t < "$d/stat" || continue; t=\${t##*)}; set -- $t; [ $# -ge 20 ] || continue; c=; i=; ` +
      `if [ "$5" != 0 ]; then c=$(readlink "$d/cwd" && echo .) && c=\${c%??}; i=$(readlink "$d/fd/0" && echo .) && i=\${i%??}; fi; ` +
      `printf '%s\\000%s\\000%s\\000%s\\000' "\${d#/proc/}" "$c" "$i" "\${20}"; done 2>/dev/null`,
    mark('end'),
  ].join('\n');
  return posixCommand(script);
}

/** A process of the listing: its pid, parent, terminal, running time, name and command line. */
interface PsRow {
  pid: number;
  ppid: number;
  tty: string;
  elapsedSec: number;
  comm: string;
  args: string;
}

/** What the listing says of one process beyond the contract's fields: its start time (with the pid, its identity). */
export interface ListedProcess extends UnprotectedProcess {
  /** /proc/PID/stat's start time (clock ticks since boot), where the server has /proc. */
  started?: string;
}

export interface ScanResult {
  supported: boolean;
  /** More processes than SCAN_LIMIT: the listing was cut, and a process missing from it may still run. */
  truncated: boolean;
  processes: ListedProcess[];
  /** Every process of the user the listing saw running (but the scan's own), with its start time where known. */
  running: ReadonlyMap<number, string | undefined>;
  /** The running processes on a tmux pane's terminal, or reading from one (moved there by reptyr): protected. */
  inTmux: ReadonlySet<number>;
}

interface Framed {
  self?: number;
  lines: Map<string, string[]>;
  /** The /proc part: groups of four NUL-terminated fields. */
  proc: string[][];
}

/**
 * Splits the listing at its frames. Before the /proc part no listed byte is the frame byte (the script takes it
 * out), so the first `FRAME proc` line is the script's own; the /proc part runs to the last `FRAME end` and is read
 * as NUL-terminated fields only, four at a time, so nothing in a directory's name can end it or forge a field.
 */
function unframe(stdout: string): Framed {
  const procMark = `${FRAME}proc\n`;
  const procAt = stdout.indexOf(procMark);
  const head = procAt < 0 ? stdout : stdout.slice(0, procAt);
  const lines = new Map<string, string[]>();
  let self: number | undefined;
  // What came before the first frame (a login shell's own words) is not the listing's.
  for (const part of head.split(FRAME).slice(1)) {
    const [title = '', ...rest] = part.split('\n');
    const [name = '', value] = title.split(' ');
    if (name === 'self' && value && /^\d+$/.test(value)) self = Number(value);
    else if (!lines.has(name)) lines.set(name, rest.filter((l) => l.trim() !== ''));
  }
  const proc: string[][] = [];
  if (procAt >= 0) {
    const from = procAt + procMark.length;
    const endAt = stdout.lastIndexOf(`${FRAME}end\n`);
    const fields = stdout.slice(from, endAt >= from ? endAt : undefined).split('\0');
    // The piece after the last NUL is not a whole field.
    fields.pop();
    for (let i = 0; i + 4 <= fields.length; i += 4) proc.push(fields.slice(i, i + 4));
  }
  return { ...(self !== undefined ? { self } : {}), lines, proc };
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
 * running longer than LONG_RUNNING_SEC; one per terminal (the topmost such program in it), never a shell. Also
 * every process the listing saw running, for telling a process that ended from one that is protected now.
 */
export function parseScan(stdout: string, options: { extraNames?: readonly string[]; longRunningSec?: number } = {}): ScanResult {
  const framed = unframe(stdout);
  const section = (name: string) => framed.lines.get(name) ?? [];
  const paneTtys = new Set(section('panes').map((t) => t.replace(/^\/dev\//, '')));
  const psLines = section('ps');
  const argsLines = section('args');
  const truncated = psLines.length > SCAN_LIMIT || argsLines.length > SCAN_LIMIT || framed.proc.length >= SCAN_LIMIT;
  const argsOf = new Map<number, string>();
  for (const line of argsLines.slice(0, SCAN_LIMIT)) {
    const m = /^\s*(\d+) (.*)$/.exec(line);
    if (m) argsOf.set(Number(m[1]), m[2]!);
  }
  const rows: PsRow[] = [];
  for (const line of psLines.slice(0, SCAN_LIMIT)) {
    // The name is the rest of the line after one space: it may hold spaces of its own.
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const row = { pid: Number(m[1]), ppid: Number(m[2]), tty: m[3]!, elapsedSec: Number(m[4]), comm: m[5]!, args: argsOf.get(Number(m[1])) ?? m[5]! };
    // The scan's own shell and what it runs (ps, head, tr) are not the user's programs.
    if (framed.self !== undefined && (row.pid === framed.self || row.ppid === framed.self)) continue;
    rows.push(row);
  }
  const cwds = new Map<number, string>();
  const inputs = new Map<number, string>();
  const starts = new Map<number, string>();
  for (const [pid, cwd, input, started] of framed.proc) {
    if (!/^\d+$/.test(pid!)) continue;
    const n = Number(pid);
    if (cwd) cwds.set(n, cwd);
    if (input) inputs.set(n, input.replace(/^\/dev\//, ''));
    if (started && /^\d+$/.test(started)) starts.set(n, started);
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
    supported: psLines.length > 0,
    truncated,
    processes: chosen.map((r) => {
      const agent = agentOf(r.comm, r.args) ?? (extra.has(r.comm.toLowerCase()) ? r.comm.toLowerCase() : undefined);
      const cwd = cwds.get(r.pid);
      const started = starts.get(r.pid);
      return { pid: r.pid, tty: r.tty, command: r.comm, args: r.args, elapsedSec: r.elapsedSec, ...(cwd ? { cwd } : {}), ...(agent ? { agent } : {}), ...(started ? { started } : {}) };
    }),
    running: new Map(rows.map((r) => [r.pid, starts.get(r.pid)])),
    inTmux: new Set(rows.filter((r) => paneTtys.has(r.tty) || paneTtys.has(inputs.get(r.pid) ?? '')).map((r) => r.pid)),
  };
}

/** A tmux session name from the program and its directory: "claude-myproject" (tmux's own rules on the characters). */
export function rescueSessionName(program: string, cwd: string | undefined): string {
  const dir = (cwd ?? '').split('/').filter(Boolean).pop() ?? '';
  const base = `${program}${dir ? `-${dir}` : ''}`.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return (base || 'rescued').slice(0, 60).replace(/^[$@%]/, 'x');
}

/**
 * Reads the start time of process `$p` into `$s` (/proc/PID/stat's field 22, read after the last ")", since the
 * name before it may hold spaces and parentheses): the same words at the listing, in the check and in the move.
 */
const START_OF_P = `t=; { read -r t < "/proc/$p/stat"; } 2>/dev/null; t=\${t##*)}; set -- $t; s=\${20:-}`;

/**
 * What Move into tmux checks first, one command: reptyr, the kernel's ptrace rule, the process (alive, its terminal,
 * start time and name), the processes that share its process group (reptyr refuses while there are any: as a rule an
 * agent's children, a tool call or an MCP server) and the OS (for the install hint). Free text is printed with printf
 * (echo would read backslashes in it) and without line breaks, and the first value of a key counts, so no name can
 * forge a line.
 */
export function moveCheckCommand(pid: number): string {
  return posixCommand(
    [
      `p=${Math.floor(pid)}`,
      'command -v reptyr >/dev/null 2>&1 && echo reptyr=yes || echo reptyr=no',
      'echo "scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo none)"',
      'if kill -0 "$p" 2>/dev/null; then echo alive=yes; else echo alive=no; fi',
      START_OF_P,
      'echo "started=$s"',
      `printf 'tty=%s\\n' "$(ps -o tty= -p "$p" 2>/dev/null | tr -d ' \\n\\036')"`,
      `printf 'name=%s\\n' "$(ps -o comm= -p "$p" 2>/dev/null | tr -d '\\n\\036')"`,
      `g=$(ps -o pgid= -p "$p" 2>/dev/null | tr -d ' \\n')`,
      // pid, parent, name (the rest of the line: it may hold spaces), for every process of its group but itself.
      `[ -n "$g" ] && ps -A -o pid= -o ppid= -o pgid= -o comm= 2>/dev/null | head -n 50000 | tr -d '\\036' | while read -r a b c n; do [ "$c" = "$g" ] && [ "$a" != "$p" ] && printf 'member=%s %s %s\\n' "$a" "$b" "$n"; done | head -n 50`,
      `printf 'os=%s\\n' "$( ( (. /etc/os-release 2>/dev/null && printf '%s %s' "$ID" "$ID_LIKE") || uname -s) | tr -d '\\n\\036')"`,
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
  /** Processes in its process group (its children, as a rule): reptyr cannot take it over while there are any. */
  children: { pid: number; command: string }[];
  hint?: string;
}

/**
 * Reads what moveCheckCommand printed, for the process as the listing saw it (`listed`: its start time and name;
 * another start or name is another process that has its pid now).
 */
export function parseMoveCheck(stdout: string, listed: { pid: number; started?: string; name: string }): MoveCheck {
  const values = new Map<string, string>();
  const children: { pid: number; command: string }[] = [];
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    const value = line.slice(at + 1);
    if (key === 'member') {
      const m = /^(\d+) (\d+) (.*)$/.exec(value);
      if (m) children.push({ pid: Number(m[1]), command: m[3]! });
    } else if (!values.has(key)) values.set(key, value);
  }
  const problems: string[] = [];
  let hint: string | undefined;
  const alive = values.get('alive') === 'yes';
  const same = alive && listed.started !== undefined && values.get('started') === listed.started && values.get('name') === listed.name;
  if (!alive) problems.push('The process is not running any more (or is not yours).');
  else if (listed.started === undefined) {
    problems.push('Holdfast could not read when the process started (the server has no /proc), so it cannot make sure that it moves this process and not a later one with its pid.');
  } else if (!same) {
    problems.push(`Process ${listed.pid} is not the ${listed.name} that was listed: that one ended, and another program has its pid now. Refresh the host.`);
  }
  const tty = values.get('tty') ?? '';
  if (same && (tty === '' || tty === '?')) problems.push('The process has no terminal: it is not a terminal program.');
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
  const members = same ? children : [];
  return { ok: problems.length === 0 && members.length === 0, problems, children: members, ...(hint ? { hint } : {}) };
}

/**
 * The command that makes a tmux session running `program` in `cwd`, exactly as it is sent to the server; it prints
 * the session's id and name. The window stays when the program fails (remain-on-exit failed, set in the same run of
 * tmux, before the program can have ended), so that what it printed can be shown, as for a new session's command.
 */
export function rescueSessionCommand(sessionName: string, cwd: string | undefined, program: string): string {
  if (sessionName.trim() === '') throw new HoldfastError({ code: 'VALIDATION', message: 'No session name.' });
  return tmuxExec([tmux.newSession({ name: sessionName, print: NEW_SESSION_FORMAT, ...(cwd ? { cwd } : {}), command: program }), tmux.setWindowOption('remain-on-exit', 'failed')]);
}

/**
 * A word for a POSIX script in double quotes when nothing in it means anything there (no `"`, `$`, backquote or
 * backslash), else shellQuote's: the programs below then hold no `'` or `\`, and stay readable where they are shown
 * quoted again (the exact command line, a tab's start command).
 */
function scriptWord(value: string): string {
  return /^[^"$`\\]*$/.test(value) ? `"${value}"` : shellQuote(value);
}

/**
 * What Move into tmux runs inside the new session, one command line: it checks, right before reptyr, that `$p` is
 * still the process that was listed (its start time and name), then becomes `reptyr PID`, which takes the process's
 * terminal over. If the check fails it says why and ends with status 1: the pane stays, with those words. (A child
 * that appeared since the plan's check makes reptyr itself refuse, in its own words, left in the pane the same way.
 * Not `reptyr -T`: it would have to trace the sshd that holds the terminal, which sshd does not allow.) The text is
 * printed with `printf %s`: echo would read backslashes in the name.
 */
export function moveProgram(target: { pid: number; started: string; name: string }): string {
  if (!/^\d+$/.test(target.started)) throw new HoldfastError({ code: 'VALIDATION', message: 'The process has no known start time.' });
  return posixCommand(
    [
      `p=${Math.floor(target.pid)}; want=${target.started}; name=${scriptWord(target.name)}`,
      START_OF_P,
      'n=$(ps -o comm= -p "$p" 2>/dev/null)',
      'if [ "$s" != "$want" ] || [ "$n" != "$name" ]; then printf %s "Holdfast: process $p is not the $name that was listed any more: it has ended, and another program may have its pid now. Nothing was moved."; echo; exit 1; fi',
      'exec reptyr "$p"',
    ].join('; '),
  );
}

/**
 * What Resume in tmux runs inside the new session, one command line: in the agent's directory, its resume command
 * as the user's login shell finds it. Interactive, so that what only the interactive shell has (~/.local/bin added in
 * ~/.bashrc, nvm, an alias) is there; csh reads its rc file with -c alone (and takes -l only on its own). The
 * directory comes in the command too, so that Recreate, which makes the session anew from this command alone, starts
 * it there again.
 */
export function resumeProgram(command: string, cwd: string | undefined): string {
  const run = scriptWord(command);
  return posixCommand(
    [
      ...(cwd !== undefined ? [`cd ${scriptWord(cwd)} || exit 1`] : []),
      's=${SHELL:-/bin/sh}',
      `case "$s" in *csh) exec "$s" -c ${run};; *) exec "$s" -lic ${run};; esac`,
    ].join('; '),
  );
}
