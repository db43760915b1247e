// Draws predictive echo (prediction.ts) over an xterm.js terminal: a layer of its own above the screen, one box
// per cell, in the terminal's font and colours, predicted cells underlined. Not xterm.js decorations: those are
// hidden while the alternate screen is on, and a classic `tmux attach` is always in it. Not written into the
// terminal either (see predictiveEcho.ts): the buffer keeps exactly what the server sent.
import type { Terminal } from '@xterm/xterm';
import { Disposable, toDisposable } from '../../../shared/lifecycle';
import { EMPTY_OVERLAY, type IPredictionOverlay } from './prediction';
import type { IPredictionPainter } from './predictiveEcho';

export type OverlayBoxKind = 'predicted' | 'caret' | 'cover';

/** One cell of the overlay, placed on the visible screen (row 0 is the viewport's top). */
export interface IOverlayBox {
  readonly col: number;
  readonly row: number;
  readonly chars: string;
  readonly kind: OverlayBoxKind;
}

/**
 * Where each overlay cell goes on the visible screen, in drawing order (a cover first, so a predicted cell or the
 * caret drawn on the same cell wins). Cells scrolled out of view are left out.
 */
export function layoutOverlay(overlay: IPredictionOverlay, viewportTop: number, rows: number): IOverlayBox[] {
  const boxes: IOverlayBox[] = [];
  const add = (cell: { x: number; y: number; chars: string } | undefined, kind: OverlayBoxKind) => {
    if (!cell) return;
    const row = cell.y - viewportTop;
    if (row >= 0 && row < rows) boxes.push({ col: cell.x, row, chars: cell.chars, kind });
  };
  add(overlay.cover, 'cover');
  for (const cell of overlay.cells) add(cell, 'predicted');
  add(overlay.caret, 'caret');
  return boxes;
}

export class PredictionPainter extends Disposable implements IPredictionPainter {
  private readonly _layer: HTMLDivElement | undefined;
  private _overlay: IPredictionOverlay = EMPTY_OVERLAY;

  constructor(
    private readonly _term: Terminal,
    /** The cell's size in CSS pixels once the renderer measured it (TerminalController.cellSize). */
    private readonly _cellSize: () => { width: number; height: number } | undefined,
  ) {
    super();
    const screen = _term.element?.querySelector<HTMLElement>('.xterm-screen');
    if (!screen) return;
    const layer = document.createElement('div');
    layer.className = 'holdfast-prediction';
    // Screen readers read the buffer (the server's text); a guess is not to be read out.
    layer.setAttribute('aria-hidden', 'true');
    // Above the canvases and the DOM renderer's rows (and xterm's top decorations, z-index 7), under nothing
    // the user clicks: the layer never takes the mouse.
    Object.assign(layer.style, { position: 'absolute', left: '0', top: '0', right: '0', bottom: '0', pointerEvents: 'none', zIndex: '7' });
    screen.appendChild(layer);
    this._layer = layer;
    this._register(toDisposable(() => layer.remove()));
    // Placed again whenever the terminal draws: the viewport scrolled, the font or the size changed.
    this._register(_term.onRender(() => this._overlay !== EMPTY_OVERLAY && this._render()));
  }

  paint(overlay: IPredictionOverlay): void {
    this._overlay = overlay;
    this._render();
  }

  private _render(): void {
    const layer = this._layer;
    if (!layer) return;
    layer.replaceChildren();
    const cell = this._cellSize();
    if (!cell || this._overlay === EMPTY_OVERLAY) return;
    const options = this._term.options;
    const theme = options.theme ?? {};
    const foreground = theme.foreground ?? '#ffffff';
    const background = theme.background ?? '#000000';
    for (const box of layoutOverlay(this._overlay, this._term.buffer.active.viewportY, this._term.rows)) {
      const el = document.createElement('div');
      el.textContent = box.chars;
      const caret = box.kind === 'caret';
      Object.assign(el.style, {
        position: 'absolute',
        left: `${box.col * cell.width}px`,
        top: `${box.row * cell.height}px`,
        width: `${cell.width}px`,
        height: `${cell.height}px`,
        lineHeight: `${cell.height}px`,
        overflow: 'hidden',
        whiteSpace: 'pre',
        fontFamily: options.fontFamily ?? 'monospace',
        fontSize: `${options.fontSize ?? 14}px`,
        color: caret ? (theme.cursorAccent ?? background) : foreground,
        background: caret ? (theme.cursor ?? foreground) : background,
        textDecoration: box.kind === 'predicted' ? 'underline' : 'none',
      });
      layer.appendChild(el);
    }
  }
}
