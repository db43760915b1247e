// tmux's layout strings (`#{window_layout}`, `%layout-change`): a checksum, then one cell: `WxH,X,Y` followed by a
// pane id (`,23`), children side by side (`{…}`) or stacked (`[…]`), children separated by commas. tmux 3.7 adds
// floating cells (`<…>`) and signed offsets; those are read too. Pure: no I/O.
import type { LayoutNode } from '../../../shared/model';

/** tmux's 16-bit rotate-and-add checksum of a layout body (layout-custom.c). */
export function layoutChecksum(body: string): string {
  let csum = 0;
  for (let i = 0; i < body.length; i++) {
    csum = ((csum >> 1) + ((csum & 1) << 15)) & 0xffff;
    csum = (csum + body.charCodeAt(i)) & 0xffff;
  }
  return csum.toString(16).padStart(4, '0');
}

export class LayoutError extends Error {}

/** Reads a layout; throws LayoutError for one it cannot read. `verify` also checks its checksum. */
export function parseLayout(layout: string, options: { verify?: boolean } = {}): LayoutNode {
  const comma = layout.indexOf(',');
  if (comma !== 4 || !/^[0-9a-f]{4}$/.test(layout.slice(0, 4))) throw new LayoutError(`Not a tmux layout: ${layout.slice(0, 40)}`);
  const body = layout.slice(5);
  if (options.verify && layoutChecksum(body) !== layout.slice(0, 4)) throw new LayoutError(`Layout checksum mismatch: ${layout.slice(0, 40)}`);
  const reader = { s: body, i: 0 };
  const node = readCell(reader);
  if (reader.i !== body.length) throw new LayoutError(`Unexpected "${body.slice(reader.i, reader.i + 10)}" in layout`);
  return node;
}

function readNumber(r: { s: string; i: number }): number {
  const m = /^-?\d+/.exec(r.s.slice(r.i));
  if (!m) throw new LayoutError(`Expected a number at ${r.i} in layout`);
  r.i += m[0].length;
  return Number(m[0]);
}

function expect(r: { s: string; i: number }, ch: string): void {
  if (r.s[r.i] !== ch) throw new LayoutError(`Expected "${ch}" at ${r.i} in layout, found "${r.s[r.i] ?? 'the end'}"`);
  r.i++;
}

function readCell(r: { s: string; i: number }): LayoutNode {
  const width = readNumber(r);
  expect(r, 'x');
  const height = readNumber(r);
  expect(r, ',');
  const x = readNumber(r);
  expect(r, ',');
  const y = readNumber(r);
  const open = r.s[r.i];
  if (open === ',') {
    r.i++;
    const id = readNumber(r);
    return { kind: 'pane', paneId: `%${id}`, width, height, x, y };
  }
  const close = open === '{' ? '}' : open === '[' ? ']' : open === '<' ? '>' : undefined;
  if (!close) throw new LayoutError(`Expected a pane id or children at ${r.i} in layout`);
  r.i++;
  const children: LayoutNode[] = [];
  for (;;) {
    children.push(readCell(r));
    if (r.s[r.i] === ',') {
      r.i++;
      continue;
    }
    expect(r, close);
    break;
  }
  return { kind: open === '{' ? 'row' : open === '[' ? 'column' : 'floating', width, height, x, y, children };
}

/** The layout as tmux writes it (checksum included): a round trip gives back what tmux sent. */
export function formatLayout(node: LayoutNode): string {
  const body = formatCell(node);
  return `${layoutChecksum(body)},${body}`;
}

function formatCell(node: LayoutNode): string {
  const head = `${node.width}x${node.height},${node.x},${node.y}`;
  if (node.kind === 'pane') return `${head},${node.paneId.slice(1)}`;
  const [open, close] = node.kind === 'row' ? ['{', '}'] : node.kind === 'column' ? ['[', ']'] : ['<', '>'];
  return `${head}${open}${node.children.map(formatCell).join(',')}${close}`;
}

/** The panes of a layout, in tmux's order. */
export function layoutPanes(node: LayoutNode): Extract<LayoutNode, { kind: 'pane' }>[] {
  return node.kind === 'pane' ? [node] : node.children.flatMap(layoutPanes);
}
