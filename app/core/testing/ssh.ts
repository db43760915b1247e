// Fakes of core's SSH seams (never of ssh2): a pty channel, a connection and a scripted connector in memory.
import { Emitter } from '../../shared/lifecycle';
import type { ExecResult, IExecChannel, IPtyChannel, ISshConnection, PtyOptions } from '../interfaces';

export class FakePtyChannel implements IPtyChannel {
  private readonly _onData = new Emitter<Uint8Array>();
  readonly onData = this._onData.event;
  private readonly _onClose = new Emitter<{ exitCode?: number; signal?: string }>();
  readonly onClose = this._onClose.event;

  readonly written: string[] = [];
  readonly resizes: [number, number][] = [];
  paused = false;
  pauseCalls = 0;
  resumeCalls = 0;
  disposed = false;

  constructor(readonly options: PtyOptions = { command: '', cols: 80, rows: 24 }) {}

  get listenerCount(): number {
    return this._onData.listenerCount + this._onClose.listenerCount;
  }

  write(data: string | Uint8Array): void {
    this.written.push(typeof data === 'string' ? data : new TextDecoder().decode(data));
  }
  resize(cols: number, rows: number): void {
    this.resizes.push([cols, rows]);
  }
  pause(): void {
    this.paused = true;
    this.pauseCalls++;
  }
  resume(): void {
    this.paused = false;
    this.resumeCalls++;
  }

  /** The server sends output. */
  emit(data: string | Uint8Array): void {
    this._onData.fire(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** The remote side ends the channel (tmux client exited). */
  close(exitCode = 0): void {
    this._onClose.fire({ exitCode });
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** A command running without a pty (tmux control mode): the test plays the server's side. */
export class FakeExecChannel implements IExecChannel {
  private readonly _onData = new Emitter<Uint8Array>();
  readonly onData = this._onData.event;
  private readonly _onStderr = new Emitter<Uint8Array>();
  readonly onStderr = this._onStderr.event;
  private readonly _onClose = new Emitter<{ exitCode?: number; signal?: string }>();
  readonly onClose = this._onClose.event;
  private readonly _onWrite = new Emitter<string>();
  /** Every write from the client, as text. */
  readonly onWrite = this._onWrite.event;
  readonly written: string[] = [];
  paused = false;
  disposed = false;

  constructor(readonly command: string) {}

  write(data: string | Uint8Array): void {
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    this.written.push(text);
    this._onWrite.fire(text);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  /** The server writes to stdout. */
  emit(data: string | Uint8Array): void {
    this._onData.fire(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }
  emitStderr(data: string): void {
    this._onStderr.fire(new TextEncoder().encode(data));
  }
  close(exitCode = 0): void {
    this._onClose.fire({ exitCode });
  }
  dispose(): void {
    this.disposed = true;
  }
}

export type ExecHandler = (command: string) => ExecResult | Promise<ExecResult>;

type CloseReason = 'keepalive' | 'closed' | 'error';

export interface FakeConnectionOptions {
  hostId?: string;
  /** Answers exec (a FakeTmuxServer's `exec`, say); an empty success by default. */
  exec?: ExecHandler;
  /** Makes the channel of openExec (a fake control-mode server, say); a bare FakeExecChannel by default. */
  openExec?: (command: string) => FakeExecChannel;
}

/** A connection in memory: exec answered by a handler, ptys as FakePtyChannels, probes answered as told. */
export class FakeConnection implements ISshConnection {
  private readonly _onDidClose = new Emitter<{ reason: CloseReason | 'disposed'; message?: string }>();
  readonly onDidClose = this._onDidClose.event;
  readonly hostId: string;
  execHandler: ExecHandler;

  readonly execs: string[] = [];
  readonly channels: FakePtyChannel[] = [];
  readonly execChannels: FakeExecChannel[] = [];
  readonly probes: number[] = [];
  private readonly _openExec: (command: string) => FakeExecChannel;
  /** What probe() does: answer with this, or call the function. Answers whether the link is open by default. */
  probeResult: boolean | ((timeoutMs: number) => Promise<boolean>) | undefined;
  closed = false;
  disposed = false;

  constructor(options: FakeConnectionOptions = {}) {
    this.hostId = options.hostId ?? 'h1';
    this.execHandler = options.exec ?? (() => ({ code: 0, stdout: '', stderr: '' }));
    this._openExec = options.openExec ?? ((command) => new FakeExecChannel(command));
  }

  get listenerCount(): number {
    return this._onDidClose.listenerCount;
  }

  get lastChannel(): FakePtyChannel | undefined {
    return this.channels[this.channels.length - 1];
  }

  async exec(command: string): Promise<ExecResult> {
    if (this.closed) throw new Error('Not connected');
    this.execs.push(command);
    return this.execHandler(command);
  }

  async openPty(options: PtyOptions): Promise<IPtyChannel> {
    if (this.closed) throw new Error('Not connected');
    const channel = new FakePtyChannel(options);
    this.channels.push(channel);
    return channel;
  }

  async openExec(command: string): Promise<IExecChannel> {
    if (this.closed) throw new Error('Not connected');
    const channel = this._openExec(command);
    this.execChannels.push(channel);
    return channel;
  }

  probe(timeoutMs: number): Promise<boolean> {
    this.probes.push(timeoutMs);
    const r = this.probeResult;
    if (r === undefined) return Promise.resolve(!this.closed);
    return typeof r === 'function' ? r(timeoutMs) : Promise.resolve(r);
  }

  /** The link dies (keepalive timeout, socket closed). */
  kill(reason: CloseReason = 'keepalive'): void {
    if (this.closed) return;
    this.closed = true;
    this._onDidClose.fire({ reason });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.closed) {
      this.closed = true;
      this._onDidClose.fire({ reason: 'disposed' });
    }
  }
}

export interface FakeConnectCall {
  readonly unattended: boolean;
  readonly signal: AbortSignal;
  resolve(connection?: FakeConnection): FakeConnection;
  reject(error: unknown): void;
}

/**
 * A scripted `connect`: each call asks `respond` what to do; by default it stays pending until the test
 * resolves or rejects it through `calls`.
 */
export class FakeConnector {
  readonly calls: FakeConnectCall[] = [];
  readonly connections: FakeConnection[] = [];
  respond: ((call: FakeConnectCall) => void) | undefined;

  readonly connect = (opts: { unattended: boolean; signal: AbortSignal }): Promise<FakeConnection> =>
    new Promise<FakeConnection>((resolve, reject) => {
      const call: FakeConnectCall = {
        unattended: opts.unattended,
        signal: opts.signal,
        resolve: (connection = new FakeConnection()) => {
          this.connections.push(connection);
          resolve(connection);
          return connection;
        },
        reject,
      };
      this.calls.push(call);
      this.respond?.(call);
    });

  get last(): FakeConnectCall {
    const call = this.calls[this.calls.length - 1];
    if (!call) throw new Error('connect was not called');
    return call;
  }
}
