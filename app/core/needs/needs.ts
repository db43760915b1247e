// "Needs you" across hosts: a HostWatcher per connected host, the waiting panes of all of them as one list, the
// sessions' marks (waiting, bell, output since last seen), quick answers that type exactly a choice's keys once and
// only into the prompt the user saw, and attention events for desktop notifications, gated by AttentionGate.
import { randomUUID } from 'node:crypto';
import { HoldfastError } from '../../shared/contract';
import { Disposable, DisposableStore, Emitter, type IDisposable } from '../../shared/lifecycle';
import type { Attention, NeedsItem, SessionMarks, Settings, TimelineEntry } from '../../shared/model';
import type { Host } from '../host';
import type { IClock, ISshConnection } from '../interfaces';
import type { PaneAttention } from '../pane/Pane';
import { target, tmux, tmuxExec } from '../tmux/tmux';
import type { ITimelineLog } from '../timeline/log';
import { promptFingerprint, promptText, type WaitMatch } from './patterns';
import { HostWatcher, SCREEN_CHANGED_EXIT, sendIfUnchangedCommand, sessionsSignature, type PaneRow, type WaitingPane } from './watch';

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
  /** Where prompts that waited and answers given are recorded (the Timeline). */
  timeline?: ITimelineLog;
}

/** Who gave a quick answer. */
export interface AnswerDevice {
  kind: 'window' | 'page' | 'device';
  label?: string;
}

interface Watched {
  readonly hostId: string;
  /** While connected: the watcher and its connection. */
  watcher?: HostWatcher;
  connection?: ISshConnection;
  /** The host key the last connection verified: with tmux's server and pane id, it names a pane on that machine. */
  hostKey?: string;
  /** What the watcher lists as waiting now. */
  live: WaitingPane[];
  /** What waited when the link went: kept, not current, until the next watcher has read every pane once. */
  stale: WaitingPane[];
  rows: PaneRow[];
  /** What a session list of the host shows (sessionsSignature), from the last list. */
  sessions?: string;
}

/** A prompt being listed, from the moment it was first seen to the moment it went (then written to the Timeline). */
interface OpenPrompt {
  began: number;
  hostId: string;
  waiting: WaitingPane;
  answered: boolean;
}

interface Listed {
  key: string;
  hostId: string;
  waiting: WaitingPane;
  current: boolean;
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
  /** Prompts listed now, by pane identity and fingerprint. */
  private readonly _open = new Map<string, OpenPrompt>();
  /** Answers being typed: a second click on the same prompt meanwhile types nothing. */
  private readonly _answering = new Set<string>();
  /** Time each session ("hostId sessionName") waited for its user today: the day (its midnight) and the total. */
  private readonly _waitedToday = new Map<string, { day: number; ms: number }>();

  constructor(private readonly _options: NeedsOptions) {
    super();
    const today = this._today();
    for (const entry of _options.timeline?.list() ?? []) {
      if (entry.kind === 'prompt' && entry.ended >= today) this._addWaited(entry.hostId, entry.sessionName, entry.began, entry.ended);
    }
  }

  /** Watches a host while it is connected: from each connection to its loss; what waited stays listed, not current, until it is read again. */
  watchHost(host: Host): IDisposable {
    const store = new DisposableStore();
    const watched = this._watched(host.hostId);
    const start = (connection: ISshConnection) => {
      this._lose(watched);
      watched.connection = connection;
      if (connection.hostKeyFingerprint) watched.hostKey = connection.hostKeyFingerprint;
      const watcher = new HostWatcher({
        connection,
        clock: this._options.clock,
        quietMs: this._options.quietMs,
        userPatterns: () => this._options.settings().waitPatterns,
        onWaiting: (waiting) => {
          watched.live = waiting;
          for (const w of waiting) this._announceWaiting(watched, w);
          this._changed();
        },
        onSettled: () => {
          // Every pane has been read again: what was not found waiting is not.
          watched.stale = [];
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
          // The first list of a connection counts too: a list a view made as the host connected may be older than it
          // (a session made in between would stay missing until the next relist).
          if (before !== sessions) this._onSessionsChanged.fire(host.hostId);
          this._changed();
        },
      });
      watched.watcher = watcher;
      watcher.start().catch(() => {
        if (watched.watcher === watcher) this._lose(watched);
      });
    };
    store.add(host.supervisor.onDidConnect(({ connection }) => start(connection)));
    store.add(host.supervisor.onDidLoseConnection(() => this._lose(watched)));
    if (host.status.state === 'connected' && host.connection) start(host.connection);
    store.add({ dispose: () => this._forget(host.hostId) });
    return store;
  }

