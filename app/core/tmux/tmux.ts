// The one voice for tmux: every tmux command core runs is built here, whether it goes to a login shell over an exec
// channel or on a control-mode client's line. Everything a server sends is data — a session or window name, a
// process's directory, a start command the user typed — and it reaches tmux only through this module, which knows
// for each argument how tmux will read it:
//
// - a `word` is ours: a command name, a flag, a number, a format we wrote (`-F '#{pane_id}'`);
// - `text` is anyone's, in an argument tmux expands as a format (new-session -s and -c, new-window -n and -c,
//   split-window -c, rename-window, rename-session, select-pane -T: tmux 3.3a's spawn.c and the cmd-*.c files run
//   them through format_single): every `#` is doubled, so `#(curl …|sh)` and `#{…}` arrive as the characters they are;
// - `raw` is anyone's, in an argument tmux takes as it is (the shell command of a new session).
//
// Ids are checked where a target is made ($N, @N, %N). Rendering then quotes for where the line goes: for a login
// shell (/bin/sh runs the script, see shell.ts), with tmux's own argument rule on top — tmux splits commands at an
// argument that ends in `;` (cmd_parse_from_arguments) unless it ends in `\;`; for a control-mode line, tmux's
// parser quoting (single quotes are literal; a line break cannot be passed at all and is refused).
//
// tmux always runs with `-u`: without it, a server without a UTF-8 locale makes tmux print tabs and every non-ASCII
// character as `_` and draw line characters as ASCII.
import { HoldfastError } from '../../shared/contract';
import { posixCommand, shellQuote } from './shell';

/**
 * Where tmux often is when a non-interactive shell's PATH does not have it: Homebrew on Apple silicon and on Intel
 * Macs (and many hand-built installs). Searched after the user's own PATH.
 */
export const TMUX_FALLBACK_PATH = '/opt/homebrew/bin:/usr/local/bin';

/** The line every script that runs tmux starts with. */
export const TMUX_PATH_SETUP = `PATH="$PATH:${TMUX_FALLBACK_PATH}"; export PATH`;

type ArgKind = 'word' | 'text' | 'raw';
interface Arg {
  readonly kind: ArgKind;
  readonly value: string;
}

/** A target tmux resolves: an id checked when it was made. */
export interface Target {
  readonly target: string;
}

/** One tmux command, each argument marked with how tmux reads it. Made by the functions of `tmux` below only. */
export class TmuxCommand {
  private constructor(
    readonly args: readonly Arg[],
    /** `refresh-client -A`: on a control client, its reply carries the `%pause`/`%continue` it causes (client.ts). */
    readonly isFlowControl: boolean,
  ) {}

  /** @internal */
  static of(args: readonly Arg[], isFlowControl = false): TmuxCommand {
    return new TmuxCommand(args, isFlowControl);
  }
}

export const isSessionId = (value: string): boolean => /^\$\d+$/.test(value);
export const isWindowId = (value: string): boolean => /^@\d+$/.test(value);
export const isPaneId = (value: string): boolean => /^%\d+$/.test(value);

function checked(value: string, valid: (v: string) => boolean, what: string): string {
  if (!valid(value)) throw new HoldfastError({ code: 'INTERNAL', message: `Not a tmux ${what} id: ${JSON.stringify(value).slice(0, 60)}` });
  return value;
}

/** Targets, from ids only: tmux reads a name starting with `$`, `@` or `%` as an id even after `=`. */
export const target = {
  session: (id: string): Target => ({ target: checked(id, isSessionId, 'session') }),
  /** The session's current window (`$3:`), where new-window puts a window. */
  sessionWindow: (id: string): Target => ({ target: `${checked(id, isSessionId, 'session')}:` }),
  window: (id: string): Target => ({ target: checked(id, isWindowId, 'window') }),
  pane: (id: string): Target => ({ target: checked(id, isPaneId, 'pane') }),
  /** A pane or, failing that, a session (a quick answer's pane, a preview's session): checked as either. */
  paneOrSession: (id: string): Target => ({ target: checked(id, (v) => isPaneId(v) || isSessionId(v), 'pane or session') }),
};

/** Builds one command's arguments; `word` is ours, `text` and `raw` are anyone's (see the top of this file). */
class Args {
  private readonly _args: Arg[] = [];

  word(...values: readonly (string | number)[]): this {
    for (const v of values) this._args.push({ kind: 'word', value: String(v) });
    return this;
  }

  text(value: string): this {
    this._args.push({ kind: 'text', value });
    return this;
  }

  raw(value: string): this {
    this._args.push({ kind: 'raw', value });
    return this;
  }

