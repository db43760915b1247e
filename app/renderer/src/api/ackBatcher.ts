// Flow control: the view tells core how many bytes xterm has processed (pane.ack), so that core stops
// reading the channel when the view falls behind. Acks are batched: at once past a threshold, else once
// per scheduled tick (a frame), never one call per chunk.
import { FLOW } from '../../../shared/flow';
import type { IDisposable } from '../../../shared/lifecycle';

export const ACK_THRESHOLD_BYTES = FLOW.ACK_BYTES;

export type Scheduler = (fn: () => void) => IDisposable;

export class AckBatcher implements IDisposable {
  private _pending = 0;
  private _scheduled: IDisposable | undefined;
  private _disposed = false;

  constructor(
    private readonly _send: (bytes: number) => void,
    private readonly _schedule: Scheduler,
    private readonly _threshold = ACK_THRESHOLD_BYTES,
  ) {}

  /** `bytes` more bytes were processed by the terminal. */
  processed(bytes: number): void {
    if (this._disposed || bytes <= 0) return;
    this._pending += bytes;
    if (this._pending >= this._threshold) {
      this.flush();
      return;
    }
    this._scheduled ??= this._schedule(() => {
      this._scheduled = undefined;
      this.flush();
    });
  }

  flush(): void {
    this._scheduled?.dispose();
    this._scheduled = undefined;
    if (this._pending === 0 || this._disposed) return;
    const bytes = this._pending;
    this._pending = 0;
    this._send(bytes);
  }

  dispose(): void {
    this._scheduled?.dispose();
    this._scheduled = undefined;
    this._disposed = true;
  }
}

/** Schedules on the next animation frame (falls back to a timer when the page is hidden). */
export function frameScheduler(fn: () => void): IDisposable {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  const raf = requestAnimationFrame(run);
  // rAF stops in hidden windows; output must still be acknowledged or core stalls the channel.
  const timer = setTimeout(run, 100);
  return {
    dispose() {
      done = true;
      cancelAnimationFrame(raf);
      clearTimeout(timer);
    },
  };
}
