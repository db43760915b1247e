// 5. Memory. Core runs in a child process of its own (this file's `runMemoryWorker`), so that its RSS is core's
// alone: 20 panes with 10,000 lines each, and the peak during a 1 GB flood into a view that acknowledges slowly
// (flow control must stop reading the channel, or core buffers what the server sends).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BenchConfig } from '../lib/config';
import { openPaneView, sleep, startCore, waitUntil, type ServerAddress } from '../lib/holdfast';
import { sshArgs } from '../lib/openssh';
import type { Results } from '../lib/results';
import type { BenchServer } from '../lib/server';
import { floodCommand, holdfastPlainChannel, paneFlood, settle } from './throughput';

/** A view that parses at `bytesPerSecond` and acknowledges what it parsed each frame (a slow renderer). */
export class SlowView {
  received = 0;
  acked = 0;
  private readonly _timer: ReturnType<typeof setInterval>;
  private _tail = '';
  markerSeen = false;

  constructor(
    private readonly _ack: (bytes: number) => void,
    private _bytesPerSecond: number,
    private readonly _marker?: string,
  ) {
    this._timer = setInterval(() => this._tick(), 16);
  }

  set bytesPerSecond(value: number) {
    this._bytesPerSecond = value;
  }

  write(data: Uint8Array): void {
    this.received += data.length;
    if (this._marker) {
      const text = this._tail + Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
      if (text.includes(this._marker)) this.markerSeen = true;
      this._tail = text.slice(-64);
    }
    if (!Number.isFinite(this._bytesPerSecond)) this._tick();
  }

  private _tick(): void {
    const budget = Number.isFinite(this._bytesPerSecond) ? Math.round((this._bytesPerSecond * 16) / 1000) : Infinity;
    const n = Math.min(budget, this.received - this.acked);
    if (n > 0) {
      this.acked += n;
      this._ack(n);
    }
  }

  dispose(): void {
    clearInterval(this._timer);
  }
}

function rssMB(): number {
  return process.memoryUsage().rss / 1e6;
}

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1000 : NaN;
}

type WorkerTask =
  | { mode: 'scrollback'; server: ServerAddress; sessions: string[]; lines: number }
  | { mode: 'pane-flood'; server: ServerAddress; session: string; bytes: number; rate: number }
  | { mode: 'plain-flood'; server: ServerAddress; bytes: number; rate: number; slowMs: number };

/** Runs in the child: `node out/bench/main.js worker '<task json>'`; prints one JSON line. */
export async function runMemoryWorker(task: WorkerTask): Promise<unknown> {
  const bench = await startCore(task.server);
  await bench.call('sessions.list', { hostId: bench.hostId });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = rssMB();
  let peakSampled = baseline;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, rssMB())), 20);
  try {
    if (task.mode === 'scrollback') {
      const panes = [];
      for (const session of task.sessions) panes.push(await openPaneView(bench, session, { parse: false }));
      for (const pane of panes) {
        bench.write(pane.paneId, `seq -f 'scrollback line %g of the benchmark, padded to a typical width' ${task.lines}\r`);
      }
      for (const pane of panes) await settle(pane.view, 1000);
      gc?.();
      await sleep(200);
      const result = { baselineMB: baseline, rssMB: rssMB(), peakMB: Math.max(peakSampled, peakRssMB()), bytes: panes.reduce((n, p) => n + p.view.received, 0) };
      for (const pane of panes) await pane.dispose();
      return result;
    }
    if (task.mode === 'pane-flood') {
      const { input, marker } = paneFlood(task.bytes);
      let view: SlowView | undefined = undefined;
      let paneId = '';
      let maxUnacked = 0;
      const info = await bench.call('panes.open', { hostId: bench.hostId, sessionName: task.session, cols: 120, rows: 40 });
      paneId = info.paneId;
      view = new SlowView((n) => bench.client.notify('pane.ack', { paneId, bytes: n }), task.rate, marker);
      bench.sinks.set(paneId, (data) => view?.write(data));
      bench.client.subscribePane(paneId);
      // Bracket access reaches core's private registry: how far the view is behind, as the pane's stream counts it.
      const unacked = () => bench.core['_panes'].paneOf(bench.client as never, paneId)?.stream.unackedOf(bench.client.clientId) ?? 0;
      const watch = setInterval(() => (maxUnacked = Math.max(maxUnacked, unacked())), 10);
      await sleep(500);
      const started = performance.now();
      bench.write(paneId, input);
      await waitUntil(() => view!.markerSeen, 'the flood to end', 600_000, 50);
      const ms = performance.now() - started;
      clearInterval(watch);
      view.dispose();
      return { baselineMB: baseline, peakMB: Math.max(peakSampled, peakRssMB()), ms, received: view.received, maxUnacked };
    }
    // A plain channel: the slow view for `slowMs`, then one that keeps up, until all bytes came.
    let slow: SlowView | undefined;
    const started = performance.now();
    let receivedSlow = 0;
    let maxUnacked = 0;
    const phase = setTimeout(() => {
      receivedSlow = slow?.received ?? 0;
      if (slow) slow.bytesPerSecond = Infinity;
    }, task.slowMs);
    const result = await holdfastPlainChannel(bench.connection(), floodCommand(task.bytes), {
      parse: false,
      expected: task.bytes,
      view: (ack) => (slow = new SlowView(ack, task.rate)),
      onSample: (unacked) => (maxUnacked = Math.max(maxUnacked, unacked)),
    });
    clearTimeout(phase);
    return { baselineMB: baseline, peakMB: Math.max(peakSampled, peakRssMB()), ms: performance.now() - started, receivedSlow, received: result.bytes, maxUnacked };
  } finally {
    clearInterval(sampler);
    bench.dispose();
  }
}

