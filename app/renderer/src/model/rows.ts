// The sidebar as a flat list of rows, so that only the rows in view are rendered (the list stays smooth with
// thousands of profiles). Heights are measured once rendered; rows not yet seen use an estimate.
import type { RescueScan } from '../../../shared/model';
import type { HoldfastErrorData, HostProfile, TmuxSession } from '../../../shared/model';

export type SidebarRow =
  | { kind: 'host'; key: string; host: HostProfile }
  | { kind: 'status'; key: string; host: HostProfile; detail?: string }
  | { kind: 'loading'; key: string; host: HostProfile }
  | { kind: 'error'; key: string; host: HostProfile; error: HoldfastErrorData }
  | { kind: 'session'; key: string; host: HostProfile; session: TmuxSession }
  | { kind: 'empty'; key: string; host: HostProfile }
  | { kind: 'actions'; key: string; host: HostProfile }
  | { kind: 'rescue'; key: string; host: HostProfile; scan: RescueScan };

export interface IHostSessions {
  loading: boolean;
  sessions?: readonly TmuxSession[];
  error?: HoldfastErrorData;
}

/** Heights of the rows that always look the same; they match the CSS (.host-row, .session-row, …). */
export const ROW_HEIGHT = { host: 46, status: 32, loading: 28, session: 40, empty: 28, actions: 34, rescue: 40 } as const;

/**
 * A first guess for a row that has not been rendered yet. Error boxes and status details wrap, so their real
 * height is only known once measured (see RowHeights); the guess only has to keep the scrollbar plausible.
 */
export function estimateRowHeight(row: SidebarRow): number {
  const lines = (s: string | undefined, perLine: number) => (s ? Math.ceil(s.length / perLine) : 0);
  if (row.kind === 'error') return 52 + 17 * (lines(row.error.message, 32) + lines(row.error.hint, 36));
  if (row.kind === 'status' && row.detail) return ROW_HEIGHT.status + 17 * lines(row.detail, 38);
  if (row.kind === 'rescue') return 34 + 64 * (row.scan.processes.length + row.scan.gone.length);
  return ROW_HEIGHT[row.kind];
}

/**
 * Row heights as rendered: measured heights (by row key) where the row has been on screen, estimates elsewhere.
 * The sidebar feeds it what a ResizeObserver reports; offsets are then exact for every row the user has seen.
 */
export class RowHeights {
  private readonly _measured = new Map<string, number>();

  /** Records a rendered row's height; returns whether it differs from what was known (the offsets must move). */
  measure(key: string, height: number): boolean {
    const h = Math.round(height);
    if (h <= 0 || this._measured.get(key) === h) return false;
    this._measured.set(key, h);
    return true;
  }

  heightOf(row: SidebarRow): number {
    return this._measured.get(row.key) ?? estimateRowHeight(row);
  }

  /** Drops measurements of rows that no longer exist, so the map does not grow without bound. */
  retain(rows: readonly SidebarRow[]): void {
    if (this._measured.size > rows.length) {
      const keys = new Set(rows.map((r) => r.key));
      for (const key of this._measured.keys()) if (!keys.has(key)) this._measured.delete(key);
    }
  }

  /** offsets[i] is the top of row i; offsets[rows.length] is the total height. */
  offsets(rows: readonly SidebarRow[]): number[] {
    return rowOffsets(rows, (row) => this.heightOf(row));
  }
}

export function buildRows(
  hosts: readonly HostProfile[],
  expanded: ReadonlySet<string>,
  sessions: ReadonlyMap<string, IHostSessions>,
  /** A status row under the host (reconnecting, failed…), with the error text if any; undefined for none. */
  statusRow: (host: HostProfile) => { detail?: string; failed?: boolean } | undefined,
  /** Programs outside tmux on each host (Rescue): a Not protected block under the host, above its sessions. */
  rescue: ReadonlyMap<string, RescueScan> = new Map(),
): SidebarRow[] {
  const rows: SidebarRow[] = [];
  for (const host of hosts) {
    rows.push({ kind: 'host', key: `h:${host.id}`, host });
    const s = expanded.has(host.id) ? sessions.get(host.id) : undefined;
    const status = statusRow(host);
    // The error box below says the same at length, with its own Try again: a failed host then needs no status
    // row at all, and a reconnecting one only names the state (attempt, countdown).
    if (status && !(s?.error && status.failed)) rows.push({ kind: 'status', key: `st:${host.id}`, host, ...(s?.error || !status.detail ? {} : { detail: status.detail }) });
    // Not protected comes first under its host, above the sessions: a long list of sessions never hides it.
    const scan = rescue.get(host.id);
    if (scan && (scan.processes.length > 0 || scan.gone.length > 0)) rows.push({ kind: 'rescue', key: `r:${host.id}`, host, scan });
    if (!expanded.has(host.id)) continue;
    if (s?.error) rows.push({ kind: 'error', key: `e:${host.id}`, host, error: s.error });
    if (s?.loading && !s.sessions) rows.push({ kind: 'loading', key: `l:${host.id}`, host });
    if (s?.sessions) {
      if (s.sessions.length === 0) rows.push({ kind: 'empty', key: `n:${host.id}`, host });
      for (const session of s.sessions) rows.push({ kind: 'session', key: `s:${host.id}:${session.id}`, host, session });
    }
    // Without a listing, New session would fail the same way; the error box's Try again is the one action.
    if (s && !s.loading && !(s.error && !s.sessions)) rows.push({ kind: 'actions', key: `a:${host.id}`, host });
  }
  return rows;
}

/** offsets[i] is the top of row i; offsets[rows.length] is the total height. */
export function rowOffsets(rows: readonly SidebarRow[], heightOf: (row: SidebarRow) => number = estimateRowHeight): number[] {
  const offsets = new Array<number>(rows.length + 1);
  let y = 0;
  for (let i = 0; i < rows.length; i++) {
    offsets[i] = y;
    y += heightOf(rows[i]!);
  }
  offsets[rows.length] = y;
  return offsets;
}

/** The rows [start, end) that intersect the viewport, plus `overscan` rows either side. */
/**
 * A list this long or shorter is drawn whole: every row is in the page, so the browser's Find, a screen reader and a
 * test find a session that is scrolled out of sight. Only a longer one (hundreds of hosts and sessions) is windowed.
 */
export const RENDER_ALL_ROWS_UP_TO = 200;

export function visibleRange(offsets: readonly number[], scrollTop: number, viewportHeight: number, overscan = 6, renderAllUpTo = RENDER_ALL_ROWS_UP_TO): { start: number; end: number } {
  const count = offsets.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  if (count <= renderAllUpTo) return { start: 0, end: count };
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
