// The walking skeleton through core alone: a profile, the host-key question, tmux sessions, panes over one SSH
// connection — against a real sshd and a real tmux.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../test/harness/sshd';
import { createWebCore } from './compose';
import { HoldfastCore } from './service';
import { createFileBacking, KnownHostsStore, ProfileStore } from './stores';
import { keychain as newKeychain, TestClient, waitFor } from './testing';

let server: TestSshd;
let dataDir: string;
let core: HoldfastCore;
/** The view the tests act through, as a page of the web host would. */
let view: TestClient;

/** Answers host-key questions the way a user clicking Accept would. */
function acceptHostKeys(remember = true): void {
  view.onRecord((r) => {
    if (r.kind === 'event' && r.event.name === 'prompt.show' && r.event.payload.kind === 'host-key') {
      void view.call('prompts.answer', { promptId: r.event.payload.promptId, answer: { kind: 'host-key', remember } });
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
    view = new TestClient(core, { acceptHostKeys: false });
  });

  afterEach(() => {
    view.records.length = 0;
  });

  afterAll(() => {
    core.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks about an unknown host key with its SHA256 fingerprint, and cancelling refuses the connection', async () => {
    const profile = await view.call('hosts.save', { name: 'test', host: server.host, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath });
    const listing = view.call('sessions.list', { hostId: profile.id });
    const prompt = await waitFor(() => view.events('prompt.show')[0], 'a host key prompt');
    expect(prompt).toMatchObject({ kind: 'host-key', fingerprint: server.hostKeyFingerprint, port: server.port });
    await view.call('prompts.answer', { promptId: prompt.promptId, answer: { kind: 'cancel' } });
    await expect(listing).rejects.toMatchObject({ code: 'HOST_KEY_REJECTED' });
    expect(server.acceptedCount()).toBe(0);
  });

  it('lists tmux sessions with windows, attached clients and activity once the key is accepted', async () => {
    acceptHostKeys();
    server.runAsUser("tmux new-session -d -s 'core one' -x 80 -y 24 && tmux new-window -t 'core one'");
    const [profile] = await view.call('hosts.list', {});
    const sessions = await view.call('sessions.list', { hostId: profile!.id });
    const one = sessions.find((s) => s.name === 'core one');
    expect(one).toMatchObject({ windows: 2, attachedClients: 0 });
    expect(one!.lastActivity).toBeGreaterThan(Date.now() - 600_000);
  });

  it('attaches panes to two sessions over one SSH connection, echoes typed input, and detaches on close', async () => {
    const [profile] = await view.call('hosts.list', {});
    const connectionsBefore = server.connectionCount();
    const first = await view.open({ hostId: profile!.id, sessionName: 'core one', cols: 100, rows: 30 });
    expect(first.state).toBe('attached');
    view.write(first.paneId, 'echo hello-$((6*7))\r');
    await waitFor(() => view.text(first.paneId).includes('hello-42'), 'the echo in the first pane');

    const second = await view.open({ hostId: profile!.id, sessionName: 'core two', create: { startCommand: 'bash' }, cols: 80, rows: 24 });
    view.write(second.paneId, 'echo two-$((1+1))\r');
    await waitFor(() => view.text(second.paneId).includes('two-2'), 'the echo in the second pane');
    expect(server.connectionCount()).toBe(connectionsBefore);

    view.resize(first.paneId, 120, 40);
    // A control-mode client has no status line of tmux's; a classic one has (one row less).
    const expected = first.mode === 'control' ? '120x40' : '120x39';
    await waitFor(() => server.runAsUser("tmux display -p -t 'core one' '#{window_width}x#{window_height}'").trim() === expected || undefined, `the remote pane to resize to ${expected}`);

    await view.call('panes.close', { paneId: first.paneId });
    await waitFor(() => server.runAsUser("tmux display -p -t 'core one' '#{session_attached}'").trim() === '0' || undefined, 'the tmux client to detach');
    expect(server.runAsUser("tmux has-session -t '=core one' && echo yes").trim()).toBe('yes');
    await view.call('panes.close', { paneId: second.paneId });
  });

  it('says when tmux is not installed on the server, and how to install it', async () => {
    // A server whose sessions have no tmux on their PATH, as on a fresh machine.
    const bare = await startSshd({ extraConfig: 'SetEnv PATH=/nonexistent-holdfast-bin' });
    try {
      const profile = await view.call('hosts.save', { name: 'bare', host: bare.host, port: bare.port, user: bare.user, privateKeyPath: bare.clientKeyPath });
      const error = await view.call('sessions.list', { hostId: profile.id }).catch((e: unknown) => e);
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
    const page = new TestClient(moving);
    const passwordPrompts = () => page.events('prompt.show').filter((p) => p.kind === 'password');
    try {
      const input = { name: 'pw', host: server.host, port: server.port, user: server.user, password: server.password, rememberPassword: true, authOrder: ['password' as const] };
      const saved = await page.call('hosts.save', input);
      expect(saved.hasPassword).toBe(true);
      await page.call('sessions.list', { hostId: saved.id });
      expect(passwordPrompts()).toEqual([]);

      // A new name or tags keep it; a new port does not.
      expect((await page.call('hosts.save', { ...input, password: undefined, id: saved.id, name: 'renamed' })).hasPassword).toBe(true);
      const moved = await page.call('hosts.save', { ...input, password: undefined, id: saved.id, port: other.port });
      expect(moved.hasPassword).toBe(false);

      const listing = page.call('sessions.list', { hostId: saved.id });
      const asked = await waitFor(() => passwordPrompts()[0], 'a password prompt from the new server');
      // Nothing was tried on the new server before asking: sshd logs every password attempt.
      expect(other.log()).not.toMatch(/password for/);
      await page.call('prompts.answer', { promptId: asked.promptId, answer: { kind: 'cancel' } });
      await expect(listing).rejects.toMatchObject({ code: 'CANCELLED' });

      // Typing the password again in the same save that moves the profile keeps the new one.
      const back = await page.call('hosts.save', { ...input, id: saved.id, user: server.user, port: server.port });
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
    const keychain = newKeychain();
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
    const window = new TestClient(electronLike, { info: { kind: 'window' }, acceptHostKeys: false });
    window.onRecord((r) => {
      if (r.kind === 'event' && r.event.name === 'prompt.show') {
        const prompt = r.event.payload;
        const answer = prompt.kind === 'host-key' ? { kind: 'host-key' as const, remember: false } : { kind: 'secret' as const, value: server.password, remember: false };
        void window.call('prompts.answer', { promptId: prompt.promptId, answer });
      }
    });
    try {
      server.runAsUser('tmux has-session -t =kc-session 2>/dev/null || tmux new-session -d -s kc-session');
      const profile = await window.call('hosts.save', { name: 'pw', host: server.host, port: server.port, user: server.user });
      const pane = await window.open({ hostId: profile.id, sessionName: 'kc-session', cols: 80, rows: 24 });
      const passwordPrompts = () => window.events('prompt.show').filter((p) => p.kind === 'password').length;
      expect(passwordPrompts()).toBe(1);

      expect(server.dropConnections()).toBeGreaterThan(0);
      await waitFor(() => window.paneStates(pane.paneId).includes('reconnecting'), 'the pane to notice the drop');
      await waitFor(() => window.paneStates(pane.paneId).filter((s) => s === 'attached').length >= 2, 'the pane to reattach');
      expect(passwordPrompts()).toBe(1);
      expect(keychain.values.size).toBe(0);
      expect((await window.call('hosts.list', {}))[0]!.hasPassword).toBe(false);
    } finally {
      electronLike.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
