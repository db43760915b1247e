// The Electron shell's entry, started against a fake `electron` module (no Electron binary can run here): what it
// loads, which origin it trusts for IPC, and what it does with ELECTRON_RENDERER_URL packaged and unpackaged.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_CHANNEL } from '../shared/ipc';
import { APP_ENTRY_URL } from './app-protocol';

type Sender = { id: number; isDestroyed(): boolean; send(): void; once(): void };
type Handler = (event: { senderFrame: { url: string } | null; sender: Sender }, ...args: unknown[]) => Promise<unknown>;

/** The window's webContents as the IPC bridge sees the sender of a call. */
const sender: Sender = { id: 1, isDestroyed: () => false, send: () => {}, once: () => {} };

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Array<(...args: unknown[]) => void>>();
  const state = {
    isPackaged: false,
    loaded: [] as string[],
    handlers: new Map<string, Handler>(),
    appListeners: listeners,
    ready: undefined as undefined | (() => void),
    windows: [] as Array<{ webContents: { on: () => void; send: () => void; isDestroyed: () => boolean } }>,
  };
  return state;
});

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { on: () => {}, send: () => {}, isDestroyed: () => false, setWindowOpenHandler: () => {} };
    constructor() {
      fake.windows.push(this);
    }
    once() {}
    on() {}
    loadURL(url: string) {
      fake.loaded.push(url);
      return Promise.resolve();
    }
  }
  const on = (event: string, listener: (...args: unknown[]) => void) => {
    const list = fake.appListeners.get(event) ?? [];
    list.push(listener);
    fake.appListeners.set(event, list);
  };
  return {
    app: {
      get isPackaged() {
        return fake.isPackaged;
      },
      enableSandbox: () => {},
      requestSingleInstanceLock: () => true,
      quit: () => {},
      exit: () => {},
      on,
      setPath: () => {},
      getPath: () => '/nonexistent-holdfast-user-data',
      getVersion: () => '0.0.0-test',
      setBadgeCount: () => true,
      whenReady: () => new Promise<void>((resolve) => (fake.ready = resolve)),
    },
    BrowserWindow,
    dialog: { showErrorBox: () => {} },
    ipcMain: {
      handle: (channel: string, handler: Handler) => fake.handlers.set(channel, handler),
      removeHandler: (channel: string) => fake.handlers.delete(channel),
      on: () => {},
      removeListener: () => {},
    },
    net: { fetch: async () => new Response(null, { status: 404 }) },
    powerMonitor: { on: () => {} },
    Notification: class { static isSupported = () => false; on() {} show() {} },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '', getSelectedStorageBackend: () => 'basic_text' },
    session: { defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {}, webRequest: { onHeadersReceived: () => {} } } },
    shell: { openExternal: async () => {} },
  };
});

// electron-store itself imports electron from node_modules, where the mock does not reach: the shell's file stores
// are stood in for by plain objects (core's own store logic is tested elsewhere).
vi.mock('./stores', () => ({
  createElectronStoreBacking: (dir: string, name: string) => ({ path: `${dir}/${name}.json`, write: () => {} }),
  createSecretBacking: () => ({ read: () => ({}), write: () => {} }),
}));

async function start(options: { isPackaged: boolean; devServer?: string }): Promise<Handler> {
  vi.resetModules();
  fake.isPackaged = options.isPackaged;
  fake.loaded.length = 0;
  fake.handlers.clear();
  fake.appListeners.clear();
  if (options.devServer) process.env.ELECTRON_RENDERER_URL = options.devServer;
  else delete process.env.ELECTRON_RENDERER_URL;
  await import('./index');
  fake.ready!();
  await vi.waitFor(() => expect(fake.handlers.get(IPC_CALL_CHANNEL)).toBeDefined());
  return fake.handlers.get(IPC_CALL_CHANNEL)!;
}

afterEach(() => {
  for (const quit of fake.appListeners.get('will-quit') ?? []) quit();
  delete process.env.ELECTRON_RENDERER_URL;
});

describe('the Electron shell', () => {
  it('a packaged build ignores ELECTRON_RENDERER_URL: it loads its own renderer and trusts only app:// for IPC', async () => {
    const call = await start({ isPackaged: true, devServer: 'http://127.0.0.1:5173/' });
    expect(fake.loaded).toEqual([APP_ENTRY_URL]);
    const fromDevServer = (await call({ senderFrame: { url: 'http://127.0.0.1:5173/' }, sender }, 'app.info', {})) as { ok: boolean };
    expect(fromDevServer).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not the Holdfast window/) } });
    const fromApp = (await call({ senderFrame: { url: APP_ENTRY_URL }, sender }, 'app.info', {})) as { ok: boolean; value?: { shell: string } };
    expect(fromApp).toMatchObject({ ok: true, value: { shell: 'electron' } });
  });

  it('an unpackaged build (electron-vite dev) loads the dev server and trusts its origin', async () => {
    const call = await start({ isPackaged: false, devServer: 'http://127.0.0.1:5173/' });
    expect(fake.loaded).toEqual(['http://127.0.0.1:5173/']);
    expect(await call({ senderFrame: { url: 'http://127.0.0.1:5173/index.html' }, sender }, 'app.info', {})).toMatchObject({ ok: true });
    expect(await call({ senderFrame: { url: 'http://127.0.0.1:9999/' }, sender }, 'app.info', {})).toMatchObject({ ok: false });
  });
});
