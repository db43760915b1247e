// A pane: the byte stream of one tmux session on one host, shown by any number of views. How the stream is attached
// (today a `tmux attach` in a pty channel; later tmux control mode) is this class's business alone. Its output goes
// through a PaneStream to the views that subscribed (each from a snapshot of the screen, flow-controlled by the
// slowest visible one); views send input, their size and acknowledgements, each under its own view id.
import { HoldfastError } from '../../shared/contract';
import { Disposable, DisposableStore, Emitter, MutableDisposable, toDisposable, type IDisposable } from '../../shared/lifecycle';
import type { CommandExit, HoldfastErrorData, PaneInfo, PaneState, SessionLayout, TmuxAction } from '../../shared/model';
import { systemClock, type IClock, type IPtyChannel, type ISshConnection } from '../interfaces';
import { ControlClient, controlAttachCommand, replyText } from '../tmux/control/client';
import { TMUX_PATH_SETUP, tmux, tmuxInScript } from '../tmux/tmux';
import { posixCommand } from '../tmux/shell';
import type { ControlPaneChannel } from '../tmux/control/paneChannel';
import { outageLabel, type ResyncPlan } from '../tmux/control/resync';
import { ControlSession } from '../tmux/control/session';
import { attachSessionCommand, createSession, deadPane, killSession, lookUpSession, tmuxMissingError } from '../tmux/sessions';
import { PaneOutput } from './PaneOutput';
import type { FlowMarks, PaneStream, SubscribeOptions } from './PaneStream';
import { TERMINAL_RESET_BYTES } from './terminalReset';

/** How long an attach that failed waits to learn whether the link is still there. */
const ATTACH_FAILURE_PROBE_MS = 2000;
/**
 * When to look whether a new session's start command has already ended (a typo exits at once; tmux keeps its
 * window with remain-on-exit so that its output can be shown).
 */
const EXIT_CHECKS_MS = [300, 1500, 5000];
/** A dead pane without a status yet is looked at again this often, this many times, before its status counts as unknown. */
const STATUS_WAIT_MS = 150;
const STATUS_WAITS = 4;
/**
 * tmux pauses a pane for a control client this many seconds behind (and Holdfast resyncs it) instead of holding
 * the program's output back (tmux ≥ 3.2; the flag is also how an older tmux is told apart: it refuses it).
 */
const CONTROL_PAUSE_AFTER_SEC = 10;
/** History rows looked through after an outage or a pause (about 1 MB with colours; tmux clamps to what it has). */
const CONTROL_RESYNC_HISTORY = 10_000;
/** How long tmux may take to answer while a control-mode client attaches; past it the attach fails and is retried. */
const CONTROL_ANSWER_MS = 15_000;

function withinTime<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HoldfastError({ code: 'TIMEOUT', message: `tmux did not answer ${what} within ${Math.round(ms / 1000)} s` })), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
/** Retries of an attach that failed on a link that answers: 2 s, 4 s, … up to 30 s. */
const LIVE_LINK_RETRY_BASE_MS = 2000;
const LIVE_LINK_RETRY_MAX_MS = 30_000;

export interface PaneOptions {
  paneId: string;
  hostId: string;
  sessionName: string;
  /** The session's tmux id, when the view knows it (it listed the session). */
  sessionId?: string;
  /** What a (re)created session runs instead of the login shell, e.g. "claude --continue". */
  startCommand?: string;
  cols: number;
  rows: number;
  /** Drives output batching; tests pass a manual clock. */
  scheduler?: Pick<IClock, 'setTimeout'>;
  /** Overrides of the flow-control marks (tests). */
  flow?: Partial<FlowMarks>;
  /**
   * Made again after a restart: the pane waits in 'reconnecting' for its host's connection, which attaches it
   * (`awaitingLink`), instead of being attached by whoever made it.
   */
  restored?: boolean;
  /** The TERM the pty announces; the view is xterm.js. */
  term?: string;
  /** How to attach, asked at every attach (a profile edited meanwhile counts). Classic when absent. */
  attachPolicy?: () => PaneAttachPolicy;
  /** For the outage divider's times; the system clock when absent. */
  clock?: Pick<IClock, 'now'>;
  /**
   * A pane opened from a paired device: it never sizes the session (a control client that never sets a size, which
   * tmux leaves out of window sizes; a classic one attached with ignore-size). The device scrolls what is wider.
   */
  ignoreSize?: boolean;
}

export interface PaneStateChange {
  state: PaneState;
  message?: string;
  error?: HoldfastErrorData;
  exit?: CommandExit;
  /** How the pane is attached, once it is. */
  mode?: PaneMode;
}

/** How a pane is attached to its session: tmux control mode, or a classic `tmux attach` in a pty. */
export type PaneMode = { kind: 'control' } | { kind: 'classic'; because?: string };

/** How a pane wants to attach: the profile's (or the settings') tmux mode, and the history a control pane fetches. */
export interface PaneAttachPolicy {
  mode: 'auto' | 'control' | 'classic';
  historyLines: number;
}

/** Control mode could not be used for this session; `because` says why, for the user. */
export class ControlModeUnavailable extends Error {
  constructor(readonly because: string) {
    super(because);
  }
}

/**
 * What a pane becomes when its tmux client ended. Only a live link tells anything about the session: if the link
 * is gone (or the check could not run) the client ended with it and the pane waits for the reconnect.
 */
