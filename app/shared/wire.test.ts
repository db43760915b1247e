import { describe, expect, it } from 'vitest';
import { decodePaneData, decodePaneFrame, encodePaneData, encodePaneSize } from './wire';

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

describe('server messages', () => {
  it('parse a result with a value, a result without one, an error and an event', async () => {
    const { ServerMessage } = await import('./wire');
    expect(ServerMessage.parse(JSON.parse(JSON.stringify({ t: 'result', id: 1, ok: true, value: [1] })))).toMatchObject({ ok: true, value: [1] });
    expect(ServerMessage.parse(JSON.parse(JSON.stringify({ t: 'result', id: 2, ok: true, value: undefined })))).toMatchObject({ id: 2, ok: true });
    expect(ServerMessage.parse({ t: 'result', id: 3, ok: false, error: { code: 'AUTH_FAILED', message: 'no' } })).toMatchObject({ ok: false });
    expect(ServerMessage.parse({ t: 'event', name: 'notice', payload: { level: 'info', message: 'x' } })).toMatchObject({ t: 'event' });
    expect(() => ServerMessage.parse({ t: 'result', id: 4, ok: false })).toThrow();
  });
});

describe('pane size frames', () => {
  it('carry a tmux pane size beside the output, never in it', () => {
    expect(decodePaneFrame(encodePaneSize('päne/%3', { cols: 300, rows: 1000 }))).toEqual({ paneId: 'päne/%3', size: { cols: 300, rows: 1000 } });
    expect(decodePaneFrame(encodePaneData('p', Uint8Array.from([27, 93, 55, 55, 49, 49])))).toEqual({ paneId: 'p', data: Uint8Array.from([27, 93, 55, 55, 49, 49]) });
    expect(() => decodePaneData(encodePaneSize('p', { cols: 80, rows: 24 }))).toThrow(/Not a pane data frame/);
  });

  it('refuses a size out of bounds or of the wrong length', () => {
    const frame = encodePaneSize('p', { cols: 80, rows: 24 });
    expect(() => decodePaneFrame(frame.subarray(0, frame.length - 1))).toThrow(/Not a pane size/);
    const zero = encodePaneSize('p', { cols: 0, rows: 24 });
    expect(() => decodePaneFrame(zero)).toThrow(/Not a pane size/);
  });
});
