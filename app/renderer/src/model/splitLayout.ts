// Where the panes of a tmux window go on screen: tmux's layout tree (in character cells) to boxes in CSS pixels, and
// the dividers between them (tmux leaves one cell between panes), each with the pane a drag resizes. Pure: the
// views only draw what this returns.
import type { LayoutNode } from '../../../shared/model';

export interface PaneBox {
  paneId: string;
  cols: number;
  rows: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface DividerBox {
  /** 'vertical' between panes side by side (dragged left and right); 'horizontal' between stacked ones. */
  orientation: 'vertical' | 'horizontal';
  left: number;
  top: number;
  width: number;
  height: number;
  /** The pane whose width (vertical) or height (horizontal) a drag sets, and where its cell starts (in cells). */
  paneId: string;
  start: number;
  /** The most and least the cell before the divider may take, in cells (each side keeps at least one). */
  min: number;
  max: number;
}

export interface SplitLayout {
  panes: PaneBox[];
  dividers: DividerBox[];
}

function firstPane(node: LayoutNode): string {
  return node.kind === 'pane' ? node.paneId : firstPane(node.children[0]!);
}

export function splitLayout(root: LayoutNode, cell: { width: number; height: number }): SplitLayout {
  const panes: PaneBox[] = [];
  const dividers: DividerBox[] = [];
  const walk = (node: LayoutNode) => {
    if (node.kind === 'pane') {
      panes.push({
        paneId: node.paneId,
        cols: node.width,
        rows: node.height,
        left: node.x * cell.width,
        top: node.y * cell.height,
        width: node.width * cell.width,
        height: node.height * cell.height,
      });
      return;
    }
    node.children.forEach((child, i) => {
      walk(child);
      const next = node.children[i + 1];
      if (!next || node.kind === 'floating') return;
      if (node.kind === 'row') {
        dividers.push({
          orientation: 'vertical',
          left: (child.x + child.width) * cell.width,
          top: node.y * cell.height,
          width: cell.width,
          height: node.height * cell.height,
          paneId: firstPane(child),
          start: child.x,
          min: 1,
          max: child.width + next.width - 1,
        });
      } else {
        dividers.push({
          orientation: 'horizontal',
          left: node.x * cell.width,
          top: (child.y + child.height) * cell.height,
          width: node.width * cell.width,
          height: cell.height,
          paneId: firstPane(child),
          start: child.y,
          min: 1,
          max: child.height + next.height - 1,
        });
      }
    });
  };
  walk(root);
  return { panes, dividers };
}

/** The size (in cells) a divider dragged to `pixels` (from the window's left or top edge) gives the cell before it. */
export function draggedSize(divider: DividerBox, pixels: number, cell: { width: number; height: number }): number {
  const along = divider.orientation === 'vertical' ? cell.width : cell.height;
  const size = Math.round(pixels / along) - divider.start;
  return Math.max(divider.min, Math.min(divider.max, size));
}