export function stateAfterClientExit(check: { linkAlive: boolean; sessionExists?: boolean }): 'reconnecting' | 'closed' | 'session-gone' {
  if (!check.linkAlive || check.sessionExists === undefined) return 'reconnecting';
  return check.sessionExists ? 'closed' : 'session-gone';
}

export function sessionGoneError(sessionName: string): HoldfastError {
  return new HoldfastError({
    code: 'SESSION_GONE',
    message: `The tmux session "${sessionName}" no longer exists on the server.`,
    hint: 'Recreate it to start it again with its start command.',
  });
}

const DISCARD_MESSAGES: Partial<Record<PaneState, string>> = {
  reconnecting: 'Input discarded while reconnecting',
  attaching: 'Input discarded while attaching',
  'session-gone': 'Input discarded: the session no longer exists',
  exited: 'Input discarded: the start command has ended',
};

/**
 * History the pane's mirror keeps above its screen. A classic `tmux attach` draws on the alternate screen, which
 * has none: nothing of the session scrolls into the view's history, so the mirror keeps none either.
 */
const CLASSIC_MIRROR_SCROLLBACK = 0;

/** tmux could not be run at all: the shell's "command not found". */
const EXIT_COMMAND_NOT_FOUND = 127;

/** Something in the pane's output that calls for the user. */
export interface PaneAttention {
  kind: 'bell' | 'notification';
  /** The tmux pane it came from (control mode). */
  target?: string;
  title?: string;
  body?: string;
}

export class Pane extends Disposable {
  private readonly _onData = this._register(new Emitter<Uint8Array>());
  /**
   * Output, batched per frame and never split inside a UTF-8 character, as it goes to the views (for watchers in
   * core: the host's echo watchdog). Views subscribe through `subscribe`.
   */
  readonly onData = this._onData.event;
  private readonly _onDidChangeState = this._register(new Emitter<PaneStateChange>());
  readonly onDidChangeState = this._onDidChangeState.event;

  readonly paneId: string;
  readonly hostId: string;
  private _startCommand: string | undefined;
  /** The name as the user asked for it, for making the session again. */
  private readonly _givenName: string;
  /** The name as tmux lists it (it may escape some characters, and the session may have been renamed). */
  private _sessionName: string;
  /** tmux's id of the session, which every `-t` target uses; learned from a listing or from new-session. */
  private _sessionId: string | undefined;

  private readonly _term: string;
  private _cols: number;
  private _rows: number;
  private _state: PaneState = 'attaching';
  private _error: HoldfastErrorData | undefined;
  /** Bumped by every attach, link loss and detach: async work from an older generation is dropped. */
  private _generation = 0;
  private _everAttached = false;
  private _discardReported = false;
  private _linkAlive = false;

  /** The stream of a classic attach (and the one views without a target get before a control session has panes). */
  private readonly _main: PaneOutput;
  /** A control-mode session's panes, each a stream of its own (kept across reattaches: their mirrors resync). */
  private readonly _tmuxOutputs = new Map<string, PaneOutput>();
  private readonly _outputOptions: { scheduler?: Pick<IClock, 'setTimeout'>; flow?: Partial<FlowMarks> };
  private _session: ControlSession | undefined;
  private _layout: SessionLayout | undefined;
  private readonly _onDidChangeLayout = this._register(new Emitter<SessionLayout>());
  /** A control-mode session's windows and panes changed. */
  readonly onDidChangeLayout = this._onDidChangeLayout.event;
  /** Views on the pane's own stream (no target), and the output each is bound to now. */
  private readonly _followers = new Map<string, { deliver: (data: Uint8Array) => void; output: PaneOutput; options: SubscribeOptions }>();
  private readonly _onLinkInDoubt = this._register(new Emitter<void>());
  /** An attach failed and the link did not answer a probe in time: its host should look at it (and replace it if dead). */
  readonly onLinkInDoubt = this._onLinkInDoubt.event;
  private readonly _onAttention = this._register(new Emitter<PaneAttention>());
  /** The program rang the bell or asked for a notification (OSC 9/777), in the pane or one tmux pane of it. */
  readonly onAttention = this._onAttention.event;
  /** Waiting for its host's next connection to attach (restored after a restart, or the link was lost). */
  private _awaitingLink = false;
  /** The one live channel and its listeners. */
  private readonly _channel = this._register(new MutableDisposable<DisposableStore>());
  private _channelRef: IPtyChannel | undefined;
  private readonly _connectionWatch = this._register(new MutableDisposable<DisposableStore>());
  /** What binds a control session's panes to their streams. */
  private readonly _sessionBinding = this._register(new MutableDisposable<DisposableStore>());
  private readonly _scheduler: Pick<IClock, 'setTimeout'>;
  private readonly _retryTimer = this._register(new MutableDisposable());
  private readonly _exitTimer = this._register(new MutableDisposable());
  private _exit: CommandExit | undefined;
  private _liveLinkRetries = 0;
  private readonly _attachPolicy: () => PaneAttachPolicy;
  /** Opened from a paired device: never sizes the session. */
  readonly ignoreSize: boolean;
  private readonly _clock: Pick<IClock, 'now'>;
  private _mode: PaneMode | undefined;
  /** Why control mode is not used for this session (set once auto mode fell back): classic from then on. */
  private _classicBecause: string | undefined;
  /** The pid of this pane's control-mode client on the server, to end it if a dead link left it behind. */
  private _controlClientPid: number | undefined;
  /** When the link was lost (for the divider a control-mode resync writes). */
  private _lostAt: number | undefined;
  private _lastResync: ResyncPlan | undefined;

