// The walking skeleton through core alone: a profile, the host-key question, tmux sessions, panes over one SSH
// connection — against a real sshd and a real tmux.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../test/harness/sshd';
import type { CoreEvent } from './service';
import { createWebCore, HoldfastCore } from './service';
import { MemorySecrets } from './ssh/testSupport';
import { createFileBacking, KnownHostsStore, ProfileStore } from './stores';

let server: TestSshd;
let dataDir: string;
let core: HoldfastCore;
const events: CoreEvent[] = [];

function paneText(paneId: string): string {
  const chunks = events.filter((e) => e.name === 'pane.data' && e.payload.paneId === paneId).map((e) => (e.payload as { data: Uint8Array }).data);
  return Buffer.concat(chunks).toString('utf8');
}

async function waitFor<T>(fn: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Answers host-key questions the way a user clicking Accept would. */
function acceptHostKeys(remember = true): void {
  core.onEvent((e) => {
    if (e.name === 'prompt.show' && e.payload.kind === 'host-key') {
      void core.handle('prompts.answer', { promptId: e.payload.promptId, answer: { kind: 'host-key', remember } });
    }
  });
}

beforeAll(async () => {
  server = await startSshd();
  server.runAsUser('tmux kill-server 2>/dev/null; true');
});

afterAll(async () => {
  server.runAsUser('tmux kill-server 2>/dev/null; true');
  await server?.dispose();
});

describe('HoldfastCore against a real sshd and tmux', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hf-core-'));
    core = createWebCore({ dataDir, version: 'test', homeDir: dataDir, knownHostsFiles: [] });
    core.onEvent((e) => events.push(e));
  });

  afterEach(() => {
    events.length = 0;
  });

  afterAll(() => {
    core.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks about an unknown host key with its SHA256 fingerprint, and cancelling refuses the connection', async () => {
    const profile = await core.handle('hosts.save', { name: 'test', host: server.host, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath });
    const listing = core.handle('sessions.list', { hostId: profile.id });
    const prompt = await waitFor(() => events.find((e) => e.name === 'prompt.show'), 'a host key prompt');
    expect(prompt.payload).toMatchObject({ kind: 'host-key', fingerprint: server.hostKeyFingerprint, port: server.port });
    await core.handle('prompts.answer', { promptId: (prompt.payload as { promptId: string }).promptId, answer: { kind: 'cancel' } });
    await expect(listing).rejects.toMatchObject({ code: 'HOST_KEY_REJECTED' });
    expect(server.acceptedCount()).toBe(0);
  });

  it('lists tmux sessions with windows, attached clients and activity once the key is accepted', async () => {
    acceptHostKeys();
    server.runAsUser("tmux new-session -d -s 'core one' -x 80 -y 24 && tmux new-window -t 'core one'");
    const [profile] = await core.handle('hosts.list', {});
    const sessions = await core.handle('sessions.list', { hostId: profile!.id });
    const one = sessions.find((s) => s.name === 'core one');
    expect(one).toMatchObject({ windows: 2, attachedClients: 0 });
    expect(one!.lastActivity).toBeGreaterThan(Date.now() - 600_000);
  });

  it('attaches panes to two sessions over one SSH connection, echoes typed input, and detaches on close', async () => {
    const [profile] = await core.handle('hosts.list', {});
    const connectionsBefore = server.connectionCount();
    const first = await core.handle('panes.open', { hostId: profile!.id, sessionName: 'core one', cols: 100, rows: 30 });
    expect(first.state).toBe('attached');
    await core.handle('panes.write', { paneId: first.paneId, data: 'echo hello-$((6*7))\r' });
    await waitFor(() => paneText(first.paneId).includes('hello-42'), 'the echo in the first pane');

    const second = await core.handle('panes.open', { hostId: profile!.id, sessionName: 'core two', create: { startCommand: 'bash' }, cols: 80, rows: 24 });
    await core.handle('panes.write', { paneId: second.paneId, data: 'echo two-$((1+1))\r' });
    await waitFor(() => paneText(second.paneId).includes('two-2'), 'the echo in the second pane');
    expect(server.connectionCount()).toBe(connectionsBefore);

    await core.handle('panes.resize', { paneId: first.paneId, cols: 120, rows: 40 });
    await waitFor(() => server.runAsUser("tmux display -p -t 'core one' '#{window_width}x#{window_height}'").trim() === '120x39' || undefined, 'the remote pane to resize (40 rows less the status line)');

    await core.handle('panes.close', { paneId: first.paneId });
    await waitFor(() => server.runAsUser("tmux display -p -t 'core one' '#{session_attached}'").trim() === '0' || undefined, 'the tmux client to detach');
    expect(server.runAsUser("tmux has-session -t '=core one' && echo yes").trim()).toBe('yes');
    await core.handle('panes.close', { paneId: second.paneId });
  });

  it('says when tmux is not installed on the server, and how to install it', async () => {
    // A server whose sessions have no tmux on their PATH, as on a fresh machine.
    const bare = await startSshd({ extraConfig: 'SetEnv PATH=/nonexistent-holdfast-bin' });
    try {
      const profile = await core.handle('hosts.save', { name: 'bare', host: bare.host, port: bare.port, user: bare.user, privateKeyPath: bare.clientKeyPath });
      const error = await core.handle('sessions.list', { hostId: profile.id }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TMUX_MISSING' });
      expect((error as { hint?: string }).hint).toMatch(/apt/);
    } finally {
      await bare.dispose();
    }
  });
});

