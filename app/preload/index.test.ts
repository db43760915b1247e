import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IHoldfastApi } from '../shared/contract';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/ipc';

// contextBridge and ipcRenderer stand in for Electron, which cannot run here: the preload's own logic is
// what is under test.
const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
  eventListener: undefined as ((event: unknown, ...args: unknown[]) => void) | undefined,
  ipcListeners: 0,
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    invoke: fake.invoke,
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      if (channel === IPC_EVENT_CHANNEL) fake.eventListener = listener;
      fake.ipcListeners++;
    },
  },
}));

async function loadPreload(): Promise<IHoldfastApi> {
  vi.resetModules();
  fake.exposed.clear();
  fake.ipcListeners = 0;
  await import('./index');
  return fake.exposed.get('holdfast') as IHoldfastApi;
}

function emit(name: string, payload: unknown): void {
  fake.eventListener?.({}, name, payload);
}

describe('preload', () => {
  beforeEach(() => fake.invoke.mockReset());

  it('exposes window.holdfast with call and listen, and nothing else', async () => {
    const api = await loadPreload();
    expect([...fake.exposed.keys()]).toEqual(['holdfast']);
    expect(Object.keys(api).sort()).toEqual(['call', 'listen']);
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
    expect(fake.ipcListeners).toBe(1);
    errors.mockRestore();
  });
});