function runWorker<T>(task: WorkerTask): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', process.argv[1]!, 'worker', JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`memory worker (${task.mode}) exited ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

/** OpenSSH's client's peak RSS with the same flood to /dev/null (python's getrusage of its child). */
function sshPeakRssMB(server: ServerAddress, command: string): number {
  const script = 'import resource,subprocess,sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const r = spawnSync('python3', ['-c', script, 'ssh', ...sshArgs(server, ['-T']), command], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`ssh rss probe failed: ${r.stderr}`);
  return Number(r.stdout.trim()) / 1000;
}

export async function runMemory(server: BenchServer, config: BenchConfig, results: Results, log: (s: string) => void): Promise<void> {
  const addr: ServerAddress = { host: server.sshd.host, port: server.sshd.port, user: server.sshd.user, clientKeyPath: server.sshd.clientKeyPath };
  const sessions = Array.from({ length: config.scrollbackPanes }, (_, i) => `sb${i}`);
  log(`memory: ${sessions.length} panes × ${config.scrollbackLines} lines`);
  for (const s of sessions) server.newSession(s, { history: config.scrollbackLines + 1000 });
  const sb = await runWorker<{ baselineMB: number; rssMB: number; peakMB: number; bytes: number }>({ mode: 'scrollback', server: addr, sessions, lines: config.scrollbackLines });
  results.add({
    name: `memory: core RSS, ${sessions.length} panes × ${config.scrollbackLines} lines`,
    unit: 'MB',
    values: [sb.rssMB],
    better: 'lower',
    note: `connected core before the panes: ${sb.baselineMB.toFixed(0)} MB; peak ${sb.peakMB.toFixed(0)} MB; ${(sb.bytes / 1e6).toFixed(1)} MB of output through the panes (the scrollback itself lives in tmux and the views)`,
  });

  const gb = Math.round(config.floodBytes / 1e6);
  const rate = 4e6;
  const slowMs = 15_000;
  log(`memory: ${gb} MB flood on a plain channel, view at ${rate / 1e6} MB/s for ${slowMs / 1000} s`);
  const sshRss = sshPeakRssMB(addr, floodCommand(config.floodBytes));
  const plain = await runWorker<{ baselineMB: number; peakMB: number; ms: number; receivedSlow: number; received: number; maxUnacked: number }>({ mode: 'plain-flood', server: addr, bytes: config.floodBytes, rate, slowMs });
  const ref = `memory: peak RSS, ${gb} MB flood / OpenSSH ssh → /dev/null`;
  results.add({ name: ref, unit: 'MB', values: [sshRss], better: 'lower' });
  results.add({
    name: `memory: core peak RSS, ${gb} MB flood on a plain channel, slow view`,
    unit: 'MB',
    values: [plain.peakMB],
    better: 'lower',
    reference: ref,
    target: { text: '< 300 MB', met: plain.peakMB < 300 },
    note: `view parsed ${rate / 1e6} MB/s for ${slowMs / 1000} s (took ${(plain.receivedSlow / 1e6).toFixed(1)} MB in that time), then kept up; most unacknowledged ${(plain.maxUnacked / 1024).toFixed(0)} KiB; all ${(plain.received / 1e6).toFixed(0)} MB in ${(plain.ms / 1000).toFixed(1)} s`,
  });

  log(`memory: ${gb} MB flood in a tmux pane, view at ${rate / 1e6} MB/s`);
  server.newSession('flood');
  const pane = await runWorker<{ baselineMB: number; peakMB: number; ms: number; received: number; maxUnacked: number }>({ mode: 'pane-flood', server: addr, session: 'flood', bytes: config.floodBytes, rate });
  results.add({
    name: `memory: core peak RSS, ${gb} MB flood in a tmux pane, slow view`,
    unit: 'MB',
    values: [pane.peakMB],
    better: 'lower',
    target: { text: '< 300 MB', met: pane.peakMB < 300 },
    note: `view parsed ${rate / 1e6} MB/s; tmux drew ${(pane.received / 1e6).toFixed(1)} MB of screens for the ${gb} MB in ${(pane.ms / 1000).toFixed(1)} s; most unacknowledged ${(pane.maxUnacked / 1024).toFixed(0)} KiB`,
  });
}
