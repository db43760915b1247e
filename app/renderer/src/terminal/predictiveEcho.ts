// The driver of predictive echo (prediction.ts holds the rules): it backs the engine's view with an xterm.js
// terminal, owns the one timer (echoes that do not come), and hands what to draw to a painter. It never writes to
// the terminal: predictions are drawn over it (predictionOverlay.ts), so the buffer only ever holds what the
// server sent, and taking a prediction back cannot leave anything behind.
//
// Wiring (not done yet; for whoever wires it into TerminalController / PaneView / SessionView):
// - Make one per terminal, right after `new Terminal(...)` and before the first write, so that the cursor's
//   visibility (tracked from the parser) is right from the start:
//     const echo = new PredictiveEcho(term, new PredictionPainter(term, () => controller.cellSize()), { mode })
// - Keys: call `echo.onInput(data)` with exactly the string sent to the server, where it is sent (after
//   applyKeyBarModifiers; the phone's KeyBar keys too, which bypass term.onData). Not for keys that are dropped
//   (a pane reconnecting discards input: nothing must be predicted for it).
// - Output: in TerminalController.write,
//     this.term.write(echo.beforeOutput(data), () => { echo.afterOutput(); onProcessed(); })
//   Every beforeOutput needs its afterOutput: the engine judges the screen only once the terminal has parsed
//   everything it was given.
// - A new stream (reattach, a resync that rewrites the screen, a pane's mirror replayed): `echo.reset()`.
// - Settings → predictive echo (Automatic / Always / Off): `echo.setMode(mode)`.
// - Round trip: core measures the link (`ISshConnection.roundTripMs`, its probes) but the contract does not carry
//   it yet; `echo.setRoundTrip(ms)` takes it when it does (host.status would be the place). Until then 'auto'
//   learns the round trip from the echoes themselves: predictions are made (not shown) and timed all along.
// - A "prediction on" label: `echo.active` and `echo.onDidChangeActive`.
// - In control mode each tmux pane is its own terminal: one PredictiveEcho per pane's terminal.
import type { IBuffer, IBufferCell, IEvent, IParser } from '@xterm/xterm';
import { Disposable, Emitter, MutableDisposable, toDisposable, type IDisposable } from '../../../shared/lifecycle';
import {
  EMPTY_OVERLAY,
  PredictionEngine,
  type ICellView,
  type IPredictionOptions,
  type IPredictionOverlay,
  type IPredictionStats,
  type ITerminalView,
  type PredictionMode,
} from './prediction';

/** What the driver uses of an xterm.js Terminal (@xterm/headless's has the same, for tests). */
export interface IEchoTerminal {
  readonly cols: number;
  readonly rows: number;
  readonly buffer: { readonly active: IBuffer };
  readonly modes: { readonly synchronizedOutputMode: boolean };
  readonly parser: IParser;
  readonly onResize: IEvent<{ cols: number; rows: number }>;
}

/** Draws the overlay over the terminal. Given the whole overlay each time; EMPTY_OVERLAY clears it. */
export interface IPredictionPainter extends IDisposable {
  paint(overlay: IPredictionOverlay): void;
}

/** Time and the one timer, so a test can run the driver on a clock of its own. */
export interface IEchoScheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): IDisposable;
}

const realScheduler: IEchoScheduler = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return toDisposable(() => clearTimeout(handle));
  },
};

/** ITerminalView over xterm.js's active buffer, with the cursor's visibility read off the parser. */
export class XtermTerminalView extends Disposable implements ITerminalView {
  private _cursorVisible: boolean;
  private readonly _cell: IBufferCell | undefined;

  constructor(private readonly _term: IEchoTerminal) {
    super();
    // Not in the public API: whether DECTCEM hid the cursor before this view existed. From here on the parser says.
    const core = (_term as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core;
    this._cursorVisible = core?.coreService?.isCursorHidden !== true;
    this._cell = _term.buffer.active.getNullCell();
    const show = (visible: boolean) => (params: (number | number[])[]) => {
      if (params.some((p) => p === 25)) this._cursorVisible = visible;
      return false; // the terminal's own handler runs too
    };
    this._register(_term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, show(true)));
    this._register(_term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, show(false)));
    const reset = () => {
      this._cursorVisible = true;
      return false;
    };
    this._register(_term.parser.registerEscHandler({ final: 'c' }, reset)); // RIS
    this._register(_term.parser.registerCsiHandler({ intermediates: '!', final: 'p' }, reset)); // DECSTR
  }

  get cols(): number {
    return this._term.cols;
  }

  get rows(): number {
    return this._term.rows;
  }

  get screenTop(): number {
    return this._term.buffer.active.baseY;
  }

  get cursorX(): number {
    return this._term.buffer.active.cursorX;
  }

  get cursorY(): number {
    const buffer = this._term.buffer.active;
    return buffer.baseY + buffer.cursorY;
  }

  get cursorVisible(): boolean {
    return this._cursorVisible;
  }

  get alternateScreen(): boolean {
    return this._term.buffer.active.type === 'alternate';
  }

  get synchronizedOutput(): boolean {
    return this._term.modes.synchronizedOutputMode;
  }

  cell(x: number, y: number): ICellView | undefined {
    const cell = this._term.buffer.active.getLine(y)?.getCell(x, this._cell);
    if (!cell) return undefined;
    return { chars: cell.getChars(), width: cell.getWidth(), inverse: cell.isInverse() !== 0, style: styleKey(cell) };
  }
}

