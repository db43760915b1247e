// Move into tmux / Resume in tmux: what stands in the way, and the exact command before it runs.
import { useState } from 'react';
import type { HostProfile, RescueAction, RescuePlan } from '../../../shared/model';
import { ErrorBox, Modal, Spinner, toErrorData } from './common';

export function RescueDialog({
  host,
  action,
  plan,
  onRun,
  onCancel,
  onResume,
}: {
  host: HostProfile;
  action: RescueAction;
  plan: RescuePlan;
  onRun(): Promise<void>;
  onCancel(): void;
  /** When moving cannot work: offer to resume the agent instead. */
  onResume?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ReturnType<typeof toErrorData>>();
  const title = action.kind === 'move' ? 'Move into tmux' : 'Resume in tmux';
  return (
    <Modal title={title} ariaLabel={title} onCancel={onCancel} className="modal-wide" testId="rescue-dialog">
      <div className="modal-body">
        {plan.ok ? (
          <p>
            {action.kind === 'move'
              ? `A new tmux session “${plan.sessionName}” on ${host.name} takes the running program over with reptyr, with its state: closing the old SSH connection then leaves it running.`
              : `A new tmux session “${plan.sessionName}” on ${host.name} runs the agent's resume command in its directory.`}
          </p>
        ) : (
          <div role="alert" data-testid="rescue-problems">
            <p>{action.kind === 'move' ? 'It cannot be moved:' : 'It cannot be resumed:'}</p>
            <ul>
              {plan.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        {plan.hint && (
          <p className="small">
            <span className="muted">Hint: </span>
            <span className="mono" data-testid="rescue-hint">
              {plan.hint}
            </span>
          </p>
        )}
        {plan.command && (
          <>
            <div className="muted small">The command that runs on the server:</div>
            <pre className="command-output" data-testid="rescue-command">{plan.command}</pre>
          </>
        )}
        {error && <ErrorBox error={error} />}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        {!plan.ok && onResume && (
          <button type="button" className="btn" onClick={onResume}>
            Resume in tmux
          </button>
        )}
        <button
          type="button"
          className="btn btn-primary"
          disabled={!plan.ok || busy}
          onClick={() => {
            setBusy(true);
            onRun().catch((err: unknown) => {
              setError(toErrorData(err));
              setBusy(false);
            });
          }}
        >
          {busy && <Spinner />}
          {title}
        </button>
      </div>
    </Modal>
  );
}