  to(t: Target): this {
    return this.word('-t', t.target);
  }

  done(options: { flowControl?: boolean } = {}): TmuxCommand {
    return TmuxCommand.of(this._args, options.flowControl === true);
  }
}

const cmd = (name: string) => new Args().word(name);
const count = (n: number, min = 1) => Math.max(min, Math.floor(n));

export interface NewSession {
  /** The name asked for (anyone's text: a user's, or one made from a directory). tmux stores it as it likes. */
  name: string;
  /** The starting directory (anyone's text, e.g. a process's directory on the server). */
  cwd?: string;
  /** What the session runs instead of the login shell; tmux hands it to the shell as one argument. */
  command?: string;
  cols?: number;
  rows?: number;
  /** Printed once made (`-P -F`), e.g. its id and name. */
  print?: string;
}

/** The commands core sends tmux. Each returns a TmuxCommand; `tmuxExec` and `controlLine` render them. */
export const tmux = {
  listSessions: (format: string) => cmd('list-sessions').word('-F', format).done(),
  newSession(o: NewSession): TmuxCommand {
    const a = cmd('new-session').word('-d');
    if (o.print !== undefined) a.word('-P', '-F', o.print);
    a.word('-s').text(o.name);
    if (o.cwd !== undefined) a.word('-c').text(o.cwd);
    if (o.cols !== undefined && o.rows !== undefined) a.word('-x', count(o.cols), '-y', count(o.rows));
    // After `--`, so that a command that begins with `-` is not read as tmux options.
    if (o.command !== undefined) a.word('--').raw(o.command);
    return a.done();
  },
  killSession: (t: Target) => cmd('kill-session').to(t).done(),
  /** Attaches this client (classic, in a pty; or with -C, control mode); `flags` are client flags (attach -f). */
  attachSession(t: Target, flags: readonly string[] = []): TmuxCommand {
    const a = cmd('attach-session').to(t);
    if (flags.length) a.word('-f', flags.join(','));
    return a.done();
  },
  displayMessage(format: string, t?: Target): TmuxCommand {
    const a = cmd('display-message').word('-p');
    if (t) a.to(t);
    return a.word(format).done();
  },
  capturePane(t: Target, o: { escapes?: boolean; join?: boolean; noTrim?: boolean; alternate?: boolean; start?: number; end?: number } = {}): TmuxCommand {
    const a = cmd('capture-pane').word('-p');
    if (o.escapes) a.word('-e');
    if (o.join) a.word('-J');
    if (o.noTrim) a.word('-N');
    if (o.alternate) a.word('-a', '-q');
    a.to(t);
    if (o.start !== undefined) a.word('-S', Math.floor(o.start));
    if (o.end !== undefined) a.word('-E', Math.floor(o.end));
    return a.done();
  },
  /** Exactly these bytes as keys (`-H`: two hex digits a byte; nothing is read as a key name). */
  sendKeysHex(t: Target, bytes: Uint8Array): TmuxCommand {
    const a = cmd('send-keys').word('-H').to(t);
    for (const b of bytes) a.word((b < 16 ? '0' : '') + b.toString(16));
    return a.done();
  },
  selectWindow: (t: Target) => cmd('select-window').to(t).done(),
  selectPane: (t: Target) => cmd('select-pane').to(t).done(),
  /** The pane's title (anyone's text). */
  setPaneTitle: (t: Target, title: string) => cmd('select-pane').to(t).word('-T').text(title).done(),
  listPanes(scope: { all: true } | { session: Target }, format: string): TmuxCommand {
    const a = cmd('list-panes');
    if ('all' in scope) a.word('-a');
    else a.word('-s').to(scope.session);
    return a.word('-F', format).done();
  },
  listWindows: (session: Target, format: string) => cmd('list-windows').to(session).word('-F', format).done(),
  listClients: (format: string) => cmd('list-clients').word('-F', format).done(),
  newWindow(t: Target, o: { name?: string; cwd?: string } = {}): TmuxCommand {
    const a = cmd('new-window').to(t);
    if (o.name !== undefined) a.word('-n').text(o.name);
    if (o.cwd !== undefined) a.word('-c').text(o.cwd);
    return a.done();
  },
  splitWindow(t: Target, direction: 'right' | 'down', o: { cwd?: string } = {}): TmuxCommand {
    const a = cmd('split-window').word(direction === 'right' ? '-h' : '-v').to(t);
    if (o.cwd !== undefined) a.word('-c').text(o.cwd);
    return a.done();
  },
  killPane: (t: Target) => cmd('kill-pane').to(t).done(),
  killWindow: (t: Target) => cmd('kill-window').to(t).done(),
  // `--` first: a name that begins with `-` would otherwise be read as flags (`-t%0` would retarget the rename).
  renameWindow: (t: Target, name: string) => cmd('rename-window').to(t).word('--').text(name).done(),
  renameSession: (t: Target, name: string) => cmd('rename-session').to(t).word('--').text(name).done(),
  zoomPane: (t: Target) => cmd('resize-pane').word('-Z').to(t).done(),
  resizePane(t: Target, size: { cols?: number; rows?: number }): TmuxCommand {
    const a = cmd('resize-pane').to(t);
    if (size.cols !== undefined) a.word('-x', count(size.cols));
    if (size.rows !== undefined) a.word('-y', count(size.rows));
    return a.done();
  },
  /** A control client's size, which tmux gives the session's windows. */
  refreshClientSize: (cols: number, rows: number) => cmd('refresh-client').word('-C', `${count(cols)}x${count(rows)}`).done(),
  /** A control client's flow control for one pane (never `off`: it can crash tmux 3.3a). */
  refreshClientFlow: (pane: Target, action: 'pause' | 'continue') =>
    cmd('refresh-client').word('-A', `${checked(pane.target, isPaneId, 'pane')}:${action}`).done({ flowControl: true }),
  /** A window option of the window the previous command made (remain-on-exit). */
  setWindowOption: (name: string, value: string) => cmd('set-option').word('-w', name, value).done(),
  detachClient: () => cmd('detach-client').done(),
};

