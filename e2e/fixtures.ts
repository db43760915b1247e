// Fixtures for the end-to-end tests: a real sshd + tmux (worker-wide), and a fresh web host per test with its
// own data dir and HOME, opened in Debian's Chromium. Nothing is mocked.
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../test/harness/sshd';

export interface WebHost {
  url: string;
  dataDir: string;
  home: string;
  /** Stops the web host and starts it again on the same data dir (a new token, a new URL; `samePort` keeps the port). */
  restart(options?: { samePort?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

/** Everything the web hosts of the current test printed, shown when the test fails. */
let webHostOutput = '';

async function launchWebHost(dataDir: string, home: string, port = 0, args: readonly string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['out/web/main.js', '--port', String(port), '--data-dir', dataDir, ...args], {
    env: { ...process.env, HOME: home, SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The web host printed no URL: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      webHostOutput += chunk.toString();
      const match = /Holdfast web host: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`The web host exited with ${code}: ${output}`)));
  });
  return { url, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

export const test = base.extend<{ webHost: WebHost; webHostArgs: string[]; pageLog: void }, { sshd: TestSshd }>({
  /** More flags for the web host (test.use({ webHostArgs: ['--keep-tabs', '1'] })). */
  webHostArgs: [[], { option: true }],
  /** What every page of the test logged, threw, and how its sockets closed: attached when the test fails. */
  pageLog: [
    async ({ context }, use, testInfo) => {
      const lines: string[] = [];
      const started = Date.now();
      const log = (page: number, text: string) => lines.push(`+${((Date.now() - started) / 1000).toFixed(2)}s page ${page}: ${text}`);
      let pages = 0;
      const watch = (page: Page) => {
        const n = ++pages;
        page.on('console', (m) => {
          // Chromium's own GPU chatter says nothing about the app.
          if (!/GL Driver Message|GPU stall|WebGL/.test(m.text())) log(n, `console.${m.type()} ${m.text().slice(0, 300)}`);
        });
        page.on('pageerror', (e) => log(n, `error ${e.message}`));
        page.on('framenavigated', (f) => {
          if (f === page.mainFrame()) log(n, `navigated ${f.url().replace(/token=[^&]+/, 'token=…')}`);
        });
        page.on('websocket', (ws) => {
          log(n, 'socket open');
          ws.on('socketerror', (e) => log(n, `socket error ${e}`));
          ws.on('close', () => log(n, 'socket closed'));
        });
      };
      context.on('page', watch);
      for (const page of context.pages()) watch(page);
      await use();
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('page log', { body: lines.join('\n'), contentType: 'text/plain' });
    },
    { auto: true },
  ],
  sshd: [
    async ({}, use) => {
      const server = await startSshd();
      server.runAsUser('tmux kill-server 2>/dev/null; true');
      await use(server);
      server.runAsUser('tmux kill-server 2>/dev/null; true');
      await server.dispose();
    },
    { scope: 'worker' },
  ],
  webHost: async ({ webHostArgs }, use, testInfo) => {
    webHostOutput = '';
    const root = mkdtempSync(join(tmpdir(), 'hf-e2e-'));
    const dataDir = join(root, 'data');
    const home = join(root, 'home');
    mkdirSync(home, { recursive: true });
    let current = await launchWebHost(dataDir, home, 0, webHostArgs);
    const host: WebHost = {
      get url() {
        return current.url;
      },
      dataDir,
      home,
      async restart(options = {}) {
        const port = options.samePort ? Number(new URL(current.url).port) : 0;
        await stopChild(current.child);
        current = await launchWebHost(dataDir, home, port, webHostArgs);
        return current.url;
      },
      stop: () => stopChild(current.child),
    };
    await use(host);
    await stopChild(current.child);
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('web host output', { body: webHostOutput, contentType: 'text/plain' });
    rmSync(root, { recursive: true, force: true });
  },
});

export { expect };

/** Fills the Add host form and saves it. */
export async function addHost(
  page: Page,
  fields: { name: string; host: string; port: number; user: string; privateKey?: string; password?: string; tmuxMode?: 'auto' | 'control' | 'classic' },
): Promise<void> {
  await page.getByRole('button', { name: 'Add host' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(fields.name);
  await dialog.getByLabel('Host', { exact: true }).fill(fields.host);
  await dialog.getByLabel('Port', { exact: true }).fill(String(fields.port));
  await dialog.getByLabel('User', { exact: true }).fill(fields.user);
  if (fields.privateKey) await dialog.getByLabel('Private key', { exact: true }).fill(fields.privateKey);
  if (fields.password) await dialog.getByLabel('Password', { exact: true }).fill(fields.password);
  if (fields.tmuxMode) await dialog.getByLabel('tmux mode', { exact: true }).selectOption(fields.tmuxMode);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
}

/** Clicks a host and answers the first-connection host-key question, checking the fingerprint shown. */
export async function openHostAcceptingKey(page: Page, hostName: string, fingerprint: string): Promise<void> {
  await page.getByTestId('host-row').filter({ hasText: hostName }).getByRole('button', { name: hostName }).first().click();
  const prompt = page.getByRole('dialog');
  await expect(prompt.getByTestId('host-key-fingerprint')).toHaveText(fingerprint);
  await prompt.getByRole('button', { name: 'Accept', exact: true }).click();
}

/** The text the active terminal shows, read from xterm.js's buffer through the pane's test handle. */
export async function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const pane = document.querySelector<HTMLElement>('[data-testid="pane"]:not([hidden])');
    const read = (pane as unknown as { holdfastReadScreen?: () => string } | null)?.holdfastReadScreen;
    return read ? read() : '';
  });
}

/** Every line of the active terminal's normal buffer (scrollback, then screen), through the pane's test handle. */
export async function terminalBuffer(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const pane = document.querySelector<HTMLElement>('[data-testid="pane"]:not([hidden])');
    const read = (pane as unknown as { holdfastReadBuffer?: () => string[] } | null)?.holdfastReadBuffer;
    return read ? read() : [];
  });
}

/** The last raw bytes the active terminal was given (escape sequences included), through the pane's test handle. */
export async function terminalRawTail(page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(() => {
    const pane = document.querySelector<HTMLElement>('[data-testid="pane"]:not([hidden])');
    const read = (pane as unknown as { holdfastRawTail?: () => number[] } | null)?.holdfastRawTail;
    return read ? read() : [];
  });
  return Buffer.from(bytes);
}
