// A host's tmux sessions: listing them, making and ending them, and reading a dead start command's last words, over
// exec channels of the host's connection. The commands come from the one builder (tmux.ts); this file reads what
// tmux answers.
//
// stderr stays separate from stdout: `list-sessions` output is parsed line by line, and the error text is what tells
// "no server running" from "tmux not installed".
//
// Sessions are targeted by their id (`$3`), never by name: tmux reads a name that starts with `$`, `@` or `%` as an
// id even after `=`, so typing could reach, and kill could end, another session. Names are matched to ids here,
// from `list-sessions`, by plain string comparison.
import { HoldfastError } from '../../shared/contract';
import type { CommandExit, TmuxSession } from '../../shared/model';
import type { ExecResult, ISshConnection } from '../interfaces';
import { leaseRegistration } from '../ssh/lease';
import { isSessionId, target, tmux, tmuxExec } from './tmux';

const EXEC_TIMEOUT_MS = 15_000;

// The name goes last: it is the only free-text field, so even a name holding a tab would parse.
// (tmux escapes tabs and newlines in session names today; this keeps parsing right if that ever changes.)
const LIST_FIELDS = ['#{session_id}', '#{session_windows}', '#{session_attached}', '#{session_activity}', '#{session_created}', '#{session_name}'];
export const LIST_SESSIONS_FORMAT = LIST_FIELDS.join('\t');

export function listSessionsCommand(): string {
  return tmuxExec(tmux.listSessions(LIST_SESSIONS_FORMAT));
}

/**
 * Attaches to an existing session by id, and nothing else: fails if it is gone rather than making one. With the
 * connection's `lease` (ssh/lease.ts) the client ends with the connection, however that ends.
 */
export function attachSessionCommand(sessionId: string, options: { ignoreSize?: boolean; lease?: string } = {}): string {
  // ignore-size (tmux ≥ 3.2): the client's size never sizes the windows while other clients are attached.
  return tmuxExec(tmux.attachSession(target.session(sessionId), options.ignoreSize ? ['ignore-size'] : []), { prelude: leaseRegistration(options.lease) });
}

/** tmux reads these first characters in a target as an id (session `$`, window `@`, pane `%`), even after `=`. */
export function isReservedSessionName(name: string): boolean {
  return /^[$@%]/.test(name);
}

export function reservedNameError(name: string): HoldfastError {
  return new HoldfastError({
    code: 'VALIDATION',
    message: `A new session's name cannot start with "${name[0]}": tmux would take it for an id.`,
    fields: { sessionName: 'Cannot start with $, @ or %' },
  });
}

export interface NewSessionOptions {
  /** What the session runs instead of the login shell, e.g. "claude --continue". */
  startCommand?: string;
  /** The directory it starts in. */
  cwd?: string;
  cols: number;
  rows: number;
  /**
   * Keep the window when the start command fails, so that its last output and exit status can be shown (tmux's
   * `remain-on-exit failed`). Only applies with a start command.
   */
  keepFailedCommand?: boolean;
}

/** What new-session prints (`-P -F`): the new session's id and the name tmux stored (it may escape some). */
export const NEW_SESSION_FORMAT = '#{session_id}\t#{session_name}';

/**
 * Creates a detached session, to be attached afterwards by its id, and prints `NEW_SESSION_FORMAT`. `requestedName`
 * is the name as the user typed it. tmux hands the start command to the shell as one argument, so it may hold pipes
 * and quotes.
 */
export function newSessionCommand(requestedName: string, options: NewSessionOptions): string {
  if (isReservedSessionName(requestedName)) throw reservedNameError(requestedName);
  const command = options.startCommand?.trim() ? options.startCommand : undefined;
  const made = tmux.newSession({
    name: requestedName,
    print: NEW_SESSION_FORMAT,
    cols: options.cols,
    rows: options.rows,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(command !== undefined ? { command } : {}),
  });
  // In the same command queue as new-session, so it applies before the command can have exited.
  return tmuxExec(command !== undefined && options.keepFailedCommand ? [made, tmux.setWindowOption('remain-on-exit', 'failed')] : made);
}

/** Reads what `newSessionCommand` printed: the new session's id and stored name. */
export function parseNewSession(result: ExecResult): { id: string; name: string } {
  if (isTmuxMissing(result)) throw tmuxMissingError();
  const line = result.stdout.split('\n')[0]?.replace(/\r$/, '') ?? '';
  const tab = line.indexOf('\t');
  const id = tab > 0 ? line.slice(0, tab) : '';
  if (result.code !== 0 || !isSessionId(id)) {
    const reason = firstLine(result.stderr) || 'no output';
    if (/duplicate session/i.test(reason)) {
      throw new HoldfastError({ code: 'VALIDATION', message: `A session with this name already exists (${reason})`, fields: { sessionName: 'This name is taken' } });
    }
    throw new HoldfastError({ code: 'INTERNAL', message: `tmux new-session failed${result.code !== null ? ` (exit ${result.code})` : ''}: ${reason}` });
  }
  return { id, name: line.slice(tab + 1) };
}

