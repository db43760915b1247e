// Rescue against a real sshd, tmux and reptyr: a fake agent (it counts, keeping the count in memory) started in a bare
// SSH session with a pty is listed as not protected; Move into tmux moves it; the original SSH connection closes and
// the agent keeps counting from where it was, in its new tmux session. Without reptyr the reason and the install
// hint are given, and Resume in tmux starts the resume command in the agent's directory. A process of another user
// and one already in tmux are never listed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import type { ISshConnection, IPtyChannel } from '../interfaces';
import { createWebCore, type HoldfastCore } from '../service';
import { TestClient, waitFor } from '../testing';
import { connectToTestServer } from '../tmux/testConnection';

let server: TestSshd;
let dir: string;
let dataDir: string;
let core: HoldfastCore;
let view: TestClient;
let hostId: string;
const tmux = (command: string) => server.runAsUser(`tmux ${command}`);

/**
 * The fake agent: named `claude`, it counts once every 0.2 s; the count lives in the shell's memory only. It waits
 * with a builtin (read on a pipe it holds), so it has no children (reptyr takes such a process over by itself).
 */
const AGENT = '#!/bin/bash\nexec 9<> <(:)\nn=0\nwhile :; do n=$((n+1)); echo "count $n"; read -t 0.2 -u 9 _; done\n';

beforeAll(async () => {
  server = await startSshd();
  server.runAsUser('tmux kill-server 2>/dev/null; true');
  dir = mkdtempSync(join(tmpdir(), 'hf-rescue-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'claude'), AGENT);
  chmodSync(join(dir, 'claude'), 0o755);
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
async function startBareAgent(): Promise<{ conn: ISshConnection; pty: IPtyChannel; text: () => string }> {
  const conn = await connectToTestServer(server);
  const pty = await conn.openPty({ command: `cd ${dir} && exec ${join(dir, 'claude')}`, cols: 80, rows: 24 });
  let text = '';
  pty.onData((d) => (text += new TextDecoder().decode(d)));
  await waitFor(() => /count \d+/.test(text), 'the agent to count');
  return { conn, pty, text: () => text };
}

const lastCount = (text: string) => Math.max(0, ...[...text.matchAll(/count (\d+)/g)].map((m) => Number(m[1])));

describe('Rescue', () => {
  it('lists an agent in a bare SSH terminal, moves it into tmux with its state, and it survives the SSH connection closing', async () => {
    const agent = await startBareAgent();
    const scan = await view.call('rescue.scan', { hostId });
    expect(scan.supported).toBe(true);
    const found = scan.processes.find((p) => p.agent === 'claude');
    expect(found).toMatchObject({ command: 'claude', cwd: dir });
    expect(found!.tty).toMatch(/^pts\//);

    const plan = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found!.pid } });
    expect(plan).toMatchObject({ ok: true, problems: [] });
    expect(plan.program).toMatch(new RegExp(`^reptyr ${found!.pid} `));
    expect(plan.command).toContain(`reptyr ${found!.pid}`);

    const before = lastCount(agent.text());
    const moved = await view.call('rescue.run', { hostId, action: { kind: 'move', pid: found!.pid } });
    expect(moved.sessionName).toMatch(/^claude-hf-rescue-/);
    // Taken over: it counts on in the tmux pane, from where it was (its in-memory state came along).
    const capture = () => tmux(`capture-pane -p -t '${moved.sessionId}'`);
    await waitFor(() => lastCount(capture()) > before, 'the agent counting in tmux', 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; the pane shows: ${capture().trim().slice(-600)}`);
    });
    // The original SSH connection goes, as a dropped link would take it; the agent keeps counting.
    agent.pty.dispose();
    agent.conn.dispose();
    const afterClose = lastCount(capture());
    await waitFor(() => lastCount(capture()) > afterClose + 10, 'the agent counting on after the SSH connection closed', 30_000);
    expect(capture()).not.toMatch(/^count 1$/m);
    const pid = Number(server.runAsUser(`ps -o pid= -p ${found!.pid} || true`).trim());
    expect(pid).toBe(found!.pid);
    // In tmux now: never listed again.
    const after = await view.call('rescue.scan', { hostId });
    expect(after.processes.some((p) => p.pid === found!.pid)).toBe(false);
    tmux(`kill-session -t '${moved.sessionId}'`);
  }, 90_000);

  it('without reptyr says why and how to install it; Resume in tmux starts the resume command in the agent\u2019s directory', async () => {
    const agent = await startBareAgent();
    const found = (await view.call('rescue.scan', { hostId })).processes.find((p) => p.agent === 'claude')!;
    const reptyr = '/usr/bin/reptyr';
    const mode = statSync(reptyr).mode;
    chmodSync(reptyr, 0o644);
    try {
      const plan = await view.call('rescue.plan', { hostId, action: { kind: 'move', pid: found.pid } });
      expect(plan.ok).toBe(false);
      expect(plan.problems).toEqual(['reptyr is not installed on the server.']);
      expect(plan.hint).toBe('sudo apt-get install reptyr');
      await expect(view.call('rescue.run', { hostId, action: { kind: 'move', pid: found.pid } })).rejects.toThrow(/reptyr is not installed/);
    } finally {
      chmodSync(reptyr, mode & 0o7777);
    }
    agent.pty.dispose();
    agent.conn.dispose();
    // Gone now (the drop killed it): offered for Resume in tmux, with its directory.
    await waitFor(async () => (await view.call('rescue.scan', { hostId })).gone.some((g) => g.agent === 'claude' && g.cwd === dir), 'the agent remembered as gone');
    await view.call('settings.save', { resumeCommands: { claude: 'echo "resumed in $(pwd)"; exec sleep 600' } });
    const resumed = await view.call('rescue.run', { hostId, action: { kind: 'resume', agent: 'claude', cwd: dir } });
    await waitFor(() => tmux(`capture-pane -p -t '${resumed.sessionId}'`).includes(`resumed in ${dir}`), 'the resume command in the agent directory');
    tmux(`kill-session -t '${resumed.sessionId}'`);
  }, 90_000);

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
