// One xterm.js terminal with its addons: fit, WebGL (falling back to the DOM renderer), unicode 11, links,
// search, and the platform's copy/paste chords. Knows nothing of panes or the contract; PaneView wires it.
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebglAddon } from '@xterm/addon-webgl';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import { Disposable, Emitter, toDisposable } from '../../../shared/lifecycle';
import { ByteTail } from './byteTail';
import { terminalKeyAction } from './keys';

export const TERMINAL_THEME: ITheme = {
  background: '#121418',
  foreground: '#d7dae0',
  cursor: '#e6e6e6',
  cursorAccent: '#121418',
  selectionBackground: '#3a4b6b',
  black: '#1c1f24',
  red: '#e06c75',
  green: '#98c379',
  yellow: '#e5c07b',
  blue: '#61afef',
  magenta: '#c678dd',
  cyan: '#56b6c2',
  white: '#d7dae0',
  brightBlack: '#5c6370',
  brightRed: '#ef7b84',
  brightGreen: '#a9d48a',
  brightYellow: '#f0d08c',
  brightBlue: '#74bdf8',
  brightMagenta: '#d58be8',
  brightCyan: '#67c7d3',
  brightWhite: '#ffffff',
};

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

export class TerminalController extends Disposable {
  readonly term: Terminal;
  private readonly _fit = new FitAddon();
  private readonly _search = new SearchAddon();
  private _webgl: WebglAddon | undefined;
  private _fitFrame = 0;
  /** What the terminal was given, raw (for diagnostics and tests; the screen shows the parsed result). */
  readonly rawTail = new ByteTail();

  private readonly _onInput = this._register(new Emitter<string>());
  /** Keys and pastes typed into the terminal. */
  readonly onInput = this._onInput.event;
  private readonly _onResize = this._register(new Emitter<{ cols: number; rows: number }>());
  readonly onResize = this._onResize.event;
  private readonly _onSearchRequested = this._register(new Emitter<void>());
  readonly onSearchRequested = this._onSearchRequested.event;

  constructor(
    private readonly _container: HTMLElement,
    private readonly _mac: boolean,
  ) {
    super();
    this.term = new Terminal({
      allowProposedApi: true, // the unicode11 addon sets term.unicode.activeVersion
      fontFamily: '"JetBrains Mono", "Cascadia Mono", "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      lineHeight: 1.15,
      cursorBlink: true,
      scrollback: 10_000,
      macOptionIsMeta: true,
      theme: TERMINAL_THEME,
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
    this._register(this.term.onData((data) => this._onInput.fire(data)));
    this._register(this.term.onResize((size) => this._onResize.fire(size)));

    this.term.open(_container);
    this._loadWebgl();

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

  /** Writes output; `onProcessed` runs once xterm has parsed it (flow control acks from there). */
  write(data: Uint8Array, onProcessed: () => void): void {
    this.rawTail.push(data);
    this.term.write(data, onProcessed);
  }

  fit(): void {
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

  private _loadWebgl(): void {
    try {
      const webgl = new WebglAddon();
      this.term.loadAddon(webgl);
      this._webgl = webgl;
      // The GPU can take the context away (driver reset, too many contexts): fall back to the DOM renderer.
      webgl.onContextLoss(() => this._dropWebgl());
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
    const action = terminalKeyAction(e, this._mac, this.term.hasSelection());
    switch (action) {
      case 'none':
        return true;
      case 'copy':
        e.preventDefault();
        void navigator.clipboard?.writeText(this.term.getSelection()).catch(() => {});
        return false;
      case 'paste':
        e.preventDefault();
        void navigator.clipboard
          ?.readText()
          .then((text) => text && this.term.paste(text))
          .catch(() => {});
        return false;
      case 'search':
        e.preventDefault();
        this._onSearchRequested.fire();
        return false;
    }
  }
}
