// A tmux pane's size travels inside its output stream, in order with the bytes: a view must take a new size exactly
// between the bytes written for the old one and those written for the new one (a resync after an outage is drawn
// for the size the pane has now). A private OSC carries it; a terminal that does not know it ignores it.
export const SIZE_OSC = 7711;

/** The bytes that tell a view of a tmux pane's stream that the pane is now cols × rows. */
export function sizeSequence(cols: number, rows: number): string {
  return `\x1b]${SIZE_OSC};${Math.floor(cols)};${Math.floor(rows)}\x07`;
}

/** The size in an OSC 7711 payload ("cols;rows"), or undefined for anything else. */
export function parseSizePayload(data: string): { cols: number; rows: number } | undefined {
  const m = /^(\d{1,4});(\d{1,4})$/.exec(data);
  if (!m) return undefined;
  const cols = Number(m[1]);
  const rows = Number(m[2]);
  return cols >= 1 && rows >= 1 && cols <= 1000 && rows <= 1000 ? { cols, rows } : undefined;
}
