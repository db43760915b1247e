// Move into tmux / Resume in tmux: what stands in the way, and the exact command before it runs. A program with
// children cannot be moved yet: the dialog says why, offers Resume in tmux, and can wait (visibly, until Cancel) to
// move it as soon as it runs alone.
import { useEffect, useState } from 'react';
import type { HostProfile, RescueAction, RescuePlan } from '../../../shared/model';
import { ErrorBox, Modal, Spinner, toErrorData } from './common';

/** How often a wait for the children to end asks again (one bounded check command on the server each time). */
const WAIT_POLL_MS = 1500;

const onlyChildrenInTheWay = (plan: RescuePlan) => !plan.ok && plan.problems.length === 0 && plan.children.length > 0;

export function RescueDialog({
  host,
  action,
  what,
  plan: firstPlan,
  replan,
  onRun,
  onCancel,
  onResume,
}: {
  host: HostProfile;
  action: RescueAction;
  /** The program, in words ("claude (pid 4242)"). */
  what: string;
  plan: RescuePlan;
  /** The checks again (nothing runs on the server but them). */
  replan(): Promise<RescuePlan>;
  /** Runs exactly this plan's command (rescue.run refuses, STALE, if it is no longer the command it would run). */
  onRun(plan: RescuePlan): Promise<void>;
  onCancel(): void;
  /** When moving cannot work (now): offer to resume the agent instead. */
  onResume?: () => void;
}) {
  const [plan, setPlan] = useState(firstPlan);
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState<ReturnType<typeof toErrorData>>();
  const [notice, setNotice] = useState<string>();
  const title = action.kind === 'move' ? 'Move into tmux' : 'Resume in tmux';

  // Waiting for the children to end: the checks again every WAIT_POLL_MS; once it runs alone it is moved (the user
  // asked for that), with the command of that very check. Cancel (closing the dialog) ends the wait.
  useEffect(() => {
    if (!waiting) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = () => {
      timer = setTimeout(poll, WAIT_POLL_MS);
    };
    const poll = () => {
      replan().then(
        async (next) => {
          if (stopped) return;
          setPlan(next);
          if (onlyChildrenInTheWay(next)) return again();
          if (!next.ok) return setWaiting(false);
          try {
            await onRun(next);
          } catch (err) {
            if (stopped) return;
            // A child came back between the check and the run, or the command changed: look again.
            const data = toErrorData(err);
            if (data.code === 'VALIDATION' || data.code === 'STALE') return again();
            setError(data);
            setWaiting(false);
          }
        },
        (err: unknown) => {
          if (stopped) return;
          setError(toErrorData(err));
          setWaiting(false);
        },
      );
    };
    again();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [waiting]);

  const run = () => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    onRun(plan).catch(async (err: unknown) => {
      const data = toErrorData(err);
      if (data.code === 'STALE') {
        // Never a command the user did not see: the new one is shown, to be clicked again.
        setPlan(await replan().catch(() => plan));
        setNotice(data.message);
      } else setError(data);
      setBusy(false);
    });
  };

  const children = plan.children;
  return (
    <Modal title={title} ariaLabel={title} onCancel={onCancel} className="modal-wide rescue-dialog" testId="rescue-dialog">
      <div className="modal-body">
        {plan.ok && (
          <p>
            {action.kind === 'move'
              ? `A new tmux session “${plan.sessionName}” on ${host.name} takes ${what} over with reptyr, with its state: closing the old SSH connection then leaves it running.`
              : `A new tmux session “${plan.sessionName}” on ${host.name} runs the agent's resume command in its directory, as your login shell finds it.`}
          </p>
        )}
        {plan.problems.length > 0 && (
          <div role="alert" data-testid="rescue-problems">
            <p>{action.kind === 'move' ? 'It cannot be moved:' : 'It cannot be resumed:'}</p>
            <ul>
              {plan.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        {children.length > 0 && plan.problems.length === 0 && (
          <div className="rescue-children" data-testid="rescue-children" role="status">
            <p>
              {what} runs other programs now. reptyr can take a program over only while nothing else runs in its process group, and these
              do (its children: a tool call, an MCP server):
            </p>
            <ul>
              {children.map((c) => (
                <li key={c.pid}>
                  <span className="mono">{c.command}</span> <span className="muted small">pid {c.pid}</span>
                </li>
              ))}
            </ul>
            {waiting ? (
              <p className="rescue-waiting" data-testid="rescue-waiting">
                <Spinner /> Waiting for them to end: it moves into tmux as soon as it runs alone.
              </p>
            ) : (
              <p>
                {onResume ? 'Resume in tmux starts it anew in tmux now (beside this one); or wait, and it moves as soon as they have ended.' : 'Wait, and it moves as soon as they have ended.'}
              </p>
            )}
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
        {plan.program && (
          <>
            <div className="muted small">{plan.ok ? 'In the new session it runs:' : 'In the new session it would run:'}</div>
            <pre className="command-output rescue-program" data-testid="rescue-program">
              {plan.program}
            </pre>
          </>
        )}
        {plan.command && (
          <>
            <div className="muted small">The exact command line sent to the server (the session, and that in it):</div>
            <pre className="command-output rescue-command" data-testid="rescue-command">
              {plan.command}
            </pre>
          </>
        )}
        {notice && (
          <p className="small" role="status" data-testid="rescue-notice">
            {notice}
          </p>
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
        {onlyChildrenInTheWay(plan) ? (
          <button type="button" className="btn btn-primary" disabled={waiting} onClick={() => setWaiting(true)}>
            {waiting && <Spinner />}
            Move when they end
          </button>
        ) : (
          <button type="button" className="btn btn-primary" disabled={!plan.ok || busy} onClick={run}>
            {busy && <Spinner />}
            {title}
          </button>
        )}
      </div>
    </Modal>
  );
}
