// Collects a pane's output and hands it on in batches, after Hyper's DataBatcher (app/session.ts): one batch per
// frame, or at once when a batch reaches the size cap, instead of one message per ssh chunk. A batch never ends
// inside a UTF-8 character, so every batch can be decoded on its own.
// Little output (a key's echo, a prompt) goes out on the next turn of the event loop rather than at the end of a
// frame: batching only pays while much output keeps coming, and a 16 ms wait on every echo is a latency a
// terminal user feels (the benchmark measured it at +16 ms p50 against OpenSSH's client). Within one interval
// the first few small batches go out at once; past IMMEDIATE_BATCHES or IMMEDIATE_BYTES the rest waits for
// the frame, so a flood still costs one message per frame (plus those first few).
// Output that answers input goes out at once whatever the interval's budget: after `inputSent()` (the pane wrote
// keys to the channel) the next batch goes out on the next tick. An echo cannot be told from a flood by its size
// or rate (a flood in a tmux pane reaches core as tiny redraws a fraction of a millisecond apart, just like the
// echoes of keys typed back to back), but only the echo follows a key. Each key adds at most one message.
import { FLOW } from '../../shared/flow';
import { Disposable, Emitter, MutableDisposable, type IDisposable } from '../../shared/lifecycle';
import { systemClock, type IClock } from '../interfaces';
import { completeUtf8Length } from './utf8';

/** One frame at 60 Hz. */
export const BATCH_INTERVAL_MS = 16;
/**
 * A flood flushes at this size without waiting for the frame. Large enough that a full-screen tmux redraw is one
 * batch, small enough that the view parses one batch within a frame or two. Bound to the flow-control marks
 * (app/shared/flow.ts).
 */
export const BATCH_MAX_BYTES = FLOW.BATCH_MAX_BYTES;

/**
 * Batches per interval that may go out at once, before the rest of the interval's output waits for the frame. In a
 * tmux pane this is what batches a flood: tmux sends its redraws as ≈ 4 tiny writes a millisecond, far under
 * IMMEDIATE_BYTES (a cap of 64 here measured 60 messages per frame). Echoes do not count against it: see inputSent.
 */
export const IMMEDIATE_BATCHES = 4;
/**
 * Bytes per interval that may go out at once: an echo or a prompt is far less, a screen redraw about this. Past it
 * (≥ 1 MB/s, a flood on a plain channel) the rest of the interval waits for the frame.
 */
export const IMMEDIATE_BYTES = 16 * 1024;

/**
 * An unfinished character at the end of the stream is held back at most this long without new bytes, then handed
 * on as it is: the rest of a split character arrives with the next packet, so only broken output waits this long.
 * Generous, because a lost TCP segment can delay the rest by a retransmission timeout (200 ms and up).
 */
export const TAIL_TIMEOUT_MS = 1000;

export interface OutputBatcherOptions {
  /** Timers, and `now` if it has one (a test's manual clock); the system clock and setImmediate otherwise. */
  scheduler?: Pick<IClock, 'setTimeout'> & Partial<Pick<IClock, 'now'>>;
  intervalMs?: number;
  maxBytes?: number;
  tailTimeoutMs?: number;
}

export class OutputBatcher extends Disposable {
  private readonly _onBatch = this._register(new Emitter<Uint8Array>());
  readonly onBatch = this._onBatch.event;

  private readonly _scheduler: Pick<IClock, 'setTimeout'>;
  /** Runs `fn` as soon as the current burst of I/O is handled. */
  private readonly _soon: (fn: () => void) => IDisposable;
  private readonly _now: () => number;
  /** The current interval: when it began, and the batches and bytes that went out in it. */
  private _windowStart = -Infinity;
  private _windowBatches = 0;
  private _windowBytes = 0;
  private readonly _intervalMs: number;
  private readonly _maxBytes: number;
  private readonly _tailTimeoutMs: number;
  private readonly _timer = this._register(new MutableDisposable<IDisposable>());
  /** Whether the pending flush (while `_timer` holds one) is on the next tick rather than at the frame. */
  private _timerIsSoon = false;
  /** Runs while the only pending bytes are an unfinished character held back at the last flush. */
  private readonly _tailTimer = this._register(new MutableDisposable<IDisposable>());
  private _chunks: Uint8Array[] = [];
  private _size = 0;
  /** Input went to the channel since the last write: the next output is (or carries) its echo. */
  private _echoDue = false;