  constructor(options: PaneOptions) {
    super();
    this.paneId = options.paneId;
    this.hostId = options.hostId;
    this._givenName = options.sessionName;
    this._sessionName = options.sessionName;
    this._sessionId = options.sessionId;
    this._startCommand = options.startCommand;
    this._cols = options.cols;
    this._rows = options.rows;
    this._term = options.term ?? 'xterm-256color';
    this._scheduler = options.scheduler ?? systemClock;
    this._attachPolicy = options.attachPolicy ?? (() => ({ mode: 'classic', historyLines: 0 }));
    this.ignoreSize = options.ignoreSize === true;
    this._clock = options.clock ?? systemClock;
    this._outputOptions = { scheduler: options.scheduler, flow: options.flow };
    this._main = this._register(new PaneOutput({ cols: this._cols, rows: this._rows, ...this._outputOptions, scrollback: CLASSIC_MIRROR_SCROLLBACK }));
    this._watchAttention(this._main, undefined);
    // The views' sizes choose the pane's (classic) or the control session's, on the main stream.
    this._register(this._main.stream.onDidChooseSize(({ cols, rows }) => this.resize(cols, rows)));
    this._register(this._main.onBatch((batch) => this._onData.fire(batch)));
    if (options.restored) {
      this._state = 'reconnecting';
      this._awaitingLink = true;
    }
  }

  /** The session's name as tmux lists it. */
  get sessionName(): string {
    return this._sessionName;
  }

  get state(): PaneState {
    return this._state;
  }

  get cols(): number {
    return this._cols;
  }

  get rows(): number {
    return this._rows;
  }

  get isDisposed(): boolean {
    return this._store.isDisposed;
  }

  /** Waits for its host's next connection to attach (the host attaches every such pane when one comes). */
  get awaitingLink(): boolean {
    return this._awaitingLink;
  }

  /** The pane's output on its way to views (tests and diagnostics look at its flow state): the active tmux pane's in control mode. */
  get stream(): PaneStream {
    return this._outputFor(undefined)?.stream ?? this._main.stream;
  }

  /** A control-mode session's windows and panes, as tmux has them. */
  get layout(): SessionLayout | undefined {
    return this._layout;
  }

  /** The stream views of `target` (a tmux pane) get; without it the active tmux pane's, or the classic stream. */
  private _outputFor(target: string | undefined): PaneOutput | undefined {
    if (target !== undefined) return this._tmuxOutputs.get(target);
    if (this._tmuxOutputs.size === 0) return this._main;
    const active = this._session?.activePane;
    return (active && this._tmuxOutputs.get(active)) || this._tmuxOutputs.values().next().value;
  }

  private _watchAttention(output: PaneOutput, target: string | undefined): void {
    const mirror = output.stream.mirror;
    const t = target !== undefined ? { target } : {};
    mirror.onBell(() => this._onAttention.fire({ kind: 'bell', ...t }));
    mirror.onNotification((n) => this._onAttention.fire({ kind: 'notification', ...t, ...(n.title ? { title: n.title } : {}), body: n.body }));
  }

  /** Whether a view shows this pane (this tmux pane of it) now. */
  isShown(target?: string): boolean {
    if (target === undefined) return this._main.stream.shown || [...this._tmuxOutputs.values()].some((o) => o.stream.shown);
    return this._tmuxOutputs.get(target)?.stream.shown ?? false;
  }

  private _tmuxOutput(pane: string, size?: { cols: number; rows: number }): PaneOutput {
    let output = this._tmuxOutputs.get(pane);
    if (!output) {
      output = new PaneOutput({ cols: size?.cols ?? this._cols, rows: size?.rows ?? this._rows, ...this._outputOptions, scrollback: CONTROL_RESYNC_HISTORY });
      this._watchAttention(output, pane);
      output.onBatch((batch) => this._onData.fire(batch));
      this._tmuxOutputs.set(pane, output);
    }
    return output;
  }

  get sessionId(): string | undefined {
    return this._sessionId;
  }

  /** What the session runs when (re)made, e.g. "claude --continue". */
  get startCommand(): string | undefined {
    return this._startCommand;
  }

  /** How the pane is attached now (or was last). */
  get mode(): PaneMode | undefined {
    return this._mode;
  }

  /** How the last control-mode resync went (tests and diagnostics). */
  get lastResync(): ResyncPlan | undefined {
    return this._lastResync;
  }

  info(): PaneInfo {
    return {
      paneId: this.paneId,
      hostId: this.hostId,
      sessionName: this.sessionName,
      ...(this._sessionId ? { sessionId: this._sessionId } : {}),
      startCommand: this._startCommand,
      state: this._state,
      ...(this._state === 'exited' && this._exit ? { exit: this._exit } : {}),
      ...(this._mode ? { mode: this._mode.kind, ...(this._mode.kind === 'classic' && this._mode.because ? { modeNote: this._mode.because } : {}) } : {}),
      ...(this._layout && this._mode?.kind === 'control' ? { layout: this._layout } : {}),
    };
  }

