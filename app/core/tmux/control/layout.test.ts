import { describe, expect, it } from 'vitest';
import { formatLayout, layoutChecksum, layoutPanes, LayoutError, parseLayout } from './layout';

/** Layouts recorded from tmux 3.3a (list-windows -F '#{window_layout}', and a zoomed window's visible layout). */
const RECORDED = [
  '1742,80x24,0,0{40x24,0,0[40x12,0,0,0,40x11,0,13,3],39x24,41,0[39x12,41,0,1,39x11,41,13,2]}',
  'b464,80x24,0,0[80x12,0,0,4,80x11,0,13{40x11,0,13,5,39x11,41,13,6}]',
  'b262,80x24,0,0,5',
  // From control-mode-verified.md 8a.
  '3b19,80x24,0,0{40x24,0,0,23,39x24,41,0,24}',
];

describe('tmux layouts', () => {
  it.each(RECORDED)('reads %s, checks its checksum, and writes it back the same', (layout) => {
    const node = parseLayout(layout, { verify: true });
    expect(formatLayout(node)).toBe(layout);
  });

  it('gives the tree: panes with their sizes and places, side by side and stacked', () => {
    const node = parseLayout(RECORDED[0]!);
    expect(node).toMatchObject({ kind: 'row', width: 80, height: 24 });
    expect(layoutPanes(node).map((p) => [p.paneId, p.width, p.height, p.x, p.y])).toEqual([
      ['%0', 40, 12, 0, 0],
      ['%3', 40, 11, 0, 13],
      ['%1', 39, 12, 41, 0],
      ['%2', 39, 11, 41, 13],
    ]);
    expect(parseLayout(RECORDED[1]!)).toMatchObject({ kind: 'column', children: [{ kind: 'pane', paneId: '%4' }, { kind: 'row' }] });
  });

  it("reads tmux 3.7's floating cells and signed offsets, and refuses what is not a layout", () => {
    const body = '80x24,0,0<20x5,-3,2,7,10x4,60,-1,8>';
    expect(parseLayout(`${layoutChecksum(body)},${body}`, { verify: true })).toMatchObject({ kind: 'floating', children: [{ x: -3, paneId: '%7' }, { y: -1, paneId: '%8' }] });
    expect(() => parseLayout('nonsense')).toThrow(LayoutError);
    expect(() => parseLayout('1742,80x24,0,0{40x24,0,0,1')).toThrow(LayoutError);
    expect(() => parseLayout('0000,80x24,0,0,1', { verify: true })).toThrow(/checksum/);
  });
});
