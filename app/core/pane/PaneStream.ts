// A pane's output on its way to the views that show it. Each view subscribes on its own and gets the pane's screen
// as it is now (the mirror's snapshot), then every batch after it: nothing twice, nothing missed. Output that comes
// while nobody subscribes lives on in the mirror, bounded by its size; no view buffers other panes' bytes.
//
// Flow control (app/shared/flow.ts) follows the slowest view that is visible: the pane's channel stops being read
// while one of them (or the mirror) is more than HIGH_WATERMARK behind, and is read again once all are under
// LOW_WATERMARK. A hidden view never holds the pane back: past STALE_BYTES it stops being sent output and, shown
// again, gets a fresh snapshot. A paired device's view never holds it back either, shown or not (a slow phone must
// not slow the computer's view): past STALE_BYTES it stops being sent output, and gets a fresh snapshot once it has
// processed what it was sent. The pane's size is that of the most recently active view (tmux's
// `window-size latest`): the view that typed, was shown or was resized last; the others show the same screen.
import { FLOW } from '../../shared/flow';
import type { PaneSize } from '../../shared/geometry';
import { Disposable, Emitter, toDisposable, type IDisposable } from '../../shared/lifecycle';
import type { IPtyChannel } from '../interfaces';
import { PaneMirror } from './PaneMirror';

/** The flow-controlled side: a channel, or anything else that can stop and start reading. */
export type IFlowTarget = Pick<IPtyChannel, 'pause' | 'resume'>;

export interface FlowMarks {
  high: number;
  low: number;
  stale: number;
}

export interface ViewFlow {
  /** Bytes sent to the view (or queued for it) and not acknowledged. */
  unacked: number;
  visible: boolean;
  /** Whether it may hold the pane back while visible (a paired device's view may not). */
  holdsBack: boolean;
  /** Stopped being sent output (hidden and too far behind). */
  stale: boolean;
}

/**
 * Whether the pane's channel should be paused, given whether it is now: above `high` for any visible view (or the
 * mirror) it pauses; it resumes only once every one of them is under `low`. Hidden and stale views do not count.
 */
export function shouldPause(paused: boolean, views: Iterable<ViewFlow>, mirrorPending: number, marks: Pick<FlowMarks, 'high' | 'low'>): boolean {
  let worst = mirrorPending;
  for (const view of views) if (view.visible && view.holdsBack && !view.stale) worst = Math.max(worst, view.unacked);
  return paused ? worst >= marks.low : worst > marks.high;
}

/** The size a pane takes from its views: the most recently active view's (tmux's `window-size latest`). */
export class LatestViewSize {
  private readonly _sizes = new Map<string, { cols: number; rows: number }>();
  private _latest: string | undefined;

  /** The view's size changed; returns the size the pane should take now, if that changed. */
  viewResized(viewId: string, cols: number, rows: number): { cols: number; rows: number } | undefined {
    this._sizes.set(viewId, { cols, rows });
    // The first view to say its size, or the latest one resizing, sets it.
    if (this._latest === undefined) this._latest = viewId;
    return this._latest === viewId ? { cols, rows } : undefined;
  }

  /** The view typed or was shown: it becomes the latest; its size, if it has one, is the pane's. */
  viewActive(viewId: string): { cols: number; rows: number } | undefined {
    this._latest = viewId;
    return this._sizes.get(viewId);
  }

  viewGone(viewId: string): { cols: number; rows: number } | undefined {
    this._sizes.delete(viewId);
    if (this._latest !== viewId) return undefined;
    // The latest view went: the one that said its size most recently (Map keeps insertion order) takes over.
    const rest = [...this._sizes.keys()];
    this._latest = rest[rest.length - 1];
    return this._latest !== undefined ? this._sizes.get(this._latest) : undefined;
  }
}

/** What a view is given: batches of output, and a tmux pane's sizes in order with them. */
type Delivery = Uint8Array | PaneSize;

interface Subscriber extends ViewFlow {
  readonly viewId: string;
  readonly deliver: (data: Uint8Array) => void;
  readonly deliverSize: (size: PaneSize) => void;
  /** Batches (and sizes) held back while its snapshot is being taken; undefined once it is live. */
  queued: Delivery[] | undefined;
  /** Bumped when it is re-snapshotted, so a snapshot taken for an older round is dropped. */
  round: number;
}

