// A tmux pane's size travels beside its output, in order with the bytes (shared/geometry.ts): the mirror, and a view
// that takes sizes from the stream, parse what was written for the old size at the old size and the rest at the new
// one. Nothing a program prints can resize either: the size never travels in the bytes.
import headless from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import type { PaneSize } from '../../shared/geometry';
import { waitFor } from '../testing';
import { PaneOutput } from './PaneOutput';

const immediate = { setTimeout: (fn: () => void) => (fn(), { dispose() {} }) };
const text = (s: string) => new TextEncoder().encode(s);

/** A view as the renderer keeps one: bytes parsed in order, a size taken between the bytes before and after it. */
function view(cols: number, rows: number) {
  const term = new headless.Terminal({ cols, rows, scrollback: 100, allowProposedApi: true });
  return {
    term,
    data: (d: Uint8Array) => term.write(d),
    size: (s: PaneSize) => term.write(new Uint8Array(0), () => term.resize(s.cols, s.rows)),
    settled: () => new Promise<void>((r) => term.write('', r)),
  };
}

const lines = (t: headless.Terminal) => Array.from({ length: t.buffer.normal.length }, (_, y) => t.buffer.normal.getLine(y)!.translateToString(true)).filter(Boolean);

describe('PaneOutput sizes beside the stream', () => {
  it('resizes the mirror and a view exactly between the bytes before and after the change', async () => {
    const output = new PaneOutput({ cols: 20, rows: 5, scheduler: immediate, scrollback: 100 });
    const v = view(20, 5);
    output.stream.subscribe('v', v.data, { onSize: v.size });
    output.write(text('one\r\ntwo\r\nthree\r\nfour\r\n'));
    output.sizeChanged(20, 3);
    output.write(text('five\r\n'));
    output.sizeChanged(20, 3);
    output.batcher.end();
    await output.stream.mirror.drained();
    await v.settled();
    expect(output.stream.mirror.rows).toBe(3);
    expect(v.term.rows).toBe(3);
    expect(lines(v.term)).toEqual(['one', 'two', 'three', 'four', 'five']);
    // A later view starts from its snapshot's size.
    const late = view(20, 5);
    output.stream.subscribe('late', late.data, { onSize: late.size });
    await waitFor(async () => {
      await late.settled();
      return late.term.rows === 3;
    }, 'the late view at the size from its snapshot');
    output.dispose();
  });

  it('takes no size from what a program prints: the OSC 7711 that once carried sizes resizes nothing', async () => {
    const output = new PaneOutput({ cols: 20, rows: 5, scheduler: immediate, scrollback: 100 });
    const sizes: PaneSize[] = [];
    const v = view(20, 5);
    output.stream.subscribe('v', v.data, { onSize: (s) => (sizes.push(s), v.size(s)) });
    await waitFor(() => sizes.length === 1, 'the snapshot size');
    output.write(text('\x1b]7711;1000;1000\x07\x1b]7711;3;2\x07still 20x5\r\n'));
    output.batcher.end();
    await output.stream.mirror.drained();
    await v.settled();
    expect({ cols: output.stream.mirror.cols, rows: output.stream.mirror.rows }).toEqual({ cols: 20, rows: 5 });
    expect(sizes).toEqual([{ cols: 20, rows: 5 }]);
    expect(lines(v.term)).toContain('still 20x5');
    output.dispose();
  });
});
