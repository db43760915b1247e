import { describe, expect, it } from 'vitest';
import type { HostProfile, RescueScan, TmuxSession } from '../../../shared/model';
import { buildRows, estimateRowHeight, RowHeights, rowOffsets, visibleRange, type IHostSessions } from './rows';

function host(i: number): HostProfile {
  return { id: `h${i}`, name: `host ${i}`, host: `10.0.0.${i}`, port: 22, user: 'u', hasPassword: false, keepalive: { intervalSec: 5, countMax: 3 }, tags: [], createdAt: 0, updatedAt: 0 };
}

describe('sidebar rows', () => {
  it('lists an expanded host with its sessions and actions, a collapsed host alone', () => {
    const hosts = [host(1), host(2)];
    const sessions = new Map<string, IHostSessions>([
      ['h1', { loading: false, sessions: [{ id: '$1', name: 'main', windows: 1, attachedClients: 0, lastActivity: 0, created: 0 }] }],
    ]);
    const rows = buildRows(hosts, new Set(['h1']), sessions, () => undefined);
    expect(rows.map((r) => r.kind)).toEqual(['host', 'session', 'actions', 'host']);
  });

  it('shows a loading row while the first listing runs and an error row when it failed', () => {
    const sessions = new Map<string, IHostSessions>([
      ['h1', { loading: true }],
      ['h2', { loading: false, error: { code: 'TMUX_MISSING', message: 'tmux is not installed', hint: 'apt install tmux' } }],
    ]);
    const rows = buildRows([host(1), host(2)], new Set(['h1', 'h2']), sessions, (h) => (h.id === 'h2' ? {} : undefined));
    // No New session / Refresh under a failed listing: the error box's Try again is the one way on.
    expect(rows.map((r) => r.kind)).toEqual(['host', 'loading', 'host', 'status', 'error']);
  });

  it('keeps New session and Refresh when a refresh failed but the earlier listing is still shown', () => {
    const sessions = new Map<string, IHostSessions>([
      ['h1', { loading: false, error: { code: 'CANCELLED', message: 'cancelled' }, sessions: [{ id: '$1', name: 'main', windows: 1, attachedClients: 0, lastActivity: 0, created: 0 }] }],
    ]);
    const rows = buildRows([host(1)], new Set(['h1']), sessions, () => undefined);
    expect(rows.map((r) => r.kind)).toEqual(['host', 'error', 'session', 'actions']);
  });

  it('shows no failed status row above an error box that already says why, but keeps a reconnecting one', () => {
    const sessions = new Map<string, IHostSessions>([['h1', { loading: false, error: { code: 'HOST_KEY_CHANGED', message: 'changed' } }]]);
    const failed = buildRows([host(1)], new Set(['h1']), sessions, () => ({ failed: true, detail: 'changed' }));
    expect(failed.map((r) => r.kind)).toEqual(['host', 'error']);
    const reconnecting = buildRows([host(1)], new Set(['h1']), sessions, () => ({}));
    expect(reconnecting.map((r) => r.kind)).toEqual(['host', 'status', 'error']);
    const collapsed = buildRows([host(1)], new Set(), sessions, () => ({ failed: true, detail: 'changed' }));
    expect(collapsed).toEqual([expect.objectContaining({ kind: 'host' }), expect.objectContaining({ kind: 'status', detail: 'changed' })]);
  });

  it('renders only the rows in view out of 1,000 hosts', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => host(i));
    const rows = buildRows(hosts, new Set(), new Map(), () => undefined);
    const offsets = rowOffsets(rows);
    expect(offsets[1000]).toBe(46 * 1000);
    const { start, end } = visibleRange(offsets, 46 * 500 + 10, 600, 2);
    expect(start).toBe(498);
    expect(end).toBe(500 + Math.ceil((600 + 10) / 46) + 2);
    expect(visibleRange(offsets, 0, 600, 0)).toEqual({ start: 0, end: 14 });
    expect(visibleRange([0], 0, 600)).toEqual({ start: 0, end: 0 });
  });

  it('draws an ordinary list whole, scrolled or not, so that every session row is in the page', () => {
    const offsets = Array.from({ length: 41 }, (_, i) => i * 46);
    expect(visibleRange(offsets, 0, 600)).toEqual({ start: 0, end: 40 });
    expect(visibleRange(offsets, 900, 600)).toEqual({ start: 0, end: 40 });
    // Past the limit it is windowed.
    expect(visibleRange(offsets, 0, 600, 0, 20)).toEqual({ start: 0, end: 14 });
  });
});

