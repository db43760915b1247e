// One xterm.js terminal with its addons: fit, WebGL (falling back to the DOM renderer), unicode 11, links,
// search; the user's settings (font, cursor, theme, scrollback, copy on select, right-click paste, bell); and
// Holdfast's shortcuts (keys.ts). Knows nothing of panes or the contract; PaneView wires it.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { WebglAddon } from '@xterm/addon-webgl';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import type { PaneSize } from '../../../shared/geometry';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import type { Settings, ThemeName } from '../../../shared/model';
import { Disposable, Emitter, toDisposable, type IDisposable } from '../../../shared/lifecycle';
import { ByteTail } from './byteTail';
import { SHORTCUTS, shortcutFor, type ShortcutId } from './keys';
import { DEFAULT_FONT_FAMILY, TERMINAL_THEMES } from './themes';

/** What a terminal takes from the settings (the theme may be a host's own). */
export interface ITerminalSettings {
  fontFamily: string;
  fontSize: number;
  lineHeight: number;
  cursorStyle: Settings['cursorStyle'];
  cursorBlink: boolean;
  theme: ThemeName;
  scrollback: number;
  copyOnSelect: boolean;
  /** Resolved for the platform (Settings.rightClickPaste 'auto' is off on macOS). */
  rightClickPaste: boolean;
  bell: Settings['bell'];
  shortcuts: boolean;
}

export function terminalSettings(settings: Settings, options: { mac: boolean; theme?: ThemeName; fontSize?: number }): ITerminalSettings {
  return {
    fontFamily: settings.fontFamily,
    fontSize: options.fontSize ?? settings.fontSize,
    lineHeight: settings.lineHeight,
    cursorStyle: settings.cursorStyle,
    cursorBlink: settings.cursorBlink,
    theme: options.theme ?? settings.theme,
    scrollback: settings.scrollback,
    copyOnSelect: settings.copyOnSelect,
    rightClickPaste: settings.rightClickPaste === 'auto' ? !options.mac : settings.rightClickPaste === 'on',
    bell: settings.bell,
    shortcuts: settings.shortcuts,
  };
}

const SEARCH_OPTIONS: ISearchOptions = {
  decorations: {
    matchBackground: '#3e4451',
    matchBorder: '#5c6370',
    matchOverviewRuler: '#e5c07b',
    activeMatchBackground: '#b08a2e',
    activeMatchBorder: '#e5c07b',
    activeMatchColorOverviewRuler: '#e5c07b',
  },
};

const WINDOW_SHORTCUTS = new Set(SHORTCUTS.filter((s) => s.scope === 'window').map((s) => s.id));

export class TerminalController extends Disposable {
  readonly term: Terminal;
  private readonly _fit = new FitAddon();
  private readonly _search = new SearchAddon();
  private _webgl: WebglAddon | undefined;
  /** Settles once the renderer is chosen: WebGL (loaded after the first paint, in its own chunk) or the DOM. */
  readonly rendererReady: Promise<void>;
  private _fitFrame = 0;
  /** A size set from outside (a tmux pane's), instead of fitting the box. */
  private _fixed: { cols: number; rows: number } | undefined;
  private _settings: ITerminalSettings;
  /** What the terminal was given, raw (for diagnostics and tests; the screen shows the parsed result). */
  readonly rawTail = new ByteTail();

  private readonly _onInput = this._register(new Emitter<string>());
  /** Keys and pastes typed into the terminal. */
  readonly onInput = this._onInput.event;
  private readonly _onResize = this._register(new Emitter<{ cols: number; rows: number }>());
  readonly onResize = this._onResize.event;
  private readonly _onSearchRequested = this._register(new Emitter<void>());
  readonly onSearchRequested = this._onSearchRequested.event;
  private readonly _onBell = this._register(new Emitter<void>());
  /** The program rang the bell (after the bell setting's own sound or flash). */
  readonly onBell = this._onBell.event;

