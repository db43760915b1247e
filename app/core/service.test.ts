// Views as clients of core, with core's own seams faked (an in-memory connection and tmux): which view gets which
// pane's bytes, who holds a pane, what a reload and a restart give back. The same against the real sshd and tmux is
// in service.int.test.ts and the e2e suite.
import { afterEach, describe, expect, it } from 'vitest';
import { HoldfastError } from '../shared/contract';
import type { HostProfile } from '../shared/model';
import type { IConnector, ISshConnection } from './interfaces';
import { HoldfastCore } from './service';
import { FakeConnection, FakeTmuxServer, ManualClock, MemoryKnownHostsStore, MemoryProfiles, MemorySettingsStore, MemorySecretStore, MemoryWorkspaceStore, TestClient, makeProfile, waitFor } from './testing';

/** These tests are about routing and ownership: panes attach the classic way (control mode has its own tests). */
function classicSettings(): MemorySettingsStore {
  const settings = new MemorySettingsStore();
  settings.update({ defaultTmuxMode: 'classic' });
  return settings;
}

const cores: HoldfastCore[] = [];
afterEach(() => {
  for (const core of cores.splice(0)) core.dispose();
});

/** A connector whose connections run `tmux`; `reachable` false refuses them as an unreachable server does. */
class FakeServer implements IConnector {
  readonly tmux = new FakeTmuxServer(['build', 'agent']);
  readonly connections: FakeConnection[] = [];
  reachable = true;
  async connect(profile: HostProfile): Promise<ISshConnection> {
    if (!this.reachable) throw new HoldfastError({ code: 'CONNECTION_REFUSED', message: `Connection refused by ${profile.host}` });
    const connection = new FakeConnection({ hostId: profile.id, exec: this.tmux.exec });
    this.connections.push(connection);
    return connection;
  }
  /** Every pty opened on any connection. */
  get channels() {
    return this.connections.flatMap((c) => c.channels);
  }
  /** The live pty attached to a session (by id). */
  channelOf(sessionId: string) {
    return this.channels.filter((c) => !c.disposed && this.tmux.attachTarget(c.options.command) === sessionId).at(-1);
  }
}

function setup(options: { server?: FakeServer; workspace?: MemoryWorkspaceStore; clock?: ManualClock; profiles?: MemoryProfiles } = {}) {
  const server = options.server ?? new FakeServer();
  const profile = makeProfile({ id: 'h1', name: 'box', host: 'box.test', port: 22, user: 'me' });
  const profiles = options.profiles ?? new MemoryProfiles([profile]);
  const clock = options.clock ?? new ManualClock(1_000_000);
  const workspace = options.workspace ?? new MemoryWorkspaceStore();
  const core = new HoldfastCore({
    shell: 'web',
    version: 'test',
    profiles,
    secrets: new MemorySecretStore(),
    knownHosts: new MemoryKnownHostsStore(),
    settings: classicSettings(),
    connector: server,
    clock,
    workspace,
    watchSystem: false,
  });
  cores.push(core);
  const view = (label = 'page') => new TestClient(core, { info: { kind: 'page', label } });
  return { core, server, clock, workspace, view, profiles };
}

const open = (view: TestClient, sessionName: string, sessionId: string) => view.open({ hostId: 'h1', sessionName, sessionId, cols: 80, rows: 24 });