describe('status row beside a sessions error', () => {
  it('names only the state when the expanded host already shows the error at length', async () => {
    const { buildRows } = await import('./rows');
    const host = { id: 'h1', name: 'one', host: 'h', port: 22, user: 'u', hasPassword: false, keepalive: { intervalSec: 5, countMax: 3 }, tags: [], createdAt: 0, updatedAt: 0 };
    const sessions = new Map([['h1', { loading: false, error: { code: 'HOST_KEY_CHANGED' as const, message: 'changed' } }]]);
    const withError = buildRows([host], new Set(['h1']), sessions as never, () => ({ detail: 'changed' }));
    expect(withError.find((r) => r.kind === 'status')).not.toHaveProperty('detail');
    const collapsed = buildRows([host], new Set(), sessions as never, () => ({ detail: 'changed' }));
    expect(collapsed.find((r) => r.kind === 'status')).toHaveProperty('detail', 'changed');
  });
});

describe('measured row heights', () => {
  const longError = { code: 'HOST_KEY_CHANGED' as const, message: 'x'.repeat(400), hint: 'y'.repeat(200) };

  it('places every row below a measured error box by its rendered height, not by the estimate', () => {
    const sessions = new Map<string, IHostSessions>([['h1', { loading: false, error: longError }]]);
    const rows = buildRows([host(1), host(2)], new Set(['h1']), sessions, () => undefined);
    const heights = new RowHeights();
    expect(heights.offsets(rows)[1]).toBe(46);
    // The error box wraps more than the estimate guessed (wide fingerprints, bold text).
    expect(heights.measure('e:h1', 389.6)).toBe(true);
    expect(heights.offsets(rows)).toEqual([0, 46, 46 + 390, 46 + 390 + 46]);
  });

  it('reports a change only when a height really moved, so the list re-lays out only then', () => {
    const heights = new RowHeights();
    expect(heights.measure('h:h1', 46)).toBe(true);
    expect(heights.measure('h:h1', 46.2)).toBe(false);
    expect(heights.measure('h:h1', 0)).toBe(false);
    expect(heights.measure('h:h1', 60)).toBe(true);
  });

  it('forgets the heights of rows that are gone', () => {
    const heights = new RowHeights();
    heights.measure('e:h1', 300);
    heights.measure('h:h1', 46);
    const rows = buildRows([host(1)], new Set(), new Map(), () => undefined);
    heights.retain(rows);
    const again = buildRows([host(1)], new Set(['h1']), new Map([['h1', { loading: false, error: longError }]]), () => undefined);
    expect(heights.heightOf(again[1]!)).toBe(estimateRowHeight(again[1]!));
  });

  it('stays fast with 1,000 hosts: offsets for every row, mostly estimated', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => host(i));
    const rows = buildRows(hosts, new Set(), new Map(), () => undefined);
    const heights = new RowHeights();
    heights.measure('h:h0', 50);
    const offsets = heights.offsets(rows);
    expect(offsets[1000]).toBe(50 + 46 * 999);
    expect(visibleRange(offsets, offsets[500]!, 600, 0)).toEqual({ start: 500, end: 500 + Math.ceil(600 / 46) });
  });
});

describe('Not protected in the list', () => {
  it('comes right under its host, above its sessions, expanded or not', () => {
    const host = { id: 'h1', name: 'box', host: 'box', port: 22, user: 'me', hasPassword: false, keepalive: { intervalSec: 3, countMax: 2 }, tags: [], createdAt: 0, updatedAt: 0 } as HostProfile;
    const sessions = new Map([['h1', { loading: false, sessions: Array.from({ length: 30 }, (_, i) => ({ id: `$${i}`, name: `s${i}`, windows: 1, attachedClients: 0, created: 0, lastActivity: 0 }) as TmuxSession) }]]);
    const rescue = new Map([['h1', { processes: [{ pid: 42, command: 'claude', agent: 'claude', tty: 'pts/1', elapsedSec: 600 }], gone: [] } as unknown as RescueScan]]);
    const kinds = buildRows([host], new Set(['h1']), sessions, () => undefined, rescue).map((r) => r.kind);
    expect(kinds.slice(0, 3)).toEqual(['host', 'rescue', 'session']);
    expect(buildRows([host], new Set(), sessions, () => undefined, rescue).map((r) => r.kind)).toEqual(['host', 'rescue']);
  });
});
