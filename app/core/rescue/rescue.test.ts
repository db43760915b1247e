import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../testing';
import { agentOf, moveCheckCommand, moveProgram, parseMoveCheck, parseScan, rescueSessionName, reptyrInstallHint, resumeProgram, scanCommand } from './rescue';

const RS = '\x1e';

/** A listing as the scan command prints it: frames made of RS, the /proc part as NUL-terminated fields. */
function scan(o: { self?: number; panes?: string[]; ps: string[]; args?: string[]; proc?: string[][] }): string {
  const lines = (l: readonly string[]) => l.map((x) => `${x}\n`).join('');
  const proc = (o.proc ?? []).map((fields) => fields.map((f) => `${f}\0`).join('')).join('');
  return `${RS}self ${o.self ?? 99999}\n${RS}panes\n${lines(o.panes ?? ['/dev/pts/5'])}${RS}ps\n${lines(o.ps)}${RS}args\n${lines(o.args ?? [])}${RS}proc\n${proc}${RS}end\n`;
}

describe('parseScan', () => {
  it('lists agents and long runs in bare SSH terminals, one per terminal, never in a tmux pane or without a terminal', () => {
    const out = scan({
      ps: [
        '   90     1 ?          4000 sshd',
        '   91     1 ?          4000 sshd',
        '   92     1 ?          4000 sshd',
        '   93     1 ?          4000 sshd',
        '  100     1 pts/1      4000 bash',
        '  101   100 pts/1      3990 node',
        '  102   101 pts/1      3990 rg',
        '  200     1 pts/5      9000 claude',
        '  300     1 pts/2      5000 bash',
        '  301   300 pts/2       700 python3',
        '  400     1 pts/3       100 make',
        '  500     1 ?          9999 codex',
        '  600     1 pts/4      9999 bash',
        // A terminal no SSH session holds (reptyr relaying into tmux, script, screen): not what a drop kills.
        '  700     1 pts/9      9999 claude',
      ],
      args: [
        '   90 sshd: ada@pts/1',
        '   91 sshd: ada@pts/2',
        '   92 sshd: ada@pts/3,pts/4',
        '   93 sshd: ada@notty',
        '  101 node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js',
        '  102 rg foo',
        '  301 python3 train.py',
        '  400 make -j8',
      ],
      proc: [
        ['101', '/home/ada/src/app', '/dev/pts/1', '5000'],
        ['301', '/home/ada/ml', '/dev/pts/2', '6000'],
      ],
    });
    const { supported, truncated, processes } = parseScan(out);
    expect(supported).toBe(true);
    expect(truncated).toBe(false);
    expect(processes).toEqual([
      { pid: 101, tty: 'pts/1', command: 'node', args: 'node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js', elapsedSec: 3990, cwd: '/home/ada/src/app', agent: 'claude', started: '5000' },
      { pid: 301, tty: 'pts/2', command: 'python3', args: 'python3 train.py', elapsedSec: 700, cwd: '/home/ada/ml', started: '6000' },
    ]);
    // The user's own names count as agents.
    expect(parseScan(out, { extraNames: ['make'] }).processes.map((p) => p.pid)).toContain(400);
  });

  it("lists every process after the scan's own command line, whose text names the sections, and leaves the scan itself out", () => {
    // The scan's shell (pid 50, lower than the agent's) and its ps: their command lines hold the script's text.
    const script = scanCommand();
    const out = scan({
      self: 50,
      ps: ['   10     1 ?           100 sshd', '   50    10 ?             0 sh', '   51    50 ?             0 ps', '   60    10 pts/0       500 claude'],
      args: ['   10 sshd: ada@pts/0', `   50 /bin/sh -c ${script.slice(0, 580)}`, '   51 ps -o pid= -o ppid=', '   60 claude'],
      proc: [['60', '/home/ada/p', '/dev/pts/0', '777']],
    });
    const { processes, running } = parseScan(out, { longRunningSec: 0 });
    expect(processes.map((p) => p.pid)).toEqual([60]);
    expect([...running.keys()]).toEqual([10, 60]);
  });

  it('takes a program name with spaces whole', () => {
    const out = scan({ ps: ['   10     1 ?           100 sshd', '   11    10 pts/0      9000 Web Content'], args: ['   10 sshd: ada@pts/0', '   11 /usr/lib/firefox/firefox -contentproc'] });
    expect(parseScan(out).processes).toMatchObject([{ pid: 11, command: 'Web Content' }]);
  });

  it("reads a directory's name exactly: a line break, a tab or a frame in it forges nothing", () => {
    // Anything but NUL, which no path can hold.
    const evil = `/home/ada/a\n60 /forged\t/dev/pts/5\n${RS}end\n${RS}proc\n61 /etc\n`;
    const out = scan({
      ps: ['   10     1 ?           100 sshd', '   60    10 pts/0      9000 claude', '   61    10 pts/0      9000 codex'],
      args: ['   10 sshd: ada@pts/0,pts/1'],
      proc: [
        ['60', evil, '/dev/pts/0', '700'],
        ['61', '/home/ada/b', '/dev/pts/0', '701'],
      ],
    });
    // Two agents in one terminal: both are topmost (neither is the other's parent).
    const { processes } = parseScan(out);
    expect(processes.find((p) => p.pid === 60)?.cwd).toBe(evil);
    expect(processes.find((p) => p.pid === 61)?.cwd).toBe('/home/ada/b');
  });

  it('says a listing that reached its limit was cut, and a server whose ps gave nothing is not supported', () => {
    expect(parseScan(scan({ ps: [] })).supported).toBe(false);
    const many = Array.from({ length: 5001 }, (_, i) => `${i + 2} 1 ? 5 sleep`);
    expect(parseScan(scan({ ps: many })).truncated).toBe(true);
  });

  it('knows agents by name or by a word of their command line', () => {
    expect(agentOf('codex', 'codex --yolo')).toBe('codex');
    expect(agentOf('node', 'node /opt/bin/gemini')).toBe('gemini');
    expect(agentOf('vim', 'vim claude.md')).toBeUndefined();
  });
});

