// Holdfast core as the benchmarks drive it: the web host's core (createWebCore) with one client connected as a
// page would be (HoldfastCore.connect), a profile for the bench's sshd, host keys accepted as a user clicking
// Accept would, and views that parse output in @xterm/headless and acknowledge it the way the renderer does
// (AckBatcher, once per frame or every 64 KiB).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import headless from '@xterm/headless';
import { AckBatcher } from '../../app/renderer/src/api/ackBatcher';
import { createWebCore } from '../../app/core/compose';
import type { HoldfastCore } from '../../app/core/service';
import type { ISshConnection } from '../../app/core/interfaces';
import { parseCommandInput, type CommandInput, type CommandName, type CommandOutput, type IClientConnection } from '../../app/shared/contract';
import type { IDisposable } from '../../app/shared/lifecycle';
import type { KeepaliveSettings } from '../../app/shared/model';
import type { SupervisorPolicy } from '../../app/core/supervisor/machine';

const { Terminal } = headless;
type HeadlessTerminal = InstanceType<typeof Terminal>;

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  clientKeyPath: string;
}

export interface BenchCore {
  core: HoldfastCore;
  /** The bench's view: it holds the panes it opens and receives the output of those it subscribed to. */
  client: IClientConnection;
  hostId: string;
  /** Runs a command as the view (input checked as a bridge would). */
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>>;
  /** Keys into a pane (a notification, as the renderer sends them). */
  write(paneId: string, data: string): void;
  /** Where each subscribed pane's output goes. */
  readonly sinks: Map<string, (data: Uint8Array) => void>;
  /** Sees every batch of output the view receives, as it arrives (before its pane's sink). */
  tap(fn: (paneId: string, data: Uint8Array) => void): IDisposable;
  /** Sees every event the view receives. */
  onEvent(fn: (name: string, payload: unknown) => void): IDisposable;
  /** The supervisor's live connection (for the plain-channel case, which the contract does not offer). */
  connection(): ISshConnection;
  dispose(): void;
}