  /**
   * Attaches to the session over `conn`, replacing any channel this pane had. Without `create` the session must
   * exist (else the pane becomes session-gone); with it, the session is made if needed, with the start command.
   * Resolves once attached or session-gone; rejects (and the pane is failed) when tmux cannot be run. A pane
   * detached from elsewhere ('closed') stays closed: a reconnect does not pull it back. `justMade`: the session was
   * made just now with the pane's start command (by Rescue): watched for ending at once, as one made here.
   */
  attach(conn: ISshConnection, options: { create?: boolean; justMade?: boolean } = {}): Promise<void> {
    // Closed from elsewhere, or showing a command that exited: a reconnect does not pull it back.
    if (this.isDisposed || (this._state === 'closed' && this._everAttached) || this._state === 'exited') return Promise.resolve();
    return this._attach(conn, options.create === true, false, options.justMade === true);
  }

  /**
   * After session-gone or exited: makes the session again and attaches. A new `startCommand` replaces the pane's
   * (the user edited it). A session left with the dead command's window is ended first.
   */
  async recreate(conn: ISshConnection, startCommand?: string): Promise<void> {
    if (this.isDisposed) return;
    if (startCommand !== undefined) this._startCommand = startCommand.trim() ? startCommand : undefined;
    await this.endDeadSession(conn);
    return this._attach(conn, true);
  }

  /** Ends the session this pane made if its command has exited (Close, or before making it again). */
  async endDeadSession(conn: ISshConnection): Promise<void> {
    if (this._state !== 'exited' || !this._sessionId) return;
    const id = this._sessionId;
    // Only while it is still the dead one: a session with this id that runs is not ours to end.
    if ((await deadPane(conn, id).catch(() => undefined)) !== undefined) await killSession(conn, id).catch(() => {});
  }

  /**
   * `oneChannelAtATime`: look the session up before opening the pty rather than alongside it (one round trip more),
   * for retries after the server refused a channel: two at once may be more than it allows.
   */
  private async _attach(conn: ISshConnection, create: boolean, oneChannelAtATime = false, justMade = false): Promise<void> {
    const generation = this._beginAttach(conn);
    try {
      const { cols, rows } = this;
      const policy = this._attachPolicy();
      const wantControl = policy.mode !== 'classic' && this._classicBecause === undefined;
      // The pty is held paused as soon as it opens, so that none of its output is lost before it is bound.
      // The connection's lease on the server (ssh/lease.ts): the tmux client ends with the connection, however it ends.
      const leased = conn.lease?.();
      const leasing = leased ?? Promise.resolve(undefined);
      const openAttach = (sessionId: string) => {
        const open = (lease: string | undefined) => conn.openPty({ command: attachSessionCommand(sessionId, { ignoreSize: this.ignoreSize, ...(lease ? { lease } : {}) }), cols, rows, term: this._term });
        // Without a lease to wait for, the pty goes out at once (beside the session check: one round trip).
        const opening = (leased ? leased.then(open) : open(undefined)).then((channel) => {
          channel.pause();
          return channel;
        });
        // Its failure is handled where it is awaited; it must not count as unhandled while the check runs.
        opening.catch(() => {});
        return opening;
      };
      const discard = (opening: Promise<IPtyChannel> | undefined) => void opening?.then((channel) => channel.dispose(), () => {});
      let opening: Promise<IPtyChannel> | undefined;
      if (create) {
        const made = await createSession(conn, this._givenName, { startCommand: this._startCommand, cols, rows, keepFailedCommand: this._startCommand !== undefined });
        if (generation !== this._generation) return;
        this._sessionId = made.id;
        this._sessionName = made.name;
        if (!wantControl) opening = openAttach(made.id);
      } else {
        // With a known id, the check and the pty go out together (one round trip, not two); the pty's output is
        // only shown once the listing says the session is still there.
        const guess = this._sessionId;
        const early = guess !== undefined && !oneChannelAtATime && !wantControl ? openAttach(guess) : undefined;
        let found;
        try {
          found = await lookUpSession(conn, { id: guess, name: this._sessionName });
        } catch (err) {
          discard(early);
          throw err;
        }
        if (generation !== this._generation || !found) {
          discard(early);
          if (generation === this._generation) this._setSessionGone();
          return;
        }
        this._sessionName = found.name;
        this._sessionId = found.id;
        if (early && found.id === guess) opening = early;
        else {
          // Made again under its name (the server restarted), or listed by name only: attach to the id it has now.
          discard(early);
          if (!wantControl) opening = openAttach(found.id);
        }
      }
      if (wantControl) {
        let session: ControlSession | undefined;
        try {
          session = await this._openControl(conn, this._sessionId!, policy, leasing);
        } catch (err) {
          if (generation !== this._generation) return;
          if (!(err instanceof ControlModeUnavailable)) throw err;
          if (policy.mode === 'control') throw new HoldfastError({ code: 'TMUX_MISSING', message: `tmux control mode cannot be used for this session: ${err.because}`, hint: 'Set the host\'s tmux mode to Auto or Classic to attach the classic way.' });
          // Auto: this session attaches the classic way from now on, and the pane says why.
          this._classicBecause = err.because;
          opening = openAttach(this._sessionId!);
        }
        if (session) {
          if (generation !== this._generation) {
            session.dispose();
            return;
          }
          const mode: PaneMode = { kind: 'control' };
          this._bindChannel(session, conn, generation, mode);
          // Every tmux pane's view is brought in line with it (its history, an outage's divider) before live output.
          const started: Promise<void>[] = [];
          this._bindControlSession(session, started);
          await withinTime(session.start({ cols: this._cols, rows: this._rows }), CONTROL_ANSWER_MS, 'the session layout');
          await withinTime(Promise.all(started), CONTROL_ANSWER_MS, 'the resync captures');
          if (generation !== this._generation) return;
          this._lostAt = undefined;
          // Attached once the session's panes are known and shown: a key typed before has nowhere to go, and is
          // discarded with a word (attaching), never dropped in silence.
          this._setState('attached', { mode });
          if ((create || justMade) && this._startCommand !== undefined) this._watchForExit(conn, generation);
          return;
        }
      }
      const channel = await opening!;
      if (generation !== this._generation) {
        channel.dispose();
        return;
      }
      this._bindChannel(channel, conn, generation, { kind: 'classic', ...(this._classicBecause ? { because: this._classicBecause } : {}) });
      this._lostAt = undefined;
      if (!this._main.stream.paused) channel.resume();
      // The view may have been resized while the channel was opening.
      if (this._cols !== cols || this._rows !== rows) channel.resize(this._cols, this._rows);
      if ((create || justMade) && this._startCommand !== undefined) this._watchForExit(conn, generation);
    } catch (err) {
      if (generation !== this._generation) return;
      if (!this._linkAlive) {
        // The link died under the attach; the reconnect attaches again.
        this._enterReconnecting();
        return;
      }
      const error = HoldfastError.from(err);
      // A channel can fail before the connection reports its own end: only a link that answers makes this a real
      // failure. One that does not answer in time is in doubt, not dead: the host is asked to look at it (a dead one
      // is replaced, and the reconnect attaches again), and the pane tries again on this one meanwhile. Waiting for
      // a reconnect alone would wait for good on a link that was only slow.
      const answers = await conn.probe(ATTACH_FAILURE_PROBE_MS).catch(() => false);
      if (generation !== this._generation) return;
      if (!answers) {
        if (!this._linkAlive) this._enterReconnecting();
        else {
          this._onLinkInDoubt.fire();
          this._retryOnLiveLink(conn, error, create && this._sessionId === undefined);
        }
        return;
      }
      if (error.code === 'TMUX_MISSING' || error.code === 'VALIDATION' || create) {
        this._generation++;
        this._setState('failed', { error: error.toData(), message: error.message });
        throw error;
      }
      // The link is fine but the server would not run tmux for us now (sshd's MaxSessions, a busy server): try again
      // on this connection after a while, and say why meanwhile, instead of waiting for a reconnect that never comes.
      this._retryOnLiveLink(conn, error);
    }
  }

