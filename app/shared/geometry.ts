// A tmux pane's size travels with its output, in order with the bytes: a view must take a new size exactly between
// the bytes written for the old one and those written for the new one (a resync after an outage is drawn for the
// size the pane has now). It travels beside the bytes, never inside them: a size is its own frame on the wire
// (wire.ts) and its own message over IPC, so nothing a program prints can resize a view or the pane's mirror.

export interface PaneSize {
  cols: number;
  rows: number;
}

/** A size as it may cross a bridge: whole numbers the contract allows (2–1000 columns, 1–1000 rows). */
export function isPaneSize(value: unknown): value is PaneSize {
  if (typeof value !== 'object' || value === null) return false;
  const { cols, rows } = value as Record<string, unknown>;
  return Number.isInteger(cols) && Number.isInteger(rows) && (cols as number) >= 1 && (rows as number) >= 1 && (cols as number) <= 1000 && (rows as number) <= 1000;
}
