import { describe, expect, it } from 'vitest';
import { agentOf, parseMoveCheck, parseScan, rescueSessionName, reptyrInstallHint } from './rescue';

const scan = (ps: string, panes = '/dev/pts/5\n', cwd = '') => `@@holdfast-rescue panes\n${panes}@@holdfast-rescue ps\n${ps}\n@@holdfast-rescue cwd\n${cwd}@@holdfast-rescue end\n`;

describe('parseScan', () => {
  it('lists agents and long runs in bare SSH terminals, one per terminal, never in a tmux pane or without a terminal', () => {
    const out = scan(
      [
        '   90     1 ?          4000 sshd            sshd: ada@pts/1',
        '   91     1 ?          4000 sshd            sshd: ada@pts/2',
        '   92     1 ?          4000 sshd            sshd: ada@pts/3,pts/4',
        '   93     1 ?          4000 sshd            sshd: ada@notty',
        '  100     1 pts/1      4000 bash            -bash',
        '  101   100 pts/1      3990 node            node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js',
        '  102   101 pts/1      3990 rg              rg foo',
        '  200     1 pts/5      9000 claude          claude',
        '  300     1 pts/2      5000 bash            -bash',
        '  301   300 pts/2       700 python3         python3 train.py',
        '  400     1 pts/3       100 make            make -j8',
        '  500     1 ?          9999 codex           codex',
        '  600     1 pts/4      9999 bash            -bash',
        // A terminal no SSH session holds (reptyr relaying into tmux, script, screen): not what a drop kills.
        '  700     1 pts/9      9999 claude          claude',
      ].join('\n'),
      '/dev/pts/5\n',
      '101 /home/ada/src/app\n301 /home/ada/ml\n',
    );
    const { supported, processes } = parseScan(out);
    expect(supported).toBe(true);
    expect(processes).toEqual([
      { pid: 101, tty: 'pts/1', command: 'node', args: 'node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js', elapsedSec: 3990, cwd: '/home/ada/src/app', agent: 'claude' },
      { pid: 301, tty: 'pts/2', command: 'python3', args: 'python3 train.py', elapsedSec: 700, cwd: '/home/ada/ml' },
    ]);
    // The user's own names count as agents.
    expect(parseScan(out, { extraNames: ['make'] }).processes.map((p) => p.pid)).toContain(400);
  });

  it('says a server whose ps gave nothing is not supported', () => {
    expect(parseScan(scan('')).supported).toBe(false);
  });

  it('knows agents by name or by a word of their command line', () => {
    expect(agentOf('codex', 'codex --yolo')).toBe('codex');
    expect(agentOf('node', 'node /opt/bin/gemini')).toBe('gemini');
    expect(agentOf('vim', 'vim claude.md')).toBeUndefined();
  });
});

describe('Move into tmux checks', () => {
  it('says plainly why it cannot work, with the install command for the server', () => {
    expect(parseMoveCheck('reptyr=yes\nscope=0\nalive=yes\ntty=pts/3\nos=debian\n')).toEqual({ ok: true, problems: [] });
    const missing = parseMoveCheck('reptyr=no\nscope=none\nalive=yes\ntty=pts/3\nos=ubuntu debian\n');
    expect(missing.ok).toBe(false);
    expect(missing.problems).toEqual(['reptyr is not installed on the server.']);
    expect(missing.hint).toBe('sudo apt-get install reptyr');
    expect(parseMoveCheck('reptyr=yes\nscope=3\nalive=yes\ntty=pts/3\nos=fedora\n').problems[0]).toMatch(/ptrace_scope is 3, which only a reboot undoes/);
    expect(parseMoveCheck('reptyr=yes\nscope=0\nalive=no\ntty=\nos=debian\n').problems).toEqual(['The process is not running any more (or is not yours).']);
    expect(parseMoveCheck('reptyr=yes\nscope=0\nalive=yes\ntty=?\nos=debian\n').problems).toEqual(['The process has no terminal: it is not a terminal program.']);
    expect(parseMoveCheck('reptyr=yes\nscope=1\nalive=yes\ntty=pts/1\nos=debian\n').hint).toMatch(/ptrace_scope is 1/);
    expect(reptyrInstallHint('rocky rhel centos fedora')).toBe('sudo dnf install reptyr');
  });

  it('names the session after the program and its directory', () => {
    expect(rescueSessionName('claude', '/home/ada/src/my app')).toBe('claude-my-app');
    expect(rescueSessionName('python3', undefined)).toBe('python3');
  });
});