  /**
   * A control-mode client for the session, showing its active pane. Throws ControlModeUnavailable when tmux will
   * not do it (older than 3.2, or it refused) or, in auto mode, when the session has several windows or panes
   * (shown the classic way until they can be tabs and splits).
   */
  private async _openControl(conn: ISshConnection, sessionId: string, policy: PaneAttachPolicy, leasing: Promise<string | undefined>): Promise<ControlSession> {
    const [lease] = await Promise.all([leasing, this._endLeftoverControlClient(conn)]);
    const exec = await conn.openExec(controlAttachCommand(sessionId, { pauseAfterSec: CONTROL_PAUSE_AFTER_SEC, ignoreSize: this.ignoreSize, ...(lease ? { lease } : {}) }));
    const client = new ControlClient(exec);
    try {
      try {
        await withinTime(client.ready, CONTROL_ANSWER_MS, 'a control-mode attach');
      } catch (err) {
        if (err instanceof HoldfastError) throw err;
        const said = err instanceof Error ? err.message : String(err);
        if (/not found|No such file/i.test(said) && /tmux/.test(said)) throw tmuxMissingError();
        if (/unknown option|usage:/i.test(said)) throw new ControlModeUnavailable('the tmux on the server is older than 3.2 (control mode needs 3.2)');
        throw new ControlModeUnavailable(`tmux refused a control-mode client: ${said.split('\n')[0]!.slice(0, 200)}`);
      }
      const reply = await withinTime(client.command(tmux.displayMessage('#{client_pid}')), CONTROL_ANSWER_MS, 'display-message');
      if (!reply.ok) throw new ControlModeUnavailable(`tmux did not describe its client: ${replyText(reply).slice(0, 200)}`);
      this._controlClientPid = Number(replyText(reply).trim()) || undefined;
      return new ControlSession({
        client,
        sessionId,
        ignoreSize: this.ignoreSize,
        paneOptions: (pane) => ({
          attachHistory: policy.historyLines,
          resyncHistory: CONTROL_RESYNC_HISTORY,
          // Everything handed on so far is in the mirror before it is read.
          mirror: () => this._tmuxOutput(pane).mirrorLines(),
          outage: () => this._outageLabel(),
          onResync: (plan) => {
            this._lastResync = plan;
          },
        }),
      });
    } catch (err) {
      client.dispose();
      throw err;
    }
  }

