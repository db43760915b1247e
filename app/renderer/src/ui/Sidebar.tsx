// The host list: filter, virtualized rows (hosts, their status, their tmux sessions), per-host actions.
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { HostProfile, HostStatus, RescueAction, RescueScan, SessionMarks, TmuxSession } from '../../../shared/model';
import { filterHosts, formatDuration, hostAddress, sessionSummary, waitedToday } from '../model/format';
import { describeHost, sessionsAreLive, type HostAction } from '../model/hostState';
import { buildRows, RowHeights, visibleRange, type IHostSessions, type SidebarRow } from '../model/rows';
import { Spinner, useNow } from './common';
import { HostStateCard } from './HostState';

/** What the sidebar offers; an action left out is not this view's to do (a paired device's view has fewer). */
export interface ISidebarActions {
  onAddHost?(): void;
  onImport?(): void;
  onToggleHost(host: HostProfile): void;
  onRefreshSessions(host: HostProfile): void;
  onEditHost?(host: HostProfile): void;
  onDuplicateHost?(host: HostProfile): void;
  onDeleteHost?(host: HostProfile): void;
  onRetryNow(host: HostProfile): void;
  onReplaceHostKey?(host: HostProfile): void;
  onOpenSession(host: HostProfile, session: TmuxSession): void;
  onNewSession?(host: HostProfile): void;
  onOpenSettings?(): void;
  onOpenShortcuts(): void;
  /** The Timeline: prompts that waited and answers given. */
  onOpenTimeline?(): void;
  onPairDevice?(): void;
  /** Move into tmux (reptyr) or Resume in tmux, for a program the host runs outside tmux. */
  onRescue?(host: HostProfile, action: RescueAction): void;
  /** The session's last lines, for a preview on hover (capture-pane, no attach). */
  onPreview?(host: HostProfile, session: TmuxSession): Promise<string[]>;
  /** Notifications for the session: as usual, none (mute), or also when it goes quiet after activity (watch). */
  onSetAlert?(host: HostProfile, session: TmuxSession, alert: 'mute' | 'watch' | undefined): void;
}

/** What the sidebar shows above the hosts (the Needs you panel) and on each session (its marks, its alerts). */
export interface ISidebarExtras {
  top?: ReactNode;
  /** The desktop's own view: Pair a device is offered. */
  canPair?: boolean;
  /** This view is a paired device. */
  device?: { name: string; viewOnly: boolean };
  /** By "hostId sessionId". */
  marks?: ReadonlyMap<string, SessionMarks>;
  /** By "hostId/sessionName". */
  alerts?: Readonly<Record<string, 'mute' | 'watch'>>;
  /** Programs outside tmux, by host. */
  rescue?: ReadonlyMap<string, RescueScan>;
  /** When each session's waiting prompts began, by "hostId sessionId" (for its waiting time today). */
  waits?: ReadonlyMap<string, readonly number[]>;
}

