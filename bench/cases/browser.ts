// Holdfast in Chromium: core → web host (startWebHost, in this process) → WebSocket → the renderer's client and
// xterm.js in bench/web (see its main.ts for what it is and is not). Throughput in a tmux pane, echo, Ctrl-C,
// and the page's JS heap with many panes of scrollback.
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startWebHost } from '../../app/web/server';
import type { BenchConfig } from '../lib/config';
import { startCore, type BenchCore } from '../lib/holdfast';
import type { Results } from '../lib/results';
import type { BenchServer } from '../lib/server';
import { percentile } from '../lib/stats';
import { CTRL_C_FLOOD, slowKeys } from './interactive';
import { paneFlood } from './throughput';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

type Bench = {
  open(hostId: string, session: string, width?: number, height?: number): Promise<{ paneId: string; renderer: string; cols: number; rows: number }>;
  settle(paneId: string, quietMs?: number): Promise<void>;
  untilMarker(paneId: string, input: string, marker: string): Promise<number>;
  echo(paneId: string, keys: number): Promise<number[]>;
  ctrlC(paneId: string, flood: string, floodMs: number, quietMs: number): Promise<number>;
  bufferLines(paneId: string): number;
  fillScrollback(paneId: string, lines: number): Promise<void>;
  write(paneId: string, data: string): Promise<void>;
  close(paneId: string): Promise<void>;
};

async function call<K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(
    ([n, a]) => ((window as unknown as { hfBench: Record<string, (...x: unknown[]) => unknown> }).hfBench[n as string]!(...(a as unknown[])) as Promise<never>),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Bench[K]>>>;
}

export async function runBrowser(server: BenchServer, config: BenchConfig, results: Results, log: (s: string) => void): Promise<void> {
  const root = process.env.HOLDFAST_ROOT ?? process.cwd();
  const bench: BenchCore = await startCore(server.sshd);
  const host = await startWebHost({ core: bench.core, staticDir: join(root, 'out/bench/web'), port: 0 });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: process.env.HOLDFAST_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => log(`page error: ${err.message}`));
    await page.goto(host.url);
    await page.waitForFunction(() => 'hfBench' in window);
    const hostId = bench.hostId;

    const N = config.throughputBytes;
    const mb = Math.round(N / 1e6);
    log(`browser: tmux pane ${mb} MB × ${config.runs}`);
    server.newSession('bp');
    const tp: number[] = [];
    let renderer = '';
    for (let i = 0; i < config.runs; i++) {
      const opened = await call(page, 'open', hostId, 'bp');
      renderer = `${opened.renderer} renderer, ${opened.cols}×${opened.rows}`;
      await call(page, 'settle', opened.paneId, 500);
      const { input, marker } = paneFlood(N);
      const ms = await call(page, 'untilMarker', opened.paneId, input, marker);
      tp.push(N / 1e6 / (ms / 1000));
      await call(page, 'close', opened.paneId);
    }
    results.add({
      name: `throughput tmux pane ${mb} MB / Holdfast in Chromium (web host → xterm.js)`,
      unit: 'MB/s',
      values: tp,
      better: 'higher',
      reference: `throughput tmux pane ${mb} MB / OpenSSH ssh -tt (pty) → reader`,
      note: `bench page with the renderer's WsHoldfastClient, TerminalController and AckBatcher (not the React UI); ${renderer}`,
    });

    log(`browser: echo ${config.keys} keys, Ctrl-C × ${config.runs}`);
    server.newSession('becho');
    const e = await call(page, 'open', hostId, 'becho');
    await call(page, 'settle', e.paneId, 500);
    const samples = (await call(page, 'echo', e.paneId, config.keys)).sort((a, b) => a - b);
    await call(page, 'close', e.paneId);
    const ref50 = results.find('echo p50 / OpenSSH ssh -tt in a pty');
    const ref99 = results.find('echo p99 / OpenSSH ssh -tt in a pty');
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    const r50 = results.add({ name: 'echo p50 / Holdfast in Chromium (pane.input → page)', unit: 'ms', values: [p50], better: 'lower', reference: ref50?.name, ...(ref50 ? { target: { text: '≤ OpenSSH + 2 ms', met: p50 <= ref50.summary.median + 2 } } : {}) });
    r50.summary.min = samples[0]!;
    r50.summary.max = samples.at(-1)!;
    results.add({ name: 'echo p99 / Holdfast in Chromium (pane.input → page)', unit: 'ms', values: [p99], better: 'lower', reference: ref99?.name, ...(ref99 ? { target: { text: '≤ OpenSSH + 8 ms', met: p99 <= ref99.summary.median + 8 } } : {}) });
    results.notes.push(`echo in Chromium: keys slower than 5 ms: ${slowKeys(samples)}`);

    server.newSession('bcc');
    const cc: number[] = [];
    for (let i = 0; i < config.runs; i++) {
      const c = await call(page, 'open', hostId, 'bcc');
      await call(page, 'settle', c.paneId, 500);
      cc.push(await call(page, 'ctrlC', c.paneId, CTRL_C_FLOOD, 1000, 1000));
      await call(page, 'close', c.paneId);
    }
    results.add({
      name: 'Ctrl-C in a flood, until output stops / Holdfast in Chromium',
      unit: 'ms',
      values: cc,
      better: 'lower',
      reference: 'Ctrl-C in a flood, until output stops / OpenSSH ssh -tt',
      target: { text: '< 500 ms', met: Math.max(...cc) < 500 },
    });

    const count = config.scrollbackPanes;
    log(`browser: JS heap with ${count} panes × ${config.scrollbackLines} lines`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const before = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    let attachedOnly = 0;
    const opened: string[] = [];
    for (let i = 0; i < count; i++) {
      server.newSession(`bsb${i}`, { history: config.scrollbackLines + 1000 });
      const p = await call(page, 'open', hostId, `bsb${i}`, 600, 300);
      opened.push(p.paneId);
    }
    for (const paneId of opened) await call(page, 'settle', paneId, 300);
    await cdp.send('HeapProfiler.collectGarbage');
    attachedOnly = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    for (const paneId of opened) await call(page, 'fillScrollback', paneId, config.scrollbackLines);
    let lines = 0;
    for (const paneId of opened) lines += await call(page, 'bufferLines', paneId);
    await cdp.send('HeapProfiler.collectGarbage');
    const after = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    results.add({
      name: `memory: renderer JS heap, ${count} panes × ${config.scrollbackLines} lines (Chromium)`,
      unit: 'MB',
      values: [after / 1e6],
      better: 'lower',
      note: `page heap before the panes ${(before / 1e6).toFixed(1)} MB, with them attached (tmux screens only) ${(attachedOnly / 1e6).toFixed(1)} MB; xterm.js buffers hold ${lines} lines in all, written into each attached pane's normal buffer in the page (tmux draws on the alternate screen, which keeps no scrollback: in use the scrollback is tmux's, on the server)`,
    });
    for (const paneId of opened) await call(page, 'close', paneId);
  } finally {
    await browser?.close();
    await host.close();
    bench.dispose();
  }
}