  /** Binds each of the session's tmux panes to its stream as it comes, starting it (its first resync). */
  private _bindControlSession(session: ControlSession, started: Promise<void>[]): void {
    const store = new DisposableStore();
    const bound = new Map<string, DisposableStore>();
    store.add({ dispose: () => bound.forEach((b) => b.dispose()) });
    const bindPane = (channel: ControlPaneChannel) => {
      const size = this._paneSize(session.layout, channel.pane);
      const output = this._tmuxOutput(channel.pane, size);
      if (size) output.sizeChanged(size.cols, size.rows);
      const binding = new DisposableStore();
      binding.add(channel.onData((data) => output.write(data)));
      output.stream.setTarget(channel);
      binding.add({ dispose: () => output.stream.setTarget(undefined) });
      bound.set(channel.pane, binding);
      const start = channel.start().then(
        () => undefined,
        () => undefined,
      );
      started.push(start);
    };
    store.add(session.onDidAddPane(bindPane));
    store.add(
      session.onDidRemovePane((pane) => {
        bound.get(pane)?.dispose();
        bound.delete(pane);
        const output = this._tmuxOutputs.get(pane);
        this._tmuxOutputs.delete(pane);
        output?.dispose();
        this._rebindFollowers();
      }),
    );
    store.add(
      session.onDidChangeLayout((layout) => {
        this._layout = layout;
        // Each pane's mirror is the pane's size (a resync compares rows at that width).
        for (const pane of session.panes) {
          const size = this._paneSize(layout, pane);
          if (size) this._tmuxOutputs.get(pane)?.sizeChanged(size.cols, size.rows);
        }
        this._rebindFollowers();
        this._onDidChangeLayout.fire(layout);
      }),
    );
    this._session = session;
    this._sessionBinding.value = store;
  }

  private _paneSize(layout: SessionLayout, pane: string): { cols: number; rows: number } | undefined {
    for (const window of layout.windows) {
      const info = window.panes.find((p) => p.id === pane);
      if (info) return { cols: Math.max(2, info.width), rows: Math.max(1, info.height) };
    }
    return undefined;
  }

  /** Does a window or pane action in tmux (control mode only). */
  async tmuxAction(action: TmuxAction): Promise<void> {
    const session = this._session;
    if (!session || this._state !== 'attached') {
      throw new HoldfastError({
        code: 'VALIDATION',
        message: this._mode?.kind === 'classic' ? "This pane is attached the classic way: tmux's own keys split and switch its windows." : 'The pane is not attached.',
      });
    }
    await session.action(action);
  }

  /**
   * A dead link leaves this pane's control client on the server, and tmux holds a program's output back for a
   * client that stopped reading (control-mode-verified.md 10c): end it before attaching again. Only a control-mode
   * client with the pid this pane's client had.
   */
  private async _endLeftoverControlClient(conn: ISshConnection): Promise<void> {
    const pid = this._controlClientPid;
    if (pid === undefined) return;
    this._controlClientPid = undefined;
    const script =
      `${TMUX_PATH_SETUP}; ` +
      `if ${tmuxInScript(tmux.listClients('#{client_pid} #{client_control_mode}'))} 2>/dev/null | grep -qx '${Math.floor(pid)} 1'; then kill ${Math.floor(pid)}; fi`;
    await conn.exec(posixCommand(script), { timeoutMs: 5000 }).catch(() => {});
  }

  /** "disconnected 14:02:10 – 14:19:44" for the divider after an outage; undefined when there was none. */
  private _outageLabel(): string | undefined {
    if (this._lostAt === undefined) return undefined;
    return outageLabel(this._lostAt, this._clock.now());
  }

  /**
   * Keys from a view (`viewId` makes it the latest view, whose size the pane takes). Never buffered: while not
   * attached they are dropped, and the pane says so once.
   */
  input(viewId: string, data: string, target?: string): void {
    this._main.stream.viewActive(viewId);
    this.write(data, target);
  }

  /**
   * Keys to the session (to one tmux pane of a control-mode session, with `target`). Never buffered: while not
   * attached they are dropped, and the pane says so once.
   */
  write(data: string, target?: string): void {
    const channel = this._channelRef;
    const session = this._session;
    const pane = target ?? session?.activePane;
    // In control mode the keys go to a tmux pane the session has; one it does not have takes none.
    if (this._state === 'attached' && channel && (!session || (pane !== undefined && session.channel(pane)))) {
      // Its echo goes out on the next tick, not at the frame (OutputBatcher.inputSent).
      (pane !== undefined ? this._tmuxOutputs.get(pane) : this._main)?.batcher.inputSent();
      if (session && pane !== undefined) session.writeTo(pane, data);
      else channel.write(data);
      return;
    }
    if (this._discardReported || this.isDisposed) return;
    this._discardReported = true;
    this._onDidChangeState.fire({
      state: this._state,
      message: this._state === 'attached' ? 'Input discarded: that tmux pane is not in the session any more' : (DISCARD_MESSAGES[this._state] ?? 'Input discarded: the pane is not attached'),
      ...(this._error ? { error: this._error } : {}),
    });
  }

  /** The pane's size (the views choose it: see PaneStream). */
  resize(cols: number, rows: number): void {
    if (cols === this._cols && rows === this._rows) return;
    this._cols = cols;
    this._rows = rows;
    this._main.stream.resized(cols, rows);
    this._channelRef?.resize(cols, rows);
  }

  /**
   * A view starts receiving this pane's output (one tmux pane's, with `target`): the screen as it is, then what
   * follows. A tmux pane that is not there gives nothing.
   */
  subscribe(viewId: string, deliver: (data: Uint8Array) => void, target?: string, options: SubscribeOptions = {}): IDisposable {
    if (target === undefined) return this._follow(viewId, deliver, options);
    const output = this._outputFor(target);
    return output ? output.stream.subscribe(viewId, deliver, options) : { dispose() {} };
  }

