// "Needs you" across hosts: a HostWatcher per connected host, the waiting panes of all of them as one list, the
// sessions' marks (waiting, bell, output since last seen), quick answers that type exactly a choice's keys once and
// only into the prompt the user saw, and attention events for desktop notifications, gated by AttentionGate.
import { HoldfastError } from '../../shared/contract';
import { Disposable, DisposableStore, Emitter, type IDisposable } from '../../shared/lifecycle';
import type { Attention, NeedsItem, SessionMarks, Settings } from '../../shared/model';
import type { Host } from '../host';
import type { IClock, ISshConnection } from '../interfaces';
import type { PaneAttention } from '../pane/Pane';
import { target, tmux, tmuxExec } from '../tmux/tmux';
import { promptFingerprint, type WaitMatch } from './patterns';
import { HostWatcher, sendBytesCommand, sessionsSignature, type PaneRow, type WaitingPane } from './watch';

/** At most one notification per pane (or session) per minute. */
export const ATTENTION_INTERVAL_MS = 60_000;

/** Which attention becomes a notification: not muted, not in view, not again within the interval. Pure but for its memory. */
export class AttentionGate {
  private readonly _last = new Map<string, number>();

  constructor(private readonly _intervalMs = ATTENTION_INTERVAL_MS) {}

  allow(key: string, now: number, options: { muted: boolean; shown: boolean }): boolean {
    if (options.muted || options.shown) return false;
    const last = this._last.get(key);
    if (last !== undefined && now - last < this._intervalMs) return false;
    this._last.set(key, now);
    return true;
  }
}

export interface NeedsOptions {
  clock: IClock;
  settings(): Settings;
  hostName(hostId: string): string;
  /** Whether a view shows this session (this tmux pane of it) now. */
  isShown(hostId: string, sessionId: string, tmuxPane?: string): boolean;
  quietMs?: number;
}

interface Watched {
  readonly watcher: HostWatcher;
  readonly connection: ISshConnection;
  waiting: WaitingPane[];
  rows: PaneRow[];
  /** What a session list of the host shows (sessionsSignature), from the last list. */
  sessions?: string;
}