describe('a remembered password', () => {
  it('is forgotten when the profile is moved to another host, port or user, so the new server is asked, never sent it', async () => {
    const other = await startSshd();
    const dir = mkdtempSync(join(tmpdir(), 'hf-core-move-'));
    const moving = createWebCore({ dataDir: dir, version: 'test', homeDir: dir, knownHostsFiles: [] });
    const seen: CoreEvent[] = [];
    moving.onEvent((e) => {
      seen.push(e);
      if (e.name === 'prompt.show' && e.payload.kind === 'host-key') {
        void moving.handle('prompts.answer', { promptId: e.payload.promptId, answer: { kind: 'host-key', remember: true } });
      }
    });
    try {
      const input = { name: 'pw', host: server.host, port: server.port, user: server.user, password: server.password, rememberPassword: true, authOrder: ['password' as const] };
      const saved = await moving.handle('hosts.save', input);
      expect(saved.hasPassword).toBe(true);
      await moving.handle('sessions.list', { hostId: saved.id });
      expect(seen.filter((e) => e.name === 'prompt.show' && e.payload.kind === 'password')).toEqual([]);

      // A new name or tags keep it; a new port does not.
      expect((await moving.handle('hosts.save', { ...input, password: undefined, id: saved.id, name: 'renamed' })).hasPassword).toBe(true);
      const moved = await moving.handle('hosts.save', { ...input, password: undefined, id: saved.id, port: other.port });
      expect(moved.hasPassword).toBe(false);

      const listing = moving.handle('sessions.list', { hostId: saved.id });
      const asked = await waitFor(() => seen.find((e) => e.name === 'prompt.show' && e.payload.kind === 'password'), 'a password prompt from the new server');
      // Nothing was tried on the new server before asking: sshd logs every password attempt.
      expect(other.log()).not.toMatch(/password for/);
      await moving.handle('prompts.answer', { promptId: (asked.payload as { promptId: string }).promptId, answer: { kind: 'cancel' } });
      await expect(listing).rejects.toMatchObject({ code: 'CANCELLED' });

      // Typing the password again in the same save that moves the profile keeps the new one.
      const back = await moving.handle('hosts.save', { ...input, id: saved.id, user: server.user, port: server.port });
      expect(back.hasPassword).toBe(true);
    } finally {
      moving.dispose();
      rmSync(dir, { recursive: true, force: true });
      await other.dispose();
    }
  });
});

describe('a password typed without "remember" (Electron, with a keychain)', () => {
  it('is kept for the session, so the automatic reconnect after a drop authenticates without asking, and never reaches the keychain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-core-kc-'));
    // Stands in for Electron's safeStorage keychain, which cannot exist here: persistent, and inspectable.
    const keychain = new MemorySecrets(true);
    const electronLike = new HoldfastCore({
      shell: 'electron',
      version: 'test',
      profiles: new ProfileStore(createFileBacking(join(dir, 'profiles.json'))),
      knownHosts: new KnownHostsStore(createFileBacking(join(dir, 'known-hosts.json'))),
      secrets: keychain,
      homeDir: dir,
      knownHostsFiles: [],
      watchSystem: false,
    });
    const seen: CoreEvent[] = [];
    electronLike.onEvent((e) => {
      seen.push(e);
      if (e.name === 'prompt.show') {
        const answer = e.payload.kind === 'host-key' ? { kind: 'host-key' as const, remember: false } : { kind: 'secret' as const, value: server.password, remember: false };
        void electronLike.handle('prompts.answer', { promptId: e.payload.promptId, answer });
      }
    });
    try {
      server.runAsUser('tmux has-session -t =kc-session 2>/dev/null || tmux new-session -d -s kc-session');
      const profile = await electronLike.handle('hosts.save', { name: 'pw', host: server.host, port: server.port, user: server.user });
      const pane = await electronLike.handle('panes.open', { hostId: profile.id, sessionName: 'kc-session', cols: 80, rows: 24 });
      const passwordPrompts = () => seen.filter((e) => e.name === 'prompt.show' && e.payload.kind === 'password').length;
      expect(passwordPrompts()).toBe(1);

      expect(server.dropConnections()).toBeGreaterThan(0);
      await waitFor(() => seen.some((e) => e.name === 'pane.state' && e.payload.paneId === pane.paneId && e.payload.state === 'reconnecting'), 'the pane to notice the drop');
      await waitFor(
        () => seen.filter((e) => e.name === 'pane.state' && e.payload.paneId === pane.paneId && e.payload.state === 'attached').length >= 2,
        'the pane to reattach',
      );
      expect(passwordPrompts()).toBe(1);
      expect(keychain.values.size).toBe(0);
      expect((await electronLike.handle('hosts.list', {}))[0]!.hasPassword).toBe(false);
    } finally {
      electronLike.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
