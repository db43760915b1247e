import { afterEach, describe, expect, it } from 'vitest';
import { HoldfastCore } from '../core/service';
import { FakeConnection, FakeTmuxServer, ManualClock, MemoryKnownHostsStore, MemoryProfiles, MemorySettingsStore, MemorySecretStore, makeProfile, waitFor } from '../core/testing';
import { HoldfastError, type ClientInfo, type CommandName, type EventName, type IClientConnection, type IClientSink, type IHoldfastCore } from '../shared/contract';
import {
  CALL_CHANNEL,
  DATA_CHANNEL,
  EVENT_CHANNEL,
  HELLO_CHANNEL,
  NOTIFY_CHANNEL,
  SUB_CHANNEL,
  UNSUB_CHANNEL,
  isTrustedSender,
  registerIpcBridge,
  type IIpcEventLike,
  type IIpcMainLike,
  type IWebContentsLike,
} from './ipc-bridge';

/** These tests are about routing and ownership: panes attach the classic way (control mode has its own tests). */
function classicSettings(): MemorySettingsStore {
  const settings = new MemorySettingsStore();
  settings.update({ defaultTmuxMode: 'classic' });
  return settings;
}


const ORIGIN = 'app://holdfast';
const PAGE = 'app://holdfast/index.html';

type Listener = (event: IIpcEventLike, ...args: unknown[]) => unknown;

/** A window's webContents: what was sent to it, and its 'destroyed' event. */
class FakeWebContents implements IWebContentsLike {
  private static _nextId = 1;
  readonly id = FakeWebContents._nextId++;
  readonly sent: unknown[][] = [];
  private _destroyed = false;
  private readonly _onDestroyed: (() => void)[] = [];
  isDestroyed() {
    return this._destroyed;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push([channel, ...args]);
  }
  once(_event: 'destroyed', listener: () => void) {
    this._onDestroyed.push(listener);
  }
  destroy() {
    this._destroyed = true;
    for (const listener of this._onDestroyed.splice(0)) listener();
  }
  sentOn(channel: string): unknown[][] {
    return this.sent.filter((m) => m[0] === channel).map((m) => m.slice(1));
  }
}

/** ipcMain's handle/on: the one piece of Electron these tests stand in for (as the preload tests fake ipcRenderer). */
class FakeIpcMain implements IIpcMainLike {
  readonly handlers = new Map<string, Listener>();
  readonly listeners = new Map<string, Set<Listener>>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Listener): void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
  }
  removeListener(channel: string, listener: Listener): void {
    this.listeners.get(channel)?.delete(listener);
  }
  get listenerCount(): number {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0) + this.handlers.size;
  }
  /** ipcRenderer.invoke from a page. */
  invoke(contents: FakeWebContents, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const listener = this.handlers.get(CALL_CHANNEL);
    if (!listener) throw new Error('No handler');
    return listener(this._event(contents, frameUrl), ...args) as Promise<unknown>;
  }
  /** ipcRenderer.send from a page. */
  send(contents: FakeWebContents, frameUrl: string | null, channel: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(this._event(contents, frameUrl), ...args);
  }
  private _event(contents: FakeWebContents, frameUrl: string | null): IIpcEventLike {
    return { sender: contents, senderFrame: frameUrl === null ? null : { url: frameUrl } };
  }
}

/** Core as the bridge sees it, recording what reaches it. */
class RecordingCore implements IHoldfastCore {
  readonly calls: { name: CommandName; input: unknown }[] = [];
  readonly clients: { sink: IClientSink; info: ClientInfo; disposed: boolean; notes: unknown[]; subs: Set<string> }[] = [];
  connect(sink: IClientSink, info: ClientInfo): IClientConnection {
    const client = { sink, info, disposed: false, notes: [] as unknown[], subs: new Set<string>() };
    this.clients.push(client);
    return {
      clientId: String(this.clients.length),
      handle: async (name, input) => {
        this.calls.push({ name, input });
        if (name === 'hosts.retryNow') throw new HoldfastError({ code: 'NOT_FOUND', message: 'No such host' });
        if (name === 'panes.list') throw new Error('boom');
        return { version: '1.0.0', shell: 'electron', secretsPersist: true, platform: 'linux' } as never;
      },
      notify: (name, input) => void client.notes.push([name, input]),
      subscribePane: (paneId) => void client.subs.add(paneId),
      unsubscribePane: (paneId) => void client.subs.delete(paneId),
      dispose: () => {
        client.disposed = true;
      },
    };
  }
}

