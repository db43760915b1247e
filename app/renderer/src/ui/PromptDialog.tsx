// Questions core asks while connecting: host key, password/passphrase, keyboard-interactive.
import { useState, type FormEvent } from 'react';
import type { IHoldfastApi } from '../../../shared/contract';
import type { HoldfastErrorData, Prompt, PromptAnswer } from '../../../shared/model';
import { ErrorBox, Modal, Spinner, toErrorData } from './common';

export function PromptDialog({ api, prompt, hostName, onDone }: { api: IHoldfastApi; prompt: Prompt; hostName: string | undefined; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<HoldfastErrorData>();

  const answer = async (a: PromptAnswer) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.call('prompts.answer', { promptId: prompt.promptId, answer: a });
      onDone();
    } catch (err) {
      const data = toErrorData(err);
      // The prompt was answered elsewhere or became moot: nothing left to ask.
      if (data.code === 'NOT_FOUND') onDone();
      else {
        setError(data);
        setBusy(false);
      }
    }
  };
  const cancel = () => void answer({ kind: 'cancel' });
  const where = `${prompt.host}:${prompt.port}`;
  const subtitle = hostName ? `${hostName} (${where})` : where;

  if (prompt.kind === 'host-key' && prompt.otherKeys?.length) {
    return <OtherKeyTypeDialog prompt={prompt} hostName={hostName} where={where} busy={busy} error={error} onAnswer={answer} onCancel={cancel} />;
  }

  if (prompt.kind === 'host-key') {
    return (
      <Modal title="Unknown host key" ariaLabel="Host key check" onCancel={cancel} testId="prompt-host-key">
        <div className="modal-body">
          <p>
            This is the first connection to <strong>{hostName ?? where}</strong>. Before accepting, check that the fingerprint
            below matches the one the server's administrator gave you.
          </p>
          <dl className="kv">
            <dt>Server</dt>
            <dd className="mono">{where}</dd>
            <dt>Key type</dt>
            <dd className="mono">{prompt.keyType}</dd>
            <dt>Fingerprint</dt>
            <dd className="mono fingerprint" data-testid="host-key-fingerprint">
              {prompt.fingerprint}
            </dd>
          </dl>
          <p className="muted small">
            Accept trusts the key until Holdfast quits. Accept and remember stores it, and Holdfast refuses to connect if the
            server's key ever changes.
          </p>
          {error && <ErrorBox error={error} />}
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={cancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="btn" onClick={() => void answer({ kind: 'host-key', remember: true })} disabled={busy}>
            Accept and remember
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void answer({ kind: 'host-key', remember: false })} disabled={busy}>
            {busy && <Spinner />}
            Accept
          </button>
        </div>
      </Modal>
    );
  }

  if (prompt.kind === 'keyboard-interactive') {
    return <KeyboardInteractiveForm prompt={prompt} subtitle={subtitle} busy={busy} error={error} onAnswer={answer} onCancel={cancel} />;
  }
  return <SecretForm prompt={prompt} subtitle={subtitle} busy={busy} error={error} onAnswer={answer} onCancel={cancel} />;
}

type SecretPrompt = Extract<Prompt, { kind: 'password' | 'passphrase' }>;
type HostKeyPrompt = Extract<Prompt, { kind: 'host-key' }>;

/**
 * The server offers a key of a type Holdfast has no entry for, while a key of another type is trusted for the same
 * host: either the server dropped that key type, or someone in the middle has only a key of their own. OpenSSH
 * warns here; accepting takes a box ticked on purpose, and Cancel is where the focus starts.
 */
function OtherKeyTypeDialog({
  prompt,
  hostName,
  where,
  busy,
  error,
  onAnswer,
  onCancel,
}: {
  prompt: HostKeyPrompt;
  hostName: string | undefined;
  where: string;
  busy: boolean;
  error: HoldfastErrorData | undefined;
  onAnswer: (a: PromptAnswer) => void;
  onCancel: () => void;
}) {
  const [checked, setChecked] = useState(false);
  const others = prompt.otherKeys ?? [];
  return (
    <Modal title="Warning: a different host key" ariaLabel="Host key check" onCancel={onCancel} testId="prompt-host-key">
      <div className="modal-body">
        <div className="error-box error-box-warning" role="alert">
          <div className="error-title">
            {hostName ?? where} is already trusted with a {others.map((k) => k.keyType).join(' and ')} key, but now offers only a{' '}
            {prompt.keyType} key.
          </div>
          <div className="error-message">
            This is not a first connection. Someone could be intercepting it, or the server's administrator replaced its keys.
            Nothing has been sent to the server.
          </div>
        </div>
        <dl className="kv">
          <dt>Server</dt>
          <dd className="mono">{where}</dd>
          <dt>Offered now</dt>
          <dd className="mono fingerprint" data-testid="host-key-fingerprint">
            {prompt.fingerprint}
          </dd>
          <dt>Key type</dt>
          <dd className="mono">{prompt.keyType}</dd>
          {others.map((k) => (
            <OtherKey key={`${k.keyType}:${k.fingerprint}`} keyType={k.keyType} fingerprint={k.fingerprint} source={k.source} />
          ))}
        </dl>
        <label className="check">
          <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} />
          I checked this new fingerprint with the server's administrator
        </label>
        {error && <ErrorBox error={error} />}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={onCancel} disabled={busy} data-autofocus>
          Cancel
        </button>
        <button type="button" className="btn" onClick={() => onAnswer({ kind: 'host-key', remember: true })} disabled={busy || !checked}>
          Accept and remember
        </button>
        <button type="button" className="btn btn-danger" onClick={() => onAnswer({ kind: 'host-key', remember: false })} disabled={busy || !checked}>
          {busy && <Spinner />}
          Accept
        </button>
      </div>
    </Modal>
  );
}

