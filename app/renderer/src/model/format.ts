// Pure text for the UI: relative times, host status lines, host filtering. No DOM, so unit tests run in Node.
import type { HostProfile, TmuxSession } from '../../../shared/model';

/** "just now", "3 min ago", "2 h ago", "5 days ago"; future times (clock skew) read as "just now". */
export function relativeTime(thenMs: number, nowMs: number): string {
  const sec = Math.floor((nowMs - thenMs) / 1000);
  if (sec < 45) return 'just now';
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 60) return d === 1 ? 'yesterday' : `${d} days ago`;
  const mo = Math.round(d / 30);
  if (mo < 24) return `${mo} months ago`;
  return `${Math.round(d / 365)} years ago`;
}

/** Time to the next whole multiple of `intervalMs` (a few ms late, so the clock has surely passed it). */
export function msUntilNextTick(nowMs: number, intervalMs: number): number {
  return intervalMs - (nowMs % intervalMs) + 5;
}

/** Whole seconds until `atMs`, never negative. */
export function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((atMs - nowMs) / 1000));
}

/** "alice@example.com:2222" (the port only when it is not 22). */
export function hostAddress(h: Pick<HostProfile, 'user' | 'host' | 'port'>): string {
  return `${h.user}@${h.host}${h.port === 22 ? '' : `:${h.port}`}`;
}

/**
 * Hosts matching every word of the query in their name, address (user@host:port), or tags (case-insensitive).
 * A word "tag:x" matches tags only. Keeps the input order; returns the same array for an empty query.
 */
export function filterHosts<T extends Pick<HostProfile, 'name' | 'host' | 'user' | 'tags' | 'port'>>(hosts: readonly T[], query: string): readonly T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return hosts;
  return hosts.filter((h) => {
    // What the row shows ("user@host:port") can be typed as it is shown.
    const haystack = `${h.name}\n${hostAddress(h)}\n${h.host}:${h.port}\n${h.user}\n${h.tags.join('\n')}`.toLowerCase();
    return words.every((w) => {
      if (w.startsWith('tag:') && w.length > 4) {
        const t = w.slice(4);
        return h.tags.some((tag) => tag.toLowerCase().includes(t));
      }
      return haystack.includes(w);
    });
  });
}

/** Sorts hosts by name, the way people scan a list. */
export function sortHosts<T extends Pick<HostProfile, 'name'>>(hosts: readonly T[]): T[] {
  return [...hosts].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }));
}

export function sessionSummary(s: TmuxSession, nowMs: number): string {
  const windows = `${s.windows} ${s.windows === 1 ? 'window' : 'windows'}`;
  const attached = s.attachedClients === 0 ? 'detached' : s.attachedClients === 1 ? 'attached' : `attached ×${s.attachedClients}`;
  return `${windows} · ${attached} · ${relativeTime(s.lastActivity, nowMs)}`;
}

/** Tab titles: the session name, prefixed with the host's name when the same session name is open twice. */
export function tabTitles(tabs: readonly { id: string; hostName: string; sessionName: string }[]): Map<string, string> {
  const hostsOf = new Map<string, Set<string>>();
  for (const t of tabs) {
    let s = hostsOf.get(t.sessionName);
    if (!s) hostsOf.set(t.sessionName, (s = new Set()));
    s.add(t.hostName);
  }
  const titles = new Map<string, string>();
  for (const t of tabs) {
    const ambiguous = (hostsOf.get(t.sessionName)?.size ?? 0) > 1;
    titles.set(t.id, ambiguous ? `${t.hostName}: ${t.sessionName}` : t.sessionName);
  }
  return titles;
}

/** Splits "a, b  c" into tags. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const t of text.split(/[,\s]+/)) if (t) seen.add(t);
  return [...seen];
}

/** How long an item has waited: "waiting 12 s", "waiting 3 min", "waiting 1 h 5 min". */
export function formatWaited(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `waiting ${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `waiting ${m} min`;
  const h = Math.floor(m / 60);
  return `waiting ${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** The window title with the number of panes that wait: "(2) Holdfast". */
export function titleWithCount(base: string, waiting: number): string {
  return waiting > 0 ? `(${waiting}) ${base}` : base;
}

/** 45 s, 12 min, 1 h 5 min: a length of time, short. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** Local midnight of the day `now` falls in. */
export function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * A session's time spent waiting for its user today: what its prompts that ended waited (core's count) and, live,
 * what the ones still waiting have waited since midnight.
 */
export function waitedToday(endedMs: number, waitingSince: readonly number[], now: number): number {
  const midnight = startOfDay(now);
  return endedMs + waitingSince.reduce((sum, since) => sum + Math.max(0, now - Math.max(since, midnight)), 0);
}

const FRAME_ONLY = /^[\s│┃║|▌╭╰╮╯┌└┐┘─━═]+$/;

/** A row of nothing but box-drawing (a box's top or bottom, a rule). */
export function isFrameRow(line: string): boolean {
  return line.trim() !== '' && FRAME_ONLY.test(line);
}

/**
 * A prompt region for a narrow panel: the outer box a prompt is drawn in goes (its corners, its sides and the
 * padding inside them), the right side of a box inside it too, so that its words wrap; rules and box tops and
 * bottoms are cut to the width of the widest line of words. Only for showing: what is approved (and fingerprinted)
 * is the region exactly as the screen shows it.
 */
export function displayRegion(lines: readonly string[]): string[] {
  let rows = [...lines];
  const first = rows[0] ?? '';
  const last = rows[rows.length - 1] ?? '';
  const col = first.search(/\S/);
  if (rows.length >= 2 && col >= 0 && '╭┌╔┏'.includes(first[col]!) && '╰└╚┗'.includes(last[col] ?? '')) {
    rows = rows.slice(1, -1).map((l) => ('│┃║'.includes(l[col] ?? '') ? l.slice(col + 1).replace(/^ /, '') : l));
  }
  // The right sides go (a box inside keeps its left one, so its rows still read as a box); a lone side is a blank row.
  rows = rows.map((l) => (/^[\s│┃║]*$/.test(l) ? '' : isFrameRow(l) ? l.replace(/\s+$/, '') : l.replace(/(?:\s*[│┃║])+\s*$/, '')));
  const width = Math.max(8, ...rows.filter((l) => !isFrameRow(l)).map((l) => [...l].length));
  return rows.map((l) => {
    if (!isFrameRow(l)) return l;
    const chars = [...l];
    return chars.length > width ? chars.slice(0, width).join('') : l;
  });
}

/** What a collapsed region shows: its first and last lines, and how many are between (shown on demand). */
export function collapseRegion(lines: readonly string[], max = 10): { head: string[]; hidden: number; tail: string[] } {
  if (lines.length <= max) return { head: [...lines], hidden: 0, tail: [] };
  const tailCount = Math.floor(max / 3);
  const headCount = max - tailCount;
  return { head: lines.slice(0, headCount), hidden: lines.length - headCount - tailCount, tail: lines.slice(lines.length - tailCount) };
}
