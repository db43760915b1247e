// Fakes of our own seams for the pane's unit tests: a manual clock, a pty channel and a connection in memory.
import { Emitter, toDisposable, type IDisposable } from '../../shared/lifecycle';
import type { ExecResult, IClock, IPtyChannel, ISshConnection, PtyOptions } from '../interfaces';

/** A clock whose time moves only when the test says so. */
export class ManualClock implements IClock {
  private _now = 0;
  private _timers: { at: number; fn: () => void; id: number }[] = [];
  private _nextId = 0;

  now(): number {
    return this._now;
  }

  setTimeout(fn: () => void, ms: number): IDisposable {
    const id = this._nextId++;
    this._timers.push({ at: this._now + ms, fn, id });
    return toDisposable(() => {
      this._timers = this._timers.filter((t) => t.id !== id);
    });
  }

  get pendingTimers(): number {
    return this._timers.length;
  }

  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this._now + ms;
    for (;;) {
      const due = this._timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this._timers = this._timers.filter((t) => t !== due);
      this._now = due.at;
      due.fn();
    }
    this._now = end;
  }
}

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

export type ExecHandler = (command: string) => ExecResult | Promise<ExecResult>;

export class FakeSshConnection implements ISshConnection {
  private readonly _onDidClose = new Emitter<{ reason: 'keepalive' | 'closed' | 'error' | 'disposed'; message?: string }>();
  readonly onDidClose = this._onDidClose.event;

  readonly execs: string[] = [];
  readonly channels: FakePtyChannel[] = [];
  closed = false;

  constructor(
    public execHandler: ExecHandler = () => ({ code: 0, stdout: '', stderr: '' }),
    readonly hostId = 'host-1',
  ) {}

  get closeListenerCount(): number {
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

  async probe(): Promise<boolean> {
    return !this.closed;
  }

  /** The link dies. */
  kill(reason: 'keepalive' | 'closed' | 'error' = 'keepalive'): void {
    this.closed = true;
    this._onDidClose.fire({ reason });
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this._onDidClose.fire({ reason: 'disposed' });
  }
}
