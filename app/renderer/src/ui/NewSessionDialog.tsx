// New session on a host: a name and an optional command the session starts with (e.g. `claude --continue`).
import { useState, type FormEvent } from 'react';
import { NewSessionName } from '../../../shared/model';
import { Modal } from './common';

export function NewSessionDialog({
  hostName,
  existing,
  onStart,
  onCancel,
}: {
  hostName: string;
  existing: readonly string[];
  onStart: (sessionName: string, startCommand: string | undefined) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(() => suggestName(existing));
  const [command, setCommand] = useState('');
  const [error, setError] = useState<string>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = NewSessionName.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Invalid session name');
      return;
    }
    if (existing.includes(parsed.data)) {
      setError(`A session named "${parsed.data}" already exists on ${hostName}; click it in the list to attach.`);
      return;
    }
    onStart(parsed.data, command.trim() || undefined);
  };
  return (
    <Modal title={`New session on ${hostName}`} ariaLabel="New tmux session" onCancel={onCancel} className="modal-narrow" testId="new-session-dialog">
      <form onSubmit={submit} noValidate>
        <div className="modal-body">
          <div className={`field wide ${error ? 'has-error' : ''}`}>
            <label htmlFor="new-session-name">Session name</label>
            <input id="new-session-name" data-autofocus value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!error} aria-describedby={error ? 'new-session-error' : undefined} spellCheck={false} />
            {error && (
              <div className="field-error" id="new-session-error">
                {error}
              </div>
            )}
          </div>
          <div className="field wide">
            <label htmlFor="new-session-command">Start command</label>
            <input id="new-session-command" value={command} onChange={(e) => setCommand(e.target.value)} placeholder="optional, e.g. claude --continue" spellCheck={false} className="mono" />
            <div className="field-note">Runs in the session's first window instead of a shell.</div>
          </div>
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary">
            Start
          </button>
        </div>
      </form>
    </Modal>
  );
}

function suggestName(existing: readonly string[]): string {
  if (!existing.includes('main')) return 'main';
  for (let i = 2; ; i++) if (!existing.includes(`main-${i}`)) return `main-${i}`;
}