  private _watched(hostId: string): Watched {
    let watched = this._hosts.get(hostId);
    if (!watched) this._hosts.set(hostId, (watched = { hostId, live: [], stale: [], rows: [] }));
    return watched;
  }

  /** The link went: the watcher stops, what it listed is kept as not current. */
  private _lose(watched: Watched): void {
    if (!watched.watcher) return;
    const stale = new Map(watched.stale.map((w) => [w.row.paneId, w]));
    for (const w of watched.live) stale.set(w.row.paneId, w);
    watched.stale = [...stale.values()];
    watched.live = [];
    watched.watcher.dispose();
    watched.watcher = undefined;
    watched.connection = undefined;
    this._changed();
  }

  /** The host is gone (deleted, or core stops): its items go with it. */
  private _forget(hostId: string): void {
    const watched = this._hosts.get(hostId);
    if (!watched) return;
    watched.watcher?.dispose();
    this._hosts.delete(hostId);
    this._changed();
  }

  /** Which tmux server a host's panes are on: the machine's host key with tmux's pid, socket and start time. */
  private _server(watched: Watched): string {
    const server = watched.rows[0]?.server;
    return watched.hostKey && server ? `${watched.hostKey} ${server}` : `host:${watched.hostId}`;
  }

  /**
   * Every waiting pane once: current before not current, and a pane that two profiles of the same server both list
   * (the same host key, tmux server and pane) under the first of them.
   */
  private _listed(): Listed[] {
    const byKey = new Map<string, Listed>();
    const add = (watched: Watched, waiting: WaitingPane, current: boolean) => {
      const key = `${this._server(watched)}|${waiting.row.paneId}|${promptFingerprint(waiting.match)}`;
      const pane = key.slice(0, key.lastIndexOf('|'));
      for (const [k, other] of byKey) {
        if (k.slice(0, k.lastIndexOf('|')) !== pane) continue;
        // The same pane: the current listing wins over a kept one.
        if (other.current || !current) return;
        byKey.delete(k);
      }
      byKey.set(key, { key, hostId: watched.hostId, waiting, current });
    };
    for (const watched of this._hosts.values()) for (const w of watched.live) add(watched, w, true);
    for (const watched of this._hosts.values()) {
      const live = new Set(watched.live.map((w) => w.row.paneId));
      for (const w of watched.stale) if (!live.has(w.row.paneId)) add(watched, w, false);
    }
    return [...byKey.values()];
  }

  get items(): NeedsItem[] {
    return this._listed()
      .map((l) => this._item(l))
      .sort((a, b) => a.since - b.since);
  }

