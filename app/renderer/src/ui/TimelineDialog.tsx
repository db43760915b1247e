// The Timeline: what waited for the user and every answer given (which prompt, which choice, from which device, when),
// newest first, of one host or all, kept on this computer; Export gives it as JSON Lines.
import { useEffect, useState } from 'react';
import type { IHoldfastApi } from '../../../shared/contract';
import type { HostProfile, TimelineEntry } from '../../../shared/model';
import { formatDuration } from '../model/format';
import { ErrorBox, Modal, Spinner, toErrorData } from './common';
import { PromptRegion } from './NeedsPanel';

const LIMIT = 500;

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function TimelineDialog({ api, hosts, onClose }: { api: IHoldfastApi; hosts: readonly HostProfile[]; onClose(): void }) {
  const [hostId, setHostId] = useState('');
  const [entries, setEntries] = useState<TimelineEntry[]>();
  const [error, setError] = useState<ReturnType<typeof toErrorData>>();

  useEffect(() => {
    let live = true;
    setEntries(undefined);
    api.call('timeline.list', { ...(hostId ? { hostId } : {}), limit: LIMIT }).then(
      (r) => live && setEntries(r.entries),
      (err: unknown) => live && setError(toErrorData(err)),
    );
    const sub = api.listen('timeline.added', ({ entries: added }) => {
      const mine = added.filter((e) => !hostId || e.hostId === hostId).reverse();
      if (mine.length > 0) setEntries((list) => (list ? [...mine, ...list].slice(0, LIMIT) : list));
    });
    return () => {
      live = false;
      sub.dispose();
    };
  }, [api, hostId]);

  const exportJsonl = async () => {
    try {
      const { text } = await api.call('timeline.export', hostId ? { hostId } : {});
      const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `holdfast-timeline-${new Date().toISOString().slice(0, 10)}.jsonl`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(toErrorData(err));
    }
  };

  return (
    <Modal title="Timeline" ariaLabel="Timeline" onCancel={onClose} className="modal-wide timeline-dialog" testId="timeline-dialog">
      <div className="modal-body">
        <div className="timeline-bar">
          <label className="timeline-filter">
            <span className="muted small">Show</span>
            <select value={hostId} onChange={(e) => setHostId(e.target.value)} aria-label="Host">
              <option value="">All hosts</option>
              {hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn btn-small" onClick={() => void exportJsonl()}>
            Export
          </button>
        </div>
        <p className="muted small">Every prompt that waited for you and every answer given, kept on this computer.</p>
        {error && <ErrorBox error={error} />}
        {!entries && !error && (
          <div className="muted">
            <Spinner /> Loading…
          </div>
        )}
        {entries?.length === 0 && <p className="muted">Nothing yet: prompts and answers appear here as they happen.</p>}
        {entries && entries.length > 0 && (
          <ol className="timeline-list">
            {entries.map((e) => (
              <TimelineRow key={e.id} entry={e} />
            ))}
          </ol>
        )}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Modal>
  );
}

function TimelineRow({ entry }: { entry: TimelineEntry }) {
  const [open, setOpen] = useState(false);
  const what =
    entry.kind === 'answer' ? (
      <>
        Answered <strong>“{entry.choice}”</strong> from {entry.device.kind === 'device' ? <strong>{entry.device.label}</strong> : 'this computer'}
      </>
    ) : (
      <>
        Waited <strong>{formatDuration(entry.waitedMs)}</strong> (from {when(entry.began)}) · {entry.outcome === 'answered' ? 'answered in Holdfast' : 'went by itself (answered in the terminal, or the program moved on)'}
      </>
    );
  return (
    <li className={`timeline-entry kind-${entry.kind}`} data-testid="timeline-entry" data-kind={entry.kind}>
      <div className="timeline-head">
        <time className="timeline-time muted small" dateTime={new Date(entry.at).toISOString()}>
          {when(entry.at)}
        </time>
        <span className="timeline-where small">
          {entry.sessionName} · {entry.hostName}
        </span>
      </div>
      <div className="timeline-what">{what}</div>
      <button type="button" className="timeline-question" aria-expanded={open} onClick={() => setOpen((o) => !o)} title="Show the prompt as it was shown">
        {entry.question}
      </button>
      {open && <PromptRegion lines={entry.prompt} />}
    </li>
  );
}