function formatSafe(arg: Arg): string {
  // `##` is a literal `#` in a format: nothing of the text can start a `#(…)`, `#{…}` or `#S`.
  return arg.kind === 'text' ? arg.value.replace(/#/g, '##') : arg.value;
}

/** An argument as tmux must get it in its argv: an argument ending in `;` would end the command, `\;` is a `;`. */
function argvValue(arg: Arg): string {
  const value = formatSafe(arg);
  return value.endsWith(';') ? `${value.slice(0, -1)}\\;` : value;
}

function argvOf(commands: TmuxCommand | readonly TmuxCommand[]): string[] {
  const list = commands instanceof TmuxCommand ? [commands] : commands;
  if (list.length === 0) throw new Error('No tmux command');
  return list.flatMap((c, i) => [...(i > 0 ? [';'] : []), ...c.args.map(argvValue)]);
}

/**
 * `tmux -u …` as a piece of a larger POSIX script (a loop, a pipeline), every argument quoted for the shell.
 * The script must set the PATH first (TMUX_PATH_SETUP). `control` adds `-C` (a control-mode client).
 */
export function tmuxInScript(commands: TmuxCommand | readonly TmuxCommand[], options: { control?: boolean } = {}): string {
  return `tmux -u${options.control ? ' -C' : ''} ${argvOf(commands).map(shellQuote).join(' ')}`;
}

/**
 * The command line an exec channel runs: these commands in one run of tmux (one pass of its queue). `prelude` is
 * script run first (a lease registration: ssh/lease.ts).
 */
export function tmuxExec(commands: TmuxCommand | readonly TmuxCommand[], options: { control?: boolean; prelude?: string } = {}): string {
  // `exec`: signals (the channel closing) reach tmux itself, and the pid stays the shell's.
  return posixCommand(`${TMUX_PATH_SETUP}; ${options.prelude ?? ''}exec ${tmuxInScript(commands, options)}`);
}

/** One argument for tmux's own parser: single quotes are literal; a `'` goes outside them as `\'`. */
function tmuxParserQuote(value: string): string {
  // No `$`, `~`, `#`, `;`, `{`, `}` or quotes among the bare characters: tmux's parser gives them meaning.
  if (value !== '' && /^[A-Za-z0-9_@%:,./=+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * One line for a control-mode client: the commands joined by ` ; ` (tmux runs them in one pass, with no pane output
 * between them). A line break cannot be passed on a line (it would end it): refused.
 */
export function controlLine(commands: TmuxCommand | readonly TmuxCommand[]): string {
  const list = commands instanceof TmuxCommand ? [commands] : commands;
  if (list.length === 0) throw new Error('No tmux command');
  return list
    .map((c) =>
      c.args
        .map((arg) => {
          if (/[\r\n]/.test(arg.value)) throw new HoldfastError({ code: 'VALIDATION', message: 'tmux cannot be given a line break here.' });
          return tmuxParserQuote(formatSafe(arg));
        })
        .join(' '),
    )
    .join(' ; ');
}
