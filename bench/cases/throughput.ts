// 1. Output throughput: printable data produced remotely, (a) on a plain exec channel, (b) in an attached tmux pane.
import { Client, type ClientChannel } from 'ssh2';
import { readFileSync } from 'node:fs';
import { PaneStream } from '../../app/core/pane/PaneStream';
import { OutputBatcher } from '../../app/core/pane/OutputBatcher';
import { SshPtyChannel } from '../../app/core/ssh/ptyChannel';
import type { ISshConnection } from '../../app/core/interfaces';
import type { BenchConfig } from '../lib/config';
import { HeadlessView, openPaneView, startCore, waitUntil, type BenchCore } from '../lib/holdfast';
import { runPtyDriver, timeSsh } from '../lib/openssh';
import type { Results } from '../lib/results';
import type { BenchServer } from '../lib/server';
import { summarize } from '../lib/stats';

export const floodCommand = (bytes: number) => `base64 /dev/zero | head -c ${bytes}`;

export function connectSsh2(server: BenchServer): Promise<Client> {
  const { sshd } = server;
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: readFileSync(sshd.clientKeyPath) });
  });
}

function exec(client: Client, command: string, pty?: { cols: number; rows: number }): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | undefined, stream: ClientChannel) => (err ? reject(err) : resolve(stream));
    if (pty) client.exec(command, { pty: { term: 'xterm-256color', cols: pty.cols, rows: pty.rows, width: 0, height: 0 } }, cb);
    else client.exec(command, cb);
  });
}

/** ssh2 alone: bytes counted and dropped. Resolves with ms from exec to close. */
async function ssh2Exec(client: Client, command: string, expected: number): Promise<number> {
  const started = performance.now();
  const stream = await exec(client, command);
  let bytes = 0;
  await new Promise<void>((resolve) => {
    stream.on('data', (d: Buffer) => (bytes += d.length));
    stream.on('close', () => resolve());
  });
  if (bytes !== expected) throw new Error(`ssh2 got ${bytes} bytes, expected ${expected}`);
  return performance.now() - started;
}

/**
 * Holdfast's pane pipeline on a plain channel: core's connection, its channel wrapper (SshPtyChannel), the
 * pane's OutputBatcher and PaneStream (its mirror and flow control) wired as Pane wires them, into one subscribed
 * view that parses in @xterm/headless
 * (or, with parse off, acknowledges at once: core's own cost without a terminal).
 */
export async function holdfastPlainChannel(
  connection: ISshConnection,
  command: string,
  options: { parse: boolean; expected?: number; view?: (ack: (n: number) => void) => { write(d: Uint8Array): void; dispose(): void }; onSample?: (unacked: number, batcher: OutputBatcher) => void },
): Promise<{ ms: number; bytes: number; maxUnacked: number; batches: number }> {
  const client = (connection as unknown as { _links: Array<{ client: Client }> })._links.at(-1)!.client;
  const started = performance.now();
  const stream = await exec(client, command);
  const channel = new SshPtyChannel(stream, () => {});
  const paneStream = new PaneStream({ cols: 120, rows: 40 });
  const batcher = new OutputBatcher();
  const view = options.view ? options.view((n) => paneStream.ack('view', n)) : new HeadlessView((n) => paneStream.ack('view', n), { parse: options.parse });
  paneStream.subscribe('view', (data) => view.write(data));
  let bytes = 0;
  let maxUnacked = 0;
  let batches = 0;
  batcher.onBatch((batch) => {
    batches++;
    paneStream.write(batch);
    maxUnacked = Math.max(maxUnacked, paneStream.unackedOf('view') ?? 0);
    bytes += batch.length;
  });
  paneStream.setTarget(channel);
  channel.onData((d) => batcher.write(d));
  const sampler = options.onSample ? setInterval(() => options.onSample!(paneStream.unackedOf('view') ?? 0, batcher), 50) : undefined;
  await new Promise<void>((resolve) => channel.onClose(() => resolve()));
  batcher.end();
  if (view instanceof HeadlessView) await view.drained();
  const ms = performance.now() - started;
  if (sampler) clearInterval(sampler);
  view.dispose();
  batcher.dispose();
  paneStream.dispose();
  channel.dispose();
  if (options.expected !== undefined && bytes !== options.expected) throw new Error(`Holdfast got ${bytes} bytes, expected ${options.expected}`);
  return { ms, bytes, maxUnacked, batches };
}