describe('views as clients of core', () => {
  it('a view receives the output of the panes it subscribed to, and of no other', async () => {
    const { server, view } = setup();
    const a = view('a');
    const b = view('b');
    const build = await open(a, 'build', '$0');
    const agent = await open(b, 'agent', '$1');
    server.channelOf('$0')!.emit('built ok');
    server.channelOf('$1')!.emit('agent waits');
    await waitFor(() => a.text(build.paneId).includes('built ok') && b.text(agent.paneId).includes('agent waits'), 'each pane in its own view');
    expect(a.records.filter((r) => r.kind === 'data').every((r) => r.kind === 'data' && r.paneId === build.paneId)).toBe(true);
    expect(b.records.filter((r) => r.kind === 'data').every((r) => r.kind === 'data' && r.paneId === agent.paneId)).toBe(true);
    // A view that unsubscribes gets nothing more of it.
    const from = a.seq;
    a.unsubscribe(build.paneId);
    server.channelOf('$0')!.emit('after');
    server.channelOf('$1')!.emit('more');
    await waitFor(() => b.text(agent.paneId).includes('more'), 'later output');
    expect(a.data(build.paneId, from)).toEqual([]);
  });

  it("a view cannot type into, resize or subscribe to a pane it does not hold", async () => {
    const { server, view } = setup();
    const owner = view('owner');
    const other = view('other');
    const pane = await open(owner, 'build', '$0');
    other.write(pane.paneId, 'rm -rf ~\r');
    other.resize(pane.paneId, 10, 5);
    other.subscribe(pane.paneId);
    server.channelOf('$0')!.emit('secret');
    owner.write(pane.paneId, 'ls\r');
    await waitFor(() => owner.text(pane.paneId).includes('secret'), 'the owner to see the output');
    expect(server.channelOf('$0')!.written).toEqual(['ls\r']);
    expect(server.channelOf('$0')!.resizes).toEqual([]);
    expect(other.data(pane.paneId)).toEqual([]);
    await expect(other.call('panes.recreate', { paneId: pane.paneId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('two views of one session share one pane: both see it, both type into it, it lives while either holds it', async () => {
    const { server, view } = setup();
    const a = view('a');
    const b = view('b');
    const first = await open(a, 'build', '$0');
    server.channelOf('$0')!.emit('before b came');
    await waitFor(() => a.text(first.paneId).includes('before b came'), 'the first view to see it');
    const second = await open(b, 'build', '$0');
    expect(second.paneId).toBe(first.paneId);
    // One tmux client, not two.
    expect(server.channels.filter((c) => !c.disposed)).toHaveLength(1);
    // The second view starts from the screen as it is.
    await waitFor(() => b.text(first.paneId).includes('before b came'), 'the screen in the second view');
    server.channelOf('$0')!.emit(' both');
    await waitFor(() => a.text(first.paneId).includes('both') && b.text(first.paneId).includes('both'), 'the output in both views');
    b.write(first.paneId, 'x');
    a.write(first.paneId, 'y');
    expect(server.channelOf('$0')!.written).toEqual(['x', 'y']);
    await a.call('panes.close', { paneId: first.paneId });
    expect(server.channelOf('$0')).toBeDefined();
    const statesBefore = b.paneStates(first.paneId).length;
    await b.call('panes.close', { paneId: first.paneId });
    expect(server.channelOf('$0')).toBeUndefined();
    // A pane's events are for whoever holds it: a view that let go of it hears nothing more of it.
    expect(b.paneStates(first.paneId)).toHaveLength(statesBefore);
    expect(a.paneStates(first.paneId)).not.toContain('closed');
  });

  it('a view that goes without a workspace lets go of its panes at once', async () => {
    const { core, server, view } = setup();
    const page = view();
    await open(page, 'build', '$0');
    page.dispose();
    expect(server.channelOf('$0')).toBeUndefined();
    expect(core.stats).toMatchObject({ panes: 0, clients: 0, viewsInGrace: 0 });
  });
});

describe('workspaces', () => {
  it('a reload within the grace period takes back the same panes, attached all along, in their order', async () => {
    const { core, server, clock, view } = setup();
    const page = view();
    const ws = await page.call('workspace.open', { viewId: 'view-0001' });
    expect(ws).toEqual({ viewId: 'view-0001', panes: [] });
    const agent = await open(page, 'agent', '$1');
    const build = await open(page, 'build', '$0');
    await page.call('workspace.save', { viewId: 'view-0001', paneIds: [build.paneId, agent.paneId], activePaneId: agent.paneId });
    const channels = server.channels.length;
    page.dispose();
    expect(core.stats.viewsInGrace).toBe(1);
    clock.advance(30_000);

    const reloaded = view();
    const back = await reloaded.call('workspace.open', { viewId: 'view-0001' });
    expect(back.viewId).toBe('view-0001');
    expect(back.panes.map((p) => p.paneId)).toEqual([build.paneId, agent.paneId]);
    expect(back.activePaneId).toBe(agent.paneId);
    expect(server.channels.length).toBe(channels);
    reloaded.subscribe(build.paneId);
    reloaded.write(build.paneId, 'typed after reload');
    expect(server.channelOf('$0')!.written).toEqual(['typed after reload']);
    // The grace period of the old page is over: nothing expires later.
    clock.advance(120_000);
    expect(core.stats.panes).toBe(2);
  });

  it('after the grace period a view that did not come back lets go of its panes', async () => {
    const { core, server, clock, view } = setup();
    const page = view();
    await page.call('workspace.open', { viewId: 'view-0001' });
    await open(page, 'build', '$0');
    page.dispose();
    clock.advance(59_000);
    expect(server.channelOf('$0')).toBeDefined();
    clock.advance(2_000);
    expect(server.channelOf('$0')).toBeUndefined();
    expect(core.stats).toMatchObject({ panes: 0, viewsInGrace: 0 });
  });

  it('a new view starts with the set the last view saved, on the live panes; a copy of a live view gets an id of its own', async () => {
    const { server, view } = setup();
    const first = view();
    await first.call('workspace.open', { viewId: 'view-0001' });
    const build = await open(first, 'build', '$0');
    await first.call('workspace.save', { viewId: 'view-0001', paneIds: [build.paneId] });
    // A duplicated browser tab arrives with the same id while the first is live.
    const copy = view();
    const ws = await copy.call('workspace.open', { viewId: 'view-0001' });
    expect(ws.viewId).not.toBe('view-0001');
    expect(ws.panes.map((p) => p.paneId)).toEqual([build.paneId]);
    expect(server.channels.filter((c) => !c.disposed)).toHaveLength(1);
    // Each keeps its own tab set from now on.
    await copy.call('workspace.save', { viewId: ws.viewId, paneIds: [] });
    await expect(copy.call('workspace.save', { viewId: 'view-0001', paneIds: [] })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('after a restart the saved tabs reopen; a host that is unreachable keeps them reconnecting, then attaches them', async () => {
    const workspace = new MemoryWorkspaceStore();
    const before = setup({ workspace });
    const page = before.view();
    await page.call('workspace.open', { viewId: 'view-0001' });
    const build = await open(page, 'build', '$0');
    const agent = await open(page, 'agent', '$1');
    await page.call('workspace.save', { viewId: 'view-0001', paneIds: [agent.paneId, build.paneId], activePaneId: build.paneId });
    before.core.dispose();
    expect(workspace.get()).toEqual({ tabs: [{ hostId: 'h1', sessionName: 'agent', sessionId: '$1' }, { hostId: 'h1', sessionName: 'build', sessionId: '$0' }], active: 1 });

    const server = new FakeServer();
    server.reachable = false;
    const after = setup({ workspace, server });
    const fresh = after.view();
    const ws = await fresh.call('workspace.open', { viewId: 'view-0001' });
    expect(ws.panes.map((p) => [p.sessionName, p.state])).toEqual([
      ['agent', 'reconnecting'],
      ['build', 'reconnecting'],
    ]);
    expect(ws.activePaneId).toBe(ws.panes[1]!.paneId);
    for (const p of ws.panes) fresh.subscribe(p.paneId);
    // The first attempt failed; the supervisor keeps the host's panes and tries again.
    await waitFor(() => fresh.events('host.status').some((s) => s.state === 'reconnecting'), 'a retry to be planned');
    expect(after.core.stats.panes).toBe(2);
    server.reachable = true;
    after.clock.advance(60_000);
    await waitFor(() => ws.panes.every((p) => fresh.paneStates(p.paneId).includes('attached')), 'both panes attached');
    expect(server.channelOf('$0')).toBeDefined();
    expect(server.channelOf('$1')).toBeDefined();
  });

  it('a saved tab whose host was deleted since is left out', async () => {
    const workspace = new MemoryWorkspaceStore();
    workspace.save({ tabs: [{ hostId: 'gone', sessionName: 'x' }, { hostId: 'h1', sessionName: 'build', sessionId: '$0' }] });
    const { view } = setup({ workspace });
    const page = view();
    const ws = await page.call('workspace.open', { viewId: 'view-0001' });
    expect(ws.panes.map((p) => p.sessionName)).toEqual(['build']);
  });
});

describe('paired devices', () => {
  it('a view-only device looks and changes nothing: no keys, no saves, no answers, no sessions made', async () => {
    const { core, server, view } = setup();
    const phone = new TestClient(core, { info: { kind: 'device', label: 'iPad', deviceId: 'd1', viewOnly: true } });
    expect(await phone.call('app.info', {})).toMatchObject({ device: { name: 'iPad', viewOnly: true } });
    // It does not connect hosts: it looks at what the computer connected.
    await expect(phone.call('sessions.list', { hostId: 'h1' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(phone.open({ hostId: 'h1', sessionName: 'build', sessionId: '$0', cols: 40, rows: 20 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(server.connections).toHaveLength(0);
    await view('desk').call('sessions.list', { hostId: 'h1' });
    const pane = await phone.open({ hostId: 'h1', sessionName: 'build', sessionId: '$0', cols: 40, rows: 20 });
    phone.write(pane.paneId, 'rm -rf ~\r');
    expect(server.channelOf('$0')!.written.join('')).not.toContain('rm -rf');
    await expect(phone.call('hosts.save', { name: 'x', host: 'x.test', port: 22, user: 'me' })).rejects.toThrow(/view only/);
    await expect(phone.call('needs.answer', { itemId: 'h1|%1', choice: 0, fingerprint: '0' })).rejects.toThrow(/view only/);
    await expect(phone.call('panes.open', { hostId: 'h1', sessionName: 'new', create: {}, cols: 80, rows: 24 })).rejects.toThrow(/view only/);
  });

  it("a device's view never sizes a pane, and a device manages no devices", async () => {
    const { core, server, view } = setup();
    const desk = view('desk');
    const phone = new TestClient(core, { info: { kind: 'device', label: 'Pixel', deviceId: 'd2' } });
    const pane = await open(desk, 'build', '$0');
    await phone.open({ hostId: 'h1', sessionName: 'build', sessionId: '$0', cols: 40, rows: 20 });
    const channel = server.channelOf('$0')!;
    const resizesBefore = channel.resizes.length;
    phone.resize(pane.paneId, 40, 20);
    phone.setVisible(pane.paneId, true);
    expect(channel.resizes.slice(resizesBefore)).toEqual([]);
    // Typing from a full device works.
    phone.write(pane.paneId, 'echo hi\r');
    expect(channel.written.join('')).toContain('echo hi');
    await expect(phone.call('devices.list', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(desk.call('devices.list', {})).rejects.toThrow(/cannot pair/);
  });
});

describe('paired devices change nothing the computer keeps', () => {
  it('a device neither reopens the tabs the computer saved nor changes them: it starts with tabs of its own', async () => {
    const workspace = new MemoryWorkspaceStore();
    const { core, view } = setup({ workspace });
    const desk = view('desk');
    await desk.call('workspace.open', { viewId: 'desk-view' });
    const pane = await open(desk, 'build', '$0');
    await desk.call('workspace.save', { viewId: 'desk-view', paneIds: [pane.paneId], activePaneId: pane.paneId });
    const saved = JSON.stringify(workspace.get());
    for (const viewOnly of [true, false]) {
      const phone = new TestClient(core, { info: { kind: 'device', label: 'Pixel', deviceId: `d-${viewOnly}`, viewOnly } });
      const tabs = await phone.call('workspace.open', { viewId: `phone-${viewOnly}` });
      expect(tabs.panes).toEqual([]);
      const own = await phone.open({ hostId: 'h1', sessionName: 'agent', sessionId: '$1', cols: 40, rows: 20 });
      await phone.call('workspace.save', { viewId: tabs.viewId, paneIds: [own.paneId] });
      expect(JSON.stringify(workspace.get())).toBe(saved);
    }
  });

  it('a device connects a host only where nothing needs asking (unattended), never raising a prompt on the computer', async () => {
    const attempts: boolean[] = [];
    const server = new FakeServer();
    const connect = server.connect.bind(server);
    server.connect = (profile: HostProfile, options?: { unattended?: boolean }) => {
      attempts.push(options?.unattended === true);
      return connect(profile);
    };
    const { core } = setup({ server });
    const phone = new TestClient(core, { info: { kind: 'device', label: 'Pixel', deviceId: 'd1' } });
    await phone.call('sessions.list', { hostId: 'h1' }).catch(() => {});
    await phone.open({ hostId: 'h1', sessionName: 'build', sessionId: '$0', cols: 40, rows: 20 });
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((unattended) => unattended)).toBe(true);
  });

  it("a pane's state and layout go only to the views that hold it; prompts and the devices list only to the computer's", async () => {
    const { core, view } = setup();
    const desk = view('desk');
    const other = view('other');
    const phone = new TestClient(core, { info: { kind: 'device', label: 'Pixel', deviceId: 'd1' } });
    const pane = await open(desk, 'build', '$0');
    expect(desk.paneStates(pane.paneId).length).toBeGreaterThan(0);
    expect(other.paneStates(pane.paneId)).toEqual([]);
    expect(phone.paneStates(pane.paneId)).toEqual([]);
    core.notice({ level: 'info', message: 'for everyone' } as never);
    expect(phone.events('notice').length).toBe(1);
  });

  it('a closed view runs nothing more: a call that arrives after it went is refused', async () => {
    const { core } = setup();
    const phone = new TestClient(core, { info: { kind: 'device', label: 'Pixel', deviceId: 'd1' } });
    const connection = phone.connection;
    connection.dispose();
    await expect(connection.handle('hosts.list', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a revoked device lets go of every pane it held at once, even those it kept for a reload', async () => {
    const { core, server, clock } = setup();
    const phone = new TestClient(core, { info: { kind: 'device', label: 'Pixel', deviceId: 'd1' } });
    await phone.call('workspace.open', { viewId: 'phone-view' });
    await phone.open({ hostId: 'h1', sessionName: 'build', sessionId: '$0', cols: 40, rows: 20 });
    // The page went (a reload, say): its panes wait for it.
    phone.dispose();
    clock.advance(1000);
    expect(core.stats.panes).toBe(1);
    core.revokeDevice('d1');
    expect(core.stats.panes).toBe(0);
    expect(server.channelOf('$0')).toBeUndefined();
  });
});

describe('a remembered password stays with its account', () => {
  it('is forgotten when the host or the user changes, and kept when only the name or the case of the host name does', async () => {
    const profiles = new MemoryProfiles([]);
    const { view } = setup({ profiles });
    const page = view();
    const input = { name: 'pw', host: 'box.example', port: 22, user: 'ada', password: 'secret', rememberPassword: true };
    const saved = await page.call('hosts.save', input);
    expect(saved.hasPassword).toBe(true);
    const again = (change: Record<string, unknown>) => page.call('hosts.save', { ...input, password: undefined, id: saved.id, ...change });
    // The same account: a new name, or a host name in other case (DNS names are case-insensitive).
    expect((await again({ name: 'renamed' })).hasPassword).toBe(true);
    expect((await again({ host: 'BOX.Example' })).hasPassword).toBe(true);
    // Another account: forgotten.
    expect((await again({ host: 'box.example', user: 'grace' })).hasPassword).toBe(false);
    await page.call('hosts.save', { ...input, id: saved.id });
    expect((await again({ host: 'other.example' })).hasPassword).toBe(false);
  });
});
