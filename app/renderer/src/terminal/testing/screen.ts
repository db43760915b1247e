// What a terminal shows with predictions drawn over it, for the predictive echo tests: the rows of its viewport as
// text, the overlay's cells painted over the cells the server drew.
import type { IBuffer } from '@xterm/xterm';
import type { IPredictionOverlay } from '../prediction';

export interface IScreenSource {
  readonly cols: number;
  readonly rows: number;
  readonly buffer: { readonly active: IBuffer };
}

export function visibleRows(term: IScreenSource, overlay: IPredictionOverlay): string[] {
  const buffer = term.buffer.active;
  const rows: string[][] = [];
  for (let row = 0; row < term.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    const cells: string[] = [];
    for (let x = 0; x < term.cols; x++) {
      const cell = line?.getCell(x);
      cells.push(cell && cell.getWidth() === 0 ? '' : cell?.getChars() || ' ');
    }
    rows.push(cells);
  }
  const paint = (cell: { x: number; y: number; chars: string } | undefined) => {
    const row = cell && rows[cell.y - buffer.viewportY];
    if (cell && row) row[cell.x] = cell.chars;
  };
  paint(overlay.cover);
  overlay.cells.forEach(paint);
  paint(overlay.caret);
  return rows.map((cells) => cells.join('').trimEnd());
}
