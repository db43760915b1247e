// What a browser downloads to show Holdfast the first time (nothing cached): the built renderer (out/renderer) from
// the web host, with the compression it serves, counted by Chromium itself (the bytes on the wire of every request
// until the page shows its sidebar). A phone (the companion: a touch screen, 390×844) against a desktop page, each in
// a fresh context. Forms and dialogs load only when opened, and a touch screen does not load the WebGL renderer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions } from '@playwright/test';
import { createWebCore } from '../../app/core/compose';
import { startWebHost } from '../../app/web/server';
import type { BenchConfig } from '../lib/config';
import type { Results } from '../lib/results';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const VIEWS: { name: string; options: BrowserContextOptions }[] = [
  { name: 'phone (touch, 390×844)', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  { name: 'desktop (1280×800)', options: { viewport: { width: 1280, height: 800 } } },
];

/** Bytes on the wire (headers and compressed bodies) of every request of one first load, and which files. */
async function firstLoad(browser: Browser, url: string, options: BrowserContextOptions): Promise<{ bytes: number; files: string[] }> {
  const context = await browser.newContext(options);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const urls = new Map<string, string>();
    let bytes = 0;
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength;
    });
    await page.goto(url);
    await page.getByRole('button', { name: 'Add host' }).waitFor();
    await page.waitForLoadState('networkidle');
    const files = [...urls.values()].map((u) => new URL(u).pathname.replace(/^\/(assets\/)?/, '') || 'index.html');
    return { bytes, files };
  } finally {
    await context.close();
  }
}

export async function runFirstLoad(config: BenchConfig, results: Results, log: (s: string) => void): Promise<void> {
  const root = process.env.HOLDFAST_ROOT ?? process.cwd();
  const dataDir = mkdtempSync(join(tmpdir(), 'hf-bench-load-'));
  const core = createWebCore({ dataDir, homeDir: dataDir, version: 'bench' });
  const host = await startWebHost({ core, staticDir: join(root, 'out/renderer'), port: 0 });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: process.env.HOLDFAST_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    for (const view of VIEWS) {
      const values: number[] = [];
      let files: string[] = [];
      for (let i = 0; i < config.runs; i++) {
        const load = await firstLoad(browser, host.url, view.options);
        values.push(load.bytes);
        files = load.files;
      }
      log(`first load, ${view.name}: ${values.join(', ')} bytes (${files.join(', ')})`);
      results.add({ name: `first load / ${view.name}`, unit: 'bytes', better: 'lower', values, note: files.join(' ') });
    }
  } finally {
    await browser?.close();
    await host.close();
    core.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