function styleKey(cell: IBufferCell): string {
  const flags =
    (cell.isBold() ? 1 : 0) |
    (cell.isDim() ? 2 : 0) |
    (cell.isItalic() ? 4 : 0) |
    (cell.isUnderline() ? 8 : 0) |
    (cell.isBlink() ? 16 : 0) |
    (cell.isInvisible() ? 32 : 0) |
    (cell.isStrikethrough() ? 64 : 0) |
    (cell.isOverline() ? 128 : 0);
  return `${cell.getFgColorMode()}:${cell.getFgColor()}:${cell.getBgColorMode()}:${cell.getBgColor()}:${flags}`;
}

export interface IPredictiveEchoOptions {
  mode?: PredictionMode;
  scheduler?: IEchoScheduler;
  engine?: Partial<IPredictionOptions>;
}

export class PredictiveEcho extends Disposable {
  private readonly _view: XtermTerminalView;
  private readonly _engine: PredictionEngine;
  private readonly _scheduler: IEchoScheduler;
  private readonly _timer = this._register(new MutableDisposable<IDisposable>());
  private _timerAt: number | undefined;
  private _painted: IPredictionOverlay = EMPTY_OVERLAY;
  private _active: boolean;

  private readonly _onDidChangeActive = this._register(new Emitter<boolean>());
  /** Prediction turned on or off (the mode changed, or in 'auto' the round trip crossed the threshold). */
  readonly onDidChangeActive = this._onDidChangeActive.event;

  constructor(
    term: IEchoTerminal,
    private readonly _painter: IPredictionPainter,
    options: IPredictiveEchoOptions = {},
  ) {
    super();
    this._scheduler = options.scheduler ?? realScheduler;
    this._view = this._register(new XtermTerminalView(term));
    this._engine = new PredictionEngine(this._view, options.engine);
    this._engine.setMode(options.mode ?? 'auto', this._now());
    this._active = this._engine.active;
    this._register(_painter);
    this._register(term.onResize(() => this._show(this._engine.overlay())));
    this._register(toDisposable(() => _painter.paint(EMPTY_OVERLAY)));
  }

  /** Predictions are shown now: for a "prediction on" label. */
  get active(): boolean {
    return this._active;
  }

  get mode(): PredictionMode {
    return this._engine.mode;
  }

  get stats(): Readonly<IPredictionStats> {
    return this._engine.stats;
  }

  /** What is drawn over the terminal now. */
  get overlay(): IPredictionOverlay {
    return this._painted;
  }

  /** Input exactly as sent to the server. */
  onInput(data: string): void {
    this._show(this._engine.onInput(data, this._now()));
  }

  /** Output about to be given to the terminal. Returned as it came: predictions never change the stream. */
  beforeOutput<T extends Uint8Array | string>(data: T): T {
    this._engine.onOutput(data, this._now());
    return data;
  }

  /** The terminal has parsed what the matching beforeOutput passed on (call from term.write's callback). */
  afterOutput(): void {
    this._show(this._engine.onOutputParsed(this._now()));
  }

  setRoundTrip(ms: number): void {
    this._show(this._engine.setRoundTrip(ms, this._now()));
  }

  setMode(mode: PredictionMode): void {
    this._show(this._engine.setMode(mode, this._now()));
  }

  /** A new stream: forget what was predicted and what was learned about the screen. */
  reset(): void {
    this._show(this._engine.reset(this._now()));
  }

  private _now(): number {
    return this._scheduler.now();
  }

  private _show(overlay: IPredictionOverlay): void {
    if (this._store.isDisposed) return;
    if (!sameOverlay(overlay, this._painted)) {
      this._painted = overlay;
      this._painter.paint(overlay);
    }
    this._schedule();
    const active = this._engine.active;
    if (active !== this._active) {
      this._active = active;
      this._onDidChangeActive.fire(active);
    }
  }

  /** One timer, for the next echo that may fail to come. */
  private _schedule(): void {
    const at = this._engine.nextDeadline();
    if (at === this._timerAt) return;
    this._timerAt = at;
    if (at === undefined) {
      this._timer.clear();
      return;
    }
    this._timer.value = this._scheduler.setTimeout(
      () => {
        this._timerAt = undefined;
        this._show(this._engine.tick(this._now()));
      },
      Math.max(0, at - this._now()),
    );
  }
}

function sameCell(a: IPredictionOverlay['caret'], b: IPredictionOverlay['caret']): boolean {
  return a === b || (a !== undefined && b !== undefined && a.x === b.x && a.y === b.y && a.chars === b.chars);
}

export function sameOverlay(a: IPredictionOverlay, b: IPredictionOverlay): boolean {
  if (a === b) return true;
  if (a.cells.length !== b.cells.length || !sameCell(a.caret, b.caret) || !sameCell(a.cover, b.cover)) return false;
  return a.cells.every((cell, i) => sameCell(cell, b.cells[i]));
}