export function Sidebar({
  hosts,
  statuses,
  expanded,
  sessions,
  hideRetryFor,
  busyHosts,
  loaded,
  actions,
  extras = {},
}: {
  hosts: readonly HostProfile[];
  statuses: ReadonlyMap<string, HostStatus>;
  expanded: ReadonlySet<string>;
  sessions: ReadonlyMap<string, IHostSessions>;
  /** Hosts whose Retry now is shown on the visible pane instead (one button per place). */
  hideRetryFor: ReadonlySet<string>;
  busyHosts: ReadonlySet<string>;
  loaded: boolean;
  actions: ISidebarActions;
  extras?: ISidebarExtras;
}) {
  const [query, setQuery] = useState('');
  const now = useNow(1000);
  const filtered = useMemo(() => filterHosts(hosts, query), [hosts, query]);
  const rows = useMemo(
    () =>
      buildRows(filtered, expanded, sessions, (host) => {
        const view = describeHost(statuses.get(host.id), 0);
        if (view.kind === 'idle' || view.kind === 'connected' || view.kind === 'connecting') return undefined;
        return { failed: view.kind === 'failed', ...(view.detail ? { detail: view.detail } : {}) };
      }, extras.rescue),
    [filtered, expanded, sessions, statuses, extras.rescue],
  );

  // Rows wrap (error boxes, status details), so their heights are measured as rendered; a change moves the
  // offsets of every row below it.
  const heights = useMemo(() => new RowHeights(), []);
  const [measureVersion, setMeasureVersion] = useState(0);
  const slotObserver = useMemo(
    () =>
      new ResizeObserver((entries) => {
        let changed = false;
        for (const entry of entries) {
          const key = (entry.target as HTMLElement).dataset.rowKey;
          const height = entry.borderBoxSize?.[0]?.blockSize ?? (entry.target as HTMLElement).offsetHeight;
          if (key && heights.measure(key, height)) changed = true;
        }
        if (changed) setMeasureVersion((v) => v + 1);
      }),
    [heights],
  );
  useEffect(() => () => slotObserver.disconnect(), [slotObserver]);
  useEffect(() => heights.retain(rows), [heights, rows]);
  // measureVersion is how the offsets learn that a measured height changed.
  const offsets = useMemo(() => heights.offsets(rows), [heights, rows, measureVersion]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    // A shorter list (filtering) can leave the scroll position past its end.
    const el = scrollRef.current;
    if (el && el.scrollTop !== scrollTop) setScrollTop(el.scrollTop);
  }, [rows, scrollTop]);

  const { start, end } = visibleRange(offsets, scrollTop, viewport);
  const visible = rows.slice(start, end);

  return (
    <aside className="sidebar" aria-label="Sidebar">
      <div className="sidebar-header">
        <span className="sidebar-title">Hosts</span>
        <span className="sidebar-header-actions">
          {extras.device && (
            <span className="device-chip" title={`This is the paired device “${extras.device.name}”`}>
              {extras.device.viewOnly ? 'view only' : extras.device.name}
            </span>
          )}
          {extras.canPair && actions.onPairDevice && (
            <button type="button" className="icon-btn" aria-label="Pair a device" title="Pair a device (a phone, a tablet)" onClick={actions.onPairDevice}>
              <svg viewBox="0 0 16 16" aria-hidden="true" className="icon">
                <rect x="4.5" y="1.5" width="7" height="13" rx="1.5" />
                <path d="M7 12.5h2" />
              </svg>
            </button>
          )}
          {actions.onOpenTimeline && (
            <button type="button" className="icon-btn" aria-label="Timeline" title="Timeline: prompts that waited and answers given" onClick={actions.onOpenTimeline} data-testid="open-timeline">
              <svg viewBox="0 0 16 16" aria-hidden="true" className="icon">
                <circle cx="8" cy="8" r="6" />
                <path d="M8 4.5V8l2.5 1.5" />
              </svg>
            </button>
          )}
          <button type="button" className="icon-btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts" onClick={actions.onOpenShortcuts}>
            ?
          </button>
          {actions.onOpenSettings && (
          <button type="button" className="icon-btn" aria-label="Settings" title="Settings" onClick={actions.onOpenSettings}>
            <svg viewBox="0 0 16 16" aria-hidden="true" className="icon">
              <path d="M13.27 6.84 L14.94 7.10 L14.94 8.90 L13.27 9.16 L12.55 10.91 L13.55 12.27 L12.27 13.55 L10.91 12.55 L9.16 13.27 L8.90 14.94 L7.10 14.94 L6.84 13.27 L5.09 12.55 L3.73 13.55 L2.45 12.27 L3.45 10.91 L2.73 9.16 L1.06 8.90 L1.06 7.10 L2.73 6.84 L3.45 5.09 L2.45 3.73 L3.73 2.45 L5.09 3.45 L6.84 2.73 L7.10 1.06 L8.90 1.06 L9.16 2.73 L10.91 3.45 L12.27 2.45 L13.55 3.73 L12.55 5.09 Z" />
              <circle cx="8" cy="8" r="2.3" />
            </svg>
          </button>
          )}
          {actions.onAddHost && (
            <button type="button" className="btn btn-primary btn-small" onClick={actions.onAddHost}>
              Add host
            </button>
          )}
        </span>
      </div>
      <div className="sidebar-filter">
        <input type="search" aria-label="Filter" placeholder="Filter hosts" value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />
      </div>
      {extras.top}
      <div
        className="sidebar-scroll"
        ref={scrollRef}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        data-testid="host-list"
        // The hosts keep at least 40% of the sidebar (or all they need, if less) beside Needs you.
        style={{ minHeight: `min(40%, ${Math.max(48, offsets[rows.length] ?? 0)}px)` }}
      >
        {loaded && hosts.length === 0 && (
          <div className="sidebar-empty">
            <p>No hosts yet.</p>
            <p className="muted">Add a host, or import the ones in your ~/.ssh/config.</p>
          </div>
        )}
        {hosts.length > 0 && filtered.length === 0 && <div className="sidebar-empty muted">No host matches “{query}”.</div>}
        {!loaded && (
          <div className="sidebar-empty muted">
            <Spinner /> Loading…
          </div>
        )}
        <div className="sidebar-rows" style={{ height: offsets[rows.length] ?? 0 }}>
          {visible.map((row, i) => (
            <RowSlot key={row.key} rowKey={row.key} top={offsets[start + i] ?? 0} observer={slotObserver}>
              <Row
                row={row}
                status={statuses.get(row.host.id)}
                expanded={expanded.has(row.host.id)}
                busy={busyHosts.has(row.host.id)}
                hideRetry={hideRetryFor.has(row.host.id)}
                now={row.kind === 'status' || row.kind === 'session' ? now : 0}
                actions={actions}
                marks={row.kind === 'session' ? extras.marks?.get(`${row.host.id} ${row.session.id}`) : undefined}
                waitedTodayMs={
                  row.kind === 'session'
                    ? waitedToday(extras.marks?.get(`${row.host.id} ${row.session.id}`)?.waitedTodayMs ?? 0, extras.waits?.get(`${row.host.id} ${row.session.id}`) ?? [], now)
                    : 0
                }
                alert={row.kind === 'session' ? extras.alerts?.[`${row.host.id}/${row.session.name}`] : undefined}
              />
            </RowSlot>
          ))}
        </div>
      </div>
      {/* On a paired device "~/.ssh/config" would be the computer's, not the device's: imports are made there. */}
      {!extras.device && (
        <div className="sidebar-footer">
          <button type="button" className="btn btn-ghost btn-block" onClick={actions.onImport}>
            Import from ~/.ssh/config
          </button>
        </div>
      )}
    </aside>
  );
}

