// A tmux pane's size travels in its stream, in order with the bytes (shared/geometry.ts): the mirror, and a view that
// takes sizes from the stream, parse what was written for the old size at the old size and the rest at the new one.
import headless from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { parseSizePayload, SIZE_OSC } from '../../shared/geometry';
import { waitFor } from '../testing';
import { PaneOutput } from './PaneOutput';

const immediate = { setTimeout: (fn: () => void) => (fn(), { dispose() {} }) };

describe('PaneOutput sizes in the stream', () => {
  it('resizes the mirror and a view exactly between the bytes before and after the change', async () => {
    const output = new PaneOutput({ cols: 20, rows: 5, scheduler: immediate, scrollback: 100 });
    const view = new headless.Terminal({ cols: 20, rows: 5, scrollback: 100, allowProposedApi: true });
    view.parser.registerOscHandler(SIZE_OSC, (data) => {
      const size = parseSizePayload(data);
      if (size) view.resize(size.cols, size.rows);
      return true;
    });
    output.stream.subscribe('v', (d) => view.write(d));
    const text = (s: string) => new TextEncoder().encode(s);
    output.write(text('one\r\ntwo\r\nthree\r\nfour\r\n'));
    output.sizeChanged(20, 3);
    output.write(text('five\r\n'));
    output.sizeChanged(20, 3);
    output.batcher.end();
    await output.stream.mirror.drained();
    await new Promise<void>((r) => view.write('', r));
    expect(output.stream.mirror.rows).toBe(3);
    expect(view.rows).toBe(3);
    const lines = (t: typeof view) => Array.from({ length: t.buffer.normal.length }, (_, y) => t.buffer.normal.getLine(y)!.translateToString(true)).filter(Boolean);
    expect(lines(view)).toEqual(['one', 'two', 'three', 'four', 'five']);
    // A later view starts from a snapshot that carries the size too.
    const late = new headless.Terminal({ cols: 20, rows: 5, scrollback: 100, allowProposedApi: true });
    late.parser.registerOscHandler(SIZE_OSC, (data) => (late.resize(parseSizePayload(data)!.cols, parseSizePayload(data)!.rows), true));
    output.stream.subscribe('late', (d) => late.write(d));
    await waitFor(async () => {
      await new Promise<void>((r) => late.write('', r));
      return late.rows === 3;
    }, 'the late view at the size from its snapshot');
    output.dispose();
  });
});
