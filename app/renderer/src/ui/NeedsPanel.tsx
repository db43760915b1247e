// The Needs you panel: every pane that waits for its user, on any connected host, open in a tab or not — where,
// how long, the prompt's own lines, a button per choice, and Open. Items come and go with core's list.
import { useState } from 'react';
import type { NeedsItem } from '../../../shared/model';
import { formatWaited } from '../model/format';
import { useNow } from './common';

export function NeedsPanel({
  items,
  notifications,
  onAnswer,
  onOpen,
  onAllowNotifications,
}: {
  items: readonly NeedsItem[];
  /** The browser's permission for notifications, when it has to be asked ('default'); undefined otherwise. */
  notifications?: 'default' | 'denied';
  onAnswer(item: NeedsItem, choice: number): Promise<void>;
  onOpen(item: NeedsItem): void;
  onAllowNotifications?(): void;
}) {
  const now = useNow(1000);
  if (items.length === 0) return null;
  return (
    <section className="needs" aria-label="Needs you" data-testid="needs-panel">
      <div className="needs-header">
        <span className="needs-title">Needs you</span>
        {items.length > 0 && <span className="needs-count" data-testid="needs-count">{items.length}</span>}
        {notifications === 'default' && onAllowNotifications && (
          <button type="button" className="btn btn-small btn-ghost needs-allow" onClick={onAllowNotifications}>
            Allow notifications
          </button>
        )}
      </div>
      {items.length > 0 && (
        <ul className="needs-list">
          {items.map((item) => (
            <NeedsRow key={`${item.id} ${item.fingerprint}`} item={item} now={now} onAnswer={onAnswer} onOpen={onOpen} />
          ))}
        </ul>
      )}
    </section>
  );
}

function NeedsRow({ item, now, onAnswer, onOpen }: { item: NeedsItem; now: number; onAnswer(item: NeedsItem, choice: number): Promise<void>; onOpen(item: NeedsItem): void }) {
  // One answer per item: a button works once, and the others wait for it.
  const [sending, setSending] = useState<number>();
  const answer = (choice: number) => {
    if (sending !== undefined) return;
    setSending(choice);
    onAnswer(item, choice).finally(() => setSending(undefined));
  };
  const body = item.lines.filter((l) => l !== item.question).slice(-6);
  return (
    <li className="needs-item" data-testid="needs-item" data-item-id={item.id} data-pattern={item.pattern}>
      <button type="button" className="needs-where" onClick={() => onOpen(item)} title={`Open ${item.sessionName} on ${item.hostName}`}>
        <span className="needs-session">{item.sessionName}</span>
        <span className="needs-sub">
          {item.hostName} · {item.windowIndex}:{item.windowName} · {formatWaited(now - item.since)}
        </span>
      </button>
      <div className="needs-question">{item.question}</div>
      {body.length > 0 && item.choices.length === 0 && (
        <pre className="needs-lines">{body.join('\n')}</pre>
      )}
      <div className="needs-choices">
        {item.choices.map((choice, i) => (
          <button key={i} type="button" className={`btn btn-small ${i === 0 ? 'btn-primary' : ''}`} disabled={sending !== undefined} onClick={() => answer(i)}>
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
