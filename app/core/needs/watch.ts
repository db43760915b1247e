// Watching a host's tmux for panes that wait for their user, with nothing installed on the server. One exec channel
// per connected host runs a shell loop that prints tmux's list of panes only when it changed (each window's
// activity time, its bell flag), once a second: nothing at all goes over the link while nothing happens. A pane
// whose window had output and then stayed still for a second is read once (capture-pane) and its screen matched
// against the prompt patterns (patterns.ts).
//
// WatchModel is the policy, pure (what to read, which bells are new, which sessions went quiet); HostWatcher is the
// thin driver (the channel, the timer, the reads).
import { Disposable, DisposableStore, MutableDisposable } from '../../shared/lifecycle';
import type { IClock, IExecChannel, ISshConnection } from '../interfaces';
import { leaseHeldTest } from '../ssh/lease';
import { posixCommand, shellQuote } from '../tmux/shell';
import { target, TMUX_PATH_SETUP, tmux, tmuxExec, tmuxInScript } from '../tmux/tmux';
import { detectWaiting, type Screen, type UserPattern, type WaitMatch } from './patterns';

/** A pane is read once its window has been still this long: a prompt is confirmed only on a still screen. */
export const STILL_MS = 1000;
/** After a quick answer, how long a pane that printed nothing waits before it is read again. */
export const ANSWERED_GRACE_MS = 5000;
/** A watched session that had output and then none for this long "went quiet" (a job finished). */
export const QUIET_MS = 30_000;

// The tmux server's pid, socket and start time name it: with the host key, "the same pane" whichever profile lists it.
const FIELDS = ['#{session_id}', '#{window_id}', '#{window_index}', '#{pane_id}', '#{window_activity}', '#{window_bell_flag}', '#{pane_dead}', '#{session_attached}', '#{pid}', '#{socket_path}', '#{start_time}', '#{session_name}', '#{window_name}'];
export const PANE_LIST_FORMAT = FIELDS.join('\t');

const START = '\x1e';
const END = '\x1f';

/**
 * The loop the host runs: the list at once (empty too), then when it changed, framed, once a second. Ends with the
 * channel, and with the connection's lease (ssh/lease.ts) when it has one: a dead link does not leave it running.
 */
export function watchScript(intervalSec = 1, lease?: string): string {
  const list = `${tmuxInScript(tmux.listPanes({ all: true }, PANE_LIST_FORMAT))} 2>/dev/null`;
  return posixCommand(
    `${TMUX_PATH_SETUP}; p=-; while ${leaseHeldTest(lease)}; do c=$(${list}); ` +
      `if [ "$c" != "$p" ]; then printf '\\036%s\\n\\037\\n' "$c" || exit 0; p=$c; fi; sleep ${intervalSec}; done`,
  );
}

export interface PaneRow {
  sessionId: string;
  sessionName: string;
  windowId: string;
  windowIndex: number;
  windowName: string;
  paneId: string;
  /** tmux's window_activity: the last output in the window, in seconds. */
  activity: number;
  bell: boolean;
  dead: boolean;
  /** How many clients are attached to its session. */
  attached: number;
  /** Which tmux server: its pid, socket path and start time (empty from an old tmux without them). */
  server: string;
}

export function parsePaneList(text: string): PaneRow[] {
  const rows: PaneRow[] = [];
  for (const line of text.split('\n')) {
    const [sessionId, windowId, windowIndex, paneId, activity, bell, dead, attached, pid, socket, started, sessionName, ...windowName] = line.split('\t');
    if (!sessionId?.startsWith('$') || !windowId?.startsWith('@') || !paneId?.startsWith('%')) continue;
    rows.push({
      sessionId,
      windowId,
      windowIndex: Number(windowIndex) || 0,
      paneId,
      activity: Number(activity) || 0,
      bell: bell === '1',
      dead: dead === '1',
      attached: Number(attached) || 0,
      server: `${pid ?? ''} ${socket ?? ''} ${started ?? ''}`.trim(),
      sessionName: sessionName ?? '',
      windowName: windowName.join('\t'),
    });
  }
  return rows;
}

/**
 * What a session list shows of a host's sessions (which there are, their names, windows and attached clients), as
 * one string: when it changes, a list on screen is stale.
 */
export function sessionsSignature(rows: readonly PaneRow[]): string {
  const sessions = new Map<string, { name: string; windows: Set<string>; attached: number }>();
  for (const row of rows) {
    const session = sessions.get(row.sessionId) ?? { name: row.sessionName, windows: new Set<string>(), attached: row.attached };
    session.windows.add(row.windowId);
    sessions.set(row.sessionId, session);
  }
  return [...sessions]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, s]) => `${id}\t${s.name}\t${s.windows.size}\t${s.attached}`)
    .join('\n');
}

