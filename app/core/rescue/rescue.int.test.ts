// Rescue against a real sshd, tmux and reptyr: a fake agent (it counts, keeping the count in memory) started in a bare
// SSH session with a pty is listed as not protected; Move into tmux moves it; the original SSH connection closes and
// the agent keeps counting from where it was, in its new tmux session. Without reptyr the reason and the install
// hint are given, and Resume in tmux starts the resume command in the agent's directory. A process of another user
// and one already in tmux are never listed.
//
// Where the scan's pid falls beside the agent's is set with the kernel's ns_last_pid (the next process anywhere gets
// the next free pid above it; the harness runs as root): an agent started high and a scan started low is what busy
// servers see once pids wrap. The same puts a new process at the pid of one that ended.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import type { PaneInfo } from '../../shared/model';
import type { ISshConnection, IPtyChannel } from '../interfaces';
import { createWebCore } from '../compose';
import type { HoldfastCore } from '../service';
import { TestClient, waitFor } from '../testing';
import { shellQuote } from '../tmux/shell';
import { connectToTestServer } from '../tmux/testConnection';
import { rescueSessionCommand } from './rescue';

let server: TestSshd;
let dir: string;
let dataDir: string;
let core: HoldfastCore;
let view: TestClient;
let hostId: string;
const tmux = (command: string) => server.runAsUser(`tmux ${command}`);

/**
 * The fake agent: named `claude`, it counts once every 0.2 s; the count lives in the shell's memory only. It waits
 * with a builtin (read on a FIFO beside it that nobody writes), so it has no children, not even for a moment (a
 * process substitution's would share its process group), and reptyr takes it over by itself.
 */
const AGENT = '#!/bin/bash\nexec 9<> "${0%/*}/wait.fifo"\necho "pid $$"\nn=0\nwhile :; do n=$((n+1)); echo "count $n"; read -t 0.2 -u 9 _; done\n';
/** The same in the middle of a tool call: a child in its process group, until it is killed. */
const BUSY_AGENT = '#!/bin/bash\nexec 9<> "${0%/*}/wait.fifo"\necho "pid $$"\nsleep 100000 &\necho "child $!"\nn=0\nwhile :; do n=$((n+1)); echo "count $n"; read -t 0.2 -u 9 _; done\n';

const PID_MAX = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
const HIGH_PID = Math.floor(PID_MAX * 0.8);
const LOW_PID = 2000;
/** The next process on this machine gets the next free pid above `pid`. */
const nextPidsAbove = (pid: number) => writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid));

beforeAll(async () => {
  server = await startSshd();
  server.runAsUser('tmux kill-server 2>/dev/null; true');
  dir = mkdtempSync(join(tmpdir(), 'hf-rescue-'));
  chmodSync(dir, 0o755);
  for (const [name, text] of [
    ['claude', AGENT],
    ['busy', BUSY_AGENT],
  ] as const) {
    mkdirSync(join(dir, name === 'busy' ? 'busy-bin' : '.'), { recursive: true });
    const path = name === 'busy' ? join(dir, 'busy-bin', 'claude') : join(dir, 'claude');
    writeFileSync(path, text);
    chmodSync(path, 0o755);
    spawnSync('mkfifo', ['-m', '0666', join(path, '..', 'wait.fifo')]);
  }
  dataDir = mkdtempSync(join(tmpdir(), 'hf-rescue-data-'));
  core = createWebCore({ dataDir, version: 'test', homeDir: dataDir, knownHostsFiles: [] });
  view = new TestClient(core);
  hostId = (await view.call('hosts.save', { name: 'rescue', host: server.host, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath })).id;
  await view.call('sessions.list', { hostId });
});

