// The pane's own copy of its screen: every byte the pane hands to its views is parsed here too, by a headless
// xterm.js, so that a view that subscribes late (a second window, a reloaded page, a tab shown again after it fell
// behind) starts from the screen as it is, with its modes (alternate screen, mouse, bracketed paste, cursor keys),
// instead of from whatever bytes happen to come next. VS Code's pty host keeps its persistent terminals the same
// way (headless xterm.js and the serialize addon).
//
// What the snapshot does not carry: scroll regions, character sets and window titles (the serialize addon does
// not write them); a full-screen program redraws them on its next frame, and tmux's classic attach does on a
// resize.
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import type { PaneSize } from '../../shared/geometry';
import { Disposable, Emitter } from '../../shared/lifecycle';

/** A program asked for a desktop notification (OSC 9 `text`, or OSC 777 `notify;title;body`). */
export interface TerminalNotification {
  title?: string;
  body: string;
}

/** Lines of history the mirror keeps above the screen: what a reloaded view gets back of its scrollback. */
export const MIRROR_SCROLLBACK = 1000;

/** Resets a view before a snapshot is drawn into it: RIS, so nothing of the old stream survives. */
const RESET_VIEW = '\x1bc';

export interface PaneMirrorOptions {
  cols: number;
  rows: number;
  scrollback?: number;
}

export class PaneMirror extends Disposable {
  private readonly _term: InstanceType<typeof headless.Terminal>;
  private readonly _serializer: InstanceType<typeof serialize.SerializeAddon>;
  /** Bytes written and not parsed yet. */
  private _pending = 0;
  private readonly _onParsed: () => void;
  private readonly _onBell = this._register(new Emitter<void>());
  /** The program rang the bell (BEL). */
  readonly onBell = this._onBell.event;
  private readonly _onNotification = this._register(new Emitter<TerminalNotification>());
  /** The program sent OSC 9 or OSC 777 notify. */
  readonly onNotification = this._onNotification.event;

  /** `onParsed` runs whenever a write has been parsed (the stream's flow control watches `pendingBytes`). */
  constructor(options: PaneMirrorOptions, onParsed: () => void = () => {}) {
    super();
    this._onParsed = onParsed;
    this._term = new headless.Terminal({
      cols: options.cols,
      rows: options.rows,
      scrollback: options.scrollback ?? MIRROR_SCROLLBACK,
      allowProposedApi: true,
    });
    this._serializer = new serialize.SerializeAddon();
    // The addon's typings name @xterm/xterm's Terminal; the headless one has the same API it uses.
    this._term.loadAddon(this._serializer as never);
    this._register(this._term.onBell(() => this._onBell.fire()));
    // OSC 9 is also ConEmu's progress report (`9;4;…`): only text is a notification.
    this._register(
      this._term.parser.registerOscHandler(9, (data) => {
        if (!/^4;/.test(data) && data.trim() !== '') this._onNotification.fire({ body: data.slice(0, 500) });
        return true;
      }),
    );
    this._register(
      this._term.parser.registerOscHandler(777, (data) => {
        const [kind, title, ...body] = data.split(';');
        if (kind === 'notify') this._onNotification.fire({ title: title?.slice(0, 200), body: body.join(';').slice(0, 500) });
        return true;
      }),
    );
    this._register({ dispose: () => this._term.dispose() });
  }

  get cols(): number {
    return this._term.cols;
  }

  get rows(): number {
    return this._term.rows;
  }

  /** Bytes handed to the mirror that it has not parsed yet. */
  get pendingBytes(): number {
    return this._pending;
  }

  write(data: Uint8Array): void {
    if (this._store.isDisposed || data.length === 0) return;
    const length = data.length;
    this._pending += length;
    this._term.write(data, () => {
      this._pending -= length;
      this._onParsed();
    });
  }

  resize(cols: number, rows: number): void {
    if (this._store.isDisposed || (cols === this._term.cols && rows === this._term.rows)) return;
    this._term.resize(cols, rows);
  }

  /** A new size between the bytes written before it and those written after (a tmux pane's, from its stream). */
  resizeInOrder(size: PaneSize): void {
    if (this._store.isDisposed) return;
    // xterm.js runs a write's callback as soon as that write is parsed, before it parses the next one.
    this._term.write(new Uint8Array(0), () => this.resize(size.cols, size.rows));
  }

  /**
   * The screen once everything written so far is parsed, as bytes that redraw it in a fresh (or reset) view:
   * resolves before anything written after this call is parsed, so the snapshot and the bytes that follow it meet
   * exactly.
   */
  snapshot(): Promise<{ size: PaneSize; bytes: Uint8Array }> {
    return new Promise((resolve) => {
      if (this._store.isDisposed) return resolve({ size: { cols: this._term.cols, rows: this._term.rows }, bytes: new Uint8Array(0) });
      // xterm.js runs a write's callback as soon as that write is parsed, before it parses the next one.
      this._term.write('', () => resolve(this._snapshotNow()));
    });
  }

  /**
   * The screen as far as it is parsed now, and the size it is drawn at: a view that takes sizes from the stream (a
   * tmux pane's) takes this one first.
   */
  private _snapshotNow(): { size: PaneSize; bytes: Uint8Array } {
    const size = { cols: this._term.cols, rows: this._term.rows };
    if (this._store.isDisposed) return { size, bytes: new Uint8Array(0) };
    return { size, bytes: new TextEncoder().encode(RESET_VIEW + this._serializer.serialize()) };
  }

  /** How many lines of history it keeps (a control-mode pane keeps what tmux sent it; a classic one none). */
  setScrollback(lines: number): void {
    if (this._store.isDisposed || this._term.options.scrollback === lines) return;
    this._term.options.scrollback = lines;
  }

  /** Resolves once everything written so far is parsed. */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      if (this._store.isDisposed) return resolve();
      this._term.write('', () => resolve());
    });
  }

  /**
   * The normal screen's buffer as the views have it (its history, then its screen), one plain-text row per
   * physical line with trailing spaces trimmed: what a resync finds in tmux's history.
   */
  normalLines(): { lines: string[]; screenStart: number; alternate: boolean; cursor: { x: number; y: number } } {
    const buffer = this._term.buffer.normal;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y++) lines.push((buffer.getLine(y)?.translateToString(true) ?? '').replace(/\s+$/u, ''));
    return { lines, screenStart: buffer.baseY, alternate: this._term.buffer.active.type === 'alternate', cursor: { x: buffer.cursorX, y: buffer.baseY + buffer.cursorY } };
  }

  /** The visible screen as text, one line per row (tests and diagnostics). */
  screenText(): string {
    const buffer = this._term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this._term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }
}
