// The Electron shell, and only that: one hardened window showing the renderer from app://, the IPC bridge to
// core, powerMonitor, and the stores Electron provides (electron-store files, safeStorage secrets). All the
// work happens in core (app/core), the same as in the web host.
import { app, BrowserWindow, dialog, ipcMain, net, Notification, powerMonitor, protocol, safeStorage, session, shell, type WebContents } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installProcessGuards } from '../core/processGuards';
import { composeCore } from '../core/compose';
import type { HoldfastCore } from '../core/service';
import { CONTENT_SECURITY_POLICY } from '../shared/bridge';
import type { Notice } from '../shared/model';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME, resolveRendererFile } from './app-protocol';
import { originOf, registerIpcBridge } from './ipc-bridge';
import { join } from 'node:path';
import { WebCompanion } from '../web/companion';
import { DeviceRegistry } from '../web/devices';
import { electronDesktop, showAttention } from './notifications';
import { createSecretStore } from './secret-store';
import { createElectronStoreBacking, createSecretBacking } from './stores';
import { isExternalLink, isPermissionAllowed, rendererCsp } from './window-policy';

const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
/** electron-vite dev serves the renderer with hot reload; never in a packaged app. */
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trustedOrigin = (devServerUrl && originOf(devServerUrl)) || APP_ORIGIN;
const csp = rendererCsp(CONTENT_SECURITY_POLICY, devServerUrl);

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

let core: HoldfastCore | undefined;
let mainWindow: BrowserWindow | undefined;

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const resolved = resolveRendererFile(rendererDir, request.url);
    if ('status' in resolved) return new Response(null, { status: resolved.status });
    const file = await net.fetch(pathToFileURL(resolved.file).toString()).catch(() => undefined);
    if (!file || !file.ok) return new Response(null, { status: 404 });
    return new Response(file.body, {
      status: 200,
      headers: {
        'Content-Type': file.headers.get('content-type') ?? 'application/octet-stream',
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
  // The same policy on anything not served by app:// (the dev server).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}

/** Every web contents, including any we did not create: no navigation, no new windows, no webviews. */
function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 640,
    minHeight: 400,
    title: 'Holdfast',
    show: false,
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  // The page connects itself (the preload says hello); prompts waiting and start-up notices are read by the page
  // from core when it loads, so a reload sees them too.
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  void window.loadURL(devServerUrl ?? APP_ENTRY_URL);
  return window;
}

async function createCore(): Promise<HoldfastCore> {
  const dataDir = app.getPath('userData');
  const secrets = await createSecretStore(safeStorage, createSecretBacking(dataDir));
  /** Notices from before core exists (no keyring, a devices file unreadable); core keeps them for the window. */
  const notices: Notice[] = secrets.notice ? [secrets.notice] : [];
  // The companion for paired devices: the web host's code, listening only once the user pairs a device.
  const devices = new DeviceRegistry({ file: join(dataDir, 'devices.json'), onNotice: (message) => notices.push({ level: 'warning', message }) });
  const companion = new WebCompanion({ devices, staticDir: fileURLToPath(new URL('../renderer', import.meta.url)), dataDir });
  const created = composeCore({
    shell: 'electron',
    version: app.getVersion(),
    dataDir,
    backing: (name) => createElectronStoreBacking(dataDir, name),
    secrets: secrets.store,
    companion,
    notices,
  });
  companion.setCore(created);
  return created;
}

function start(): void {
  installProcessGuards(process, (message) => console.error(message), 'holdfast');
  // Tests and side-by-side profiles keep their files apart.
  if (process.env.HOLDFAST_USER_DATA) app.setPath('userData', process.env.HOLDFAST_USER_DATA);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.whenReady().then(async () => {
    serveRenderer();
    hardenSession();
    const created = await createCore();
    core = created;
    registerIpcBridge(ipcMain, created, trustedOrigin);
    powerMonitor.on('resume', () => created.notifySystem('resume'));
    powerMonitor.on('unlock-screen', () => created.notifySystem('unlock'));
    powerMonitor.on('suspend', () => created.notifySystem('suspend'));
    showAttention(
      created,
      electronDesktop({ Notification, app }, () => {
        if (!mainWindow) mainWindow = createWindow();
        if (mainWindow.isMinimized()) mainWindow.restore();
        mainWindow.focus();
      }),
    );
    mainWindow = createWindow();

    app.on('activate', () => {
      if (!mainWindow) mainWindow = createWindow();
    });
  }).catch((err: unknown) => {
    dialog.showErrorBox('Holdfast could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    // On macOS the app (and its SSH sessions) stays until Quit; elsewhere closing the window quits.
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => {
    core?.dispose();
    core = undefined;
  });
}

// One core per user: a second one would open a second set of SSH connections to the same tmux sessions.
if (app.requestSingleInstanceLock()) start();
else app.quit();
