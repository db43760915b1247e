// A tmux server in memory that answers the command lines Holdfast sends, for unit tests of panes and sessions
// (integration tests use the real tmux), and the inverse of Holdfast's own quoting to read those command lines.
import type { ExecResult } from '../interfaces';

/** Splits a command line built by shellQuote/shellJoin back into its words (the inverse of our own quoting). */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The tmux arguments (after `-u`) of a command line built by tmuxCommand, or undefined if it is not one. */
export function tmuxArgsOf(commandLine: string): string[] | undefined {
  const outer = splitShellWords(commandLine);
  if (outer[0] !== 'exec' || outer[1] !== '/bin/sh' || outer[2] !== '-c' || outer.length !== 4) return undefined;
  const script = outer[3]!;
  const marker = 'exec tmux -u ';
  const at = script.indexOf(marker);
  return at < 0 ? undefined : splitShellWords(script.slice(at + marker.length));
}

export interface FakeTmuxSession {
  id: string;
  name: string;
  /** Set when its command has exited and remain-on-exit kept its window. */
  dead?: { status?: number; output: string };
}

/**
 * A tmux server in memory that answers the command lines Holdfast sends (list-sessions, new-session) and tells
 * which session an attach-session pty targets. For unit tests of panes; integration tests use the real tmux.
 */
export class FakeTmuxServer {
  readonly sessions: FakeTmuxSession[] = [];
  private _nextId = 0;
  tmuxMissing = false;
  /** Every tmux invocation, as its arguments. */
  readonly calls: string[][] = [];

  constructor(names: readonly string[] = []) {
    for (const name of names) this.add(name);
  }

  add(name: string): FakeTmuxSession {
    const session = { id: `$${this._nextId++}`, name };
    this.sessions.push(session);
    return session;
  }

  remove(name: string): void {
    const i = this.sessions.findIndex((s) => s.name === name);
    if (i >= 0) this.sessions.splice(i, 1);
  }

  byName(name: string): FakeTmuxSession | undefined {
    return this.sessions.find((s) => s.name === name);
  }

  /** The session id an attach-session command line targets. */
  attachTarget(commandLine: string): string | undefined {
    const args = tmuxArgsOf(commandLine);
    return args?.[0] === 'attach-session' ? args[args.indexOf('-t') + 1] : undefined;
  }

  readonly exec = (commandLine: string): ExecResult => {
    if (this.tmuxMissing) return { code: 127, stdout: '', stderr: 'sh: 1: exec: tmux: not found' };
    const args = tmuxArgsOf(commandLine);
    if (!args) return { code: 2, stdout: '', stderr: `unexpected command ${commandLine}` };
    this.calls.push(args);
    if (args[0] === 'list-sessions') {
      if (this.sessions.length === 0) return { code: 1, stdout: '', stderr: 'no server running on /tmp/tmux-1000/default' };
      return { code: 0, stdout: this.sessions.map((s) => `${s.id}\t1\t0\t1700000000\t1700000000\t${s.name}\n`).join(''), stderr: '' };
    }
    if (args[0] === 'display-message') {
      const session = this.sessions.find((x) => x.id === args[args.indexOf('-t') + 1]);
      if (!session) return { code: 1, stdout: '', stderr: "can't find session" };
      if (!session.dead) return { code: 0, stdout: '0\t\t\n', stderr: '' };
      return { code: 0, stdout: `1\t${session.dead.status ?? ''}\t\n${session.dead.output}\n\nPane is dead (status ${session.dead.status ?? '?'})\n`, stderr: '' };
    }
    if (args[0] === 'kill-session') {
      const id = args[args.indexOf('-t') + 1];
      const i = this.sessions.findIndex((x) => x.id === id);
      if (i < 0) return { code: 1, stdout: '', stderr: "can't find session" };
      this.sessions.splice(i, 1);
      return { code: 0, stdout: '', stderr: '' };
    }
    if (args[0] === 'new-session') {
      const name = args[args.indexOf('-s') + 1]!.replace(/##/g, '#');
      if (this.byName(name)) return { code: 1, stdout: '', stderr: `duplicate session: ${name}` };
      const session = this.add(name);
      return { code: 0, stdout: `${session.id}\t${session.name}\n`, stderr: '' };
    }
    return { code: 1, stdout: '', stderr: `unknown command: ${args[0]}` };
  };
}
