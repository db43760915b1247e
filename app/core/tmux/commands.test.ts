import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import type { ExecResult } from '../interfaces';
import {
  attachSessionCommand,
  hasSessionCommand,
  interpretHasSessionResult,
  interpretListResult,
  listSessionsCommand,
  newSessionCommand,
  parseSessionList,
  shellJoin,
  shellQuote,
  tmuxRequestedName,
  tmuxStoredName,
} from './commands';

/** Runs a command line through a real POSIX shell and returns the argv the shell produced. */
function argvAfterShell(commandLine: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printargs() { for a in "$@"; do printf '%s\\0' "$a"; done; }; printargs ${commandLine}`], {
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

const awkwardNames = [
  'plain',
  'with space',
  "it's",
  'say "hi"',
  '$HOME `id` $(id) \\n',
  'glob * ? [a]',
  '=starts-with-equals',
  '-starts-with-dash',
  'ünïcödé 日本語 🚀',
  'semi;colon&amp|pipe>redir',
  '',
];

function result(partial: Partial<ExecResult>): ExecResult {
  return { code: 0, stdout: '', stderr: '', ...partial };
}

describe('shell quoting', () => {
  it.each(awkwardNames)('a quoted word reaches the program unchanged through /bin/sh: %j', (value) => {
    expect(argvAfterShell(shellQuote(value))).toEqual([value]);
  });

  it('joined arguments stay separate words', () => {
    expect(argvAfterShell(shellJoin(['a b', "c'd", '']))).toEqual(['a b', "c'd", '']);
  });

  it('a word starting with "=" is quoted, because zsh would expand it to a path', () => {
    expect(shellQuote('=name')).toBe("'=name'");
  });
});

describe('tmux command lines', () => {
  it('has-session and attach-session target the exact name, and the name survives the shell', () => {
    for (const name of awkwardNames.filter((n) => n !== '')) {
      expect(argvAfterShell(hasSessionCommand(name))).toEqual(['tmux', 'has-session', '-t', `=${name}`]);
      expect(argvAfterShell(attachSessionCommand(name))).toEqual(['tmux', '-u', 'attach-session', '-t', `=${name}`]);
    }
  });

  it('new-session doubles "#" so that tmux does not expand a format in the name', () => {
    expect(argvAfterShell(newSessionCommand('p#{host}'))).toEqual(['tmux', '-u', 'new-session', '-A', '-s', 'p##{host}']);
  });

  it('new-session -A passes the start command to tmux as one argument', () => {
    expect(argvAfterShell(newSessionCommand('my work', 'claude --continue | tee "log file"'))).toEqual([
      'tmux', '-u', 'new-session', '-A', '-s', 'my work', 'claude --continue | tee "log file"',
    ]);
  });

  it('new-session without a start command (or a blank one) starts the default shell', () => {
    expect(argvAfterShell(newSessionCommand('w'))).toEqual(['tmux', '-u', 'new-session', '-A', '-s', 'w']);
    expect(argvAfterShell(newSessionCommand('w', '  '))).toEqual(['tmux', '-u', 'new-session', '-A', '-s', 'w']);
  });

  it('list-sessions forces UTF-8 and asks for tab-separated fields with the name last', () => {
    const argv = argvAfterShell(listSessionsCommand());
    expect(argv.slice(0, 4)).toEqual(['tmux', '-u', 'list-sessions', '-F']);
    expect(argv[4]).toBe('#{session_windows}\t#{session_attached}\t#{session_activity}\t#{session_created}\t#{session_name}');
  });
});

describe('parseSessionList', () => {
  it('reads names with spaces and unicode, and turns epoch seconds into milliseconds', () => {
    const stdout = '3\t1\t1700000100\t1700000000\tmy work\n1\t0\t1700000200\t1690000000\tünï 🚀\n';
    expect(parseSessionList(stdout)).toEqual([
      { name: 'my work', windows: 3, attachedClients: 1, lastActivity: 1_700_000_100_000, created: 1_700_000_000_000 },
      { name: 'ünï 🚀', windows: 1, attachedClients: 0, lastActivity: 1_700_000_200_000, created: 1_690_000_000_000 },
    ]);
  });

  it('keeps a tab inside a name, tolerates CRLF, and skips lines that do not fit the format', () => {
    const stdout = '1\t0\t10\t5\ta\tb\r\ngarbage\n\nx\t0\t10\t5\tbad-number\n';
    expect(parseSessionList(stdout)).toEqual([{ name: 'a\tb', windows: 1, attachedClients: 0, lastActivity: 10_000, created: 5_000 }]);
  });
});

describe('interpretListResult', () => {
  it.each([
    'no server running on /tmp/tmux-1000/default',
    'no sessions',
    'error connecting to /tmp/tmux-1000/default (No such file or directory)',
    'error connecting to /tmp/tmux-1000/default (Connection refused)',
  ])('a server without sessions is an empty list: %s', (stderr) => {
    expect(interpretListResult(result({ code: 1, stderr: `${stderr}\n` }))).toEqual([]);
  });

  it.each([
    { code: 127, stderr: 'bash: line 1: tmux: command not found' },
    { code: 127, stderr: 'sh: 1: tmux: not found' },
    { code: 1, stderr: 'zsh:1: command not found: tmux' },
    { code: 1, stderr: 'tmux: Command not found.' },
    { code: 127, stderr: '' },
  ])('tmux missing is TMUX_MISSING with an install hint: $stderr', (r) => {
    let caught: unknown;
    try {
      interpretListResult(result(r));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HoldfastError);
    const err = caught as HoldfastError;
    expect(err.code).toBe('TMUX_MISSING');
    expect(err.hint).toMatch(/apt/);
    expect(err.hint).toMatch(/dnf/);
    expect(err.hint).toMatch(/brew/);
    expect(err.hint).toMatch(/pacman/);
  });

  it('any other failure is an error that quotes tmux', () => {
    expect(() => interpretListResult(result({ code: 1, stderr: 'server version is too old for client\n' }))).toThrow(
      /list-sessions failed \(exit 1\): server version is too old/,
    );
  });

  it('success parses stdout', () => {
    expect(interpretListResult(result({ stdout: '1\t0\t1\t1\ts\n' }))).toHaveLength(1);
  });
});

describe('interpretHasSessionResult', () => {
  it('exit 0 is present, exit 1 is absent (also with no server running)', () => {
    expect(interpretHasSessionResult(result({ code: 0 }))).toBe(true);
    expect(interpretHasSessionResult(result({ code: 1, stderr: "can't find session: =x" }))).toBe(false);
    expect(interpretHasSessionResult(result({ code: 1, stderr: 'no server running on /tmp/tmux-0/default' }))).toBe(false);
  });

  it('old tmux\'s "session not found" is an absent session, not a missing tmux', () => {
    expect(interpretHasSessionResult(result({ code: 1, stderr: 'session not found: x' }))).toBe(false);
  });

  it('tmux missing throws TMUX_MISSING; a killed exec throws', () => {
    expect(() => interpretHasSessionResult(result({ code: 127 }))).toThrow(/not installed/);
    expect(() => interpretHasSessionResult(result({ code: null, signal: 'KILL' }))).toThrow(/KILL/);
  });
});

describe('tmux session names', () => {
  it.each([
    ['plain name', 'plain name'],
    ['x$y', 'x\\$y'],
    ['x${y}', 'x\\${y}'],
    ['x$1 and x$', 'x$1 and x$'],
    ['a\\b', 'a\\\\b'],
    ['t\tab', 't\\tab'],
    ['bell\x07 del\x7f', 'bell\\a del\\177'],
    ['a:b.c', 'a_b_c'],
    ['ü日 #{host} ~x', 'ü日 #{host} ~x'],
  ])('tmux keeps %j as %j, and the stored name leads back to the requested one', (requested, stored) => {
    expect(tmuxStoredName(requested)).toBe(stored);
    if (!/[:.]/.test(requested)) expect(tmuxRequestedName(stored)).toBe(requested);
  });
});
