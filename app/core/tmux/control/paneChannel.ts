// A tmux pane over a control-mode client, as a Pane sees a channel (IPtyChannel): the pane's bytes out, keys in,
// a size, flow control, one close. It starts with a resync (the view brought in line with tmux, resync.ts), then
// passes the pane's %output on, with the terminal queries tmux has answered taken out (queries.ts). Pausing asks
// tmux to stop sending this pane's output (`refresh-client -A %N:pause`); resuming continues it and resyncs, since
// what tmux dropped meanwhile is in its history. tmux pausing the pane by itself (pause-after) is handled the same.
import { Disposable, DisposableStore, Emitter } from '../../../shared/lifecycle';
import type { IPtyChannel } from '../../interfaces';
import { replyText, type ControlClient, type ControlReply } from './client';
import { target, tmux, type Target } from '../tmux';
import { QueryFilter } from './queries';
import { PANE_STATE_FORMAT, parsePaneState, planResync, type MirrorLines, type ResyncPlan, type TmuxPaneState } from './resync';

export interface ControlPaneOptions {
  /** The tmux pane (`%5`). */
  pane: string;
  /** The view's lines now (the pane's mirror, once it has parsed everything sent); undefined for a fresh view. */
  mirror(): Promise<MirrorLines | undefined>;
  /** What the divider says about the outage before this resync; undefined for a first attach. */
  outage(): string | undefined;
  /** History rows fetched at a first attach (the rest stays in tmux). */
  attachHistory: number;
  /** History rows looked through after an outage or a pause. */
  resyncHistory: number;
  /** Told how each resync went (for the pane's message and for tests). */
  onResync?(plan: ResyncPlan): void;
}

/** send-keys commands (KEYS_CHUNK bytes each) sent to tmux before its answers: see ControlPaneChannel._sendKeys. */
const KEYS_IN_FLIGHT = 4;
/** The most bytes one `send-keys -H` carries (three characters each on the line). */
export const KEYS_CHUNK = 256;

export class ControlPaneChannel extends Disposable implements IPtyChannel {
  private readonly _onData = this._register(new Emitter<Uint8Array>());
  readonly onData = this._onData.event;
  private readonly _onClose = this._register(new Emitter<{ exitCode?: number; signal?: string }>());
  readonly onClose = this._onClose.event;

  private readonly _filter = new QueryFilter();
  /**
   * While a resync runs, the pane's output is already in its captures: it is dropped until the captures are in. A
   * new channel drops output until its first resync (`start`), which shows the pane as it is.
   */
  private _resyncing = true;
  /** Output that arrived after the captures, while the plan was being made: sent after it. */
  private _afterCapture: Uint8Array[] | undefined;
  private _pausedByUs = false;
  private _pausedByTmux = false;
  private _closed = false;
  /** Keys not yet sent (chunks of KEYS_CHUNK bytes, from `_keysHead` on), and how many sent tmux has not answered. */
  private _keys: Uint8Array[] = [];
  private _keysHead = 0;
  private _keysInFlight = 0;
  private readonly _target: Target;
  private _state: TmuxPaneState | undefined;
  /** Bumped by every resync: an older one that finishes late is ignored. */
  private _resyncGeneration = 0;

  constructor(
    private readonly _client: ControlClient,
    private readonly _options: ControlPaneOptions,
  ) {
    super();
    this._target = target.pane(_options.pane);
    const listeners = this._register(new DisposableStore());
    listeners.add(
      _client.onOutput((e) => {
        if (e.pane !== _options.pane || this._closed) return;
        if (this._resyncing) {
          if (this._afterCapture) this._afterCapture.push(e.bytes);
          return;
        }
        this._emit(e.bytes);
      }),
    );
    listeners.add(
      _client.onNotification((e) => {
        if (e.type === 'pause' && e.pane === _options.pane) {
          // tmux dropped this pane's output for us (pause-after): continue and resync once the views keep up.
          this._pausedByTmux = true;
          if (!this._pausedByUs) void this._continue();
        }
      }),
    );
    listeners.add(_client.onDidExit((e) => this._close(e.exitCode)));
  }

  get pane(): string {
    return this._options.pane;
  }

  /** tmux's view of the pane at the last resync. */
  get state(): TmuxPaneState | undefined {
    return this._state;
  }

  /** Brings the view in line with the pane (attach, outage); output flows after it. */
  async start(): Promise<ResyncPlan> {
    const mirror = await this._options.mirror();
    return this._resync(mirror?.lines.some((l) => l !== '') ? this._options.resyncHistory : this._options.attachHistory, this._options.outage());
  }

