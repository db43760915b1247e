// The Needs you panel: every pane that waits for its user, on any connected host, open in a tab or not — where, how
// long (and how long the session waited today), the whole prompt as the screen shows it (the command, the file and
// its diff: what an answer approves, collapsed past a few lines, never hidden), a button per choice, and Open. Items
// of a host that reconnects stay, marked as not current, and cannot be answered until read again. The panel folds to
// its header and count, so that the hosts below stay in view.
import { useState } from 'react';
import type { NeedsItem, SessionMarks } from '../../../shared/model';
import { collapseRegion, displayRegion, formatDuration, formatWaited, isFrameRow, waitedToday } from '../model/format';
import { useNow } from './common';

const COLLAPSED_KEY = 'holdfast.needs.collapsed';

function storedCollapsed(): boolean {
  try {
    return localStorage.getItem(COLLAPSED_KEY) === '1';
  } catch {
    return false;
  }
}

export function NeedsPanel({
  items,
  marks,
  notifications,
  onAnswer,
  onOpen,
  onAllowNotifications,
  offline,
}: {
  items: readonly NeedsItem[];
  /** Why nothing can be answered from this view now (its connection to Holdfast is gone), if so. */
  offline?: string;
  /** Each session's marks ("hostId sessionId"), for its waiting time today. */
  marks?: ReadonlyMap<string, SessionMarks>;
  /** The browser's permission for notifications, when it has to be asked ('default'); undefined otherwise. */
  notifications?: 'default' | 'denied';
  onAnswer(item: NeedsItem, choice: number): Promise<void>;
  onOpen(item: NeedsItem): void;
  onAllowNotifications?(): void;
}) {
  const now = useNow(1000);
  const [collapsed, setCollapsed] = useState(storedCollapsed);
  if (items.length === 0) return null;
  const toggle = () => {
    setCollapsed((c) => {
      try {
        localStorage.setItem(COLLAPSED_KEY, c ? '0' : '1');
      } catch {
        // Not kept: fine.
      }
      return !c;
    });
  };
  return (
    <section className={`needs ${collapsed ? 'is-collapsed' : ''}`} aria-label="Needs you" data-testid="needs-panel">
      <div className="needs-header">
        <button type="button" className="needs-toggle" aria-expanded={!collapsed} onClick={toggle} title={collapsed ? 'Show the prompts' : 'Fold to the count'}>
          <span className={`chevron ${collapsed ? '' : 'open'}`} aria-hidden="true" />
          <span className="needs-title">Needs you</span>
          <span className="needs-count" data-testid="needs-count">
            {items.length}
          </span>
        </button>
        {notifications === 'default' && onAllowNotifications && (
          <button type="button" className="btn btn-small btn-ghost needs-allow" onClick={onAllowNotifications}>
            Allow notifications
          </button>
        )}
      </div>
      {!collapsed && (
        <ul className="needs-list">
          {items.map((item) => (
            <NeedsRow
              key={`${item.id} ${item.fingerprint}`}
              item={item}
              now={now}
              today={waitedToday(marks?.get(`${item.hostId} ${item.sessionId}`)?.waitedTodayMs ?? 0, items.filter((i) => i.hostId === item.hostId && i.sessionId === item.sessionId).map((i) => i.since), now)}
              onAnswer={onAnswer}
              onOpen={onOpen}
              offline={offline}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function NeedsRow({
  item,
  now,
  today,
  onAnswer,
  onOpen,
  offline,
}: {
  item: NeedsItem;
  now: number;
  today: number;
  onAnswer(item: NeedsItem, choice: number): Promise<void>;
  onOpen(item: NeedsItem): void;
  offline: string | undefined;
}) {
  // One answer per item: a button works once, and the others wait for it.
  const [sending, setSending] = useState<number>();
  const answerable = item.current && offline === undefined;
  const answer = (choice: number) => {
    if (sending !== undefined || !answerable) return;
    setSending(choice);
    onAnswer(item, choice).finally(() => setSending(undefined));
  };
  return (
    <li className={`needs-item ${item.current ? '' : 'is-stale'}`} data-testid="needs-item" data-item-id={item.id} data-pattern={item.pattern} data-current={item.current} data-since={item.since}>
      <button type="button" className="needs-where" onClick={() => onOpen(item)} title={`Open ${item.sessionName} on ${item.hostName}`}>
        <span className="needs-session">{item.sessionName}</span>
        <span className="needs-sub">
          {item.hostName} · {item.windowIndex}:{item.windowName} · {formatWaited(now - item.since)}
          <span className="needs-today" data-testid="needs-today">
            {' '}
            · {formatDuration(today)} today
          </span>
        </span>
      </button>
      {offline !== undefined ? (
        <div className="needs-stale" data-testid="needs-stale">
          {offline}
        </div>
      ) : (
        !item.current && (
          <div className="needs-stale" data-testid="needs-stale">
            Reconnecting: shown as it was, not current. It can be answered once the host is read again.
          </div>
        )
      )}
      <PromptRegion lines={item.lines} />
      <div className="needs-choices">
        {item.choices.map((choice, i) => (
          <button key={i} type="button" className={`btn btn-small ${i === 0 ? 'btn-primary' : ''}`} disabled={sending !== undefined || !answerable} onClick={() => answer(i)}>
            {choice.label}
          </button>
        ))}
        <button type="button" className="btn btn-small btn-ghost" onClick={() => onOpen(item)}>
          Open
        </button>
      </div>
    </li>
  );
}

/** The prompt as the screen shows it; a long one shows its first and last lines and how many more, one click away. */
export function PromptRegion({ lines }: { lines: readonly string[] }) {
  const [expanded, setExpanded] = useState(false);
  const shown = displayRegion(lines);
  const { head, hidden, tail } = collapseRegion(shown);
  return (
    <div className="needs-region" data-testid="needs-region">
      <RegionLines lines={expanded || hidden === 0 ? shown : head} />
      {hidden > 0 && (
        <button type="button" className="needs-more" aria-expanded={expanded} onClick={() => setExpanded((e) => !e)}>
          {expanded ? 'Show less' : `⋯ ${hidden} more line${hidden === 1 ? '' : 's'} (show all)`}
        </button>
      )}
      {!expanded && hidden > 0 && <RegionLines lines={tail} />}
    </div>
  );
}

/** Rows of words wrap (nothing of a command is ever out of sight); rows of box-drawing are cut at the panel's edge. */
function RegionLines({ lines }: { lines: readonly string[] }) {
  return (
    <div className="needs-lines">
      {lines.map((line, i) => (
        <div key={i} className={isFrameRow(line) ? 'needs-line is-frame' : 'needs-line'}>
          {line || '\u00a0'}
        </div>
      ))}
    </div>
  );
}