describe('isTrustedSender', () => {
  it('trusts our renderer on any of its paths', () => {
    expect(isTrustedSender('app://holdfast/index.html', ORIGIN)).toBe(true);
    expect(isTrustedSender('app://holdfast/index.html#/hosts', ORIGIN)).toBe(true);
  });

  it.each([
    ['a web page', 'https://evil.example/'],
    ['another app:// host', 'app://other/index.html'],
    ['a look-alike host', 'app://holdfast.evil/index.html'],
    ['a file:// page', 'file:///tmp/index.html'],
    ['a gone frame', undefined],
    ['garbage', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(isTrustedSender(url, ORIGIN)).toBe(false);
  });

  it('trusts the dev server origin when that is what the window loads', () => {
    expect(isTrustedSender('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
  });
});

describe('IPC bridge', () => {
  function setup() {
    const ipc = new FakeIpcMain();
    const core = new RecordingCore();
    const bridge = registerIpcBridge(ipc, core, ORIGIN);
    const contents = new FakeWebContents();
    ipc.send(contents, PAGE, HELLO_CHANNEL);
    return { ipc, core, bridge, contents };
  }

  it('makes the window a client of core when its page says hello, and runs its calls through that client', async () => {
    const { ipc, core, contents } = setup();
    expect(core.clients).toHaveLength(1);
    expect(core.clients[0]!.info).toEqual({ kind: 'window' });
    const result = await ipc.invoke(contents, PAGE, 'app.info', {});
    expect(result).toEqual({ ok: true, value: { version: '1.0.0', shell: 'electron', secretsPersist: true, platform: 'linux' } });
    expect(core.calls).toEqual([{ name: 'app.info', input: {} }]);
    expect(core.clients).toHaveLength(1);
  });

  it('refuses anything from another frame before core sees it', async () => {
    const { ipc, core, contents } = setup();
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(await ipc.invoke(contents, 'https://evil.example/', 'hosts.delete', { hostId: 'h1' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(await ipc.invoke(contents, null, 'app.info', {})).toMatchObject({ ok: false });
      ipc.send(contents, 'https://evil.example/', NOTIFY_CHANNEL, 'pane.input', { paneId: 'p', data: 'rm -rf ~\r' });
      ipc.send(contents, 'https://evil.example/', SUB_CHANNEL, 'p');
      ipc.send(contents, 'https://evil.example/', HELLO_CHANNEL);
    } finally {
      console.warn = warn;
    }
    expect(core.calls).toEqual([]);
    expect(core.clients).toHaveLength(1);
    expect(core.clients[0]!.notes).toEqual([]);
    expect(core.clients[0]!.subs.size).toBe(0);
  });

  it('answers an unknown command or bad input with VALIDATION, and drops a bad notification, without reaching core', async () => {
    const { ipc, core, contents } = setup();
    expect(await ipc.invoke(contents, PAGE, 'shell.exec', { cmd: 'rm -rf /' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const bad = (await ipc.invoke(contents, PAGE, 'panes.open', { hostId: 'h', sessionName: 'a:b', cols: 80, rows: 24 })) as {
      error: { code: string; fields: Record<string, string> };
    };
    expect(bad.error.code).toBe('VALIDATION');
    expect(bad.error.fields).toHaveProperty('sessionName');
    const warn = console.warn;
    console.warn = () => {};
    try {
      ipc.send(contents, PAGE, NOTIFY_CHANNEL, 'pane.resize', { paneId: 'p', cols: 0, rows: 1 });
      ipc.send(contents, PAGE, SUB_CHANNEL, { not: 'an id' });
    } finally {
      console.warn = warn;
    }
    ipc.send(contents, PAGE, NOTIFY_CHANNEL, 'pane.input', { paneId: 'p', data: 'ls\r' });
    expect(core.calls).toEqual([]);
    expect(core.clients[0]!.notes).toEqual([['pane.input', { paneId: 'p', data: 'ls\r' }]]);
    expect(core.clients[0]!.subs.size).toBe(0);
  });

  it('returns errors from core as data with their code, never as a throw', async () => {
    const { ipc, contents } = setup();
    expect(await ipc.invoke(contents, PAGE, 'hosts.retryNow', { hostId: 'h1' })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No such host' } });
    expect(await ipc.invoke(contents, PAGE, 'panes.list', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it("sends each window its events and its subscribed panes' output, and checks events against their schema", () => {
    const { ipc, core, contents } = setup();
    const other = new FakeWebContents();
    ipc.send(other, PAGE, HELLO_CHANNEL);
    ipc.send(contents, PAGE, SUB_CHANNEL, 'p1');
    const [mine, theirs] = core.clients;
    const data = new Uint8Array([1, 2, 3]);
    mine!.sink.paneData('p1', data);
    mine!.sink.event('hosts.changed', {});
    theirs!.sink.event('notice', { level: 'info', message: 'hi' });
    const warn = console.warn;
    console.warn = () => {};
    try {
      mine!.sink.event('notice', { level: 'shout', message: 'x' });
      mine!.sink.event('nope' as EventName, {});
    } finally {
      console.warn = warn;
    }
    expect(contents.sent).toEqual([
      [DATA_CHANNEL, 'p1', data],
      [EVENT_CHANNEL, 'hosts.changed', {}],
    ]);
    expect(other.sent).toEqual([[EVENT_CHANNEL, 'notice', { level: 'info', message: 'hi' }]]);
    ipc.send(contents, PAGE, UNSUB_CHANNEL, 'p1');
    expect(mine!.subs.size).toBe(0);
  });

  it("a reload replaces the window's client (the old one goes), a destroyed window's client goes, dispose removes everything", () => {
    const { ipc, core, bridge, contents } = setup();
    ipc.send(contents, PAGE, HELLO_CHANNEL);
    expect(core.clients.map((c) => c.disposed)).toEqual([true, false]);
    expect(bridge.clientCount).toBe(1);
    contents.destroy();
    expect(core.clients.map((c) => c.disposed)).toEqual([true, true]);
    expect(bridge.clientCount).toBe(0);
    bridge.dispose();
    expect(ipc.listenerCount).toBe(0);
  });
});

describe('IPC bridge with core: a reloaded window', () => {
  const cores: HoldfastCore[] = [];
  afterEach(() => {
    for (const core of cores.splice(0)) core.dispose();
  });

  function setup() {
    const tmux = new FakeTmuxServer(['work']);
    const connections: FakeConnection[] = [];
    const clock = new ManualClock(1_000_000);
    const core = new HoldfastCore({
      shell: 'electron',
      version: 'test',
      profiles: new MemoryProfiles([makeProfile({ id: 'h1', host: 'box.test', port: 22, user: 'me' })]),
      secrets: new MemorySecretStore(),
      knownHosts: new MemoryKnownHostsStore(),
      settings: classicSettings(),
      connector: {
        connect: async (profile) => {
          const connection = new FakeConnection({ hostId: profile.id, exec: tmux.exec });
          connections.push(connection);
          return connection;
        },
      },
      clock,
      watchSystem: false,
    });
    cores.push(core);
    const ipc = new FakeIpcMain();
    registerIpcBridge(ipc, core, ORIGIN);
    const window = new FakeWebContents();
    const call = async (name: string, input: unknown) => {
      const result = (await ipc.invoke(window, PAGE, name, input)) as { ok: boolean; value?: unknown; error?: unknown };
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      return result.value;
    };
    const channel = () => connections.flatMap((c) => c.channels).find((c) => !c.disposed);
    return { core, ipc, window, clock, call, channel };
  }

  it("releases the panes of a page that did not open a workspace as soon as the window reloads", async () => {
    const { core, ipc, window, call, channel } = setup();
    ipc.send(window, PAGE, HELLO_CHANNEL);
    const pane = (await call('panes.open', { hostId: 'h1', sessionName: 'work', sessionId: '$0', cols: 80, rows: 24 })) as { paneId: string };
    ipc.send(window, PAGE, SUB_CHANNEL, pane.paneId);
    channel()!.emit('hello');
    await waitFor(() => window.sentOn(DATA_CHANNEL).some(([, data]) => data instanceof Uint8Array && new TextDecoder().decode(data).includes('hello')), 'the output in the window');
    // The renderer reloads: the preload says hello again.
    ipc.send(window, PAGE, HELLO_CHANNEL);
    expect(channel()).toBeUndefined();
    expect(core.stats.panes).toBe(0);
  });

  it('keeps the panes of a window that reloads and gives them back to its page, attached all along', async () => {
    const { core, ipc, window, call, channel, clock } = setup();
    ipc.send(window, PAGE, HELLO_CHANNEL);
    await call('workspace.open', { viewId: 'window-0001' });
    const pane = (await call('panes.open', { hostId: 'h1', sessionName: 'work', sessionId: '$0', cols: 80, rows: 24 })) as { paneId: string };
    await call('workspace.save', { viewId: 'window-0001', paneIds: [pane.paneId] });
    const live = channel();

    ipc.send(window, PAGE, HELLO_CHANNEL);
    clock.advance(5_000);
    const workspace = (await call('workspace.open', { viewId: 'window-0001' })) as { panes: { paneId: string }[] };
    expect(workspace.panes.map((p) => p.paneId)).toEqual([pane.paneId]);
    expect(channel()).toBe(live);
    ipc.send(window, PAGE, SUB_CHANNEL, pane.paneId);
    ipc.send(window, PAGE, NOTIFY_CHANNEL, 'pane.input', { paneId: pane.paneId, data: 'after reload' });
    expect(live!.written).toEqual(['after reload']);

    // A window closed for good: its panes go once the grace period is over.
    window.destroy();
    clock.advance(61_000);
    expect(live!.disposed).toBe(true);
    expect(core.stats).toMatchObject({ panes: 0, clients: 0 });
  });
});
