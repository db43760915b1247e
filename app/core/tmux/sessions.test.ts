import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import type { ExecResult } from '../interfaces';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attachSessionCommand,
  findSession,
  interpretListResult,
  isReservedSessionName,
  listSessionsCommand,
  newSessionCommand,
  parseNewSession,
  parseSessionList,
} from './sessions';
import { posixCommand, shellJoin, shellQuote } from './shell';
import { TMUX_FALLBACK_PATH } from './tmux';

/** The login shells a server may hand our command lines to. fish reads backslashes in single quotes differently. */
const SHELLS = ['/bin/sh', '/bin/bash', '/usr/bin/fish'];

/** Runs `words` (a command line's arguments) through a real login shell and returns the argv the shell produced. */
function argvAfter(shell: string, words: string): string[] {
  // An external printf, so that every shell hands it the words the same way.
  const out = execFileSync(shell, ['-c', `/usr/bin/printf '%s\\0' ${words}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

function argvAfterShell(commandLine: string): string[] {
  return argvAfter('/bin/sh', commandLine);
}

/** A stand-in tmux that prints the arguments it was given, first on the PATH. */
const fakeBin = mkdtempSync(join(tmpdir(), 'hf-fake-tmux-'));
writeFileSync(join(fakeBin, 'tmux'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n', { mode: 0o755 });
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

/** The arguments tmux is run with when `shell` is the login shell that gets the command line. */
function tmuxArgvUnder(shell: string, commandLine: string): string[] {
  const out = execFileSync(shell, ['-c', commandLine], { encoding: 'utf8', env: { ...process.env, PATH: `${fakeBin}:/usr/bin:/bin` } });
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
  it('has every login shell it is tested with', () => {
    for (const shell of SHELLS) expect(existsSync(shell), `${shell} (apt-get install fish)`).toBe(true);
  });

  const fishTraps = ["a\\'b", 'ends with \\', 'double \\\\ back', "\\'", "it's \\$HOME"];
  for (const shell of SHELLS) {
    it.each([...awkwardNames, ...fishTraps])(`a quoted word reaches the program unchanged through ${shell}: %j`, (value) => {
      expect(argvAfter(shell, shellQuote(value))).toEqual([value]);
    });
  }

  it('never puts a backslash inside single quotes, where fish and POSIX shells disagree', () => {
    for (const value of [...awkwardNames, ...fishTraps]) {
      let quoted = false;
      let escaped = false;
      for (const ch of shellQuote(value)) {
        if (quoted) {
          expect(ch, shellQuote(value)).not.toBe('\\');
          if (ch === "'") quoted = false;
        } else if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === "'") quoted = true;
      }
    }
  });

  it('joined arguments stay separate words', () => {
    expect(argvAfterShell(shellJoin(['a b', "c'd", '']))).toEqual(['a b', "c'd", '']);
  });

  it('a word starting with "=" is quoted, because zsh would expand it to a path', () => {
    expect(shellQuote('=name')).toBe("'=name'");
  });
});

describe('tmux command lines', () => {
  for (const shell of SHELLS) {
    it(`run under /bin/sh whatever the login shell (${shell}), with tmux's usual places added to the PATH`, () => {
      const script = execFileSync(shell, ['-c', posixCommand('printf %s "$0"')], { encoding: 'utf8' });
      expect(script).toBe('/bin/sh');
      expect(tmuxArgvUnder(shell, listSessionsCommand())[0]).toBe('-u');
    });
  }

  it('look for tmux on the PATH first, then where Homebrew puts it', () => {
    expect(listSessionsCommand()).toContain(`PATH="$PATH:${TMUX_FALLBACK_PATH}"`);
    expect(TMUX_FALLBACK_PATH.split(':')).toEqual(['/opt/homebrew/bin', '/usr/local/bin']);
  });

  it('attach-session targets the session by its id, and refuses anything that is not an id', () => {
    for (const shell of SHELLS) expect(tmuxArgvUnder(shell, attachSessionCommand('$12'))).toEqual(['-u', 'attach-session', '-t', '$12']);
    for (const bad of ['$0; rm -rf ~', '=name', '%1', '', '$']) expect(() => attachSessionCommand(bad)).toThrow(/Not a tmux session id/);
  });

  for (const shell of SHELLS) {
    it(`new-session makes a detached session at the view's size and prints its id and stored name (${shell})`, () => {
      expect(tmuxArgvUnder(shell, newSessionCommand('my work', { cols: 120, rows: 40 }))).toEqual([
        '-u', 'new-session', '-d', '-P', '-F', '#{session_id}\t#{session_name}', '-s', 'my work', '-x', '120', '-y', '40',
      ]);
    });

    it(`new-session passes a start command after --, as one argument, even one that begins with "-" (${shell})`, () => {
      const argv = tmuxArgvUnder(shell, newSessionCommand("it's", { cols: 80, rows: 24, startCommand: "-x claude --continue | tee 'log \\ file'" }));
      expect(argv.slice(-2)).toEqual(['--', "-x claude --continue | tee 'log \\ file'"]);
      expect(argv[argv.indexOf('-s') + 1]).toBe("it's");
    });
  }

  it('new-session keeps a failed start command\'s window (remain-on-exit failed) in the same tmux command queue', () => {
    const argv = tmuxArgvUnder('/bin/sh', newSessionCommand('w', { cols: 80, rows: 24, startCommand: 'make', keepFailedCommand: true }));
    expect(argv.slice(-7)).toEqual(['--', 'make', ';', 'set-option', '-w', 'remain-on-exit', 'failed']);
    expect(tmuxArgvUnder('/bin/sh', newSessionCommand('w', { cols: 80, rows: 24, keepFailedCommand: true }))).not.toContain('remain-on-exit');
  });

  it('new-session doubles "#" so that tmux does not expand a format in the name', () => {
    const argv = tmuxArgvUnder('/bin/sh', newSessionCommand('p#{host}', { cols: 80, rows: 24 }));
    expect(argv[argv.indexOf('-s') + 1]).toBe('p##{host}');
  });

  it('new-session without a start command (or a blank one) starts the default shell', () => {
    expect(tmuxArgvUnder('/bin/sh', newSessionCommand('w', { cols: 80, rows: 24, startCommand: '  ' }))).not.toContain('--');
  });

  it('refuses to make a session whose name tmux would read as an id', () => {
    for (const name of ['$0', '@1', '%2', '$anything']) {
      expect(isReservedSessionName(name)).toBe(true);
      expect(() => newSessionCommand(name, { cols: 80, rows: 24 })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    }
    expect(isReservedSessionName('a$0')).toBe(false);
  });

  it('list-sessions asks for tab-separated fields with the id first and the name last', () => {
    const argv = tmuxArgvUnder('/bin/sh', listSessionsCommand());
    expect(argv.slice(0, 3)).toEqual(['-u', 'list-sessions', '-F']);
    expect(argv[3]).toBe('#{session_id}\t#{session_windows}\t#{session_attached}\t#{session_activity}\t#{session_created}\t#{session_name}');
  });
});

