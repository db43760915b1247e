// The sidebar as a flat list of rows with known heights, so that only the rows in view are rendered
// (the list stays smooth with thousands of profiles).
import type { HoldfastErrorData, HostProfile, TmuxSession } from '../../../shared/model';

export type SidebarRow =
  | { kind: 'host'; key: string; host: HostProfile }
  | { kind: 'status'; key: string; host: HostProfile; detail?: string }
  | { kind: 'loading'; key: string; host: HostProfile }
  | { kind: 'error'; key: string; host: HostProfile; error: HoldfastErrorData }
  | { kind: 'session'; key: string; host: HostProfile; session: TmuxSession }
  | { kind: 'empty'; key: string; host: HostProfile }
  | { kind: 'actions'; key: string; host: HostProfile };

export interface IHostSessions {
  loading: boolean;
  sessions?: readonly TmuxSession[];
  error?: HoldfastErrorData;
}

export const ROW_HEIGHT = { host: 46, status: 44, loading: 28, session: 40, empty: 28, actions: 34 } as const;

/** Error rows grow with their text: about 32–36 characters a line in the sidebar's width. */
export function errorRowHeight(error: HoldfastErrorData): number {
  const lines = (s: string | undefined, perLine: number) => (s ? Math.ceil(s.length / perLine) : 0);
  // The message is bold, so fewer characters fit a line.
  return 60 + 17 * (lines(error.message, 32) + lines(error.hint, 36));
}

export function rowHeight(row: SidebarRow): number {
  if (row.kind === 'error') return errorRowHeight(row.error);
  if (row.kind === 'status' && row.detail) return ROW_HEIGHT.status + 17 * Math.ceil(row.detail.length / 38);
  return ROW_HEIGHT[row.kind];
}

export function buildRows(
  hosts: readonly HostProfile[],
  expanded: ReadonlySet<string>,
  sessions: ReadonlyMap<string, IHostSessions>,
  /** A status row under the host (reconnecting, failed…), with the error text if any; undefined for none. */
  statusRow: (host: HostProfile) => { detail?: string } | undefined,
): SidebarRow[] {
  const rows: SidebarRow[] = [];
  for (const host of hosts) {
    rows.push({ kind: 'host', key: `h:${host.id}`, host });
    const s = expanded.has(host.id) ? sessions.get(host.id) : undefined;
    const status = statusRow(host);
    // The error box below says the same at length; the status row then only names the state.
    if (status) rows.push({ kind: 'status', key: `st:${host.id}`, host, ...(s?.error ? {} : status) });
    if (!expanded.has(host.id)) continue;
    if (s?.error) rows.push({ kind: 'error', key: `e:${host.id}`, host, error: s.error });
    if (s?.loading && !s.sessions) rows.push({ kind: 'loading', key: `l:${host.id}`, host });
    if (s?.sessions) {
      if (s.sessions.length === 0) rows.push({ kind: 'empty', key: `n:${host.id}`, host });
      for (const session of s.sessions) rows.push({ kind: 'session', key: `s:${host.id}:${session.name}`, host, session });
    }
    if (s && !s.loading) rows.push({ kind: 'actions', key: `a:${host.id}`, host });
  }
  return rows;
}

/** offsets[i] is the top of row i; offsets[rows.length] is the total height. */
export function rowOffsets(rows: readonly SidebarRow[]): number[] {
  const offsets = new Array<number>(rows.length + 1);
  let y = 0;
  for (let i = 0; i < rows.length; i++) {
    offsets[i] = y;
    y += rowHeight(rows[i]!);
  }
  offsets[rows.length] = y;
  return offsets;
}

/** The rows [start, end) that intersect the viewport, plus `overscan` rows either side. */
export function visibleRange(offsets: readonly number[], scrollTop: number, viewportHeight: number, overscan = 6): { start: number; end: number } {
  const count = offsets.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  // The last row whose top is at or above scrollTop.
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= scrollTop) lo = mid;
    else hi = mid - 1;
  }
  let end = lo;
  const bottom = scrollTop + viewportHeight;
  while (end < count && offsets[end]! < bottom) end++;
  return { start: Math.max(0, lo - overscan), end: Math.min(count, end + overscan) };
}