  unsubscribe(viewId: string, target?: string): void {
    if (target === undefined) {
      const follower = this._followers.get(viewId);
      if (follower) {
        this._followers.delete(viewId);
        follower.output.stream.unsubscribe(this._followId(viewId, follower.output));
      }
      return;
    }
    this._outputFor(target)?.stream.unsubscribe(viewId);
  }

  /**
   * The pane's own stream, for a view with one terminal: the classic attach's output, or in control mode the active
   * tmux pane's, following it when another becomes active (the view gets that pane's screen, then its output). On
   * a tmux pane's stream it has an id of its own, so that the same view can also hold that pane by target.
   */
  private _follow(viewId: string, deliver: (data: Uint8Array) => void, options: SubscribeOptions): IDisposable {
    this.unsubscribe(viewId);
    const output = this._outputFor(undefined) ?? this._main;
    const follower = { deliver, output, options };
    this._followers.set(viewId, follower);
    output.stream.subscribe(this._followId(viewId, output), deliver, options);
    return toDisposable(() => {
      if (this._followers.get(viewId) === follower) this.unsubscribe(viewId);
    });
  }

  private _followId(viewId: string, output: PaneOutput): string {
    return output === this._main ? viewId : `${viewId} (active pane)`;
  }

  /** The active tmux pane changed (or the pane went from classic to control): followers move to it. */
  private _rebindFollowers(): void {
    const output = this._outputFor(undefined) ?? this._main;
    for (const [viewId, follower] of this._followers) {
      if (follower.output === output) continue;
      if (!follower.output.isDisposed) follower.output.stream.unsubscribe(this._followId(viewId, follower.output));
      follower.output = output;
      output.stream.subscribe(this._followId(viewId, output), follower.deliver, follower.options);
    }
  }

  /** The view's terminal has this size (for a control-mode session: the room for its windows). */
  viewResized(viewId: string, cols: number, rows: number): void {
    this._main.stream.viewResized(viewId, cols, rows);
  }

  /** The view shows the pane (one tmux pane of it) now, or stopped showing it. */
  setVisible(viewId: string, visible: boolean, target?: string, countsForSize = true): void {
    if (visible && countsForSize) this._main.stream.viewActive(viewId);
    if (target === undefined) {
      const follower = this._followers.get(viewId);
      if (follower) follower.output.stream.setVisible(this._followId(viewId, follower.output), visible);
      return;
    }
    this._outputFor(target)?.stream.setVisible(viewId, visible);
  }

  /** The view has processed `bytes` more bytes of output. */
  ack(viewId: string, bytes: number, target?: string): void {
    if (target === undefined) {
      const follower = this._followers.get(viewId);
      if (follower) follower.output.stream.ack(this._followId(viewId, follower.output), bytes);
      return;
    }
    this._outputFor(target)?.stream.ack(viewId, bytes);
  }

  /** The host's connection died: drop the channel and wait for the reconnect to attach again. */
  linkLost(): void {
    this._linkAlive = false;
    if (this.isDisposed || this._state === 'closed' || this._state === 'session-gone' || this._state === 'exited' || this._state === 'reconnecting') return;
    this._enterReconnecting();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._generation++;
    this._dropChannel();
    for (const output of this._tmuxOutputs.values()) output.dispose();
    this._tmuxOutputs.clear();
    super.dispose();
  }

  // ---------- internals ----------

  private _beginAttach(conn: ISshConnection): number {
    const generation = ++this._generation;
    this._awaitingLink = false;
    this._retryTimer.clear();
    this._exitTimer.clear();
    this._dropChannel();
    this._watchConnection(conn);
    this._error = undefined;
    this._setState('attaching');
    return generation;
  }

  private _watchConnection(conn: ISshConnection): void {
    const watch = new DisposableStore();
    this._linkAlive = true;
    watch.add(
      conn.onDidClose(() => {
        this._linkAlive = false;
      }),
    );
    this._connectionWatch.value = watch;
  }

  private _bindChannel(channel: IPtyChannel, conn: ISshConnection, generation: number, mode: PaneMode): void {
    const binding = new DisposableStore();
    binding.add(channel);
    if (this._everAttached && mode.kind === 'classic') {
      // The old stream may have stopped anywhere: the view is reset before the new stream's first byte. (A control
      // pane's resync brings the view in line itself, keeping its scrollback.)
      this._main.batcher.end();
      this._main.batcher.write(TERMINAL_RESET_BYTES);
    }
    this._mode = mode;
    binding.add(channel.onData((data) => this._main.write(data)));
    binding.add(channel.onClose((e) => void this._onChannelClosed(conn, generation, e.exitCode)));
    this._channel.value = binding;
    this._channelRef = channel;
    if (mode.kind === 'classic') this._main.stream.setTarget(channel);
    this._everAttached = true;
    this._liveLinkRetries = 0;
    // A control session is attached once it has started (see _attach).
    if (mode.kind === 'classic') this._setState('attached', { mode });
  }