/** Splits the loop's output into lists (framed by RS … US). */
export class ListFramer {
  private _buffer = '';

  push(text: string): string[] {
    this._buffer += text;
    const lists: string[] = [];
    for (;;) {
      const start = this._buffer.indexOf(START);
      if (start < 0) {
        this._buffer = '';
        return lists;
      }
      const end = this._buffer.indexOf(END, start);
      if (end < 0) {
        this._buffer = this._buffer.slice(start);
        // A list that never ends is not kept without bound.
        if (this._buffer.length > 1 << 20) this._buffer = '';
        return lists;
      }
      lists.push(this._buffer.slice(start + 1, end).replace(/\n$/, ''));
      this._buffer = this._buffer.slice(end + 1);
    }
  }
}

interface PaneWatch {
  row: PaneRow;
  /** When (our clock) its window's activity last changed. */
  changedAt: number;
  /** Read since that change. */
  read: boolean;
}

interface SessionWatch {
  lastChangeAt: number;
  busy: boolean;
}

export interface Observation {
  /** Bells that rang since the last list (a window's flag went up). */
  bells: PaneRow[];
  /** Panes that are gone. */
  gone: string[];
}

/** The policy: which panes to read when, which bells are new, which sessions went quiet. Pure. */
export class WatchModel {
  private readonly _panes = new Map<string, PaneWatch>();
  private readonly _sessions = new Map<string, SessionWatch>();
  private _first = true;

  get panes(): PaneRow[] {
    return [...this._panes.values()].map((p) => p.row);
  }

  row(paneId: string): PaneRow | undefined {
    return this._panes.get(paneId)?.row;
  }

  /** A new list from the host. The first list reads every pane once (a prompt may be waiting already). */
  observe(rows: readonly PaneRow[], now: number): Observation {
    const bells: PaneRow[] = [];
    const present = new Set<string>();
    for (const row of rows) {
      present.add(row.paneId);
      const old = this._panes.get(row.paneId);
      if (!old) {
        // Known since before the watch began: as still as it can be.
        this._panes.set(row.paneId, { row, changedAt: this._first ? now - STILL_MS : now, read: false });
        continue;
      }
      if (row.bell && !old.row.bell) bells.push(row);
      if (row.activity !== old.row.activity) {
        old.changedAt = now;
        old.read = false;
        const session = this._sessions.get(row.sessionId) ?? { lastChangeAt: now, busy: false };
        session.lastChangeAt = now;
        session.busy = true;
        this._sessions.set(row.sessionId, session);
      }
      old.row = row;
    }
    const gone: string[] = [];
    for (const paneId of [...this._panes.keys()]) {
      if (present.has(paneId)) continue;
      this._panes.delete(paneId);
      gone.push(paneId);
    }
    const sessions = new Set(rows.map((r) => r.sessionId));
    for (const id of [...this._sessions.keys()]) if (!sessions.has(id)) this._sessions.delete(id);
    this._first = false;
    return { bells, gone };
  }

  /** Panes to read now (still for STILL_MS since their last change, not read since); they count as read. */
  due(now: number): PaneRow[] {
    const due: PaneRow[] = [];
    for (const pane of this._panes.values()) {
      if (pane.read || pane.row.dead || now - pane.changedAt < STILL_MS) continue;
      pane.read = true;
      due.push(pane.row);
    }
    return due;
  }

  /** When the next pane becomes due, if any waits. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const pane of this._panes.values()) {
      if (pane.read || pane.row.dead) continue;
      const at = pane.changedAt + STILL_MS;
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  /** A read failed: read it again on the next change. */
  unread(paneId: string): void {
    const pane = this._panes.get(paneId);
    if (pane) pane.read = false;
  }

  /**
   * Keys went to the pane: its screen is not read again until the program answers them with output, or for
   * ANSWERED_GRACE_MS, so that the prompt still on screen for a moment is not listed again.
   */
  answered(paneId: string, now: number): void {
    const pane = this._panes.get(paneId);
    if (!pane) return;
    pane.read = false;
    pane.changedAt = now + ANSWERED_GRACE_MS - STILL_MS;
  }

  /** Sessions that had output and have had none for QUIET_MS; each is reported once per quiet spell. */
  quiet(now: number, quietMs = QUIET_MS): string[] {
    const quiet: string[] = [];
    for (const [id, session] of this._sessions) {
      if (!session.busy || now - session.lastChangeAt < quietMs) continue;
      session.busy = false;
      quiet.push(id);
    }
    return quiet;
  }