/**
 * The listed session a pane means: the one with its id while that exists (a rename keeps the id), else the one
 * with exactly its name (a session made again after the server restarted has a new id). Undefined: it is gone.
 */
export function findSession(sessions: readonly TmuxSession[], wanted: { id?: string; name: string }): TmuxSession | undefined {
  if (wanted.id !== undefined) {
    const byId = sessions.find((s) => s.id === wanted.id);
    if (byId) return byId;
  }
  return sessions.find((s) => s.name === wanted.name);
}

/** Whether the session's pane has died (kept by remain-on-exit), how, and its last lines, in one tmux run. */
export function deadPaneCommand(sessionId: string, lines = 40): string {
  const t = target.session(sessionId);
  return tmuxExec([tmux.displayMessage('#{pane_dead}\t#{pane_dead_status}\t#{pane_dead_signal}', t), tmux.capturePane(t, { join: true, start: -lines })]);
}

/**
 * Reads what `deadPaneCommand` printed: undefined while the pane lives (or the session is gone), else how its
 * command ended and what it printed last (without tmux's own "Pane is dead" line and trailing blank lines).
 */
export function parseDeadPane(result: ExecResult): { status?: number; signal?: string; output: string } | undefined {
  if (result.code !== 0) return undefined;
  const [first = '', ...rest] = result.stdout.split('\n');
  const [dead, status, signal] = first.replace(/\r$/, '').split('\t');
  if (dead !== '1') return undefined;
  const lines = rest.map((l) => l.replace(/\r$/, '').trimEnd());
  while (lines.length && (lines[lines.length - 1] === '' || /^Pane is dead/.test(lines[lines.length - 1]!))) lines.pop();
  while (lines.length && lines[0] === '') lines.shift();
  const out: { status?: number; signal?: string; output: string } = { output: lines.join('\n') };
  if (status !== undefined && /^\d+$/.test(status)) out.status = Number(status);
  if (signal) out.signal = signal;
  return out;
}

export function killSessionCommand(sessionId: string): string {
  return tmuxExec(tmux.killSession(target.session(sessionId)));
}

/** Reads `list-sessions` output in the format of `LIST_SESSIONS_FORMAT`; lines that do not fit are skipped. */
export function parseSessionList(stdout: string): TmuxSession[] {
  const sessions: TmuxSession[] = [];
  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    const parts = line.split('\t');
    if (parts.length < 6) continue;
    const id = parts[0]!;
    const [windows, attached, activity, created] = parts.slice(1, 5).map((p) => Number(p));
    const name = parts.slice(5).join('\t');
    if (!isSessionId(id) || name === '' || ![windows, attached, activity, created].every((n) => Number.isInteger(n))) continue;
    sessions.push({
      id,
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
  '"sudo pacman -S tmux" (Arch) or "brew install tmux" (macOS). If it is installed elsewhere than /usr/bin, /opt/homebrew/bin ' +
  'or /usr/local/bin, make sure it is on the PATH of a non-interactive shell.';

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
    message: `tmux list-sessions failed${result.code !== null ? ` (exit ${result.code})` : ` (${result.signal ?? 'no exit code'})`}: ${firstLine(result.stderr) || 'no output'}`,
  });
}

/** The host's tmux sessions; an empty list when no tmux server runs. Rejects with TMUX_MISSING if tmux is absent. */
export async function listSessions(conn: ISshConnection): Promise<TmuxSession[]> {
  return interpretListResult(await conn.exec(listSessionsCommand(), { timeoutMs: EXEC_TIMEOUT_MS }));
}

/** The session a pane means (by id, else by exact name), as listed now; undefined when it is gone. */
export async function lookUpSession(conn: ISshConnection, wanted: { id?: string; name: string }): Promise<TmuxSession | undefined> {
  return findSession(await listSessions(conn), wanted);
}

/** Makes a detached session and returns its id and the name tmux stored. */
export async function createSession(conn: ISshConnection, requestedName: string, options: NewSessionOptions): Promise<{ id: string; name: string }> {
  return parseNewSession(await conn.exec(newSessionCommand(requestedName, options), { timeoutMs: EXEC_TIMEOUT_MS }));
}

/** How the session's command ended, if its pane is dead (kept by remain-on-exit); undefined while it runs. */
export async function deadPane(conn: ISshConnection, sessionId: string): Promise<CommandExit | undefined> {
  return parseDeadPane(await conn.exec(deadPaneCommand(sessionId), { timeoutMs: EXEC_TIMEOUT_MS }));
}

/** Ends a session (a made one whose command failed); a session already gone is fine. */
export async function killSession(conn: ISshConnection, sessionId: string): Promise<void> {
  await conn.exec(killSessionCommand(sessionId), { timeoutMs: EXEC_TIMEOUT_MS });
}