let nonce = 0;
/** The command line typed into the pane, and the marker its end prints (the typed line does not contain it). */
export function paneFlood(bytes: number): { input: string; marker: string } {
  const n = `${process.pid}x${++nonce}`;
  return { input: `${floodCommand(bytes)}; echo DONE-$((6*7))-${n}\r`, marker: `DONE-42-${n}` };
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

export async function runThroughput(server: BenchServer, config: BenchConfig, results: Results, log: (s: string) => void): Promise<void> {
  const N = config.throughputBytes;
  const mb = Math.round(N / 1e6);
  const cmd = floodCommand(N);
  const addr = server.sshd;

  // (a) plain exec channel.
  log(`throughput: plain exec channel, ${mb} MB × ${config.runs}`);
  const baseline: number[] = [];
  for (let i = 0; i < 3; i++) baseline.push(await timeSsh(addr, 'true'));
  const connectMs = summarize(baseline).median;
  const openssh: number[] = [];
  for (let i = 0; i < config.runs; i++) openssh.push(mbps(N, (await timeSsh(addr, cmd)) - connectMs));
  const client = await connectSsh2(server);
  const ssh2: number[] = [];
  for (let i = 0; i < config.runs; i++) ssh2.push(mbps(N, await ssh2Exec(client, cmd, N)));
  client.end();
  const bench = await startCore(addr);
  await bench.call('sessions.list', { hostId: bench.hostId });
  const coreOnly: number[] = [];
  const coreXterm: number[] = [];
  const perFrame: number[] = [];
  for (let i = 0; i < config.runs; i++) {
    const fast = await holdfastPlainChannel(bench.connection(), cmd, { parse: false, expected: N });
    coreOnly.push(mbps(N, fast.ms));
    const parsed = await holdfastPlainChannel(bench.connection(), cmd, { parse: true, expected: N });
    coreXterm.push(mbps(N, parsed.ms));
    perFrame.push(framesRate(fast), framesRate(parsed));
  }
  results.notes.push(`plain channel flood: ${fmtRange(perFrame)} batches per 16 ms frame (OutputBatcher; more than 1 when the 128 KiB cap fills a batch sooner)`);
  const ref = `throughput exec ${mb} MB / OpenSSH ssh → /dev/null`;
  results.add({ name: ref, unit: 'MB/s', values: openssh, better: 'higher', note: `connect time (${connectMs.toFixed(0)} ms, median of \`ssh true\`) subtracted` });
  results.add({ name: `throughput exec ${mb} MB / ssh2 alone`, unit: 'MB/s', values: ssh2, better: 'higher', reference: ref });
  const half = (v: number[]) => ({ text: '≥ 0.5× OpenSSH', met: summarize(v).median >= 0.5 * summarize(openssh).median });
  results.add({ name: `throughput exec ${mb} MB / Holdfast core, view acks at once`, unit: 'MB/s', values: coreOnly, better: 'higher', reference: ref, target: half(coreOnly) });
  results.add({ name: `throughput exec ${mb} MB / Holdfast core → xterm headless`, unit: 'MB/s', values: coreXterm, better: 'higher', reference: ref, target: half(coreXterm) });

  // (b) attached tmux pane: time from typing the command until its end marker is on the screen.
  log(`throughput: tmux pane, ${mb} MB × ${config.runs}`);
  server.newSession('tp');
  const tOpenssh: number[] = [];
  for (let i = 0; i < config.runs; i++) {
    const { input, marker } = paneFlood(N);
    tOpenssh.push(mbps(N, runPtyDriver<{ ms: number }>(addr, 'tmux attach -t tp', { mode: 'marker', input, marker }).ms));
  }
  const tSsh2: number[] = [];
  const client2 = await connectSsh2(server);
  for (let i = 0; i < config.runs; i++) {
    const stream = await exec(client2, 'tmux attach -t tp', { cols: 120, rows: 40 });
    const { input, marker } = paneFlood(N);
    let tail = '';
    await new Promise((r) => setTimeout(r, 500));
    const started = performance.now();
    const done = new Promise<number>((resolve) =>
      stream.on('data', (d: Buffer) => {
        const text = tail + d.toString('latin1');
        if (text.includes(marker)) resolve(performance.now());
        tail = text.slice(-64);
      }),
    );
    stream.write(input);
    tSsh2.push(mbps(N, (await done) - started));
    stream.close();
  }
  client2.end();
  const tCore: number[] = [];
  const paneFrames: number[] = [];
  for (let i = 0; i < config.runs; i++) {
    const r = await holdfastPaneFlood(bench, 'tp', N);
    tCore.push(mbps(N, r.ms));
    paneFrames.push(framesRate(r));
  }
  results.notes.push(`tmux pane flood: ${fmtRange(paneFrames)} output messages per 16 ms frame`);
  bench.dispose();
  const control = await startCore(addr, 'bench', { tmuxMode: 'control' });
  await control.call('sessions.list', { hostId: control.hostId });
  const tControl: number[] = [];
  for (let i = 0; i < config.runs; i++) tControl.push(mbps(N, (await holdfastPaneFlood(control, 'tp', N)).ms));
  control.dispose();
  const tref = `throughput tmux pane ${mb} MB / OpenSSH ssh -tt (pty) → reader`;
  results.add({ name: tref, unit: 'MB/s', values: tOpenssh, better: 'higher', note: 'MB of the command’s output per second until its end marker is on screen' });
  results.add({ name: `throughput tmux pane ${mb} MB / ssh2 alone`, unit: 'MB/s', values: tSsh2, better: 'higher', reference: tref });
  results.add({ name: `throughput tmux pane ${mb} MB / Holdfast core → xterm headless, classic attach`, unit: 'MB/s', values: tCore, better: 'higher', reference: tref });
  results.add({ name: `throughput tmux pane ${mb} MB / Holdfast core → xterm headless, control mode`, unit: 'MB/s', values: tControl, better: 'higher', reference: tref });
}

/** Holdfast core in a tmux pane: ms from the pane.input of the command until its end marker is parsed by the view. */
export async function holdfastPaneFlood(bench: BenchCore, session: string, bytes: number): Promise<{ ms: number; batches: number }> {
  const pane = await openPaneView(bench, session);
  await settle(pane.view);
  const { input, marker } = paneFlood(bytes);
  const seen = pane.view.waitFor(marker);
  const before = pane.view.writes;
  const started = performance.now();
  bench.write(pane.paneId, input);
  await seen;
  await pane.view.drained();
  const ms = pane.view.lastParsedAt - started;
  const batches = pane.view.writes - before;
  await pane.dispose();
  return { ms, batches };
}

/** Messages per 16 ms frame over a run. */
function framesRate(r: { ms: number; batches: number }): number {
  return r.batches / (r.ms / 16);
}

function fmtRange(values: number[]): string {
  const s = summarize(values);
  return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** Waits until the view has had no output for `quietMs`. */
export async function settle(view: { lastDataAt: number }, quietMs = 500): Promise<void> {
  const started = performance.now();
  await waitUntil(() => performance.now() - Math.max(view.lastDataAt, started) >= quietMs, 'output to settle', 30_000, 20);
}