  constructor(
    private readonly _container: HTMLElement,
    private readonly _mac: boolean,
    settings: ITerminalSettings,
  ) {
    super();
    this._settings = settings;
    this.term = new Terminal({
      allowProposedApi: true, // the unicode11 addon sets term.unicode.activeVersion
      fontFamily: settings.fontFamily || DEFAULT_FONT_FAMILY,
      fontSize: settings.fontSize,
      lineHeight: settings.lineHeight,
      cursorStyle: settings.cursorStyle,
      cursorBlink: settings.cursorBlink,
      scrollback: settings.scrollback,
      macOptionIsMeta: true,
      theme: TERMINAL_THEMES[settings.theme],
    });
    this._register(toDisposable(() => this.term.dispose()));
    this.term.loadAddon(this._fit);
    this.term.loadAddon(this._search);
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.loadAddon(
      new WebLinksAddon((event, uri) => {
        event.preventDefault();
        window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    this.term.attachCustomKeyEventHandler((e) => this._handleKey(e));
    // In the alternate screen a terminal turns the wheel into arrow keys for a program that does not read the
    // mouse: under a classic `tmux attach` (always the alternate screen) every notch would type Up into the
    // program (in Claude Code, an earlier prompt). The wheel scrolls the scrollback, goes to a program that asked
    // for the mouse (tmux with `mouse on` scrolls its history), or does nothing.
    this.term.attachCustomWheelEventHandler(() => !(this.term.buffer.active.type === 'alternate' && this.term.modes.mouseTrackingMode === 'none'));
    this._register(this.term.onData((data) => this._onInput.fire(data)));
    this._register(this.term.onResize((size) => this._onResize.fire(size)));
    this._register(this.term.onSelectionChange(() => this._copyOnSelect()));
    this._register(this.term.onBell(() => this._ring()));

    this.term.open(_container);
    this.rendererReady = this._loadWebgl();

    const onContextMenu = (e: MouseEvent) => {
      if (!this._settings.rightClickPaste) return;
      e.preventDefault();
      this.paste();
    };
    _container.addEventListener('contextmenu', onContextMenu);
    this._register(toDisposable(() => _container.removeEventListener('contextmenu', onContextMenu)));

    const observer = new ResizeObserver(() => this.scheduleFit());
    observer.observe(_container);
    this._register(toDisposable(() => observer.disconnect()));
    this._register(toDisposable(() => cancelAnimationFrame(this._fitFrame)));
    this.fit();
  }

  /** Which renderer draws the terminal now, for diagnostics and tests. */
  get renderer(): 'webgl' | 'dom' {
    return this._webgl ? 'webgl' : 'dom';
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  get settings(): ITerminalSettings {
    return this._settings;
  }

  /** Applies changed settings; a new font or size re-measures the cells and refits, so no row is cut off. */
  applySettings(next: ITerminalSettings): void {
    const prev = this._settings;
    this._settings = next;
    const o = this.term.options;
    if (prev.fontFamily !== next.fontFamily) o.fontFamily = next.fontFamily || DEFAULT_FONT_FAMILY;
    if (prev.fontSize !== next.fontSize) o.fontSize = next.fontSize;
    if (prev.lineHeight !== next.lineHeight) o.lineHeight = next.lineHeight;
    if (prev.cursorStyle !== next.cursorStyle) o.cursorStyle = next.cursorStyle;
    if (prev.cursorBlink !== next.cursorBlink) o.cursorBlink = next.cursorBlink;
    if (prev.scrollback !== next.scrollback) o.scrollback = next.scrollback;
    if (prev.theme !== next.theme) o.theme = TERMINAL_THEMES[next.theme];
    if (prev.fontFamily !== next.fontFamily || prev.fontSize !== next.fontSize || prev.lineHeight !== next.lineHeight) {
      // The WebGL renderer caches glyphs by font: it must measure again.
      this._webgl?.clearTextureAtlas();
      this.scheduleFit();
    }
  }

  /** Writes output; `onProcessed` runs once xterm has parsed it (flow control acks from there). */
  write(data: Uint8Array, onProcessed: () => void): void {
    this.rawTail.push(data);
    this.term.write(data, onProcessed);
  }

  /**
   * A tmux pane's new size from its stream, taken between the bytes written before it and those after (beside the
   * bytes, never in them: shared/geometry.ts). Only a terminal with a fixed size takes it; one that fits its box
   * keeps fitting.
   */
  sizeInOrder(size: PaneSize): void {
    // xterm.js runs a write's callback as soon as that write is parsed, before it parses the next one.
    this.term.write(new Uint8Array(0), () => {
      if (this._fixed) this.setFixedSize(size);
    });
  }

  /**
   * The terminal takes this size whatever its box (a tmux pane laid out by tmux: its size is tmux's). Undefined
   * goes back to fitting the box.
   */
  setFixedSize(size: { cols: number; rows: number } | undefined): void {
    this._fixed = size;
    if (size && (size.cols !== this.term.cols || size.rows !== this.term.rows)) this.term.resize(Math.max(2, size.cols), Math.max(1, size.rows));
    else if (!size) this.scheduleFit();
  }

  /** The size of one character cell in CSS pixels, once the renderer has measured the font. */
  cellSize(): { width: number; height: number } | undefined {
    const core = (this.term as unknown as { _core?: { _renderService?: { dimensions?: { css?: { cell?: { width: number; height: number } } } } } })._core;
    const cell = core?._renderService?.dimensions?.css?.cell;
    return cell && cell.width > 0 && cell.height > 0 ? { width: cell.width, height: cell.height } : undefined;
  }

  /** Calls `fn` once with the cell size, as soon as the renderer (WebGL or the DOM's) has drawn and measured its font. */
  whenCellMeasured(fn: (cell: { width: number; height: number }) => void): IDisposable {
    let frame = 0;
    let gone = false;
    const measure = () => {
      const cell = this.cellSize();
      if (cell) fn(cell);
      else frame = requestAnimationFrame(measure);
    };
    void this.rendererReady.then(() => {
      if (!gone) frame = requestAnimationFrame(measure);
    });
    return toDisposable(() => {
      gone = true;
      cancelAnimationFrame(frame);
    });
  }

  /** How many cells fit in a box of this many CSS pixels, with this terminal's font. */
  cellsIn(width: number, height: number): { cols: number; rows: number } | undefined {
    const cell = this.cellSize();
    if (!cell) return undefined;
    return { cols: Math.max(2, Math.floor(width / cell.width)), rows: Math.max(1, Math.floor(height / cell.height)) };
  }

  fit(): void {
    if (this._fixed) return;
    // A hidden tab has no size; fitting it would shrink the session to the minimum.
    if (this._container.clientWidth === 0 || this._container.clientHeight === 0) return;
    try {
      this._fit.fit();
    } catch {
      // The renderer may not have measured the font yet; the next resize fits again.
    }
  }

  scheduleFit(): void {
    cancelAnimationFrame(this._fitFrame);
    this._fitFrame = requestAnimationFrame(() => this.fit());
  }

  focus(): void {
    this.term.focus();
  }

  /** Copies the selection; nothing to copy leaves the clipboard as it was. */
  copy(): void {
    const text = this.term.getSelection();
    if (text) void navigator.clipboard?.writeText(text).catch(() => {});
  }

  paste(): void {
    void navigator.clipboard
      ?.readText()
      .then((text) => text && this.term.paste(text))
      .catch(() => {});
  }

  findNext(query: string): boolean {
    return query ? this._search.findNext(query, SEARCH_OPTIONS) : false;
  }

  findPrevious(query: string): boolean {
    return query ? this._search.findPrevious(query, SEARCH_OPTIONS) : false;
  }

  clearSearch(): void {
    this._search.clearDecorations();
    this.term.clearSelection();
  }

  private _copyOnSelect(): void {
    if (this._settings.copyOnSelect && this.term.hasSelection()) this.copy();
  }

  private _ring(): void {
    if (this._settings.bell === 'sound') playBell();
    else if (this._settings.bell === 'visual') {
      this._container.classList.remove('bell-flash');
      // Restart the animation even when the bell rings again during it.
      void this._container.offsetWidth;
      this._container.classList.add('bell-flash');
    }
    this._onBell.fire();
  }

  private async _loadWebgl(): Promise<void> {
    // On a touch screen (the companion on a phone) the DOM renderer draws a small screen well, survives the page
    // going to the background (mobile browsers take WebGL contexts away) and spares the phone the addon's bytes.
    if (window.matchMedia?.('(pointer: coarse)').matches) return;
    let WebglAddon: typeof import('@xterm/addon-webgl').WebglAddon;
    try {
      ({ WebglAddon } = await import('@xterm/addon-webgl'));
    } catch (err) {
      console.info('holdfast: the WebGL renderer did not load, using the DOM renderer', err);
      return;
    }
    if (this._store.isDisposed) return;
    try {
      const webgl = new WebglAddon();
      this.term.loadAddon(webgl);
      this._webgl = webgl;
      // The GPU can take the context away (driver reset, too many contexts): fall back to the DOM renderer.
      webgl.onContextLoss(() => this._dropWebgl());
      // WebGL places cells on whole device pixels: the box may hold a different count than the DOM renderer said.
      this.scheduleFit();
    } catch (err) {
      console.info('holdfast: WebGL unavailable, using the DOM renderer', err);
      this._webgl = undefined;
    }
  }

  private _dropWebgl(): void {
    const webgl = this._webgl;
    this._webgl = undefined;
    webgl?.dispose();
  }

  private _handleKey(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown') return true;
    const id: ShortcutId | undefined = shortcutFor(e, this._mac, this._settings.shortcuts);
    if (!id) return true;
    // Window shortcuts (zoom, tabs, help) are the window's to act on: they only must not reach the program.
    if (WINDOW_SHORTCUTS.has(id)) return false;
    e.preventDefault();
    if (id === 'copy') this.copy();
    else if (id === 'paste') this.paste();
    else if (id === 'search') this._onSearchRequested.fire();
    return false;
  }
}

let audio: AudioContext | undefined;

/** A short, quiet tone: the bell as sound. */
function playBell(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.15);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.16);
  } catch {
    // No audio here (a headless page): the bell stays silent.
  }
}