describe('parseNewSession', () => {
  it('reads the id and the stored name', () => {
    expect(parseNewSession(result({ stdout: '$7\tx\\$y\n' }))).toEqual({ id: '$7', name: 'x\\$y' });
  });

  it('says a taken name is taken, and tmux missing is TMUX_MISSING', () => {
    expect(() => parseNewSession(result({ code: 1, stderr: 'duplicate session: w\n' }))).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => parseNewSession(result({ code: 127, stderr: 'sh: 1: exec: tmux: not found' }))).toThrow(expect.objectContaining({ code: 'TMUX_MISSING' }));
    expect(() => parseNewSession(result({ stdout: 'garbage' }))).toThrow(/new-session failed/);
  });
});

describe('findSession', () => {
  const s = (id: string, name: string) => ({ id, name, windows: 1, attachedClients: 0, lastActivity: 0, created: 0 });
  it('finds the session by id, even renamed; else by exact name; never by prefix or id-like name', () => {
    const listed = [s('$1', 'renamed'), s('$2', 'work'), s('$3', '$1'), s('$4', 'work-long')];
    expect(findSession(listed, { id: '$1', name: 'old name' })?.id).toBe('$1');
    expect(findSession(listed, { id: '$9', name: 'work' })?.id).toBe('$2');
    expect(findSession(listed, { name: '$1' })?.id).toBe('$3');
    expect(findSession(listed, { name: 'wor' })).toBeUndefined();
    expect(findSession(listed, { id: '$9', name: 'gone' })).toBeUndefined();
  });
});

describe('parseSessionList', () => {
  it('reads names with spaces and unicode, and turns epoch seconds into milliseconds', () => {
    const stdout = '$1\t3\t1\t1700000100\t1700000000\tmy work\n$22\t1\t0\t1700000200\t1690000000\tünï 🚀\n';
    expect(parseSessionList(stdout)).toEqual([
      { id: '$1', name: 'my work', windows: 3, attachedClients: 1, lastActivity: 1_700_000_100_000, created: 1_700_000_000_000 },
      { id: '$22', name: 'ünï 🚀', windows: 1, attachedClients: 0, lastActivity: 1_700_000_200_000, created: 1_690_000_000_000 },
    ]);
  });

  it('keeps a tab inside a name, tolerates CRLF, and skips lines that do not fit the format', () => {
    const stdout = '$3\t1\t0\t10\t5\ta\tb\r\ngarbage\n\n$4\tx\t0\t10\t5\tbad-number\nnot-an-id\t1\t0\t10\t5\tn\n';
    expect(parseSessionList(stdout)).toEqual([{ id: '$3', name: 'a\tb', windows: 1, attachedClients: 0, lastActivity: 10_000, created: 5_000 }]);
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
    expect(interpretListResult(result({ stdout: '$1\t1\t0\t1\t1\ts\n' }))).toHaveLength(1);
  });
});
