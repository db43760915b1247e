// Nothing of Holdfast stays running on a server after its connection ends, however it ended (ssh/lease.ts): after
// Holdfast quits with a pane whose start command failed still open, after its process is killed outright, and after
// the link is cut without a word (sshd never learns of it). After each, within 10 s, the test user runs nothing of
// Holdfast's (control-mode and classic tmux clients, the Needs-you watch loop, the lease keeper), and tmux is usable:
// `tmux kill-server`, then `tmux new-session`, work. Control mode is where it mattered: tmux 3.3a keeps a control
// client whose input closed attached, and a kill-server then leaves the tmux server wedged.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdfastLeftovers } from '../harness/leftovers';
import { startSshd } from '../harness/sshd';
import { WsTestClient } from '../harness/wsTestClient';
import { createFaultRig, waitFor, type FaultRig } from './rig';

/** Within 10 s of the connection's end (the bound the issue sets; waited for as a condition). */
const GONE_WITHIN_MS = 10_000;

/** tmux is usable again: a kill-server and a new session work, and the new session is listed. */
function tmuxUsable(tmux: (line: string) => string): void {
  tmux('tmux kill-server 2>/dev/null; true');
  tmux("tmux new-session -d -s after-holdfast 'sleep 60'");
  expect(tmux("tmux list-sessions -F '#{session_name}'").trim()).toBe('after-holdfast');
  tmux('tmux kill-server 2>/dev/null; true');
}

describe('nothing of Holdfast stays on the server', () => {
  let rig: FaultRig | undefined;
  afterAll(async () => {
    await rig?.dispose();
  });

  /** A control-mode pane with a start command that does not exist, one that runs, and a classic one. */
  async function openPanes(r: FaultRig): Promise<void> {
    const control = await r.addHost({ intervalSec: 1, countMax: 2 }, 'control');
    const failed = await r.view.open({ hostId: control.id, sessionName: 'left-failed', create: { startCommand: 'no-such-command-holdfast' }, cols: 80, rows: 24 });
    await waitFor(() => r.paneStates(failed.paneId).includes('exited'), 'the failed start command to show');
    const running = await r.view.open({ hostId: control.id, sessionName: 'left-running', create: { startCommand: 'sleep 600' }, cols: 80, rows: 24 });
    expect(running.mode).toBe('control');
    const classic = await r.addHost({ intervalSec: 1, countMax: 2 }, 'classic');
    const plain = await r.view.open({ hostId: classic.id, sessionName: 'left-running', cols: 80, rows: 24 });
    expect(plain.mode).toBe('classic');
    // Its control clients, classic client, watch loops and lease keepers are all there now.
    await waitFor(() => r.tmux("tmux list-clients -F '#{client_control_mode}'").split('\n').filter(Boolean).length >= 2, 'the tmux clients');
    expect(holdfastLeftovers((c) => r.server.runAsUser(c)).length).toBeGreaterThan(0);
  }

  it('after Holdfast quits with a failed start command on screen', async () => {
    rig = await createFaultRig();
    await openPanes(rig);
    rig.core.dispose();
    const r = rig;
    await waitFor(() => holdfastLeftovers((c) => r.server.runAsUser(c)).length === 0, 'nothing of Holdfast on the server', GONE_WITHIN_MS);
    tmuxUsable(r.tmux);
    await rig.dispose();
    rig = undefined;
  }, 90_000);

  it('after the link is cut without a word (sshd still thinks it is there)', async () => {
    rig = await createFaultRig();
    await openPanes(rig);
    const r = rig;
    r.ns.blackhole();
    try {
      await waitFor(() => holdfastLeftovers((c) => r.server.runAsUser(c)).length === 0, 'nothing of Holdfast on the server', GONE_WITHIN_MS);
      tmuxUsable(r.tmux);
    } finally {
      r.ns.unblackhole();
    }
    await rig.dispose();
    rig = undefined;
  }, 90_000);
});

describe('nothing of Holdfast stays on the server after its process is killed', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    dir = mkdtempSync(join(root, '.tmp', 'leftovers-'));
    const build = spawnSync(process.execPath, ['scripts/build-web.mjs', '--out-dir', join(dir, 'web')], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build-web failed:\n${build.stdout}\n${build.stderr}`);
    mkdirSync(join(dir, 'static'));
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Holdfast</title>');
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('with SIGKILL, while a control-mode pane is open', async () => {
    const server = await startSshd();
    const session = `killed-${process.pid}`;
    try {
      const dataDir = mkdtempSync(join(dir, 'data-'));
      child = spawn(process.execPath, [join(dir, 'web', 'main.js'), '--port', '0', '--data-dir', dataDir, '--static-dir', join(dir, 'static')], {
        cwd: root,
        env: { ...process.env, HOME: dataDir, XDG_DATA_HOME: join(dataDir, 'xdg'), SSH_AUTH_SOCK: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const url = await waitFor(() => /^Holdfast web host: (\S+)$/m.exec(stdout)?.[1], 'the web host URL');
      const page = new WsTestClient(url);
      await page.opened();
      server.runAsUser(`tmux new-session -d -s ${session} 'sleep 600'`);
      const saved = await page.call('hosts.save', { name: 'killed', host: server.host, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath, tmuxMode: 'control' });
      const hostId = (saved.value as { id: string }).id;
      const listing = page.call('sessions.list', { hostId });
      const prompt = await page.waitForEvent((e) => e.name === 'prompt.show', 'the host-key prompt');
      await page.call('prompts.answer', { promptId: (prompt.payload as { promptId: string }).promptId, answer: { kind: 'host-key', remember: true } });
      expect((await listing).ok).toBe(true);
      expect(await page.call('panes.open', { hostId, sessionName: session, cols: 80, rows: 24 })).toMatchObject({ ok: true });
      await waitFor(() => holdfastLeftovers((c) => server.runAsUser(c)).some((p) => /-C attach/.test(p)), 'the control client on the server');
      child.kill('SIGKILL');
      await waitFor(() => holdfastLeftovers((c) => server.runAsUser(c)).length === 0, 'nothing of Holdfast on the server', GONE_WITHIN_MS);
      page.close();
    } finally {
      server.runAsUser(`tmux kill-session -t '=${session}' 2>/dev/null; true`);
      await server.dispose();
    }
  }, 90_000);
});
