// The one manual clock for tests of every layer: time moves only when the test says so.
import type { IDisposable } from '../../shared/lifecycle';
import type { IClock } from '../interfaces';

interface ManualTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly fn: () => void;
}

export class ManualClock implements IClock {
  private _now: number;
  private _nextId = 1;
  private readonly _timers = new Map<number, ManualTimer>();

  constructor(start = 0) {
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

/** Lets pending promise callbacks run (no timers involved). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
