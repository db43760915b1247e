// Flow control between a pane's channel and its view, after VS Code's terminal flow control: core counts the bytes
// it sent to the view, the view acknowledges the bytes it has parsed (`panes.ack`, from xterm's write callback),
// and when too much is unacknowledged core stops reading the channel. ssh's window then fills and the server
// stops sending, so a flood (`cat bigfile`) cannot queue megabytes in front of the user's Ctrl-C.
import type { IPtyChannel } from '../interfaces';

/**
 * Pause above this many unacknowledged bytes. VS Code uses 100 000 characters; we count bytes, and a tmux redraw
 * of a large screen with colours is 50–100 KiB, so the bound is a few batches (BATCH_MAX_BYTES is 128 KiB) and a
 * few frames of xterm.js parsing: enough to keep the pipe full, small enough that Ctrl-C is seen soon.
 */
export const FLOW_HIGH_WATERMARK = 512 * 1024;
/** Resume below this: the view still has a batch to parse while the next bytes cross the network. */
export const FLOW_LOW_WATERMARK = 128 * 1024;

export interface FlowControlOptions {
  high?: number;
  low?: number;
}

/** The flow-controlled side: a channel, or anything else that can stop and start reading. */
export type IFlowTarget = Pick<IPtyChannel, 'pause' | 'resume'>;

export class FlowControl {
  readonly high: number;
  readonly low: number;
  private _unacked = 0;
  private _paused = false;
  private _target: IFlowTarget | undefined;

  constructor(options: FlowControlOptions = {}) {
    this.high = options.high ?? FLOW_HIGH_WATERMARK;
    this.low = options.low ?? FLOW_LOW_WATERMARK;
    if (!(this.low < this.high)) throw new Error('FlowControl: low watermark must be below the high watermark');
  }

  /** Bytes sent to the view and not acknowledged yet. */
  get unacknowledged(): number {
    return this._unacked;
  }

  get paused(): boolean {
    return this._paused;
  }

  /**
   * The channel to throttle; a reattach hands over the new one. The count carries over, because the bytes are
   * still in the same view: if the view is behind, the new channel starts paused.
   */
  setTarget(target: IFlowTarget | undefined): void {
    this._target = target;
    if (target && this._paused) target.pause();
  }

  /** `bytes` more were handed to the view. */
  sent(bytes: number): void {
    this._unacked += bytes;
    if (!this._paused && this._unacked > this.high) {
      this._paused = true;
      this._target?.pause();
    }
  }

  /** The view has processed `bytes` more bytes. */
  ack(bytes: number): void {
    // A view that acknowledges more than it was sent (a bug, or bytes from before a reset) must not bank credit.
    this._unacked = Math.max(0, this._unacked - Math.max(0, bytes));
    if (this._paused && this._unacked < this.low) {
      this._paused = false;
      this._target?.resume();
    }
  }

  /** Forgets the count and resumes, e.g. when the view was replaced and will not acknowledge old bytes. */
  reset(): void {
    this._unacked = 0;
    if (this._paused) {
      this._paused = false;
      this._target?.resume();
    }
  }
}