export interface SubscribeOptions {
  /** Whether it may hold the pane back while visible (a paired device's view may not). */
  holdsBack?: boolean;
  /** A tmux pane's sizes, in order with the output. */
  onSize?: (size: PaneSize) => void;
}

export interface PaneStreamOptions {
  cols: number;
  rows: number;
  marks?: Partial<FlowMarks>;
  /** Lines of history the mirror keeps. */
  scrollback?: number;
}

export class PaneStream extends Disposable {
  private readonly _onDidChooseSize = this._register(new Emitter<{ cols: number; rows: number }>());
  /** The views chose a size for the pane (see LatestViewSize). */
  readonly onDidChooseSize = this._onDidChooseSize.event;

  private readonly _marks: FlowMarks;
  private readonly _mirror: PaneMirror;
  private readonly _subscribers = new Map<string, Subscriber>();
  private readonly _sizes = new LatestViewSize();
  private _target: IFlowTarget | undefined;
  private _paused = false;

  constructor(options: PaneStreamOptions) {
    super();
    this._marks = { high: FLOW.HIGH_WATERMARK, low: FLOW.LOW_WATERMARK, stale: FLOW.STALE_BYTES, ...options.marks };
    if (!(this._marks.low < this._marks.high && this._marks.high < this._marks.stale)) throw new Error('PaneStream: watermarks must be low < high < stale');
    this._mirror = this._register(new PaneMirror({ cols: options.cols, rows: options.rows, scrollback: options.scrollback }, () => this._updateFlow()));
  }

  get paused(): boolean {
    return this._paused;
  }

  get subscriberCount(): number {
    return this._subscribers.size;
  }

  get mirror(): PaneMirror {
    return this._mirror;
  }

  /** Bytes one view has not acknowledged yet (tests). */
  unackedOf(viewId: string): number | undefined {
    return this._subscribers.get(viewId)?.unacked;
  }

  isStale(viewId: string): boolean {
    return this._subscribers.get(viewId)?.stale ?? false;
  }

  /**
   * The channel to throttle; a reattach hands over the new one. The pause carries over: if a view is behind, the
   * new channel starts paused.
   */
  setTarget(target: IFlowTarget | undefined): void {
    this._target = target;
    if (target && this._paused) target.pause();
  }

  /** The pane took this size: the mirror follows it. */
  resized(cols: number, rows: number): void {
    this._mirror.resize(cols, rows);
  }

  /**
   * Starts sending the pane's output to a view: the screen as it is now, then every batch after it. A view has one
   * subscription per pane; subscribing again replaces it (and sends the screen again).
   */
  subscribe(viewId: string, deliver: (data: Uint8Array) => void, options: SubscribeOptions = {}): IDisposable {
    this._subscribers.delete(viewId);
    const subscriber: Subscriber = {
      viewId,
      deliver,
      deliverSize: options.onSize ?? (() => {}),
      unacked: 0,
      visible: true,
      holdsBack: options.holdsBack !== false,
      stale: false,
      queued: [],
      round: 0,
    };
    this._subscribers.set(viewId, subscriber);
    this._sendSnapshot(subscriber);
    return toDisposable(() => {
      if (this._subscribers.get(viewId) === subscriber) this.unsubscribe(viewId);
    });
  }

  unsubscribe(viewId: string): void {
    if (!this._subscribers.delete(viewId)) return;
    this._chooseSize(this._sizes.viewGone(viewId));
    this._updateFlow();
  }

  /** A batch of the pane's output: to the mirror, and to every view that keeps up. */
  write(batch: Uint8Array): void {
    if (this._store.isDisposed || batch.length === 0) return;
    this._mirror.write(batch);
    for (const subscriber of this._subscribers.values()) {
      if (subscriber.stale) continue;
      subscriber.unacked += batch.length;
      if (subscriber.queued) subscriber.queued.push(batch);
      else this._deliver(subscriber, batch);
      if ((!subscriber.visible || !subscriber.holdsBack) && subscriber.unacked > this._marks.stale) {
        // Nobody looks at it (or it may not hold the pane back) and it is far behind: stop feeding it. It gets the
        // screen when it is shown again, or once it has caught up with what it was sent.
        subscriber.stale = true;
        subscriber.queued = undefined;
      }
    }
    this._updateFlow();
  }