  write(data: string | Uint8Array): void {
    if (this._closed) return;
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    for (let offset = 0; offset < bytes.length; offset += KEYS_CHUNK) this._keys.push(bytes.subarray(offset, offset + KEYS_CHUNK));
    this._sendKeys();
  }

  /**
   * Keys go to tmux a few commands at a time, the next once tmux has answered one: a 1 MB paste written to tmux at
   * once (4,000 commands) was seen, on a loaded machine, to leave the pane taking no input at all, for good. Typing
   * is one command in flight; the order is the order written.
   */
  private _sendKeys(): void {
    while (this._keysInFlight < KEYS_IN_FLIGHT && this._keysHead < this._keys.length && !this._closed) {
      const chunk = this._keys[this._keysHead++]!;
      if (this._keysHead === this._keys.length) {
        this._keys = [];
        this._keysHead = 0;
      }
      this._keysInFlight++;
      const done = () => {
        this._keysInFlight--;
        this._sendKeys();
      };
      this._client.group([tmux.sendKeysHex(this._target, chunk)]).then(done, done);
    }
  }

  /** The view's size: the control client's size, which tmux gives the window (window-size latest). */
  resize(cols: number, rows: number): void {
    if (this._closed) return;
    this._client.send(tmux.refreshClientSize(cols, rows));
  }

  pause(): void {
    if (this._closed || this._pausedByUs) return;
    this._pausedByUs = true;
    this._client.send(tmux.refreshClientFlow(this._target, 'pause'));
  }

  resume(): void {
    if (this._closed || !this._pausedByUs) return;
    this._pausedByUs = false;
    void this._continue();
  }

  private async _continue(): Promise<void> {
    this._pausedByTmux = false;
    this._client.send(tmux.refreshClientFlow(this._target, 'continue'));
    // What tmux dropped while the pane was paused is in its history: the same path as after an outage.
    await this._resync(this._options.resyncHistory, undefined).catch(() => {});
  }

  private async _resync(historyRows: number, outage: string | undefined): Promise<ResyncPlan> {
    const pane = this._target;
    const generation = ++this._resyncGeneration;
    this._resyncing = true;
    this._afterCapture = undefined;
    try {
      // One line, one pass of tmux's command queue: no output of the pane between these replies, and all output
      // before the last one is in the captures; output after it is kept (from the moment the last reply is read).
      const replies = await this._client.group(
        [
          tmux.displayMessage(PANE_STATE_FORMAT, pane),
          tmux.capturePane(pane, { escapes: true, noTrim: true, start: -Math.max(1, historyRows), end: -1 }),
          tmux.capturePane(pane, { escapes: true, noTrim: true }),
          tmux.capturePane(pane, { escapes: true, noTrim: true, alternate: true }),
        ],
        {
          onDone: () => {
            if (generation === this._resyncGeneration) this._afterCapture = [];
          },
        },
      );
      if (generation !== this._resyncGeneration) throw new Error('superseded');
      const state = parsePaneState(replyText(replies[0]));
      if (!state || !replies[2]?.ok) throw new Error(`tmux did not describe the pane ${this._options.pane}: ${replyText(replies[0]).slice(0, 200)}`);
      this._state = state;
      const rows = (reply: ControlReply | undefined) => (reply ? replyText(reply).split("\n") : []);
      const history = state.historySize > 0 && replies[1]?.ok ? rows(replies[1]) : [];
      const screen = rows(replies[2]).slice(0, state.height);
      const normalScreen = state.alternateOn && replies[3]?.ok ? rows(replies[3]).slice(0, state.height) : undefined;
      const mirror = await this._options.mirror();
      if (generation !== this._resyncGeneration) throw new Error('superseded');
      const plan = planResync(mirror, { state, history, screen, ...(normalScreen ? { normalScreen } : {}) }, outage !== undefined ? { outage } : {});
      this._onData.fire(new TextEncoder().encode(plan.bytes));
      this._options.onResync?.(plan);
      return plan;
    } finally {
      if (generation === this._resyncGeneration) {
        this._resyncing = false;
        const after = this._afterCapture ?? [];
        this._afterCapture = undefined;
        for (const bytes of after) this._emit(bytes);
      }
    }
  }

  private _emit(bytes: Uint8Array): void {
    const filtered = this._filter.push(bytes);
    if (filtered.length) this._onData.fire(filtered);
  }

  private _close(exitCode?: number): void {
    if (this._closed) return;
    this._closed = true;
    this._keys = [];
    this._keysHead = 0;
    this._onClose.fire(exitCode !== undefined ? { exitCode } : {});
  }

  /** Stops passing the pane on. The client is not this channel's: its session (or whoever made it) ends it. */
  override dispose(): void {
    if (this._store.isDisposed) return;
    this._closed = true;
    this._keys = [];
    this._keysHead = 0;
    super.dispose();
  }
}
