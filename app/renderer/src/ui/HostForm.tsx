// Add host / Edit host. Core validates (including "No file at …" for the key); its VALIDATION fields are
// shown beside each input and the form keeps what was typed.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { HoldfastError, type IHoldfastApi } from '../../../shared/contract';
import type { AppInfo, HoldfastErrorData, HostProfile, HostProfileInput, ThemeName, TmuxMode } from '../../../shared/model';
import { THEME_LABELS } from '../terminal/themes';
import { parseTags } from '../model/format';
import { ErrorBox, Modal, Spinner, toErrorData } from './common';

interface IFormState {
  name: string;
  host: string;
  port: string;
  user: string;
  privateKeyPath: string;
  password: string;
  rememberPassword: boolean;
  jumpHostId: string;
  tags: string;
  /** '' for the app's theme / the setting for new hosts. */
  theme: ThemeName | '';
  tmuxMode: TmuxMode | '';
}

function initialState(profile: HostProfile | undefined, copyOf?: HostProfile): IFormState {
  if (copyOf) return { ...initialState(copyOf), name: `${copyOf.name} (copy)`, password: '', rememberPassword: false };
  return {
    name: profile?.name ?? '',
    host: profile?.host ?? '',
    port: String(profile?.port ?? 22),
    user: profile?.user ?? '',
    privateKeyPath: profile?.privateKeyPath ?? '',
    password: '',
    rememberPassword: profile?.hasPassword ?? false,
    jumpHostId: profile?.jumpHostId ?? '',
    tags: profile?.tags.join(', ') ?? '',
    theme: profile?.theme ?? '',
    tmuxMode: profile?.tmuxMode ?? '',
  };
}

/** What the form sends: empty optional fields are left out so core applies its defaults. */
export function formToInput(id: string | undefined, f: IFormState, secretsPersist: boolean): HostProfileInput {
  const input: HostProfileInput = { name: f.name, host: f.host, port: f.port.trim() === '' ? undefined : f.port.trim(), user: f.user };
  if (id) input.id = id;
  if (f.privateKeyPath.trim()) input.privateKeyPath = f.privateKeyPath.trim();
  if (f.password) input.password = f.password;
  if (f.password || secretsPersist) input.rememberPassword = secretsPersist && f.rememberPassword;
  if (f.jumpHostId) input.jumpHostId = f.jumpHostId;
  input.tags = parseTags(f.tags);
  if (f.theme) input.theme = f.theme;
  if (f.tmuxMode) input.tmuxMode = f.tmuxMode;
  return input;
}

