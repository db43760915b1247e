// Import from ~/.ssh/config: preview the candidates (already imported ones marked, unsupported directives
// listed), then import the chosen ones.
import { useEffect, useState } from 'react';
import type { IHoldfastApi } from '../../../shared/contract';
import type { HoldfastErrorData, HostProfile, ImportPreview } from '../../../shared/model';
import { ErrorBox, Modal, Spinner, toErrorData } from './common';

export function ImportDialog({ api, onImported, onCancel }: { api: IHoldfastApi; onImported: (hosts: HostProfile[]) => void; onCancel: () => void }) {
  const [path, setPath] = useState('');
  const [preview, setPreview] = useState<ImportPreview>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<'preview' | 'apply' | undefined>('preview');
  const [error, setError] = useState<HoldfastErrorData>();

  const load = async (p: string) => {
    setBusy('preview');
    setError(undefined);
    try {
      const result = await api.call('import.preview', p.trim() ? { path: p.trim() } : {});
      setPreview(result);
      setSelected(new Set(result.candidates.filter((c) => !c.alreadyImported).map((c) => c.alias)));
    } catch (err) {
      setError(toErrorData(err));
      setPreview(undefined);
    } finally {
      setBusy(undefined);
    }
  };

  useEffect(() => {
    void load('');
  }, []);

  const apply = async () => {
    if (!preview) return;
    setBusy('apply');
    setError(undefined);
    try {
      const imported = await api.call('import.apply', { candidates: preview.candidates.filter((c) => selected.has(c.alias)) });
      onImported(imported);
    } catch (err) {
      setError(toErrorData(err));
      setBusy(undefined);
    }
  };

  const toggle = (alias: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(alias);
      else next.delete(alias);
      return next;
    });

  return (
    <Modal title="Import from ~/.ssh/config" ariaLabel="SSH config import" onCancel={onCancel} className="modal-wide" testId="import-dialog">
      <div className="modal-body">
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void load(path);
          }}
        >
          <label htmlFor="import-path">Config file</label>
          <input id="import-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder={preview?.sourcePath ?? '~/.ssh/config'} spellCheck={false} />
          <button type="submit" className="btn btn-small" disabled={!!busy}>
            Read
          </button>
        </form>
        {busy === 'preview' && (
          <p className="muted">
            <Spinner /> Reading {path || '~/.ssh/config'}…
          </p>
        )}
        {error && <ErrorBox error={error} />}
        {preview && (
          <>
            {preview.warnings.length > 0 && (
              <ul className="warnings" data-testid="import-warnings">
                {preview.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            )}
            {preview.candidates.length === 0 ? (
              <p className="muted">No hosts found in {preview.sourcePath}.</p>
            ) : (
              <div className="import-list" role="list">
                {preview.candidates.map((c) => (
                  <div key={c.alias} role="listitem" className={`import-item ${c.alreadyImported ? 'is-imported' : ''}`} data-testid="import-candidate">
                    <label className="check">
                      <input type="checkbox" checked={selected.has(c.alias)} onChange={(e) => toggle(c.alias, e.target.checked)} />
                      <span className="import-alias">{c.alias}</span>
                    </label>
                    <span className="mono muted">
                      {c.user}@{c.host}
                      {c.port !== 22 ? `:${c.port}` : ''}
                      {c.proxyJump ? ` via ${c.proxyJump}` : ''}
                    </span>
                    {c.alreadyImported && <span className="badge">already imported</span>}
                    {c.unsupported.length > 0 && <div className="import-unsupported">Not applied: {c.unsupported.join(', ')}</div>}
                  </div>
                ))}
              </div>
            )}
          </>
        )}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" disabled={!!busy || selected.size === 0} onClick={() => void apply()}>
          {busy === 'apply' && <Spinner />}
          Import {selected.size > 0 ? `${selected.size} ${selected.size === 1 ? 'host' : 'hosts'}` : ''}
        </button>
      </div>
    </Modal>
  );
}
