// Notices that the machine slept, from core alone (the web host has no powerMonitor): a timer ticks every
// second; a tick that arrives far later than asked means the process was frozen, almost always by a sleep.
import { Disposable, Emitter, MutableDisposable } from '../../shared/lifecycle';
import type { Event } from '../../shared/lifecycle';
import type { IClock } from '../interfaces';

export interface WakeDetectorOptions {
  clock: IClock;
  /** Time between ticks. */
  intervalMs?: number;
  /** How late a tick may be before it counts as a sleep (a busy event loop is late by far less). */
  thresholdMs?: number;
}

export class WakeDetector extends Disposable {
  private readonly _onWake = this._register(new Emitter<{ sleptMs: number }>());
  /** The clock jumped: roughly `sleptMs` passed while the process was not running. */
  readonly onWake: Event<{ sleptMs: number }> = this._onWake.event;

  private readonly _clock: IClock;
  private readonly _intervalMs: number;
  private readonly _thresholdMs: number;
  private readonly _timer = this._register(new MutableDisposable());
  private _expectedAt = 0;
  private _disposed = false;

  constructor(options: WakeDetectorOptions) {
    super();
    this._clock = options.clock;
    this._intervalMs = options.intervalMs ?? 1000;
    this._thresholdMs = options.thresholdMs ?? 4000;
    this._schedule();
  }

  override dispose(): void {
    this._disposed = true;
    super.dispose();
  }

  private _schedule(): void {
    this._expectedAt = this._clock.now() + this._intervalMs;
    this._timer.value = this._clock.setTimeout(() => this._tick(), this._intervalMs);
  }

  private _tick(): void {
    if (this._disposed) return;
    const late = this._clock.now() - this._expectedAt;
    // Reschedule first, so that a listener that throws or disposes us leaves a consistent state.
    this._schedule();
    if (late > this._thresholdMs) this._onWake.fire({ sleptMs: late });
  }
}