  get marks(): SessionMarks[] {
    const now = this._options.clock.now();
    const marks = new Map<string, SessionMarks>();
    for (const [hostId, watched] of this._hosts) {
      if (!watched.watcher) continue;
      const sameServer = [...this._hosts.values()].filter((w) => w === watched || (w.hostKey !== undefined && this._server(w) === this._server(watched)));
      for (const row of watched.rows) {
        const key = `${hostId} ${row.sessionId}`;
        let mark = marks.get(key);
        if (!mark) {
          const waitedTodayMs = sameServer.reduce((sum, w) => sum + this._waitedOf(w.hostId, row.sessionName), 0);
          marks.set(key, (mark = { hostId, sessionId: row.sessionId, waiting: false, bell: this._bells.has(key), activity: false, waitedTodayMs }));
        }
        if (this._options.isShown(hostId, row.sessionId)) this._lastSeen.set(key, now);
        const seen = this._lastSeen.get(key) ?? 0;
        if (seen > 0 && row.activity * 1000 > seen) mark.activity = true;
        if (seen === 0) this._lastSeen.set(key, now);
      }
      for (const w of watched.live) {
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

  /**
   * A quick answer: types the choice's keys into the pane once, and only while the pane, read again now, shows exactly
   * the prompt the user saw (its whole region, the action included). Otherwise nothing is typed, STALE is thrown and
   * the item is read again. The answer is recorded in the Timeline with who gave it.
   */
  async answer(itemId: string, choice: number, fingerprint: string, device: AnswerDevice = { kind: 'window' }): Promise<void> {
    const listed = this._listed().find((l) => this._itemId(l) === itemId);
    if (!listed) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That prompt is not waiting any more.' });
    const watched = this._hosts.get(listed.hostId)!;
    if (!listed.current || !watched.watcher || !watched.connection) {
      throw new HoldfastError({ code: 'NETWORK', message: 'The host is reconnecting: the prompt is shown as it was, and cannot be answered until it is read again.' });
    }
    const { waiting } = listed;
    const chosen = waiting.match.choices[choice];
    if (!chosen) throw new HoldfastError({ code: 'VALIDATION', message: 'That answer is not one of the prompt’s choices.' });
    if (promptFingerprint(waiting.match) !== fingerprint) throw staleError();
    if (this._answering.has(listed.key)) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That prompt is being answered already.' });
    this._answering.add(listed.key);
    const { watcher, connection } = watched;
    try {
      // The screen as it is now, not as it was listed: never type into something else.
      let now: { match: WaitMatch | undefined; capture: string };
      try {
        now = await watcher.readScreen(waiting.row.paneId);
      } catch (err) {
        throw new HoldfastError({ code: 'NETWORK', message: `Could not read the pane: ${err instanceof Error ? err.message : String(err)}` });
      }
      if (!now.match || promptText(now.match) !== promptText(waiting.match)) {
        // The list catches up with the screen.
        watcher.recheck(waiting.row.paneId);
        throw staleError();
      }
      // The keys go in the same command that reads the screen once more and finds it unchanged.
      const result = await connection.exec(sendIfUnchangedCommand(waiting.row.paneId, now.capture, chosen.keys), { timeoutMs: 5000 });
      if (result.code === SCREEN_CHANGED_EXIT) {
        watcher.recheck(waiting.row.paneId);
        throw staleError();
      }
      if (result.code !== 0) throw new HoldfastError({ code: 'INTERNAL', message: `tmux did not take the keys: ${result.stderr.trim()}` });
      const open = this._open.get(listed.key);
      if (open) open.answered = true;
      this._record({
        kind: 'answer',
        ...this._where(listed.hostId, waiting),
        itemId,
        pattern: waiting.match.pattern,
        question: waiting.match.question,
        prompt: waiting.match.lines,
        choice: chosen.label,
        device: { kind: device.kind, label: device.kind === 'device' ? device.label || 'a paired device' : 'this computer' },
      });
      // Gone from the list: a second click finds nothing to answer.
      watcher.answered(waiting.row.paneId);
    } finally {
      this._answering.delete(listed.key);
    }
  }

  /** Selects the item's window and pane in tmux, so that its session opens on it. */
  async focus(itemId: string): Promise<{ hostId: string; sessionId: string; sessionName: string; tmuxPane: string }> {
    const { hostId, connection, waiting } = this._find(itemId);
    const pane = waiting.row.paneId;
    const t = target.pane(pane);
    await connection.exec(tmuxExec([tmux.selectWindow(t), tmux.selectPane(t)]), { timeoutMs: 5000 });
    return { hostId, sessionId: waiting.row.sessionId, sessionName: waiting.row.sessionName, tmuxPane: pane };
  }

  /** A program in an open pane rang the bell or sent OSC 9/777. */
  paneAttention(pane: { hostId: string; sessionId?: string; sessionName: string }, attention: PaneAttention): void {
    if (!pane.sessionId) return;
    const title = attention.kind === 'bell' ? `Bell in ${pane.sessionName}` : attention.title || `${pane.sessionName}`;
    const body = attention.kind === 'bell' ? 'A program rang the bell.' : attention.body ?? '';
    this._attention(pane.hostId, { kind: attention.kind, sessionId: pane.sessionId, sessionName: pane.sessionName, ...(attention.target ? { tmuxPane: attention.target } : {}), title, body }, `${pane.hostId} ${pane.sessionId}`);
  }

  private _find(itemId: string): { hostId: string; connection: ISshConnection; waiting: WaitingPane } {
    const [hostId, paneId] = itemId.split('|');
    const watched = hostId ? this._hosts.get(hostId) : undefined;
    const waiting = watched?.live.find((w) => w.row.paneId === paneId);
    if (!hostId || !watched?.connection || !waiting) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That prompt is not waiting any more.' });
    return { hostId, connection: watched.connection, waiting };
  }

  private _itemId(l: Listed): string {
    return `${l.hostId}|${l.waiting.row.paneId}`;
  }

  private _item(l: Listed): NeedsItem {
    const w = l.waiting;
    return {
      id: this._itemId(l),
      hostId: l.hostId,
      hostName: this._options.hostName(l.hostId),
      sessionId: w.row.sessionId,
      sessionName: w.row.sessionName,
      windowIndex: w.row.windowIndex,
      windowName: w.row.windowName,
      tmuxPane: w.row.paneId,
      since: this._open.get(l.key)?.began ?? w.since,
      current: l.current,
      pattern: w.match.pattern,
      question: w.match.question,
      lines: w.match.lines,
      choices: w.match.choices.map((c) => ({ label: c.label })),
      fingerprint: promptFingerprint(w.match),
    };
  }

  private _where(hostId: string, w: WaitingPane) {
    return { id: randomUUID(), at: this._options.clock.now(), hostId, hostName: this._options.hostName(hostId), sessionId: w.row.sessionId, sessionName: w.row.sessionName, tmuxPane: w.row.paneId };
  }

  private _record(entry: TimelineEntry): void {
    this._options.timeline?.append(entry);
  }

  /** Prompts that began and ended since the last change: each that ended is written to the Timeline. */
  private _reconcile(listed: readonly Listed[]): void {
    const now = this._options.clock.now();
    const keys = new Set<string>();
    for (const l of listed) {
      keys.add(l.key);
      if (!this._open.has(l.key)) this._open.set(l.key, { began: l.waiting.since, hostId: l.hostId, waiting: l.waiting, answered: false });
    }
    for (const [key, open] of [...this._open]) {
      if (keys.has(key)) continue;
      this._open.delete(key);
      const ended = Math.max(open.began, now);
      this._addWaited(open.hostId, open.waiting.row.sessionName, open.began, ended);
      this._record({
        kind: 'prompt',
        ...this._where(open.hostId, open.waiting),
        itemId: `${open.hostId}|${open.waiting.row.paneId}`,
        pattern: open.waiting.match.pattern,
        question: open.waiting.match.question,
        prompt: open.waiting.match.lines,
        began: open.began,
        ended,
        waitedMs: ended - open.began,
        outcome: open.answered ? 'answered' : 'gone',
      });
    }
  }

  /** This computer's midnight today. */
  private _today(): number {
    const d = new Date(this._options.clock.now());
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  }

  private _addWaited(hostId: string, sessionName: string, began: number, ended: number): void {
    const today = this._today();
    const ms = ended - Math.max(began, today);
    if (ms <= 0) return;
    const key = `${hostId} ${sessionName}`;
    const entry = this._waitedToday.get(key);
    this._waitedToday.set(key, { day: today, ms: (entry?.day === today ? entry.ms : 0) + ms });
  }

  private _waitedOf(hostId: string, sessionName: string): number {
    const entry = this._waitedToday.get(`${hostId} ${sessionName}`);
    return entry?.day === this._today() ? entry.ms : 0;
  }

  private _announceWaiting(watched: Watched, w: WaitingPane): void {
    const pane = `${this._server(watched)}|${w.row.paneId}`;
    const key = `${pane}|${promptFingerprint(w.match)}`;
    if (this._announced.has(key)) return;
    this._announced.add(key);
    if (this._announced.size > 1000) this._announced.delete(this._announced.values().next().value!);
    this._attention(watched.hostId, { kind: 'waiting', sessionId: w.row.sessionId, sessionName: w.row.sessionName, tmuxPane: w.row.paneId, title: `${w.row.sessionName} needs you`, body: w.match.question }, pane);
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
    this._reconcile(this._listed());
    this._onDidChange.fire({ items: this.items, marks: this.marks });
  }

  override dispose(): void {
    for (const watched of this._hosts.values()) watched.watcher?.dispose();
    this._hosts.clear();
    super.dispose();
  }
}

function staleError(): HoldfastError {
  return new HoldfastError({ code: 'STALE', message: 'The prompt changed since it was shown; nothing was typed. Open the pane to see it.' });
}
