import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IHoldfastApi } from '../shared/contract';
import { IPC_CALL_CHANNEL, IPC_DATA_CHANNEL, IPC_EVENT_CHANNEL, IPC_HELLO_CHANNEL, IPC_NOTIFY_CHANNEL, IPC_SUB_CHANNEL, IPC_UNSUB_CHANNEL } from '../shared/ipc';

// contextBridge and ipcRenderer stand in for Electron, which cannot run here: the preload's own logic is
// what is under test.
const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
  sent: [] as unknown[][],
  eventListener: undefined as ((event: unknown, ...args: unknown[]) => void) | undefined,
  dataListener: undefined as ((event: unknown, ...args: unknown[]) => void) | undefined,
  ipcListeners: 0,
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    invoke: fake.invoke,
    send: (channel: string, ...args: unknown[]) => fake.sent.push([channel, ...args]),
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      if (channel === IPC_EVENT_CHANNEL) fake.eventListener = listener;
      if (channel === IPC_DATA_CHANNEL) fake.dataListener = listener;
      fake.ipcListeners++;
    },
  },
}));

async function loadPreload(): Promise<IHoldfastApi> {
  vi.resetModules();
  fake.exposed.clear();
  fake.sent.length = 0;
  fake.ipcListeners = 0;
  await import('./index');
  return fake.exposed.get('holdfast') as IHoldfastApi;
}

function emit(name: string, payload: unknown): void {
  fake.eventListener?.({}, name, payload);
}

describe('preload', () => {
  beforeEach(() => fake.invoke.mockReset());

  it('exposes window.holdfast with call, notify, listen and subscribePane, and nothing else; the page says hello once', async () => {
    const api = await loadPreload();
    expect([...fake.exposed.keys()]).toEqual(['holdfast']);
    expect(Object.keys(api).sort()).toEqual(['call', 'listen', 'notify', 'subscribePane']);
    expect(fake.sent).toEqual([[IPC_HELLO_CHANNEL]]);
  });

  it('sends notifications one way, with no reply awaited', async () => {
    const api = await loadPreload();
    expect(api.notify('pane.input', { paneId: 'p', data: 'ls\r' })).toBeUndefined();
    expect(fake.sent.at(-1)).toEqual([IPC_NOTIFY_CHANNEL, 'pane.input', { paneId: 'p', data: 'ls\r' }]);
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  it("gives a pane's size messages to its size listener, in order with its bytes, and drops anything else", async () => {
    const api = await loadPreload();
    const got: unknown[] = [];
    api.subscribePane(
      'p9',
      (d) => got.push([...d]),
      (size) => got.push(size),
    );
    fake.dataListener?.({}, 'p9', new Uint8Array([1]));
    fake.dataListener?.({}, 'p9', { cols: 120, rows: 40 });
    fake.dataListener?.({}, 'p9', { cols: 0, rows: 40 });
    fake.dataListener?.({}, 'p9', 'text');
    fake.dataListener?.({}, 'p9', new Uint8Array([2]));
    expect(got).toEqual([[1], { cols: 120, rows: 40 }, [2]]);
  });

  it("subscribes to a pane's output, gives each subscriber that pane's bytes only, and unsubscribes with the last one", async () => {
    const api = await loadPreload();
    const got: [string, number[]][] = [];
    const first = api.subscribePane('p1', (d) => got.push(['first', [...d]]));
    const second = api.subscribePane('p1', (d) => got.push(['second', [...d]]));
    api.subscribePane('p2', (d) => got.push(['p2', [...d]]));
    expect(fake.sent.filter((m) => m[0] === IPC_SUB_CHANNEL)).toEqual([
      [IPC_SUB_CHANNEL, 'p1'],
      [IPC_SUB_CHANNEL, 'p1'],
      [IPC_SUB_CHANNEL, 'p2'],
    ]);
    fake.dataListener?.({}, 'p1', new Uint8Array([1]));
    fake.dataListener?.({}, 'p3', new Uint8Array([3]));
    first.dispose();
    fake.dataListener?.({}, 'p1', new Uint8Array([2]));
    expect(got).toEqual([
      ['first', [1]],
      ['second', [1]],
      ['second', [2]],
    ]);
    expect(fake.sent.some((m) => m[0] === IPC_UNSUB_CHANNEL)).toBe(false);
    second.dispose();
    second.dispose();
    expect(fake.sent.filter((m) => m[0] === IPC_UNSUB_CHANNEL)).toEqual([[IPC_UNSUB_CHANNEL, 'p1']]);
  });

  it('resolves a call with the value from main', async () => {
    const api = await loadPreload();
    fake.invoke.mockResolvedValue({ ok: true, value: { version: '1', shell: 'electron', secretsPersist: true, platform: 'linux' } });
    await expect(api.call('app.info', {})).resolves.toMatchObject({ shell: 'electron' });
    expect(fake.invoke).toHaveBeenCalledWith(IPC_CALL_CHANNEL, 'app.info', {});
  });

  it('rejects a failed call with the plain error data, code included', async () => {
    const api = await loadPreload();
    fake.invoke.mockResolvedValue({ ok: false, error: { code: 'AUTH_FAILED', message: 'Wrong password' } });
    await expect(api.call('sessions.list', { hostId: 'h' })).rejects.toEqual({ code: 'AUTH_FAILED', message: 'Wrong password' });
  });

  it('dispatches events by name to their listeners until disposed, over one IPC listener', async () => {
    const api = await loadPreload();
    const notices: unknown[] = [];
    const changes: unknown[] = [];
    const subscription = api.listen('notice', (n) => notices.push(n));
    api.listen('hosts.changed', (c) => changes.push(c));
    api.listen('notice', () => {
      throw new Error('a broken listener');
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

    emit('notice', { level: 'info', message: 'one' });
    subscription.dispose();
    emit('notice', { level: 'info', message: 'two' });
    emit('hosts.changed', {});

    expect(notices).toEqual([{ level: 'info', message: 'one' }]);
    expect(changes).toEqual([{}]);
    expect(fake.ipcListeners).toBe(2);
    errors.mockRestore();
  });
});
