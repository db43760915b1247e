// Small shared pieces: modal dialog, spinner, error box, a clock for relative times.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { HoldfastError } from '../../../shared/contract';
import type { HoldfastErrorData } from '../../../shared/model';
import { msUntilNextTick } from '../model/format';

/** Decorative: the text beside it (or the busy button) says what is running. */
export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}

/** A native modal <dialog>: focus stays inside, the page behind is inert, Esc cancels. */
export function Modal({
  title,
  ariaLabel,
  onCancel,
  children,
  className,
  testId,
}: {
  title: string;
  /** The dialog's accessible name. Kept free of field labels ("Host", "Name") so getByLabel stays unique. */
  ariaLabel: string;
  onCancel: () => void;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef(onCancel);
  cancelRef.current = onCancel;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    // showModal focuses the first focusable element; prefer the one the dialog marks.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const onCancelEvent = (e: Event) => {
      e.preventDefault();
      cancelRef.current();
    };
    dialog.addEventListener('cancel', onCancelEvent);
    return () => {
      dialog.removeEventListener('cancel', onCancelEvent);
      if (dialog.open) dialog.close();
    };
  }, []);
  return (
    <dialog ref={ref} className={`modal ${className ?? ''}`} aria-label={ariaLabel} data-testid={testId}>
      <h2 className="modal-title">{title}</h2>
      {children}
    </dialog>
  );
}

export function toErrorData(err: unknown): HoldfastErrorData {
  const e = HoldfastError.from(err);
  return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.fields ? { fields: e.fields } : {}) };
}

/** An error where the user acted: message, hint, and for a changed host key a separate, explicit way out. */
export function ErrorBox({
  error,
  onReplaceHostKey,
  actions,
  compact,
}: {
  error: HoldfastErrorData;
  onReplaceHostKey?: () => void;
  actions?: ReactNode;
  compact?: boolean;
}) {
  const keyChanged = error.code === 'HOST_KEY_CHANGED';
  return (
    <div className={`error-box ${keyChanged ? 'error-box-warning' : ''} ${compact ? 'compact' : ''}`} role="alert" data-error-code={error.code}>
      {keyChanged && <div className="error-title">Warning: the server's host key has changed</div>}
      <div className="error-message">{error.message}</div>
      {error.hint && <div className="error-hint">{error.hint}</div>}
      {(actions || (keyChanged && onReplaceHostKey)) && (
        <div className="error-actions">
          {keyChanged && onReplaceHostKey && (
            <button type="button" className="btn btn-danger btn-small" onClick={onReplaceHostKey}>
              Replace stored key
            </button>
          )}
          {actions}
        </div>
      )}
    </div>
  );
}

/**
 * Re-renders every `intervalMs` with the current time, for "3 min ago" and countdowns. Ticks fall on whole
 * multiples of the interval, so two countdowns on screen (sidebar and pane) change together, never a second apart.
 */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const t = Date.now();
      setNow(t);
      timer = setTimeout(tick, msUntilNextTick(t, intervalMs));
    };
    timer = setTimeout(tick, msUntilNextTick(Date.now(), intervalMs));
    return () => clearTimeout(timer);
  }, [intervalMs]);
  return now;
}

export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
}: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void> | void;
  onCancel: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<HoldfastErrorData>();
  return (
    <Modal title={title} ariaLabel="Confirm" onCancel={onCancel} className="modal-narrow" testId="confirm-dialog">
      <div className="modal-body">
        <p>{message}</p>
        {error && <ErrorBox error={error} />}
      </div>
      <div className="modal-actions">
        {/* A destructive choice is never the one Enter picks by accident: focus starts on Cancel. */}
        <button type="button" className="btn" onClick={onCancel} data-autofocus={danger ? true : undefined}>
          Cancel
        </button>
        <button
          type="button"
          className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
          disabled={busy}
          data-autofocus={danger ? undefined : true}
          onClick={async () => {
            setBusy(true);
            try {
              await onConfirm();
            } catch (err) {
              setError(toErrorData(err));
              setBusy(false);
            }
          }}
        >
          {busy && <Spinner />}
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