  /** When the next busy session would go quiet. */
  nextQuietAt(quietMs = QUIET_MS): number | undefined {
    let next: number | undefined;
    for (const session of this._sessions.values()) {
      if (!session.busy) continue;
      const at = session.lastChangeAt + quietMs;
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }
}

/** What reading a pane gives: its screen and cursor. */
export function capturePaneCommand(paneId: string): string {
  const pane = target.pane(paneId);
  return tmuxExec([tmux.displayMessage('#{cursor_y}', pane), tmux.capturePane(pane)]);
}

export function parseCapture(stdout: string): Screen {
  const newline = stdout.indexOf('\n');
  const cursorY = Number(stdout.slice(0, newline));
  const lines = stdout.slice(newline + 1).replace(/\n$/, '').split('\n');
  return { lines, ...(Number.isFinite(cursorY) && newline > 0 ? { cursorY } : {}) };
}

/** Sends exactly these bytes to a tmux pane, as keys (send-keys -H: no key names, nothing interpreted). */
export function sendBytesCommand(paneId: string, keys: string): string {
  return tmuxExec(tmux.sendKeysHex(target.pane(paneId), new TextEncoder().encode(keys)));
}

/** What sendIfUnchangedCommand exits with when the pane no longer shows what was read. */
export const SCREEN_CHANGED_EXIT = 3;

/**
 * Sends the keys only if the pane still shows exactly `capture` (what capturePaneCommand printed a moment ago):
 * the screen is read again and compared on the server, in the same command that types, so that nothing drawn
 * between the check and the keys can take them. Exits SCREEN_CHANGED_EXIT (typing nothing) otherwise.
 */
export function sendIfUnchangedCommand(paneId: string, capture: string, keys: string): string {
  const pane = target.pane(paneId);
  // `$(…)` drops trailing line breaks: the expected text is compared the same way.
  const expected = capture.replace(/\n+$/, '');
  const read = tmuxInScript([tmux.displayMessage('#{cursor_y}', pane), tmux.capturePane(pane)]);
  const send = tmuxInScript(tmux.sendKeysHex(pane, new TextEncoder().encode(keys)));
  return posixCommand(`${TMUX_PATH_SETUP}; now=$(${read}) || exit 1; [ "$now" = ${shellQuote(expected)} ] || exit ${SCREEN_CHANGED_EXIT}; exec ${send}`);
}

export interface WaitingPane {
  row: PaneRow;
  match: WaitMatch;
  /** Since when (our clock) the pane has been still with this prompt. */
  since: number;
}

export interface HostWatcherOptions {
  connection: ISshConnection;
  clock: IClock;
  userPatterns(): readonly UserPattern[];
  /** The host's waiting panes changed (all of them, each time). */
  onWaiting(panes: WaitingPane[]): void;
  /** A window's bell rang. */
  onBell(row: PaneRow): void;
  /** A session had output and then none for QUIET_MS. */
  onQuiet(sessionId: string, sessionName: string): void;
  /** Every list as it comes (the sessions' activity and bells, for their marks). */
  onList?(rows: PaneRow[]): void;
  /** Every pane of the first list has been read once (what waits is known). */
  onSettled?(): void;
  quietMs?: number;
}

/** The driver: one exec channel, one timer, a capture per pane that went still. */
export class HostWatcher extends Disposable {
  private readonly _model = new WatchModel();
  private readonly _framer = new ListFramer();
  private readonly _waiting = new Map<string, WaitingPane>();
  /** When each pane's last prompt was first seen, so that a prompt drawn again keeps its age. */
  private readonly _firstSeen = new Map<string, { lines: string; since: number }>();
  private readonly _timer = this._register(new MutableDisposable());
  private _channel: IExecChannel | undefined;
  private _reading = false;
  /** A list came; every pane of the first one has been read once. */
  private _listed = false;
  private _settled = false;
  /** Panes answered just now, with their activity then: the prompt still on screen is not listed again meanwhile. */
  private readonly _answered = new Map<string, { activity: number; until: number }>();
  private readonly _decoder = new TextDecoder();

  constructor(private readonly _options: HostWatcherOptions) {
    super();
  }

  /** Starts the loop on the host; resolves once it runs. */
  async start(): Promise<void> {
    const lease = await this._options.connection.lease?.();
    if (this._store.isDisposed) return;
    const channel = await this._options.connection.openExec(watchScript(1, lease));
    if (this._store.isDisposed) {
      channel.dispose();
      return;
    }
    this._channel = channel;
    const store = this._register(new DisposableStore());
    store.add(channel);
    store.add(channel.onData((bytes) => this._onText(this._decoder.decode(bytes, { stream: true }))));
  }

  get waiting(): WaitingPane[] {
    return [...this._waiting.values()];
  }

  /** Reads one pane now (a quick answer checks the screen it is about to type into). */
  async read(paneId: string): Promise<WaitMatch | undefined> {
    return (await this.readScreen(paneId)).match;
  }