  private async _onChannelClosed(conn: ISshConnection, generation: number, exitCode: number | undefined): Promise<void> {
    if (generation !== this._generation) return;
    this._dropChannel();
    if (exitCode === EXIT_COMMAND_NOT_FOUND && this._linkAlive) {
      const error = tmuxMissingError();
      this._generation++;
      this._setState('failed', { error: error.toData(), message: error.message });
      return;
    }
    let sessionExists: boolean | undefined;
    let checkError: unknown;
    if (this._linkAlive) {
      try {
        sessionExists = (await lookUpSession(conn, { id: this._sessionId, name: this._sessionName })) !== undefined;
      } catch (err) {
        checkError = err;
      }
    }
    if (generation !== this._generation) return;
    if (checkError !== undefined && this._linkAlive) {
      const answers = await conn.probe(ATTACH_FAILURE_PROBE_MS).catch(() => false);
      if (generation !== this._generation) return;
      // tmux's client ended and the session could not be looked up while the link is open: not an outage (or, if
      // the link did not answer in time, one its host decides on). Try again on it meanwhile.
      if (this._linkAlive) {
        if (!answers) this._onLinkInDoubt.fire();
        this._retryOnLiveLink(conn, HoldfastError.from(checkError));
        return;
      }
    }
    if (generation !== this._generation) return;
    const next = stateAfterClientExit({ linkAlive: this._linkAlive, sessionExists });
    if (next === 'reconnecting') {
      this._enterReconnecting();
      return;
    }
    this._generation++;
    this._connectionWatch.clear();
    if (next === 'session-gone') this._setSessionGone();
    else this._setState('closed', { message: 'Detached: the session was detached from elsewhere and keeps running on the server.' });
  }

  /** Looks, a few times soon after the session was made, whether its start command already ended. */
  private _watchForExit(conn: ISshConnection, generation: number): void {
    const id = this._sessionId;
    if (!id) return;
    const checks = [...EXIT_CHECKS_MS];
    let statusWaits = 0;
    const check = (delay: number, onAlive: () => void) => {
      this._exitTimer.value = this._scheduler.setTimeout(() => {
        if (generation !== this._generation) return;
        void deadPane(conn, id).then(
          (exit) => {
            if (generation !== this._generation) return;
            if (!exit) return onAlive();
            // tmux sees the pane's pty close a moment before it reaps the process: the status follows shortly.
            if (exit.status === undefined && exit.signal === undefined && statusWaits++ < STATUS_WAITS) return check(STATUS_WAIT_MS, onAlive);
            this._setExited(exit);
          },
          () => onAlive(),
        );
      }, delay);
    };
    const next = (waited: number) => {
      const at = checks.shift();
      if (at !== undefined) check(at - waited, () => next(at));
    };
    next(0);
  }

  private _setExited(exit: CommandExit): void {
    this._generation++;
    this._dropChannel();
    this._exit = exit;
    const how = exit.status !== undefined ? `with status ${exit.status}` : exit.signal ? `on signal ${exit.signal}` : '(its exit status is not known)';
    this._setState('exited', { message: `The start command ended at once ${how}.`, exit });
  }

  private _enterReconnecting(): void {
    this._generation++;
    this._awaitingLink = true;
    if (this._everAttached && this._lostAt === undefined) this._lostAt = this._clock.now();
    this._dropChannel();
    this._retryTimer.clear();
    this._liveLinkRetries = 0;
    this._setState('reconnecting');
  }

  /**
   * The link answers, but attaching on it failed (the server refused a channel, tmux could not be asked). A
   * reconnect would not come (nothing is wrong with the link), so the pane tries again itself, with backoff, and
   * says what went wrong meanwhile.
   */
  private _retryOnLiveLink(conn: ISshConnection, error: HoldfastError, create = false): void {
    this._generation++;
    this._dropChannel();
    const delay = Math.min(LIVE_LINK_RETRY_MAX_MS, LIVE_LINK_RETRY_BASE_MS * 2 ** this._liveLinkRetries++);
    const refused = /channel/i.test(error.message) ? ' The server refused a new session channel; its sshd MaxSessions may be too low.' : '';
    this._setState('reconnecting', {
      error: error.toData(),
      message: `Could not reattach on the open connection: ${error.message}.${refused} Trying again in ${Math.round(delay / 1000)} s.`,
    });
    this._retryTimer.value = this._scheduler.setTimeout(() => {
      if (this.isDisposed || this._state !== 'reconnecting' || !this._linkAlive) return;
      void this._attach(conn, create, true).catch(() => {});
    }, delay);
  }

  private _setSessionGone(): void {
    const error = sessionGoneError(this.sessionName);
    this._setState('session-gone', { error: error.toData(), message: error.message });
  }

  /** Closes the channel (if any); output that already arrived still reaches the view. */
  private _dropChannel(): void {
    this._main.stream.setTarget(undefined);
    this._channelRef = undefined;
    this._sessionBinding.clear();
    this._session = undefined;
    this._channel.clear();
    this._main.batcher.end();
    for (const output of this._tmuxOutputs.values()) output.batcher.end();
  }

  private _setState(state: PaneState, extra: { message?: string; error?: HoldfastErrorData; exit?: CommandExit; mode?: PaneMode } = {}): void {
    if (this.isDisposed) return;
    this._state = state;
    this._error = extra.error;
    if (state !== 'exited') this._exit = undefined;
    // One notice per outage: an outage ends when the pane is attached again.
    if (state === 'attached') this._discardReported = false;
    this._onDidChangeState.fire({ state, ...extra });
  }
}
