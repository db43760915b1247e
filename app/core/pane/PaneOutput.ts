// One stream of output as a pane keeps it: the batcher (per frame, never splitting UTF-8) and the stream to the
// views (mirror, subscribers, flow control). A classic pane has one; a control-mode pane one per tmux pane.
import { Disposable, Emitter } from '../../shared/lifecycle';
import type { IClock } from '../interfaces';
import { OutputBatcher } from './OutputBatcher';
import { PaneStream, type FlowMarks } from './PaneStream';

export interface PaneOutputOptions {
  cols: number;
  rows: number;
  scheduler?: Pick<IClock, 'setTimeout'>;
  flow?: Partial<FlowMarks>;
  scrollback: number;
}

export class PaneOutput extends Disposable {
  private readonly _onBatch = this._register(new Emitter<Uint8Array>());
  /** Every batch as it goes to the views. */
  readonly onBatch = this._onBatch.event;
  readonly batcher: OutputBatcher;
  readonly stream: PaneStream;

  constructor(options: PaneOutputOptions) {
    super();
    this.stream = this._register(new PaneStream({ cols: options.cols, rows: options.rows, marks: options.flow, scrollback: options.scrollback }));
    this.batcher = this._register(new OutputBatcher({ scheduler: options.scheduler }));
    this._register(
      this.batcher.onBatch((batch) => {
        this.stream.write(batch);
        this._onBatch.fire(batch);
      }),
    );
  }

  get isDisposed(): boolean {
    return this._store.isDisposed;
  }

  write(bytes: Uint8Array): void {
    this.batcher.write(bytes);
  }

  private _size: { cols: number; rows: number } | undefined;

  /**
   * A tmux pane's new size, in order with its output: what is batched so far goes first, then the size, to the mirror
   * and every view (beside the bytes, never in them: shared/geometry.ts).
   */
  sizeChanged(cols: number, rows: number): void {
    if (this._size?.cols === cols && this._size.rows === rows) return;
    this._size = { cols, rows };
    // What forms whole characters goes first (a character cut by the change waits for its rest).
    this.batcher.flush();
    this.stream.sizeChanged({ cols, rows });
  }

  /** Hands on what is pending and, once the mirror has parsed it, returns the mirror's lines. */
  async mirrorLines() {
    this.batcher.end();
    await this.stream.mirror.drained();
    return this.stream.mirror.normalLines();
  }
}