export async function startCore(
  server: ServerAddress,
  name = 'bench',
  options: { keepalive?: KeepaliveSettings; policy?: Partial<SupervisorPolicy>; tmuxMode?: 'control' | 'classic' } = {},
): Promise<BenchCore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hf-bench-core-'));
  const core = createWebCore({ dataDir, version: 'bench', homeDir: dataDir, knownHostsFiles: [], supervisorPolicy: options.policy });
  const sinks = new Map<string, (data: Uint8Array) => void>();
  const taps = new Set<(paneId: string, data: Uint8Array) => void>();
  const eventTaps = new Set<(name: string, payload: unknown) => void>();
  const call = <K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> => client.handle(name, parseCommandInput(name, input));
  const client: IClientConnection = core.connect(
    {
      event: (name, payload) => {
        for (const fn of eventTaps) fn(name, payload);
        const prompt = payload as { kind?: string; promptId?: string };
        if (name === 'prompt.show' && prompt.kind === 'host-key') {
          void call('prompts.answer', { promptId: prompt.promptId!, answer: { kind: 'host-key', remember: true } });
        }
      },
      paneData: (paneId, data) => {
        for (const fn of taps) fn(paneId, data);
        sinks.get(paneId)?.(data);
      },
      paneSize: () => {},
    },
    { kind: 'page', label: 'bench' },
  );
  const profile = await call('hosts.save', {
    name,
    host: server.host,
    port: server.port,
    user: server.user,
    privateKeyPath: server.clientKeyPath,
    ...(options.keepalive ? { keepalive: options.keepalive } : {}),
    // The mode under test; the default (auto) would pick control mode for a one-pane session.
    tmuxMode: options.tmuxMode ?? 'classic',
  });
  return {
    core,
    client,
    hostId: profile.id,
    call,
    write: (paneId, data) => client.notify('pane.input', { paneId, data }),
    sinks,
    tap(fn) {
      taps.add(fn);
      return { dispose: () => void taps.delete(fn) };
    },
    onEvent(fn) {
      eventTaps.add(fn);
      return { dispose: () => void eventTaps.delete(fn) };
    },
    connection() {
      // Bracket access reaches core's private registry; the contract has no plain exec stream to measure.
      const host = core['_hosts'].find(profile.id);
      const connection = host?.supervisor.connection;
      if (!connection) throw new Error('core is not connected');
      return connection;
    },
    dispose() {
      core.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const frameTimer = (ms = 16) => (fn: () => void): IDisposable => {
  const t = setTimeout(fn, ms);
  return { dispose: () => clearTimeout(t) };
};

/** A terminal view in Node: parses output in @xterm/headless and acknowledges it as the renderer does. */
export class HeadlessView implements IDisposable {
  readonly term: HeadlessTerminal;
  received = 0;
  /** Output messages (batches) received. */
  writes = 0;
  parsed = 0;
  lastDataAt = 0;
  lastParsedAt = 0;
  private readonly _acks: AckBatcher;
  private _tail = '';
  private readonly _waiters: Array<{ marker: string; resolve: (t: number) => void }> = [];

  constructor(
    send: (bytes: number) => void,
    options: { cols?: number; rows?: number; scrollback?: number; parse?: boolean } = {},
  ) {
    this.term = new Terminal({ cols: options.cols ?? 120, rows: options.rows ?? 40, scrollback: options.scrollback ?? 10_000, allowProposedApi: true });
    this._acks = new AckBatcher(send, frameTimer());
    this._parse = options.parse !== false;
  }

  private readonly _parse: boolean;

  write(data: Uint8Array): void {
    const now = performance.now();
    this.received += data.length;
    this.writes++;
    this.lastDataAt = now;
    const length = data.length;
    if (this._waiters.length) this._scan(data, now);
    if (!this._parse) {
      this.parsed += length;
      this.lastParsedAt = now;
      this._acks.processed(length);
      return;
    }
    this.term.write(data, () => {
      this.parsed += length;
      this.lastParsedAt = performance.now();
      this._acks.processed(length);
    });
  }

  /** Resolves with the time the marker arrived (in the raw stream; tmux draws it as one run of text). */
  waitFor(marker: string): Promise<number> {
    return new Promise((resolve) => this._waiters.push({ marker, resolve }));
  }

  private _scan(data: Uint8Array, now: number): void {
    const text = this._tail + Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    for (let i = this._waiters.length - 1; i >= 0; i--) {
      const w = this._waiters[i]!;
      if (text.includes(w.marker)) {
        this._waiters.splice(i, 1);
        w.resolve(now);
      }
    }
    this._tail = text.slice(-64);
  }

  /** Waits until every byte received so far has been parsed. */
  async drained(): Promise<void> {
    while (this.parsed < this.received) await new Promise((r) => setTimeout(r, 5));
  }

  dispose(): void {
    this._acks.flush();
    this._acks.dispose();
    this.term.dispose();
  }
}

/** Opens a pane on `sessionName` with a HeadlessView bound to it (subscribed, as a tab is). */
export async function openPaneView(
  bench: BenchCore,
  sessionName: string,
  options: { create?: boolean; startCommand?: string; cols?: number; rows?: number; scrollback?: number; parse?: boolean } = {},
): Promise<{ paneId: string; view: HeadlessView; dispose(): Promise<void> }> {
  const cols = options.cols ?? 120;
  const rows = options.rows ?? 40;
  const info = await bench.call('panes.open', {
    hostId: bench.hostId,
    sessionName,
    cols,
    rows,
    ...(options.create ? { create: { startCommand: options.startCommand } } : {}),
  });
  const id = info.paneId;
  const view = new HeadlessView((bytes) => bench.client.notify('pane.ack', { paneId: id, bytes }), { cols, rows, scrollback: options.scrollback, parse: options.parse });
  bench.sinks.set(id, (data) => view.write(data));
  bench.client.subscribePane(id);
  bench.client.notify('pane.resize', { paneId: id, cols, rows });
  return {
    paneId: id,
    view,
    async dispose() {
      bench.sinks.delete(id);
      await bench.call('panes.close', { paneId: id }).catch(() => {});
      view.dispose();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitUntil(fn: () => boolean, what: string, timeoutMs = 60_000, stepMs = 5): Promise<void> {
  const started = Date.now();
  while (!fn()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}