  /** Reads one pane: what it waits for, if anything, and the capture as tmux printed it (for sendIfUnchangedCommand). */
  async readScreen(paneId: string): Promise<{ match: WaitMatch | undefined; capture: string }> {
    const result = await this._options.connection.exec(capturePaneCommand(paneId), { timeoutMs: 5000 });
    if (result.code !== 0) throw new Error(result.stderr.trim() || `capture-pane exited with ${result.code}`);
    return { match: detectWaiting(parseCapture(result.stdout), this._options.userPatterns()), capture: result.stdout };
  }

  /** The prompt was answered: out of the list at once (a read after the program's answer decides whether it is still there). */
  answered(paneId: string): void {
    const now = this._options.clock.now();
    const row = this._model.row(paneId);
    if (row) this._answered.set(paneId, { activity: row.activity, until: now + ANSWERED_GRACE_MS });
    this._model.answered(paneId, now);
    if (this._waiting.delete(paneId)) this._options.onWaiting(this.waiting);
    this._schedule();
  }

  /** The screen differs from what the list says (a quick answer found another prompt): read it again now. */
  recheck(paneId: string): void {
    this._model.unread(paneId);
    this._schedule();
  }

  /** Whether every pane of the first list has been read once: until then, what is not listed may still be waiting. */
  get settled(): boolean {
    return this._settled;
  }

  private _onText(text: string): void {
    for (const list of this._framer.push(text)) {
      const now = this._options.clock.now();
      const rows = parsePaneList(list);
      const { bells, gone } = this._model.observe(rows, now);
      this._options.onList?.(rows);
      let changed = false;
      for (const paneId of gone) {
        this._firstSeen.delete(paneId);
        this._answered.delete(paneId);
        changed = this._waiting.delete(paneId) || changed;
      }
      // A pane with new output is not waiting any more until it is read again.
      for (const [paneId, waiting] of [...this._waiting]) {
        const row = this._model.row(paneId);
        if (row && row.activity !== waiting.row.activity) {
          this._waiting.delete(paneId);
          changed = true;
        }
      }
      if (changed) this._options.onWaiting(this.waiting);
      for (const row of bells) this._options.onBell(row);
      if (!this._listed) {
        this._listed = true;
        if (rows.length === 0) this._settle();
      }
    }
    this._schedule();
  }

  private _settle(): void {
    if (this._settled || this._store.isDisposed) return;
    this._settled = true;
    this._options.onSettled?.();
  }

  private _schedule(): void {
    if (this._store.isDisposed) return;
    const quietMs = this._options.quietMs ?? QUIET_MS;
    const at = [this._model.nextDueAt(), this._model.nextQuietAt(quietMs)].filter((x): x is number => x !== undefined);
    if (at.length === 0 || this._reading) {
      if (!this._reading) this._timer.clear();
      return;
    }
    const delay = Math.max(0, Math.min(...at) - this._options.clock.now());
    this._timer.value = this._options.clock.setTimeout(() => void this._tick(), delay + 20);
  }

  private async _tick(): Promise<void> {
    if (this._store.isDisposed || this._reading) return;
    const now = this._options.clock.now();
    for (const sessionId of this._model.quiet(now, this._options.quietMs ?? QUIET_MS)) {
      const name = this._model.panes.find((p) => p.sessionId === sessionId)?.sessionName ?? sessionId;
      this._options.onQuiet(sessionId, name);
    }
    const due = this._model.due(now);
    this._reading = true;
    let changed = false;
    try {
      for (const row of due) {
        let match: WaitMatch | undefined;
        try {
          match = await this.read(row.paneId);
        } catch {
          if (this._store.isDisposed) return;
          this._model.unread(row.paneId);
          continue;
        }
        if (this._store.isDisposed) return;
        const current = this._model.row(row.paneId);
        // Output came while it was read: the next still moment decides.
        if (!current || current.activity !== row.activity) continue;
        const old = this._waiting.get(row.paneId);
        const answered = this._answered.get(row.paneId);
        if (answered && answered.activity === current.activity && now < answered.until) continue;
        this._answered.delete(row.paneId);
        if (match) {
          const lines = match.lines.join('\n');
          if (!old || old.match.lines.join('\n') !== lines) {
            const seen = this._firstSeen.get(row.paneId);
            const since = seen?.lines === lines ? seen.since : now - STILL_MS;
            this._firstSeen.set(row.paneId, { lines, since });
            this._waiting.set(row.paneId, { row: current, match, since });
            changed = true;
          }
        } else {
          this._firstSeen.delete(row.paneId);
          if (old) {
            this._waiting.delete(row.paneId);
            changed = true;
          }
        }
      }
    } finally {
      this._reading = false;
    }
    if (changed) this._options.onWaiting(this.waiting);
    if (this._listed) this._settle();
    this._schedule();
  }
}