  constructor(options: OutputBatcherOptions = {}) {
    super();
    const scheduler = options.scheduler;
    this._scheduler = scheduler ?? systemClock;
    this._now = scheduler?.now ? () => scheduler.now!() : () => performance.now();
    this._soon = scheduler
      ? (fn) => scheduler.setTimeout(fn, 0)
      : (fn) => {
          const handle = setImmediate(fn);
          return { dispose: () => clearImmediate(handle) };
        };
    this._intervalMs = options.intervalMs ?? BATCH_INTERVAL_MS;
    this._maxBytes = options.maxBytes ?? BATCH_MAX_BYTES;
    this._tailTimeoutMs = options.tailTimeoutMs ?? TAIL_TIMEOUT_MS;
  }

  /** Bytes waiting for the next batch. */
  get pendingBytes(): number {
    return this._size;
  }

  /**
   * Keys went to the channel: the next output (its echo, a redrawn line) goes out on the next tick, even when the
   * interval's budget is used. Only the first write after it: the rest of a flood still waits for the frame.
   */
  inputSent(): void {
    this._echoDue = true;
  }

  write(chunk: Uint8Array): void {
    if (this._store.isDisposed || chunk.length === 0) return;
    this._chunks.push(chunk);
    this._size += chunk.length;
    this._tailTimer.clear();
    const echo = this._echoDue;
    this._echoDue = false;
    if (this._size >= this._maxBytes) this._flush(false);
    else if (echo && !(this._timer.value && this._timerIsSoon)) this._setTimer(true);
    else this._schedule();
  }

  /** Hands on everything that forms whole characters now; an unfinished character waits for its rest. */
  flush(): void {
    this._flush(false);
  }

  /** Hands on every byte, an unfinished character too (the stream ended, or a new one begins). */
  end(): void {
    this._flush(true);
  }

  /** Forgets pending bytes without handing them on. */
  clear(): void {
    this._timer.clear();
    this._tailTimer.clear();
    this._chunks = [];
    this._size = 0;
  }

  private _schedule(): void {
    if (this._timer.value) return;
    const now = this._now();
    const streaming = now - this._windowStart < this._intervalMs && (this._windowBatches >= IMMEDIATE_BATCHES || this._windowBytes >= IMMEDIATE_BYTES);
    this._setTimer(!streaming);
  }

  /** Replaces any pending flush with one on the next tick (`soon`) or at the end of the current interval. */
  private _setTimer(soon: boolean): void {
    this._timerIsSoon = soon;
    this._timer.value = soon
      ? this._soon(() => this._flush(false))
      : this._scheduler.setTimeout(() => this._flush(false), Math.max(0, this._windowStart + this._intervalMs - this._now()));
  }

  private _flush(all: boolean): void {
    this._timer.clear();
    this._tailTimer.clear();
    if (this._size === 0) return;
    const now = this._now();
    if (now - this._windowStart >= this._intervalMs) {
      this._windowStart = now;
      this._windowBatches = 0;
      this._windowBytes = 0;
    }
    this._windowBatches++;
    this._windowBytes += this._size;
    const buffer = concat(this._chunks, this._size);
    const cut = all ? buffer.length : completeUtf8Length(buffer);
    // The tail is copied so that a batch never shares memory with bytes that are still to come.
    const tail = buffer.slice(cut);
    this._chunks = tail.length ? [tail] : [];
    this._size = tail.length;
    if (tail.length) {
      // Every write either completes the character, breaks it (then it goes out with the next batch) or
      // extends it (at most to 3 bytes), so only a stream that stops mid-character reaches this timeout.
      // The view then shows a replacement character, as a terminal would for broken output.
      this._tailTimer.value = this._scheduler.setTimeout(() => this._flush(true), this._tailTimeoutMs);
    }
    if (cut > 0) this._onBatch.fire(buffer.subarray(0, cut));
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  // Always a fresh plain Uint8Array: batches cross process boundaries, and must not alias ssh2's buffers.
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
