import { describe, expect, it } from 'vitest';
import type { LayoutNode } from '../../../shared/model';
import { draggedSize, splitLayout } from './splitLayout';

// 1742,80x24,0,0{40x24,0,0[40x12,0,0,0,40x11,0,13,3],39x24,41,0[39x12,41,0,1,39x11,41,13,2]} as parsed in core.
const layout: LayoutNode = {
  kind: 'row',
  width: 80,
  height: 24,
  x: 0,
  y: 0,
  children: [
    { kind: 'column', width: 40, height: 24, x: 0, y: 0, children: [
      { kind: 'pane', paneId: '%0', width: 40, height: 12, x: 0, y: 0 },
      { kind: 'pane', paneId: '%3', width: 40, height: 11, x: 0, y: 13 },
    ] },
    { kind: 'column', width: 39, height: 24, x: 41, y: 0, children: [
      { kind: 'pane', paneId: '%1', width: 39, height: 12, x: 41, y: 0 },
      { kind: 'pane', paneId: '%2', width: 39, height: 11, x: 41, y: 13 },
    ] },
  ],
};

describe('splitLayout', () => {
  it('places every pane at its cells and puts the dividers in the cells tmux leaves between them', () => {
    const { panes, dividers } = splitLayout(layout, { width: 8, height: 16 });
    expect(panes.map((p) => [p.paneId, p.left, p.top, p.width, p.height, p.cols, p.rows])).toEqual([
      ['%0', 0, 0, 320, 192, 40, 12],
      ['%3', 0, 208, 320, 176, 40, 11],
      ['%1', 328, 0, 312, 192, 39, 12],
      ['%2', 328, 208, 312, 176, 39, 11],
    ]);
    expect(dividers.map((d) => [d.orientation, d.left, d.top, d.width, d.height, d.paneId])).toEqual([
      ['horizontal', 0, 192, 320, 16, '%0'],
      ['vertical', 320, 0, 8, 384, '%0'],
      ['horizontal', 328, 192, 312, 16, '%1'],
    ]);
  });

  it('turns a drag into the size of the cell before the divider, keeping a cell on each side', () => {
    const { dividers } = splitLayout(layout, { width: 8, height: 16 });
    const vertical = dividers.find((d) => d.orientation === 'vertical')!;
    expect(draggedSize(vertical, 200, { width: 8, height: 16 })).toBe(25);
    expect(draggedSize(vertical, 0, { width: 8, height: 16 })).toBe(1);
    expect(draggedSize(vertical, 5000, { width: 8, height: 16 })).toBe(78);
    const lowerRight = dividers[2]!;
    expect(draggedSize(lowerRight, 100, { width: 8, height: 16 })).toBe(6);
  });
});
