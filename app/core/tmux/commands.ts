// The command lines Holdfast runs on a server to talk to tmux, and how their results are read. Pure: no I/O.
//
// Every line is run by the user's login shell (`$SHELL -c …` over an ssh exec or pty channel), so every value
// is quoted for a POSIX shell. tmux runs with `-u` so that it treats the client as UTF-8 whatever the remote
// locale says: without it, `list-sessions` prints non-ASCII session names as `_` and an attached client draws
// line characters as ASCII.
//
// stderr stays separate from stdout (no `exec 2>&1`): `list-sessions` output is parsed line by line, and the
// error text is what tells "no server running" from "tmux not installed". In a pty both go to the same stream
// anyway, which is what the user should see.
import { HoldfastError } from '../../shared/contract';
import type { TmuxSession } from '../../shared/model';
import type { ExecResult } from '../interfaces';

/** Quotes one argument for a POSIX shell: the result is a single word whose value is exactly `value`. */
export function shellQuote(value: string): string {
  // No `=` among the bare characters: zsh expands a word starting with `=` (`=name` is the path of `name`).
  if (value !== '' && /^[A-Za-z0-9_@%+:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Joins arguments into one shell command line, quoting each. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}

// The name goes last: it is the only free-text field, so even a name holding a tab would parse.
// (tmux escapes tabs and newlines in session names today; this keeps parsing right if that ever changes.)
const LIST_FIELDS = ['#{session_windows}', '#{session_attached}', '#{session_activity}', '#{session_created}', '#{session_name}'];
export const LIST_SESSIONS_FORMAT = LIST_FIELDS.join('\t');

export function listSessionsCommand(): string {
  return shellJoin(['tmux', '-u', 'list-sessions', '-F', LIST_SESSIONS_FORMAT]);
}

/** `=` makes tmux match the name exactly, not as a prefix or an fnmatch pattern. */
export function exactTarget(sessionName: string): string {
  return `=${sessionName}`;
}

export function hasSessionCommand(sessionName: string): string {
  return shellJoin(['tmux', 'has-session', '-t', exactTarget(sessionName)]);
}

/** Attaches to an existing session and nothing else: fails if the session is gone rather than making one. */
export function attachSessionCommand(sessionName: string): string {
  return shellJoin(['tmux', '-u', 'attach-session', '-t', exactTarget(sessionName)]);
}

/**
 * Attaches to the session, creating it first if it does not exist (`-A`). `startCommand` is what a new session
 * runs instead of the default shell; tmux hands a single argument to the shell, so it may hold pipes and quotes.
 * `requestedName` is the name as the user typed it: tmux expands formats in `-s` (so `#` is doubled here) and
 * stores the name escaped (see `tmuxStoredName`), which is the name every later target must use.
 */
export function newSessionCommand(requestedName: string, startCommand?: string): string {
  const args = ['tmux', '-u', 'new-session', '-A', '-s', requestedName.replace(/#/g, '##')];
  if (startCommand !== undefined && startCommand.trim() !== '') args.push(startCommand);
  return shellJoin(args);
}

const C_ESCAPES: Record<string, string> = { '\t': 't', '\n': 'n', '\r': 'r', '\x07': 'a', '\b': 'b', '\f': 'f', '\v': 'v' };
const C_UNESCAPES: Record<string, string> = Object.fromEntries(Object.entries(C_ESCAPES).map(([raw, letter]) => [letter, raw]));

/**
 * The name tmux keeps for a session created as `requestedName` (tmux's session_check_name and utf8_strvis): ':'
 * and '.' become '_', a backslash is doubled, a '$' that starts a variable gets a backslash, control characters
 * are escaped C-style or in octal. `list-sessions` prints this name and `-t =NAME` must use it.
 */
export function tmuxStoredName(requestedName: string): string {
  let out = '';
  for (let i = 0; i < requestedName.length; i++) {
    const ch = requestedName[i]!;
    const code = ch.charCodeAt(0);
    if (ch === ':' || ch === '.') out += '_';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '$' && /[A-Za-z_{]/.test(requestedName[i + 1] ?? '')) out += '\\$';
    else if (C_ESCAPES[ch] !== undefined) out += `\\${C_ESCAPES[ch]}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return out;
}

/** The inverse of `tmuxStoredName`: what to pass to `new-session -s` to make a session called `storedName` again. */
export function tmuxRequestedName(storedName: string): string {
  return storedName.replace(/\\(\\|\$|[0-7]{3}|[tnrabfv])/g, (_m, esc: string) => {
    if (esc === '\\' || esc === '$') return esc;
    if (/^[0-7]{3}$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    return C_UNESCAPES[esc] ?? esc;
  });
}

/** Reads `list-sessions` output in the format of `LIST_SESSIONS_FORMAT`; lines that do not fit are skipped. */
export function parseSessionList(stdout: string): TmuxSession[] {
  const sessions: TmuxSession[] = [];
  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    const parts = line.split('\t');
    if (parts.length < 5) continue;
    const [windows, attached, activity, created] = parts.slice(0, 4).map((p) => Number(p));
    const name = parts.slice(4).join('\t');
    if (name === '' || ![windows, attached, activity, created].every((n) => Number.isInteger(n))) continue;
    sessions.push({
      name,
      windows: windows!,
      attachedClients: attached!,
      lastActivity: activity! * 1000,
      created: created! * 1000,
    });
  }
  return sessions;
}

/** tmux's ways of saying there is no server, hence no sessions (tmux 1.x–3.x wordings). */
const NO_SERVER = [/no server running/i, /no sessions/i, /error connecting to .*(no such file|connection refused)/i, /failed to connect to server/i];

/**
 * How shells say the program is not there: bash/zsh "command not found", dash "tmux: not found", csh "Command not
 * found", fish "Unknown command". Narrow on purpose: old tmux says "session not found: x" for a missing session.
 */
const NOT_FOUND = /command not found|\btmux: not found|unknown command:? '?tmux/i;

export const TMUX_INSTALL_HINT =
  'Install tmux on the server, e.g. "sudo apt install tmux" (Debian/Ubuntu), "sudo dnf install tmux" (Fedora/RHEL), ' +
  '"sudo pacman -S tmux" (Arch) or "brew install tmux" (macOS). If it is installed, make sure it is on the PATH of a ' +
  'non-interactive login shell.';

export function tmuxMissingError(): HoldfastError {
  return new HoldfastError({ code: 'TMUX_MISSING', message: 'tmux is not installed on this server', hint: TMUX_INSTALL_HINT });
}

/** True when the shell could not run `tmux` at all (127 is POSIX's "command not found"). */
export function isTmuxMissing(result: ExecResult): boolean {
  if (result.code === 127) return true;
  return result.code !== 0 && NOT_FOUND.test(result.stderr) && !NO_SERVER.some((re) => re.test(result.stderr));
}

function isNoServer(result: ExecResult): boolean {
  return NO_SERVER.some((re) => re.test(result.stderr));
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** Turns the result of `listSessionsCommand()` into sessions; no server is an empty list. */
export function interpretListResult(result: ExecResult): TmuxSession[] {
  if (isTmuxMissing(result)) throw tmuxMissingError();
  if (result.code === 0) return parseSessionList(result.stdout);
  if (isNoServer(result)) return [];
  throw new HoldfastError({
    code: 'INTERNAL',
    message: `tmux list-sessions failed${result.code !== null ? ` (exit ${result.code})` : ''}: ${firstLine(result.stderr) || 'no output'}`,
  });
}

/** Turns the result of `hasSessionCommand()` into whether the session exists. */
export function interpretHasSessionResult(result: ExecResult): boolean {
  if (isTmuxMissing(result)) throw tmuxMissingError();
  if (result.code === 0) return true;
  if (result.code === 1) return false; // "can't find session", "no server running", …
  throw new HoldfastError({
    code: 'INTERNAL',
    message: `tmux has-session failed${result.code !== null ? ` (exit ${result.code})` : ` (${result.signal ?? 'no exit code'})`}: ${firstLine(result.stderr) || 'no output'}`,
  });
}