export class NeedsService extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<{ items: NeedsItem[]; marks: SessionMarks[] }>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onAttention = this._register(new Emitter<Attention>());
  readonly onAttention = this._onAttention.event;
  private readonly _onSessionsChanged = this._register(new Emitter<string>());
  /** A host's sessions changed (made, ended, renamed, a window or a client more or fewer), whoever did it: its id. */
  readonly onSessionsChanged = this._onSessionsChanged.event;

  private readonly _hosts = new Map<string, Watched>();
  private readonly _gate = new AttentionGate();
  /** When the user last had each session in view ("hostId sessionId"), for the activity mark. */
  private readonly _lastSeen = new Map<string, number>();
  private readonly _bells = new Set<string>();
  private readonly _announced = new Set<string>();
  private _attentionId = 1;

  constructor(private readonly _options: NeedsOptions) {
    super();
  }

  /** Watches a host while it is connected: from each connection to its loss. */
  watchHost(host: Host): IDisposable {
    const store = new DisposableStore();
    const start = (connection: ISshConnection) => {
      this._stop(host.hostId);
      const watched: Watched = { connection, waiting: [], rows: [], watcher: undefined as never };
      const watcher = new HostWatcher({
        connection,
        clock: this._options.clock,
        quietMs: this._options.quietMs,
        userPatterns: () => this._options.settings().waitPatterns,
        onWaiting: (waiting) => {
          watched.waiting = waiting;
          for (const w of waiting) this._announceWaiting(host.hostId, w);
          this._changed();
        },
        onBell: (row) => {
          this._bells.add(`${host.hostId} ${row.sessionId}`);
          this._attention(host.hostId, { kind: 'bell', sessionId: row.sessionId, sessionName: row.sessionName, title: `Bell in ${row.sessionName}`, body: `Window ${row.windowIndex}: ${row.windowName}` }, `${host.hostId} ${row.sessionId}`);
          this._changed();
        },
        onQuiet: (sessionId, sessionName) => {
          if (this._alertFor(host.hostId, sessionName) !== 'watch') return;
          this._attention(host.hostId, { kind: 'quiet', sessionId, sessionName, title: `${sessionName} went quiet`, body: 'No output for a while after activity: the job may have finished.' }, `${host.hostId} ${sessionId} quiet`);
        },
        onList: (rows) => {
          watched.rows = rows;
          const sessions = sessionsSignature(rows);
          const before = watched.sessions;
          watched.sessions = sessions;
          if (before !== undefined && before !== sessions) this._onSessionsChanged.fire(host.hostId);
          this._changed();
        },
      });
      (watched as { watcher: HostWatcher }).watcher = watcher;
      this._hosts.set(host.hostId, watched);
      watcher.start().catch(() => this._stop(host.hostId));
    };
    store.add(host.supervisor.onDidConnect(({ connection }) => start(connection)));
    store.add(host.supervisor.onDidLoseConnection(() => this._stop(host.hostId)));
    if (host.status.state === 'connected' && host.connection) start(host.connection);
    store.add({ dispose: () => this._stop(host.hostId) });
    return store;
  }

  private _stop(hostId: string): void {
    const watched = this._hosts.get(hostId);
    if (!watched) return;
    this._hosts.delete(hostId);
    watched.watcher.dispose();
    this._changed();
  }

  get items(): NeedsItem[] {
    const items: NeedsItem[] = [];
    for (const [hostId, watched] of this._hosts) for (const w of watched.waiting) items.push(this._item(hostId, w));
    return items.sort((a, b) => a.since - b.since);
  }

  get marks(): SessionMarks[] {
    const now = this._options.clock.now();
    const marks = new Map<string, SessionMarks>();
    for (const [hostId, watched] of this._hosts) {
      for (const row of watched.rows) {
        const key = `${hostId} ${row.sessionId}`;
        let mark = marks.get(key);
        if (!mark) marks.set(key, (mark = { hostId, sessionId: row.sessionId, waiting: false, bell: this._bells.has(key), activity: false }));
        if (this._options.isShown(hostId, row.sessionId)) this._lastSeen.set(key, now);
        const seen = this._lastSeen.get(key) ?? 0;
        if (seen > 0 && row.activity * 1000 > seen) mark.activity = true;
        if (seen === 0) this._lastSeen.set(key, now);
      }
      for (const w of watched.waiting) {
        const mark = marks.get(`${hostId} ${w.row.sessionId}`);
        if (mark) mark.waiting = true;
      }
    }
    return [...marks.values()];
  }

  /** The user looked at the session: its bell and activity marks go. */
  seen(hostId: string, sessionId: string): void {
    const key = `${hostId} ${sessionId}`;
    this._lastSeen.set(key, this._options.clock.now());
    if (this._bells.delete(key)) this._changed();
  }

  async answer(itemId: string, choice: number, fingerprint: string): Promise<void> {
    const { watched, waiting } = this._find(itemId);
    const chosen = waiting.match.choices[choice];
    if (!chosen) throw new HoldfastError({ code: 'VALIDATION', message: 'That answer is not one of the prompt’s choices.' });
    if (promptFingerprint(waiting.match) !== fingerprint) throw staleError();
    // The screen as it is now, not as it was listed: never type into something else.
    let now: WaitMatch | undefined;
    try {
      now = await watched.watcher.read(waiting.row.paneId);
    } catch (err) {
      throw new HoldfastError({ code: 'NETWORK', message: `Could not read the pane: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (!now || promptFingerprint(now) !== fingerprint) throw staleError();
    // Gone from the list before the keys go: a second click finds nothing to answer.
    watched.watcher.answered(waiting.row.paneId);
    const result = await watched.connection.exec(sendBytesCommand(waiting.row.paneId, chosen.keys), { timeoutMs: 5000 });
    if (result.code !== 0) throw new HoldfastError({ code: 'INTERNAL', message: `tmux did not take the keys: ${result.stderr.trim()}` });
  }

  /** Selects the item's window and pane in tmux, so that its session opens on it. */
  async focus(itemId: string): Promise<{ hostId: string; sessionId: string; sessionName: string; tmuxPane: string }> {
    const { hostId, watched, waiting } = this._find(itemId);
    const pane = waiting.row.paneId;
    const t = target.pane(pane);
    await watched.connection.exec(tmuxExec([tmux.selectWindow(t), tmux.selectPane(t)]), { timeoutMs: 5000 });
    return { hostId, sessionId: waiting.row.sessionId, sessionName: waiting.row.sessionName, tmuxPane: pane };
  }

  /** A program in an open pane rang the bell or sent OSC 9/777. */
  paneAttention(pane: { hostId: string; sessionId?: string; sessionName: string }, attention: PaneAttention): void {
    if (!pane.sessionId) return;
    const title = attention.kind === 'bell' ? `Bell in ${pane.sessionName}` : attention.title || `${pane.sessionName}`;
    const body = attention.kind === 'bell' ? 'A program rang the bell.' : attention.body ?? '';
    this._attention(pane.hostId, { kind: attention.kind, sessionId: pane.sessionId, sessionName: pane.sessionName, ...(attention.target ? { tmuxPane: attention.target } : {}), title, body }, `${pane.hostId} ${pane.sessionId}`);
  }

  private _find(itemId: string): { hostId: string; watched: Watched; waiting: WaitingPane } {
    const [hostId, paneId] = itemId.split('|');
    const watched = hostId ? this._hosts.get(hostId) : undefined;
    const waiting = watched?.waiting.find((w) => w.row.paneId === paneId);
    if (!hostId || !watched || !waiting) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That prompt is not waiting any more.' });
    return { hostId, watched, waiting };
  }

  private _item(hostId: string, w: WaitingPane): NeedsItem {
    return {
      id: `${hostId}|${w.row.paneId}`,
      hostId,
      hostName: this._options.hostName(hostId),
      sessionId: w.row.sessionId,
      sessionName: w.row.sessionName,
      windowIndex: w.row.windowIndex,
      windowName: w.row.windowName,
      tmuxPane: w.row.paneId,
      since: w.since,
      pattern: w.match.pattern,
      question: w.match.question,
      lines: w.match.lines,
      choices: w.match.choices.map((c) => ({ label: c.label })),
      fingerprint: promptFingerprint(w.match),
    };
  }

  private _announceWaiting(hostId: string, w: WaitingPane): void {
    const key = `${hostId}|${w.row.paneId}|${promptFingerprint(w.match)}`;
    if (this._announced.has(key)) return;
    this._announced.add(key);
    if (this._announced.size > 1000) this._announced.delete(this._announced.values().next().value!);
    this._attention(hostId, { kind: 'waiting', sessionId: w.row.sessionId, sessionName: w.row.sessionName, tmuxPane: w.row.paneId, title: `${w.row.sessionName} needs you`, body: w.match.question }, `${hostId}|${w.row.paneId}`);
  }

  private _alertFor(hostId: string, sessionName: string): 'mute' | 'watch' | undefined {
    return this._options.settings().sessionAlerts[`${hostId}/${sessionName}`];
  }

  private _attention(hostId: string, a: Omit<Attention, 'id' | 'hostId' | 'hostName'>, key: string): void {
    const settings = this._options.settings();
    const now = this._options.clock.now();
    const shown = a.sessionId !== undefined && this._options.isShown(hostId, a.sessionId, a.tmuxPane);
    if (!settings.notifications) return;
    if (!this._gate.allow(key, now, { muted: this._alertFor(hostId, a.sessionName) === 'mute', shown })) return;
    this._onAttention.fire({ id: String(this._attentionId++), hostId, hostName: this._options.hostName(hostId), ...a });
  }

  private _changed(): void {
    if (this._store.isDisposed) return;
    this._onDidChange.fire({ items: this.items, marks: this.marks });
  }

  override dispose(): void {
    for (const hostId of [...this._hosts.keys()]) this._stop(hostId);
    super.dispose();
  }
}

function staleError(): HoldfastError {
  return new HoldfastError({ code: 'STALE', message: 'The prompt changed since it was shown; nothing was typed. Open the pane to see it.' });
}