function OtherKey({ keyType, fingerprint, source }: { keyType: string; fingerprint: string; source: string }) {
  return (
    <>
      <dt>Trusted</dt>
      <dd className="mono">
        {keyType} {fingerprint}
        <span className="muted small"> (in {source})</span>
      </dd>
    </>
  );
}
type KiPrompt = Extract<Prompt, { kind: 'keyboard-interactive' }>;

function SecretForm({
  prompt,
  subtitle,
  busy,
  error,
  onAnswer,
  onCancel,
}: {
  prompt: SecretPrompt;
  subtitle: string;
  busy: boolean;
  error: HoldfastErrorData | undefined;
  onAnswer: (a: PromptAnswer) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState('');
  const [remember, setRemember] = useState(false);
  const isPassphrase = prompt.kind === 'passphrase';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onAnswer({ kind: 'secret', value, remember: prompt.canRemember && remember });
  };
  return (
    <Modal title={isPassphrase ? 'Key passphrase' : 'Password required'} ariaLabel="Authentication" onCancel={onCancel} className="modal-narrow" testId="prompt-secret">
      <form onSubmit={submit}>
        <div className="modal-body">
          <p>
            {isPassphrase ? (
              <>
                The key <span className="mono">{prompt.keyPath ?? ''}</span> is protected by a passphrase.
              </>
            ) : (
              <>
                The password of <span className="mono">{prompt.user}</span> on <strong>{subtitle}</strong>.
              </>
            )}
          </p>
          {prompt.retry && (
            <p className="field-error" role="alert">
              {isPassphrase ? 'Wrong passphrase, try again.' : 'Wrong password, try again.'}
            </p>
          )}
          <div className="field wide">
            <label htmlFor="prompt-secret-input">{isPassphrase ? 'Passphrase' : 'Password'}</label>
            <input id="prompt-secret-input" type="password" data-autofocus value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
          </div>
          {prompt.canRemember && (
            <label className="check">
              <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
              {isPassphrase ? 'Remember this passphrase' : 'Remember this password'}
            </label>
          )}
          {error && <ErrorBox error={error} />}
        </div>
        <PromptActions busy={busy} onCancel={onCancel} />
      </form>
    </Modal>
  );
}

function KeyboardInteractiveForm({
  prompt,
  subtitle,
  busy,
  error,
  onAnswer,
  onCancel,
}: {
  prompt: KiPrompt;
  subtitle: string;
  busy: boolean;
  error: HoldfastErrorData | undefined;
  onAnswer: (a: PromptAnswer) => void;
  onCancel: () => void;
}) {
  const [responses, setResponses] = useState(() => prompt.prompts.map(() => ''));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onAnswer({ kind: 'keyboard-interactive', responses });
  };
  return (
    <Modal title={prompt.name || 'The server asks'} ariaLabel="Authentication" onCancel={onCancel} className="modal-narrow" testId="prompt-keyboard-interactive">
      <form onSubmit={submit}>
        <div className="modal-body">
          <p>
            <span className="mono">{prompt.user}</span> on <strong>{subtitle}</strong>
          </p>
          {prompt.instructions && <p className="pre-wrap">{prompt.instructions}</p>}
          {prompt.prompts.map((p, i) => (
            <div className="field wide" key={i}>
              <label htmlFor={`ki-${i}`}>{p.prompt.trim() || `Response ${i + 1}`}</label>
              <input
                id={`ki-${i}`}
                type={p.echo ? 'text' : 'password'}
                data-autofocus={i === 0 ? true : undefined}
                value={responses[i] ?? ''}
                onChange={(e) => setResponses((r) => r.map((v, j) => (j === i ? e.target.value : v)))}
                autoComplete="off"
              />
            </div>
          ))}
          {error && <ErrorBox error={error} />}
        </div>
        <PromptActions busy={busy} onCancel={onCancel} />
      </form>
    </Modal>
  );
}

/** Cancel and Continue, the same under every question that takes typed answers. */
function PromptActions({ busy, onCancel }: { busy: boolean; onCancel: () => void }) {
  return (
    <div className="modal-actions">
      <button type="button" className="btn" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy && <Spinner />}
        Continue
      </button>
    </div>
  );
}