describe('Move into tmux checks', () => {
  const listed = { pid: 42, started: '9000', name: 'claude' };
  const check = (lines: string) => parseMoveCheck(lines, listed);
  const fine = 'reptyr=yes\nscope=0\nalive=yes\nstarted=9000\ntty=pts/3\nname=claude\nos=debian\n';

  it('says plainly why it cannot work, with the install command for the server', () => {
    expect(check(fine)).toEqual({ ok: true, problems: [], children: [] });
    const missing = check(fine.replace('reptyr=yes', 'reptyr=no').replace('os=debian', 'os=ubuntu debian'));
    expect(missing.ok).toBe(false);
    expect(missing.problems).toEqual(['reptyr is not installed on the server.']);
    expect(missing.hint).toBe('sudo apt-get install reptyr');
    expect(check(fine.replace('scope=0', 'scope=3')).problems[0]).toMatch(/ptrace_scope is 3, which only a reboot undoes/);
    expect(check('reptyr=yes\nscope=0\nalive=no\nstarted=\ntty=\nname=\nos=debian\n').problems).toEqual(['The process is not running any more (or is not yours).']);
    expect(check(fine.replace('tty=pts/3', 'tty=?')).problems).toEqual(['The process has no terminal: it is not a terminal program.']);
    expect(check(fine.replace('scope=0', 'scope=1')).hint).toMatch(/ptrace_scope is 1/);
    expect(reptyrInstallHint('rocky rhel centos fedora')).toBe('sudo dnf install reptyr');
  });

  it('finds a process with children in the plan: named, not ok, with nothing else in the way', () => {
    const plan = check(`${fine}member=43 42 bash\nmember=44 43 npm test\n`);
    expect(plan).toEqual({ ok: false, problems: [], children: [{ pid: 43, command: 'bash' }, { pid: 44, command: 'npm test' }] });
  });

  it('knows another process with the pid by its start time or name, and will not move one it cannot tell apart', () => {
    expect(check(fine.replace('started=9000', 'started=9100')).problems).toEqual(['Process 42 is not the claude that was listed: that one ended, and another program has its pid now. Refresh the host.']);
    expect(check(fine.replace('name=claude', 'name=vim')).ok).toBe(false);
    expect(parseMoveCheck(fine, { pid: 42, name: 'claude' }).problems[0]).toMatch(/could not read when the process started/);
  });

  it('takes the first value of a key: a line of free text later cannot change it', () => {
    expect(check(`reptyr=yes\nscope=0\nalive=no\nstarted=\ntty=\nname=x\nalive=yes\nos=debian\n`).ok).toBe(false);
  });

  it('names the session after the program and its directory', () => {
    expect(rescueSessionName('claude', '/home/ada/src/my app')).toBe('claude-my-app');
    expect(rescueSessionName('python3', undefined)).toBe('python3');
  });
});