afterAll(async () => {
  core?.dispose();
  server?.runAsUser('tmux kill-server 2>/dev/null; pkill -u "$(id -u)" -f "[h]f-rescue-" 2>/dev/null; true');
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** The agent in a bare SSH session with a pty, on a connection of its own (as a user's `ssh` would be). */
async function startBareAgent(options: { cwd?: string; program?: string } = {}): Promise<{ pid: number; conn: ISshConnection; pty: IPtyChannel; text: () => string; end: () => void }> {
  const conn = await connectToTestServer(server);
  const pty = await conn.openPty({ command: `cd ${shellQuote(options.cwd ?? dir)} && exec ${shellQuote(options.program ?? join(dir, 'claude'))}`, cols: 80, rows: 24 });
  let text = '';
  pty.onData((d) => (text += new TextDecoder().decode(d)));
  await waitFor(() => /count \d+/.test(text), 'the agent to count');
  return {
    pid: Number(/pid (\d+)/.exec(text)![1]),
    conn,
    pty,
    text: () => text,
    end: () => {
      pty.dispose();
      conn.dispose();
    },
  };
}

const lastCount = (text: string) => Math.max(0, ...[...text.matchAll(/count (\d+)/g)].map((m) => Number(m[1])));
const runs = (pid: number) => server.runAsUser(`ps -o pid= -p ${pid} || true`).trim() !== '';
const capture = (sessionId: string) => tmux(`capture-pane -p -J -S -100 -t '${sessionId}'`);
/** The agent as listed. */
const listed = async (agent: { pid: number }) => (await view.call('rescue.scan', { hostId })).processes.find((p) => p.pid === agent.pid);

/** Opens the tab of a session rescue.run made, as the view does: with the command it runs. */
async function openMade(made: { sessionId: string; sessionName: string; startCommand: string }): Promise<PaneInfo> {
  return view.open({ hostId, sessionName: made.sessionName, sessionId: made.sessionId, startedWith: made.startCommand, cols: 80, rows: 24 });
}

const paneInfo = async (paneId: string) => (await view.call('panes.list', {})).find((p) => p.paneId === paneId)!;

describe('Rescue', () => {
  it('lists an agent in a bare SSH terminal, moves it into tmux with its state, and it survives the SSH connection closing', async () => {
    const agent = await startBareAgent();
    const scan = await view.call('rescue.scan', { hostId });
    expect(scan.supported).toBe(true);
    const found = scan.processes.find((p) => p.agent === 'claude');
    expect(found).toMatchObject({ command: 'claude', cwd: dir });
    expect(found!.tty).toMatch(/^pts\//);

    const plan = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found!.pid } });
    expect(plan).toMatchObject({ ok: true, problems: [], children: [] });
    expect(plan.program).toContain(`exec reptyr "$p"`);
    expect(plan.command).toContain(`p=${found!.pid};`);

    const before = lastCount(agent.text());
    const moved = await view.call('rescue.run', { hostId, action: { kind: 'move', pid: found!.pid }, command: plan.command });
    expect(moved.sessionName).toMatch(/^claude-hf-rescue-/);
    expect(moved.startCommand).toBe(plan.program);
    // Taken over: it counts on in the tmux pane, from where it was (its in-memory state came along).
    await waitFor(() => lastCount(capture(moved.sessionId)) > before, 'the agent counting in tmux', 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; the pane shows: ${capture(moved.sessionId).trim().slice(-600)}`);
    });
    // The original SSH connection goes, as a dropped link would take it; the agent keeps counting.
    agent.end();
    const afterClose = lastCount(capture(moved.sessionId));
    await waitFor(() => lastCount(capture(moved.sessionId)) > afterClose + 10, 'the agent counting on after the SSH connection closed', 30_000);
    expect(capture(moved.sessionId)).not.toMatch(/^count 1$/m);
    expect(runs(found!.pid)).toBe(true);
    // In tmux now: never listed again, and not gone either (it runs: protected now).
    const after = await view.call('rescue.scan', { hostId });
    expect(after.processes.some((p) => p.pid === found!.pid)).toBe(false);
    expect(after.gone.filter((g) => g.cwd === dir)).toEqual([]);
    tmux(`kill-session -t '${moved.sessionId}'`);
    // A process reptyr moved is not hung up when its session ends (seen with this bash agent): ended here.
    process.kill(found!.pid, 'SIGKILL');
  }, 90_000);

  for (const order of ['below', 'above'] as const) {
    it(`lists a live agent, never as gone, with the scan's pid ${order} the agent's`, async () => {
      nextPidsAbove(order === 'below' ? HIGH_PID : LOW_PID);
      const agent = await startBareAgent();
      try {
        const pid = agent.pid;
        expect(pid > HIGH_PID).toBe(order === 'below');
        // Several listings: the scan's pid lands on either side of the agent's every time.
        for (let i = 0; i < 3; i++) {
          nextPidsAbove(order === 'below' ? LOW_PID : HIGH_PID);
          const scan = await view.call('rescue.scan', { hostId });
          expect(scan.processes.filter((p) => p.agent === 'claude')).toMatchObject([{ pid, cwd: dir, command: 'claude' }]);
          expect(scan.gone.filter((g) => g.cwd === dir)).toEqual([]);
        }
      } finally {
        agent.end();
      }
      // Ended (its SSH connection closed with it): gone now, and offered for Resume in tmux.
      await waitFor(async () => (await view.call('rescue.scan', { hostId })).gone.some((g) => g.agent === 'claude' && g.cwd === dir), 'the agent listed as gone');
      await view.call('rescue.run', { hostId, action: { kind: 'resume', agent: 'claude', cwd: dir }, command: (await view.call('rescue.plan', { hostId, action: { kind: 'resume', agent: 'claude', cwd: dir } })).command }).then((made) => tmux(`kill-session -t '${made.sessionId}'`));
    }, 60_000);
  }

  it('lists a directory whose name holds a line break exactly', async () => {
    const odd = join(dir, 'line\n4242 forged\tpts-0');
    mkdirSync(odd);
    const agent = await startBareAgent({ cwd: odd });
    try {
      expect((await view.call('rescue.scan', { hostId })).processes.filter((p) => p.agent === 'claude').map((p) => p.cwd)).toEqual([odd]);
    } finally {
      agent.end();
    }
  }, 60_000);

  it('a directory named #(touch …) runs nothing when moved or resumed: the session starts in that directory', async () => {
    const odd = join(dir, '#(touch hf-rescue-pwned)');
    mkdirSync(odd);
    const pwned = () => [odd, dir, server.home, '/'].filter((d) => existsSync(join(d, 'hf-rescue-pwned')));
    const agent = await startBareAgent({ cwd: odd });
    try {
      const found = (await listed(agent))!;
      const plan = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found.pid } });
      const moved = await view.call('rescue.run', { hostId, action: { kind: 'move', pid: found.pid }, command: plan.command });
      await waitFor(() => /count \d+/.test(capture(moved.sessionId)), 'the moved agent counting in tmux', 30_000);
      expect(tmux(`display-message -p -t '${moved.sessionId}' '#{pane_current_path}'`).trim()).toBe(odd);
      tmux(`kill-session -t '${moved.sessionId}'`);
      process.kill(found.pid, 'SIGKILL');

      await view.call('settings.save', { resumeCommands: { claude: 'echo "resumed in $(pwd)"; exec sleep 600' } });
      const resume = await view.call('rescue.plan', { hostId, action: { kind: 'resume', agent: 'claude', cwd: odd } });
      const resumed = await view.call('rescue.run', { hostId, action: { kind: 'resume', agent: 'claude', cwd: odd }, command: resume.command });
      await waitFor(() => capture(resumed.sessionId).includes(`resumed in ${odd}`), 'the resume command in that directory');
      tmux(`kill-session -t '${resumed.sessionId}'`);
      expect(pwned()).toEqual([]);
    } finally {
      agent.end();
      await view.call('settings.save', { resumeCommands: {} });
    }
  }, 90_000);

  it('will not move another process that has the pid now: refused in the plan, and by the program itself right before reptyr', async () => {
    const agent = await startBareAgent();
    const found = (await listed(agent))!;
    const plan = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found.pid } });
    expect(plan.ok).toBe(true);
    agent.end();
    await waitFor(() => !runs(found.pid), 'the agent to end');
    // Another claude of the user's at that pid (no terminal needed: the checks come first).
    let other: ChildProcess | undefined;
    for (let i = 0; i < 50 && other?.pid !== found.pid; i++) {
      if (other?.pid) process.kill(other.pid, 'SIGKILL');
      nextPidsAbove(found.pid - 1);
      other = spawn('setpriv', [`--reuid=${server.user}`, `--regid=${server.user}`, '--init-groups', join(dir, 'claude')], { stdio: 'ignore' });
    }
    expect(other?.pid).toBe(found.pid);
    try {
      await waitFor(() => server.runAsUser(`ps -o comm= -p ${found.pid} || true`).trim() === 'claude', 'the other claude to run');
      const again = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found.pid } });
      expect(again.ok).toBe(false);
      expect(again.problems).toEqual([`Process ${found.pid} is not the claude that was listed: that one ended, and another program has its pid now. Refresh the host.`]);
      await expect(view.call('rescue.run', { hostId, action: { kind: 'move', pid: found.pid }, command: plan.command })).rejects.toThrow(/not the claude that was listed/);
      // The shown command itself, run now (as it would be had the pid changed hands after the last check): it says why
      // and stops, the pane stays with its words, and the other process is not taken.
      const conn = await connectToTestServer(server);
      try {
        const result = await conn.exec(rescueSessionCommand('hf-rescue-stale', dir, plan.program));
        const sessionId = result.stdout.split('\t')[0]!;
        await waitFor(() => tmux(`display-message -p -t '${sessionId}' '#{pane_dead}'`).trim() === '1', 'the program to stop');
        expect(capture(sessionId)).toContain(`Holdfast: process ${found.pid} is not the claude that was listed any more`);
        expect(capture(sessionId)).not.toMatch(/count \d+/);
        tmux(`kill-session -t '${sessionId}'`);
      } finally {
        conn.dispose();
      }
      expect(runs(found.pid)).toBe(true);
    } finally {
      if (other?.pid) process.kill(other.pid, 'SIGKILL');
    }
  }, 90_000);

  it('finds an agent with a child in the plan, says so, and moves it once it runs alone', async () => {
    const agent = await startBareAgent({ program: join(dir, 'busy-bin', 'claude') });
    try {
      const found = (await listed(agent))!;
      const child = Number(/child (\d+)/.exec(agent.text())![1]);
      const plan = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found.pid } });
      expect(plan).toMatchObject({ ok: false, problems: [], children: [{ pid: child, command: 'sleep' }] });
      await expect(view.call('rescue.run', { hostId, action: { kind: 'move', pid: found.pid }, command: plan.command })).rejects.toThrow(/runs other programs now \(sleep \d+\)/);
      // The tool call ends: now it can be moved, and is.
      server.runAsUser(`kill ${child}`);
      const ready = await waitFor(async () => {
        const next = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found.pid } });
        return next.ok && next;
      }, 'the plan to be ok once the child ended');
      expect(ready.command).toBe(plan.command);
      const moved = await view.call('rescue.run', { hostId, action: { kind: 'move', pid: found.pid }, command: ready.command });
      const before = lastCount(agent.text());
      await waitFor(() => lastCount(capture(moved.sessionId)) > before, 'the agent counting in tmux', 30_000);
      tmux(`kill-session -t '${moved.sessionId}'`);
      process.kill(found.pid, 'SIGKILL');
    } finally {
      agent.end();
    }
  }, 90_000);

  it('resumes an agent that only the interactive shell finds; one not found at all shows what it printed, and Recreate runs it again', async () => {
    const bashrc = join(server.home, '.bashrc');
    const original = readFileSync(bashrc, 'utf8');
    const program = join(dir, 'interactive-claude');
    writeFileSync(program, '#!/bin/sh\necho "resumed $* in $(pwd)"\nexec sleep 600\n');
    chmodSync(program, 0o755);
    // An alias of the interactive shell only (Debian's ~/.bashrc returns early for any other), as nvm's PATH is.
    const withAlias = `${original}\nalias hf-claude=${shellQuote(program)}\n`;
    const work = join(dir, 'work');
    mkdirSync(work);
    await view.call('settings.save', { resumeCommands: { claude: 'hf-claude --continue' } });
    try {
      const action = { kind: 'resume' as const, agent: 'claude', cwd: work };
      // Not found at all yet: the session's command ends at once, and the tab shows what it printed.
      const plan = await view.call('rescue.plan', { hostId, action });
      const made = await view.call('rescue.run', { hostId, action, command: plan.command });
      const pane = await openMade(made);
      await waitFor(async () => (await paneInfo(pane.paneId)).state === 'exited', 'the pane to show the command ended', 30_000);
      const info = await paneInfo(pane.paneId);
      expect(info.exit?.output).toMatch(/hf-claude: command not found/);
      expect(info.startCommand).toBe(plan.program);
      // The alias is there now: Recreate runs the same command again, in the agent's directory.
      writeFileSync(bashrc, withAlias);
      await view.call('panes.recreate', { paneId: pane.paneId });
      const recreated = await paneInfo(pane.paneId);
      await waitFor(() => capture(recreated.sessionId!).includes(`resumed --continue in ${work}`), 'the agent resumed in its directory', 30_000);
      tmux(`kill-session -t '${recreated.sessionId}'`);
      await view.call('panes.close', { paneId: pane.paneId });

      // And straight away, with the alias in place.
      const again = await view.call('rescue.run', { hostId, action, command: (await view.call('rescue.plan', { hostId, action })).command });
      await waitFor(() => capture(again.sessionId).includes(`resumed --continue in ${work}`), 'the agent resumed at once', 30_000);
      tmux(`kill-session -t '${again.sessionId}'`);
    } finally {
      writeFileSync(bashrc, original);
      await view.call('settings.save', { resumeCommands: {} });
    }
  }, 90_000);

  it('without reptyr says why and how to install it; Resume in tmux starts the resume command in the agent\u2019s directory', async () => {
    const agent = await startBareAgent();
    const found = (await listed(agent))!;
    const reptyr = '/usr/bin/reptyr';
    const mode = statSync(reptyr).mode;
    chmodSync(reptyr, 0o644);
    try {
      const plan = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found.pid } });
      expect(plan.ok).toBe(false);
      expect(plan.problems).toEqual(['reptyr is not installed on the server.']);
      expect(plan.hint).toBe('sudo apt-get install reptyr');
      await expect(view.call('rescue.run', { hostId, action: { kind: 'move', pid: found.pid }, command: plan.command })).rejects.toThrow(/reptyr is not installed/);
    } finally {
      chmodSync(reptyr, mode & 0o7777);
    }
    agent.end();
    // Gone now (the drop killed it): offered for Resume in tmux, with its directory.
    await waitFor(async () => (await view.call('rescue.scan', { hostId })).gone.some((g) => g.agent === 'claude' && g.cwd === dir), 'the agent remembered as gone');
    await view.call('settings.save', { resumeCommands: { claude: 'echo "resumed in $(pwd)"; exec sleep 600' } });
    try {
      const action = { kind: 'resume' as const, agent: 'claude', cwd: dir };
      const resumed = await view.call('rescue.run', { hostId, action, command: (await view.call('rescue.plan', { hostId, action })).command });
      await waitFor(() => capture(resumed.sessionId).includes(`resumed in ${dir}`), 'the resume command in the agent directory');
      // Resumed: no longer offered as gone.
      expect((await view.call('rescue.scan', { hostId })).gone.filter((g) => g.cwd === dir)).toEqual([]);
      tmux(`kill-session -t '${resumed.sessionId}'`);
    } finally {
      await view.call('settings.save', { resumeCommands: {} });
    }
  }, 90_000);

  it('leaves no program of its own running on the server', async () => {
    // The agents (run from the test's directory) and what the sessions ran; the patterns never match the shell that
    // runs pgrep (a bracketed last character, -x).
    const fromDir = `${dir.slice(0, -1)}[${dir.slice(-1)}]`;
    // (The tmux server keeps the command line of the client that started it: not one of these.)
    const left = () =>
      server
        .runAsUser(`pgrep -a -u "$(id -u)" -f ${shellQuote(fromDir)}; pgrep -a -u "$(id -u)" -x -f 'sleep (600|100000)'; true`)
        .split('\n')
        .filter((l) => l.trim() !== '' && !/^\d+ tmux /.test(l))
        .join('\n');
    await waitFor(() => left() === '', 'every program of these tests to have ended').catch((err: unknown) => {
      throw new Error(`${String(err)}: ${left()}`);
    });
  });

  it('never lists a process of another user, or one already in tmux', async () => {
    // The same program in a tmux pane, and in a pty of root's.
    tmux(`new-session -d -s in-tmux -x 80 -y 24 ${join(dir, 'claude')}`);
    const root: ChildProcess = spawn('script', ['-qfc', join(dir, 'claude'), '/dev/null'], { stdio: 'ignore', detached: true });
    try {
      await waitFor(() => /count \d+/.test(tmux(`capture-pane -p -t '=in-tmux:'`)), 'the agent in tmux to count');
      await waitFor(() => spawnSync('pgrep', ['-u', 'root', '-f', join(dir, 'claude')]).status === 0, "root's copy to run");
      const scan = await view.call('rescue.scan', { hostId });
      expect(scan.processes.filter((p) => p.agent === 'claude')).toEqual([]);
    } finally {
      if (root.pid) process.kill(-root.pid, 'SIGKILL');
      tmux(`kill-session -t '=in-tmux'`);
    }
  }, 60_000);
});