  /**
   * A tmux pane's new size, in order with its output: the mirror and every view take it between the batches before
   * and after it. It is never part of the bytes (shared/geometry.ts).
   */
  sizeChanged(size: PaneSize): void {
    if (this._store.isDisposed) return;
    this._mirror.resizeInOrder(size);
    for (const subscriber of this._subscribers.values()) {
      if (subscriber.stale) continue;
      if (subscriber.queued) subscriber.queued.push(size);
      else this._deliverSize(subscriber, size);
    }
  }

  /** The view has processed `bytes` more bytes of this pane's output. */
  ack(viewId: string, bytes: number): void {
    const subscriber = this._subscribers.get(viewId);
    if (!subscriber) return;
    // A view that acknowledges more than it was sent (a bug, or bytes from before a snapshot) must not bank credit.
    subscriber.unacked = Math.max(0, subscriber.unacked - Math.max(0, bytes));
    if (subscriber.stale && subscriber.visible && !subscriber.holdsBack && subscriber.unacked === 0) this._resnapshot(subscriber);
    this._updateFlow();
  }

  /** Whether a view shows this stream now. */
  get shown(): boolean {
    for (const subscriber of this._subscribers.values()) if (subscriber.visible) return true;
    return false;
  }

  /** The view shows the pane now, or stopped showing it. Shown, it becomes the latest view (its size counts). */
  setVisible(viewId: string, visible: boolean): void {
    const subscriber = this._subscribers.get(viewId);
    if (!subscriber) return;
    subscriber.visible = visible;
    if (visible) {
      this._chooseSize(this._sizes.viewActive(viewId));
      if (subscriber.stale) this._resnapshot(subscriber);
    }
    this._updateFlow();
  }

  /** A view that stopped being fed gets the screen as it is now, then output again. */
  private _resnapshot(subscriber: Subscriber): void {
    subscriber.stale = false;
    subscriber.unacked = 0;
    subscriber.queued = [];
    subscriber.round++;
    this._sendSnapshot(subscriber);
  }

  /** The view's terminal has this size. */
  viewResized(viewId: string, cols: number, rows: number): void {
    this._chooseSize(this._sizes.viewResized(viewId, cols, rows));
  }

  /** The view typed into the pane: it is the latest view now. */
  viewActive(viewId: string): void {
    this._chooseSize(this._sizes.viewActive(viewId));
  }

  private _chooseSize(size: { cols: number; rows: number } | undefined): void {
    if (size) this._onDidChooseSize.fire(size);
  }

  private _sendSnapshot(subscriber: Subscriber): void {
    const round = subscriber.round;
    void this._mirror.snapshot().then(({ size, bytes }) => {
      if (this._subscribers.get(subscriber.viewId) !== subscriber || subscriber.round !== round || subscriber.stale) return;
      const queued = subscriber.queued ?? [];
      subscriber.queued = undefined;
      subscriber.unacked += bytes.length;
      // The size first: the snapshot is drawn at the mirror's size.
      this._deliverSize(subscriber, size);
      this._deliver(subscriber, bytes);
      for (const item of queued) {
        if (item instanceof Uint8Array) this._deliver(subscriber, item);
        else this._deliverSize(subscriber, item);
      }
      this._updateFlow();
    });
  }

  private _deliverSize(subscriber: Subscriber, size: PaneSize): void {
    try {
      subscriber.deliverSize(size);
    } catch (err) {
      console.warn(`holdfast: a view of a pane failed to take its size: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private _deliver(subscriber: Subscriber, data: Uint8Array): void {
    try {
      subscriber.deliver(data);
    } catch (err) {
      // One view failing must not take the pane's stream from the others.
      console.warn(`holdfast: a view of a pane failed to take its output: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private _updateFlow(): void {
    if (this._store.isDisposed) return;
    const paused = shouldPause(this._paused, this._subscribers.values(), this._mirror.pendingBytes, this._marks);
    if (paused === this._paused) return;
    this._paused = paused;
    if (paused) this._target?.pause();
    else this._target?.resume();
  }

  override dispose(): void {
    this._subscribers.clear();
    this._target = undefined;
    super.dispose();
  }
}
