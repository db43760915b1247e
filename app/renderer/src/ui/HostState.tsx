// The one way a host's state (or any failure of it) is drawn: a dot or a spinner, a label, one sentence, the full
// text one click away, and the actions that help as buttons right there. The sidebar and the pane overlay both use
// it, so the same state never looks different in two places.
import { useState } from 'react';
import type { HostAction, IHostStateView } from '../model/hostState';
import { Spinner } from './common';

export interface IHostActionHandlers {
  onRetry(): void;
  onReplaceKey(): void;
  onEditHost(): void;
}

const ACTION_LABEL: Record<HostAction, string> = {
  retry: 'Retry now',
  'replace-key': 'Replace stored key',
  'edit-host': 'Edit host',
};

export function HostStateCard({
  view,
  title,
  handlers,
  compact,
  hideActions,
  testId,
}: {
  view: IHostStateView;
  /** What the card is about, e.g. "Reconnecting to build box"; the view's label when absent. */
  title?: string;
  handlers: IHostActionHandlers;
  /** The sidebar's narrow form: smaller type, details collapsed. */
  compact?: boolean;
  /** Actions shown elsewhere already (one button per place). */
  hideActions?: ReadonlySet<HostAction>;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const actions = view.actions.filter((a) => !hideActions?.has(a));
  const run = (action: HostAction) => (action === 'retry' ? handlers.onRetry() : action === 'replace-key' ? handlers.onReplaceKey() : handlers.onEditHost());
  return (
    <div
      className={`host-state tone-${view.tone} ${compact ? 'compact' : ''}`}
      role={view.kind === 'failed' ? 'alert' : 'status'}
      data-testid={testId ?? 'host-state'}
      data-state={view.kind}
    >
      <div className="host-state-title">
        {view.busy ? <Spinner /> : <span className={`status-dot tone-${view.tone}`} aria-hidden="true" />}
        <span>{title ?? view.label}</span>
      </div>
      {title && <div className="host-state-label">{view.label}</div>}
      {view.summary && <div className="host-state-summary">{view.summary}</div>}
      {view.detail && (
        <>
          <button type="button" className="link-btn" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            {open ? 'Hide details' : 'Details'}
          </button>
          {open && <div className="host-state-detail">{view.detail}</div>}
        </>
      )}
      {actions.length > 0 && (
        <div className="host-state-actions">
          {actions.map((action, i) => (
            <button
              key={action}
              type="button"
              className={`btn ${compact ? 'btn-small' : ''} ${action === 'replace-key' ? 'btn-danger' : i === actions.length - 1 ? 'btn-primary' : ''}`}
              onClick={() => run(action)}
            >
              {ACTION_LABEL[action]}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
