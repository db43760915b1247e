import { describe, expect, it } from 'vitest';
import type { HostProfile } from '../../../shared/model';
import { buildRows, rowOffsets, visibleRange, type IHostSessions } from './rows';

function host(i: number): HostProfile {
  return { id: `h${i}`, name: `host ${i}`, host: `10.0.0.${i}`, port: 22, user: 'u', hasPassword: false, keepalive: { intervalSec: 5, countMax: 3 }, tags: [], createdAt: 0, updatedAt: 0 };
}

describe('sidebar rows', () => {
  it('lists an expanded host with its sessions and actions, a collapsed host alone', () => {
    const hosts = [host(1), host(2)];
    const sessions = new Map<string, IHostSessions>([
      ['h1', { loading: false, sessions: [{ name: 'main', windows: 1, attachedClients: 0, lastActivity: 0, created: 0 }] }],
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
    expect(rows.map((r) => r.kind)).toEqual(['host', 'loading', 'host', 'status', 'error', 'actions']);
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