/** A positioned row whose rendered height is reported to the list's ResizeObserver while it is on screen. */
function RowSlot({ rowKey, top, observer, children }: { rowKey: string; top: number; observer: ResizeObserver; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current!;
    observer.observe(el);
    return () => observer.unobserve(el);
  }, [observer]);
  return (
    <div ref={ref} data-row-key={rowKey} className="row-slot" style={{ top }}>
      {children}
    </div>
  );
}

const Row = memo(function Row({
  row,
  status,
  expanded,
  busy,
  hideRetry,
  now,
  actions,
  marks,
  alert,
  waitedTodayMs,
}: {
  row: SidebarRow;
  status: HostStatus | undefined;
  expanded: boolean;
  busy: boolean;
  hideRetry: boolean;
  now: number;
  actions: ISidebarActions;
  marks?: SessionMarks;
  alert?: 'mute' | 'watch';
  waitedTodayMs: number;
}) {
  const host = row.host;
  switch (row.kind) {
    case 'host': {
      const view = describeHost(status, now);
      return (
        <div className={`host-row ${expanded ? 'is-expanded' : ''}`} data-testid="host-row" data-host-id={host.id} data-host-name={host.name}>
          <button type="button" className="host-main" aria-expanded={expanded} onClick={() => actions.onToggleHost(host)} title={`${host.name} — ${hostAddress(host)}`}>
            <span className={`chevron ${expanded ? 'open' : ''}`} aria-hidden="true" />
            <span className={`status-dot tone-${view.tone}`} aria-hidden="true" title={view.label} />
            <span className="host-text">
              <span className="host-name">{host.name}</span>
              <span className="host-sub">
                {hostAddress(host)}
                {host.tags.length > 0 && <span className="host-tags"> · {host.tags.join(' ')}</span>}
              </span>
            </span>
            {busy && <Spinner />}
          </button>
          <span className="host-actions">
            {actions.onEditHost && (
              <button type="button" className="icon-btn" aria-label={`Edit ${host.name}`} title="Edit this profile" onClick={() => actions.onEditHost?.(host)}>
                <svg viewBox="0 0 16 16" aria-hidden="true">
                  <path d="M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z" />
                </svg>
              </button>
            )}
            {actions.onDuplicateHost && (
              <button type="button" className="icon-btn" aria-label={`Duplicate ${host.name}`} title="Duplicate this profile" onClick={() => actions.onDuplicateHost?.(host)}>
                <svg viewBox="0 0 16 16" aria-hidden="true">
                  <rect x="5" y="5" width="8.5" height="8.5" rx="1.5" />
                  <path d="M3 10.5V3.5A1 1 0 0 1 4 2.5h6.5" />
                </svg>
              </button>
            )}
            {actions.onDeleteHost && (
              <button type="button" className="icon-btn danger" aria-label={`Delete ${host.name}`} title="Delete this profile" onClick={() => actions.onDeleteHost?.(host)}>
                <svg viewBox="0 0 16 16" aria-hidden="true">
                  <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9" />
                </svg>
              </button>
            )}
          </span>
        </div>
      );
    }
    case 'status': {
      const view = describeHost(status, now);
      return (
        <div className="host-status-row" data-testid="host-status" data-host-id={host.id}>
          <HostStateCard
            compact
            view={view}
            handlers={{ onRetry: () => actions.onRetryNow(host), onReplaceKey: () => actions.onReplaceHostKey?.(host), onEditHost: () => actions.onEditHost?.(host) }}
            hideActions={hiddenHostActions(actions, hideRetry)}
          />
        </div>
      );
    }
    case 'loading':
      return (
        <div className="session-note muted">
          <Spinner /> Connecting and listing sessions…
        </div>
      );
    case 'error': {
      // The listing failed: the same card as any failure of the host, with the same verb.
      const view = describeHost({ hostId: host.id, state: 'failed', error: row.error }, now);
      return (
        <div className="session-error" data-testid="sessions-error" data-host-id={host.id} data-error-code={row.error.code}>
          <HostStateCard
            compact
            view={view}
            handlers={{ onRetry: () => actions.onRefreshSessions(host), onReplaceKey: () => actions.onReplaceHostKey?.(host), onEditHost: () => actions.onEditHost?.(host) }}
            hideActions={hiddenHostActions(actions, false)}
          />
        </div>
      );
    }
    case 'empty':
      return <div className="session-note muted">No tmux sessions on this host yet.</div>;
    case 'session': {
      // While the host is not connected the row shows what was last seen, and says so: no green "attached".
      const live = sessionsAreLive(status);
      const mark = live && marks ? (marks.waiting ? 'waiting' : marks.bell ? 'bell' : marks.activity ? 'activity' : undefined) : undefined;
      return (
        <SessionRow
          host={host}
          session={row.session}
          live={live}
          now={now}
          mark={mark}
          alert={alert}
          waitedTodayMs={waitedTodayMs}
          actions={actions}
        />
      );
    }
    case 'rescue':
      return <RescueBlock host={host} scan={row.scan} actions={actions} />;
    case 'actions':
      return (
        <div className="session-actions">
          {actions.onNewSession && (
            <button type="button" className="btn btn-small" onClick={() => actions.onNewSession?.(host)}>
              New session
            </button>
          )}
          <button type="button" className="btn btn-small btn-ghost" onClick={() => actions.onRefreshSessions(host)} disabled={busy}>
            Refresh
          </button>
        </div>
      );
  }
});