export function HostForm({
  api,
  appInfo,
  profile,
  copyOf,
  hosts,
  onSaved,
  onCancel,
}: {
  api: IHoldfastApi;
  appInfo: AppInfo | undefined;
  profile: HostProfile | undefined;
  /** Duplicate: a new profile filled in from this one, saved only on Save. */
  copyOf?: HostProfile;
  hosts: readonly HostProfile[];
  onSaved: (saved: HostProfile) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState(() => initialState(profile, copyOf));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<HoldfastErrorData>();
  const fields = error?.fields ?? {};
  const secretsPersist = appInfo?.secretsPersist ?? false;
  const formRef = useRef<HTMLFormElement>(null);
  // After a refused save, the caret goes to the first field that needs attention.
  useEffect(() => {
    if (error?.fields) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
  const set = <K extends keyof IFormState>(key: K, value: IFormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.call('hosts.save', formToInput(profile?.id, form, secretsPersist));
      onSaved(saved);
    } catch (err) {
      setError(toErrorData(HoldfastError.from(err)));
      setBusy(false);
    }
  };

  const known = new Set(['name', 'host', 'port', 'user', 'privateKeyPath', 'password', 'jumpHostId', 'tags', 'theme', 'tmuxMode']);
  const otherFieldErrors = Object.entries(fields).filter(([k]) => !known.has(k.split('.')[0]!));
  const tagsError = Object.entries(fields).find(([k]) => k.split('.')[0] === 'tags')?.[1];
  const jumpChoices = hosts.filter((h) => h.id !== profile?.id);

  return (
    <Modal title={profile ? 'Edit host' : copyOf ? `Duplicate ${copyOf.name}` : 'Add host'} ariaLabel="Profile editor" onCancel={onCancel} testId="host-form">
      <form className="form" ref={formRef} onSubmit={submit} noValidate>
        {/* Scrolls on its own in a small window, so Save and Cancel stay in view. */}
        <div className="form-body">
          <div className="form-grid">
            <Field label="Name" error={fields.name} wide>
              {(id, describedBy) => (
                <input id={id} aria-describedby={describedBy} aria-invalid={!!fields.name} data-autofocus value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="e.g. build server" />
              )}
            </Field>
            <Field label="Host" error={fields.host}>
              {(id, describedBy) => (
                <input id={id} aria-describedby={describedBy} aria-invalid={!!fields.host} value={form.host} onChange={(e) => set('host', e.target.value)} placeholder="hostname or IP" spellCheck={false} autoCapitalize="off" />
              )}
            </Field>
            <Field label="Port" error={fields.port} narrow>
              {(id, describedBy) => (
                <input id={id} aria-describedby={describedBy} aria-invalid={!!fields.port} inputMode="numeric" value={form.port} onChange={(e) => set('port', e.target.value)} placeholder="22" />
              )}
            </Field>
            <Field label="User" error={fields.user} wide>
              {(id, describedBy) => (
                <input id={id} aria-describedby={describedBy} aria-invalid={!!fields.user} value={form.user} onChange={(e) => set('user', e.target.value)} spellCheck={false} autoCapitalize="off" />
              )}
            </Field>
            <Field label="Private key" error={fields.privateKeyPath} wide note="A file path, e.g. ~/.ssh/id_ed25519. Leave empty to use the SSH agent.">
              {(id, describedBy) => (
                <input id={id} aria-describedby={describedBy} aria-invalid={!!fields.privateKeyPath} value={form.privateKeyPath} onChange={(e) => set('privateKeyPath', e.target.value)} placeholder="~/.ssh/id_ed25519" spellCheck={false} />
              )}
            </Field>
            <Field
              label="Password"
              error={fields.password}
              wide
              note={secretsPersist ? undefined : 'The web host keeps a typed password only until it restarts.'}
            >
              {(id, describedBy) => (
                <input
                  id={id}
                  type="password"
                  aria-describedby={describedBy}
                  aria-invalid={!!fields.password}
                  value={form.password}
                  onChange={(e) => set('password', e.target.value)}
                  placeholder={profile?.hasPassword ? 'remembered — leave empty to keep it' : 'optional'}
                  autoComplete="off"
                />
              )}
            </Field>
            {secretsPersist && (
              <label className="check wide">
                <input type="checkbox" checked={form.rememberPassword} onChange={(e) => set('rememberPassword', e.target.checked)} />
                Remember password
              </label>
            )}
            <Field label="Jump through" error={fields.jumpHostId} wide note="Connect through another profile first (ProxyJump).">
              {(id, describedBy) => (
                <select id={id} aria-describedby={describedBy} value={form.jumpHostId} onChange={(e) => set('jumpHostId', e.target.value)}>
                  <option value="">Direct connection</option>
                  {jumpChoices.map((h) => (
                    <option key={h.id} value={h.id}>
                      {h.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Tags" error={tagsError} wide note="Separated by commas or spaces.">
              {(id, describedBy) => <input id={id} aria-describedby={describedBy} value={form.tags} onChange={(e) => set('tags', e.target.value)} placeholder="prod, eu" />}
            </Field>
            <Field label="Terminal theme" error={fields.theme} note="Its own colours, e.g. to tell a production server at a glance.">
              {(id, describedBy) => (
                <select id={id} aria-describedby={describedBy} value={form.theme} onChange={(e) => set('theme', e.target.value as ThemeName | '')}>
                  <option value="">As in Settings</option>
                  {(Object.keys(THEME_LABELS) as ThemeName[]).map((t) => (
                    <option key={t} value={t}>
                      {THEME_LABELS[t]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="tmux mode" error={fields.tmuxMode} narrow>
              {(id, describedBy) => (
                <select id={id} aria-describedby={describedBy} value={form.tmuxMode} onChange={(e) => set('tmuxMode', e.target.value as TmuxMode | '')}>
                  <option value="">As in Settings</option>
                  <option value="auto">Automatic</option>
                  <option value="control">Control mode</option>
                  <option value="classic">Classic</option>
                </select>
              )}
            </Field>
          </div>
          {error && (error.code !== 'VALIDATION' || otherFieldErrors.length > 0 || !error.fields) && (
            <ErrorBox
              error={
                otherFieldErrors.length
                  ? { ...error, message: `${error.message}: ${otherFieldErrors.map(([k, v]) => `${k}: ${v}`).join('; ')}` }
                  : error
              }
            />
          )}
          {error?.code === 'VALIDATION' && error.fields && otherFieldErrors.length === 0 && (
            <p className="form-summary" role="alert">
              {error.message} — nothing was saved.
            </p>
          )}
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy && <Spinner />}
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

function Field({
  label,
  error,
  note,
  wide,
  narrow,
  children,
}: {
  label: string;
  error: string | undefined;
  note?: string | undefined;
  wide?: boolean;
  narrow?: boolean;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const noteId = `${id}-note`;
  const describedBy = [error ? errorId : '', note ? noteId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${wide ? 'wide' : ''} ${narrow ? 'narrow' : ''} ${error ? 'has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {error && (
        <div className="field-error" id={errorId}>
          {error}
        </div>
      )}
      {note && !error && (
        <div className="field-note" id={noteId}>
          {note}
        </div>
      )}
    </div>
  );
}
