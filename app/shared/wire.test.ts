import { describe, expect, it } from 'vitest';
import { decodePaneData, encodePaneData } from './wire';

describe('pane data frames', () => {
  it('round-trip a pane id with non-ASCII characters and arbitrary bytes', () => {
    const data = new Uint8Array([0, 255, 0xe2, 0x82, 0xac, 10]);
    const decoded = decodePaneData(encodePaneData('päne-1', data));
    expect(decoded.paneId).toBe('päne-1');
    expect([...decoded.data]).toEqual([...data]);
  });

  it('reject a frame that is cut short', () => {
    const frame = encodePaneData('pane-1', new Uint8Array([1]));
    expect(() => decodePaneData(frame.subarray(0, 5))).toThrow(/Truncated/);
  });
});
