// Fakes of our own interfaces for the supervisor's unit tests (and anyone wiring to it): a clock whose time
// only moves when told, and SSH connections that count their listeners and know whether they were disposed.
import { Emitter } from '../../shared/lifecycle';
import type { IDisposable } from '../../shared/lifecycle';
import type { ExecResult, IClock, IPtyChannel, ISshConnection } from '../interfaces';

interface FakeTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly fn: () => void;
}

export class FakeClock implements IClock {
  private _now: number;
  private _nextId = 1;
  private readonly _timers = new Map<number, FakeTimer>();

  constructor(start = 1_000_000) {
    this._now = start;
  }

  now(): number {
    return this._now;
  }

  setTimeout(fn: () => void, ms: number): IDisposable {
    const id = this._nextId++;
    this._timers.set(id, { id, dueAt: this._now + Math.max(0, ms), fn });
    return { dispose: () => void this._timers.delete(id) };
  }

  /** Timers set and neither fired nor disposed. */
  get pendingTimers(): number {
    return this._timers.size;
  }

  /** Moves time forward by `ms`, firing each timer that falls due, in order, at its due time. */
  advance(ms: number): void {
    const end = this._now + ms;
    for (;;) {
      const due = [...this._timers.values()].filter((t) => t.dueAt <= end).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this._timers.delete(due.id);
      this._now = Math.max(this._now, due.dueAt);
      due.fn();
    }
    this._now = end;
  }

  /**
   * The machine is suspended for `ms`: wall time jumps, and pending timers are pushed back by as much (Node's
   * timers run on a monotonic clock that stops during suspend), so each fires `ms` late.
   */
  sleep(ms: number): void {
    this._now += ms;
    for (const [id, timer] of this._timers) this._timers.set(id, { ...timer, dueAt: timer.dueAt + ms });
  }

  /** The event loop is blocked for `ms`: wall time moves, timers that fall due fire late at the next advance(). */
  stall(ms: number): void {
    this._now += ms;
  }
}

export class FakeConnection implements ISshConnection {
  private readonly _onDidClose = new Emitter<{ reason: 'keepalive' | 'closed' | 'error' | 'disposed'; message?: string }>();
  readonly onDidClose = this._onDidClose.event;
  disposed = false;
  closed = false;
  readonly probes: number[] = [];
  /** What probe() does: answer with this, or call the function. */
  probeResult: boolean | ((timeoutMs: number) => Promise<boolean>) = true;

  constructor(readonly hostId = 'h1') {}

  get listenerCount(): number {
    return this._onDidClose.listenerCount;
  }

  /** The link dies (keepalive timeout, socket closed). */
  close(reason: 'keepalive' | 'closed' | 'error' = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this._onDidClose.fire({ reason });
  }

  exec(): Promise<ExecResult> {
    return Promise.resolve({ code: 0, stdout: '', stderr: '' });
  }

  openPty(): Promise<IPtyChannel> {
    return Promise.reject(new Error('not in this fake'));
  }

  probe(timeoutMs: number): Promise<boolean> {
    this.probes.push(timeoutMs);
    const r = this.probeResult;
    return typeof r === 'function' ? r(timeoutMs) : Promise.resolve(r);
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

/** Lets pending promise callbacks run (no timers involved). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