const MARK_LABELS = { waiting: 'waits for you', bell: 'rang the bell', activity: 'new output since you looked' } as const;
const NEXT_ALERT: Record<string, 'mute' | 'watch' | undefined> = { none: 'mute', mute: 'watch', watch: undefined };

/** A session: attach on click, its mark, a preview of its last lines on hover, and its notification choice. */
function SessionRow({
  host,
  session,
  live,
  now,
  mark,
  alert,
  waitedTodayMs,
  actions,
}: {
  host: HostProfile;
  session: TmuxSession;
  live: boolean;
  now: number;
  mark: keyof typeof MARK_LABELS | undefined;
  alert: 'mute' | 'watch' | undefined;
  /** How long its prompts waited for the user today. */
  waitedTodayMs: number;
  actions: ISidebarActions;
}) {
  const [preview, setPreview] = useState<string[]>();
  const hover = useRef<ReturnType<typeof setTimeout>>(undefined);
  const startPreview = () => {
    if (!live || !actions.onPreview) return;
    clearTimeout(hover.current);
    // A short wait: moving the mouse across the list reads nothing.
    hover.current = setTimeout(() => {
      actions.onPreview!(host, session).then(setPreview, () => setPreview(undefined));
    }, 400);
  };
  const endPreview = () => {
    clearTimeout(hover.current);
    setPreview(undefined);
  };
  useEffect(() => () => clearTimeout(hover.current), []);
  const alertLabel = alert === 'mute' ? 'Muted' : alert === 'watch' ? 'Watching for quiet' : 'Notifications on';
  return (
    <div className="session-row-wrap" onMouseEnter={startPreview} onMouseLeave={endPreview}>
      <button
        type="button"
        className={`session-row ${live ? '' : 'is-stale'}`}
        data-testid="session-row"
        data-host-id={host.id}
        data-session-name={session.name}
        data-live={live}
        data-mark={mark ?? ''}
        onClick={() => actions.onOpenSession(host, session)}
        title={live ? `Attach to ${session.name}${mark ? ` (${MARK_LABELS[mark]})` : ''}` : `Attach to ${session.name} (as last seen: Holdfast is not connected to ${host.name} now)`}
      >
        <span className={`session-dot ${live && session.attachedClients > 0 ? 'attached' : ''}`} aria-hidden="true" />
        <span className="session-text">
          <span className="session-name">{session.name}</span>
          <span className="session-sub">{live ? sessionSummary(session, now) : `${sessionSummary(session, now)} · as last seen`}</span>
        </span>
        {waitedTodayMs >= 1000 && (
          <span className="session-waited" data-testid="session-waited" title={`Its prompts waited for you ${formatDuration(waitedTodayMs)} today`}>
            {formatDuration(waitedTodayMs)} today
          </span>
        )}
        {mark && <span className={`session-mark mark-${mark}`} data-testid="session-mark" aria-label={MARK_LABELS[mark]} />}
      </button>
      {actions.onSetAlert && live && (
        <button
          type="button"
          className={`icon-btn session-alert ${alert ? `is-${alert}` : ''}`}
          aria-label={`Notifications for ${session.name}: ${alertLabel}`}
          title={`${alertLabel} — click for ${NEXT_ALERT[alert ?? 'none'] === 'mute' ? 'mute' : NEXT_ALERT[alert ?? 'none'] === 'watch' ? 'watch for quiet after activity' : 'notifications on'}`}
          onClick={() => actions.onSetAlert!(host, session, NEXT_ALERT[alert ?? 'none'])}
        >
          <BellIcon alert={alert} />
        </button>
      )}
      {preview && (
        <div className="session-preview" role="tooltip" data-testid="session-preview">
          {preview.map((line, i) => (
            <div key={i}>{line || ' '}</div>
          ))}
        </div>
      )}
    </div>
  );
}