// The programs a rescue session runs, run by a real /bin/sh here: a stub reptyr and a stub login shell say what they
// were given.
describe('the programs a rescue session runs', () => {
  let dir: string;
  let bin: string;
  const run = (program: string, env: Record<string, string> = {}) => spawnSync('/bin/sh', ['-c', program], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, timeout: 10_000 });
  const startOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[19]!;
  const children: ChildProcess[] = [];
  /** Starts `command` in a process group of its own, and returns its pid once it runs as `name`. */
  const start = async (command: string, name: string) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore', detached: true });
    children.push(child);
    const pid = child.pid!;
    await waitFor(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name, `${name} to run`);
    return pid;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hf-rescue-unit-'));
    bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'reptyr'), '#!/bin/sh\necho "reptyr took $*"\n');
    writeFileSync(join(bin, 'login-shell'), '#!/bin/sh\nprintf "shell %s|" "$@"; echo "in $(pwd)"\n');
    chmodSync(join(bin, 'reptyr'), 0o755);
    chmodSync(join(bin, 'login-shell'), 0o755);
  });

  afterAll(() => {
    for (const child of children) {
      try {
        // Not procps' kill(1) (4.0.2 here): run as `kill -9 -PGID` from this test it ended the test runner and the
        // shell outside it too, as `kill -9 -1` would (seen, not traced to its cause).
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves the listed process, and refuses in words one whose start time or name is not the listed one', async () => {
    const pid = await start('exec sleep 600', 'sleep');
    const name = 'sleep';
    expect(run(moveProgram({ pid, started: startOf(pid), name })).stdout).toBe(`reptyr took ${pid}\n`);
    const later = run(moveProgram({ pid, started: String(Number(startOf(pid)) - 1), name }));
    expect(later.status).toBe(1);
    expect(later.stdout).toMatch(new RegExp(`^Holdfast: process ${pid} is not the sleep that was listed any more`));
    expect(later.stdout).not.toMatch(/reptyr took/);
    expect(run(moveProgram({ pid, started: startOf(pid), name: "it's $(not) `sleep`" })).stdout).toMatch(/^Holdfast: process \d+ is not the it's \$\(not\) `sleep` that was listed/);
  });

  it('the check command finds the children and the start time', async () => {
    const pid = await start('sleep 600; true', 'sh');
    await waitFor(() => spawnSync('pgrep', ['-P', String(pid)]).status === 0, 'its child to run');
    const out = run(moveCheckCommand(pid)).stdout;
    const plan = parseMoveCheck(out, { pid, started: startOf(pid), name: 'sh' });
    expect(plan.children).toEqual([{ pid: expect.any(Number), command: 'sleep' }]);
    // Started here without a terminal, and reptyr may be missing: the rest is fine.
    expect(plan.problems.filter((p) => !/ptrace_scope|reptyr|no terminal/.test(p))).toEqual([]);
  });

  it('resumes in the directory, as the login shell finds the command, whatever the directory is named', () => {
    const odd = join(dir, `#(touch hf-ran) it's "$HOME" \\ \n line`);
    mkdirSync(odd);
    const out = spawnSync('/bin/sh', ['-c', resumeProgram('claude --continue', odd)], { encoding: 'utf8', cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, SHELL: join(bin, 'login-shell') } }).stdout;
    expect(out).toBe(`shell -lic|shell claude --continue|in ${odd}\n`);
    expect(existsSync(join(dir, 'hf-ran'))).toBe(false);
    expect(existsSync(join(odd, 'hf-ran'))).toBe(false);
    const gone = run(resumeProgram('claude --continue', join(dir, 'nowhere')), { SHELL: join(bin, 'login-shell') });
    expect(gone.status).not.toBe(0);
    expect(gone.stderr).toMatch(/nowhere/);
  });
});
