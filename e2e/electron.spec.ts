// Smoke test of the Electron shell: the app launches, its one window shows the renderer, the preload exposes
// exactly the contract, and a call crosses the IPC bridge to core. Needs an Electron binary and a build
// (`npm run build`); where no binary is installed it is skipped, saying why.
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Brings in the global `window.holdfast` type.
import type {} from '../app/shared/window';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Reads the binary's path the way the electron package does, without its download-on-require. */
function findElectron(): { binary: string } | { reason: string } {
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile) && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    return { reason: 'node_modules/electron/path.txt is missing (the binary was never downloaded)' };
  }
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative) : join(pkg, 'dist', relative);
  return existsSync(binary) ? { binary } : { reason: `${binary} does not exist` };
}

test.describe('Electron shell', () => {
  let app: ElectronApplication | undefined;
  let userData: string | undefined;

  test.afterEach(async () => {
    await app?.close();
    app = undefined;
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  test('opens one sandboxed window whose window.holdfast reaches core', async () => {
    const found = findElectron();
    if ('reason' in found) {
      const reason = `No Electron binary: ${found.reason}. The web host e2e tests cover the UI here.`;
      console.log(reason);
      test.skip(true, reason);
      return;
    }
    expect(existsSync(join(root, 'out/main/index.js')), 'run `npm run build` first').toBe(true);

    userData = mkdtempSync(join(tmpdir(), 'holdfast-electron-e2e-'));
    app = await electron.launch({
      executablePath: found.binary,
      // basic password store: no keyring dialog on a CI desktop (secrets then stay in memory).
      args: [root, '--password-store=basic', '--no-sandbox'],
      env: { ...process.env, NODE_ENV: 'production', HOLDFAST_USER_DATA: userData },
    });
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');

    await expect(page).toHaveTitle(/Holdfast/);
    expect(page.url()).toMatch(/^app:\/\/holdfast\//);
    expect(app.windows()).toHaveLength(1);

    // The preload exposes the contract and nothing else; the page has no Node.
    const exposed = await page.evaluate(() => ({
      keys: window.holdfast ? Object.keys(window.holdfast).sort() : [],
      hasRequire: 'require' in window,
      hasProcess: 'process' in window,
    }));
    expect(exposed).toEqual({ keys: ['call', 'listen'], hasRequire: false, hasProcess: false });

    const info = await page.evaluate(() => window.holdfast!.call('app.info', {}));
    expect(info.shell).toBe('electron');

    // A bad call comes back as VALIDATION data, not a crash.
    const error = await page.evaluate(() => window.holdfast!.call('hosts.delete', { hostId: '' }).then(() => undefined, (e: unknown) => e));
    expect(error).toMatchObject({ code: 'VALIDATION' });

    // Navigation away from the renderer is refused.
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    const outcome = await page.waitForURL((url) => !url.href.startsWith('app://holdfast/'), { timeout: 3000 }).then(
      () => 'navigated',
      () => 'stayed',
    );
    expect(outcome).toBe('stayed');
  });
});