/** The session's notification choice: a bell, struck through when muted, with an eye when watched. */
function BellIcon({ alert }: { alert: 'mute' | 'watch' | undefined }) {
  return (
    <svg viewBox="0 0 16 16" aria-hidden="true" className="icon">
      <path d="M4 11.5V7a4 4 0 0 1 8 0v4.5l1 1H3z" />
      <path d="M6.5 14h3" />
      {alert === 'mute' && <path d="M2.5 2.5l11 11" />}
      {alert === 'watch' && <circle cx="12.5" cy="3.5" r="2" className="icon-fill" />}
    </svg>
  );
}

function formatRunning(sec: number): string {
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min`;
  return `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} min`;
}

/** Not protected: the host's programs outside tmux, which the next drop would kill, and agents a drop killed. */
function RescueBlock({ host, scan, actions }: { host: HostProfile; scan: RescueScan; actions: ISidebarActions }) {
  return (
    <div className="rescue" data-testid="rescue" aria-label={`Not protected on ${host.name}`}>
      <div className="rescue-title" title="Running in a bare SSH terminal: the next dropped connection ends them.">
        Not protected
      </div>
      {scan.processes.map((p) => (
        <div key={p.pid} className="rescue-item" data-testid="rescue-item" data-pid={p.pid}>
          <div className="rescue-what">
            <span className="mono">{p.agent ?? p.command}</span> <span className="muted small">pid {p.pid} · {p.tty} · {formatRunning(p.elapsedSec)}</span>
            {p.cwd && <div className="muted small mono rescue-dir">{p.cwd}</div>}
          </div>
          <div className="rescue-actions">
            <button type="button" className="btn btn-small" onClick={() => actions.onRescue?.(host, { kind: 'move', pid: p.pid })}>
              Move into tmux
            </button>
            {p.agent && (
              <button type="button" className="btn btn-small btn-ghost" onClick={() => actions.onRescue?.(host, { kind: 'resume', agent: p.agent!, ...(p.cwd ? { cwd: p.cwd } : {}) })}>
                Resume in tmux
              </button>
            )}
          </div>
        </div>
      ))}
      {scan.gone.map((g) => (
        <div key={`${g.agent} ${g.cwd ?? ''}`} className="rescue-item is-gone" data-testid="rescue-gone">
          <div className="rescue-what">
            <span className="mono">{g.agent}</span> <span className="muted small">gone (was outside tmux)</span>
            {g.cwd && <div className="muted small mono rescue-dir">{g.cwd}</div>}
          </div>
          <div className="rescue-actions">
            <button type="button" className="btn btn-small" onClick={() => actions.onRescue?.(host, { kind: 'resume', agent: g.agent, ...(g.cwd ? { cwd: g.cwd } : {}) })}>
              Resume in tmux
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}


/** The host card's buttons this view does not offer (a paired device edits no profile and replaces no key). */
function hiddenHostActions(actions: ISidebarActions, hideRetry: boolean): Set<HostAction> | undefined {
  const hidden = new Set<HostAction>();
  if (hideRetry) hidden.add('retry');
  if (!actions.onReplaceHostKey) hidden.add('replace-key');
  if (!actions.onEditHost) hidden.add('edit-host');
  return hidden.size ? hidden : undefined;
}
