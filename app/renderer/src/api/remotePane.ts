// A pane as a view holds it: its output, its state, and the one-way verbs (keys, size, visibility,
// acknowledgements). The terminal that shows it listens to `onData`: the subscription to the pane's output starts
// with the first listener (so the screen as it is, which core sends first, reaches a terminal that is there to draw
// it) and ends with the last. The terminal calls `processed` once it has parsed what it was given; the
// acknowledgements go out in batches. Dispose ends everything; `close` also releases the pane in core.
// A control-mode pane also has its session's layout (windows and tmux panes) and one output per tmux pane
// (`output(target)`), each with the same verbs, so that each native split is its own terminal.
import { streamId, type IHoldfastApi } from '../../../shared/contract';
import type { PaneSize } from '../../../shared/geometry';
import { Disposable, Emitter, MutableDisposable, toDisposable, type Event, type IDisposable } from '../../../shared/lifecycle';
import type { CommandExit, HoldfastErrorData, PaneInfo, PaneState, SessionLayout, TmuxAction } from '../../../shared/model';
import { AckBatcher, frameScheduler, type Scheduler } from './ackBatcher';

export type { TmuxAction } from '../../../shared/model';

export interface RemotePaneState {
  state: PaneState;
  sessionName: string;
  sessionId?: string;
  startCommand?: string;
  error?: HoldfastErrorData;
  /** A note from core, e.g. that typed input was discarded during an outage. */
  message?: string;
  /** How the start command ended, while `exited`. */
  exit?: CommandExit;
  /** How the pane is attached (tmux control mode or classic), and why classic in auto mode. */
  mode?: 'control' | 'classic';
  modeNote?: string;
  /** In control mode: the session's windows and panes as tmux has them. */
  layout?: SessionLayout;
}

/** One stream of a pane: its output for a terminal, and the terminal's verbs. */
export interface RemoteOutput {
  /** The tmux pane (`%5`), or undefined for the pane's own stream. */
  readonly target: string | undefined;
  /**
   * The output for a terminal, starting with its screen as it is now; call `processed(bytes)` once the terminal has
   * parsed it. The first listener subscribes; a listener added later gets the screen again (every listener redraws
   * it: a terminal reset and redrawn is the same terminal).
   */
  readonly onData: Event<Uint8Array>;
  /**
   * A tmux pane's new size, in order with `onData` (listen before the first output can come: in the same turn as
   * onData). A terminal with a fixed size takes it between the bytes before and after.
   */
  readonly onSize: Event<PaneSize>;
  /** The terminal has parsed `bytes` more bytes of what `onData` gave it. */
  processed(bytes: number): void;
  /** Keys and pastes typed into the terminal. */
  write(data: string): void;
  /** Whether the view shows this stream now; sent when it changes. */
  setVisible(visible: boolean): void;
}

/** A stream's subscription, acknowledgements and visibility. */
class OutputStream extends Disposable implements RemoteOutput {
  private readonly _listeners = new Set<(data: Uint8Array) => void>();
  private readonly _onSize = this._register(new Emitter<PaneSize>());
  readonly onSize: Event<PaneSize> = this._onSize.event;
  private readonly _subscription = this._register(new MutableDisposable<IDisposable>());
  private readonly _acks: AckBatcher;
  private _visible: boolean | undefined;

  constructor(
    private readonly _api: IHoldfastApi,
    private readonly _paneId: string,
    readonly target: string | undefined,
    scheduler: Scheduler,
  ) {
    super();
    const t = target !== undefined ? { target } : {};
    this._acks = this._register(new AckBatcher((bytes) => _api.notify('pane.ack', { paneId: _paneId, ...t, bytes }), scheduler));
  }

  readonly onData: Event<Uint8Array> = (listener) => {
    if (this._store.isDisposed) return toDisposable(() => {});
    const wrapped = (data: Uint8Array) => listener(data);
    this._listeners.add(wrapped);
    this._subscription.value = this._api.subscribePane(
      streamId(this._paneId, this.target),
      (data) => {
        for (const l of [...this._listeners]) l(data);
      },
      (size) => this._onSize.fire(size),
    );
    return toDisposable(() => {
      if (!this._listeners.delete(wrapped) || this._listeners.size > 0) return;
      this._subscription.clear();
    });
  };

  processed(bytes: number): void {
    this._acks.processed(bytes);
  }

  write(data: string): void {
    if (this._store.isDisposed || data.length === 0) return;
    this._api.notify('pane.input', { paneId: this._paneId, ...(this.target !== undefined ? { target: this.target } : {}), data });
  }

  setVisible(visible: boolean): void {
    if (this._store.isDisposed || this._visible === visible) return;
    this._visible = visible;
    this._api.notify('pane.visible', { paneId: this._paneId, ...(this.target !== undefined ? { target: this.target } : {}), visible });
  }

  override dispose(): void {
    if (this._store.isDisposed) return;
    this._acks.flush();
    super.dispose();
  }
}

export interface OpenPaneRequest {
  hostId: string;
  sessionName: string;
  sessionId?: string;
  create?: { startCommand?: string };
  /** The session was made just now running this (Rescue): the pane watches it and keeps it for Recreate. */
  startedWith?: string;
  cols: number;
  rows: number;
}

export function clampCols(n: number): number {
  return Math.min(1000, Math.max(2, Math.floor(n) || 80));
}

export function clampRows(n: number): number {
  return Math.min(1000, Math.max(1, Math.floor(n) || 24));
}

export class RemotePane extends Disposable {
  /** Opens (or shares) a pane on a session and holds it. */
  static async open(api: IHoldfastApi, request: OpenPaneRequest, scheduler?: Scheduler): Promise<RemotePane> {
    const info = await api.call('panes.open', {
      hostId: request.hostId,
      sessionName: request.sessionName,
      ...(request.sessionId && !request.create ? { sessionId: request.sessionId } : {}),
      ...(request.create ? { create: request.create } : {}),
      ...(request.startedWith !== undefined && !request.create ? { startedWith: request.startedWith } : {}),
      cols: clampCols(request.cols),
      rows: clampRows(request.rows),
    });
    return new RemotePane(api, info, scheduler);
  }

  private readonly _onState = this._register(new Emitter<RemotePaneState>());
  readonly onState = this._onState.event;

  readonly paneId: string;
  readonly hostId: string;
  private _state: RemotePaneState;
  private readonly _main: OutputStream;
  private readonly _targets = new Map<string, OutputStream>();
  private _size: { cols: number; rows: number } | undefined;

  /** A pane the view already holds (just opened, or given back with its workspace): subscribes to its output. */
  constructor(
    private readonly _api: IHoldfastApi,
    info: PaneInfo,
    private readonly _scheduler: Scheduler = frameScheduler,
  ) {
    super();
    this.paneId = info.paneId;
    this.hostId = info.hostId;
    this._state = stateOf(info);
    this._main = this._register(new OutputStream(_api, this.paneId, undefined, _scheduler));
    this._register(toDisposable(() => this._targets.forEach((o) => o.dispose())));
    this._register(
      _api.listen('pane.state', (e) => {
        if (e.paneId !== this.paneId) return;
        const mode = e.mode ?? this._state.mode;
        this._setState({
          ...this._state,
          state: e.state,
          error: e.error ?? (e.state === 'attached' ? undefined : this._state.error),
          message: e.message ?? this._state.message,
          exit: e.state === 'exited' ? e.exit : undefined,
          ...(e.mode ? { mode: e.mode, modeNote: e.modeNote } : {}),
          // A pane that went back to classic has no layout of its own any more.
          ...(mode === 'classic' ? { layout: undefined } : {}),
        });
      }),
    );
    this._register(
      _api.listen('pane.layout', (e) => {
        if (e.paneId !== this.paneId) return;
        this._setState({ ...this._state, layout: e.layout });
        // Streams of tmux panes that are gone end (their terminals went with the layout).
        const present = new Set(e.layout.windows.flatMap((w) => w.panes.map((p) => p.id)));
        for (const [target, output] of [...this._targets]) {
          if (present.has(target)) continue;
          this._targets.delete(target);
          output.dispose();
        }
      }),
    );
  }

  /** The pane's own output (classic mode, or the session's active tmux pane in control mode). */
  readonly onData: Event<Uint8Array> = (listener) => this._main.onData(listener);
  /** Sizes on the pane's own stream (the active tmux pane's, in control mode), in order with `onData`. */
  readonly onSize: Event<PaneSize> = (listener) => this._main.onSize(listener);

  /** One tmux pane's output and verbs, in control mode (the same object for as long as the pane is there). */
  output(target: string): RemoteOutput {
    let output = this._targets.get(target);
    if (!output) {
      output = new OutputStream(this._api, this.paneId, target, this._scheduler);
      if (this._store.isDisposed) output.dispose();
      else this._targets.set(target, output);
    }
    return output;
  }

  /** A window or pane action, done in tmux; the new layout comes back as the state's `layout`. */
  async tmux(action: TmuxAction): Promise<void> {
    await this._api.call('panes.tmux', { paneId: this.paneId, action });
  }

  get state(): RemotePaneState {
    return this._state;
  }

  /** Keys and pastes typed into the terminal. */
  write(data: string): void {
    this._main.write(data);
  }

  /** The terminal's size (sent when it changes). */
  resize(cols: number, rows: number): void {
    const size = { cols: clampCols(cols), rows: clampRows(rows) };
    if (this._store.isDisposed || (this._size?.cols === size.cols && this._size.rows === size.rows)) return;
    this._size = size;
    this._api.notify('pane.resize', { paneId: this.paneId, ...size });
  }

  /** Whether the view shows the pane now (its tab is active and the window is visible); sent when it changes. */
  setVisible(visible: boolean): void {
    this._main.setVisible(visible);
  }

  /** The terminal has parsed `bytes` more bytes of what `onData` gave it. */
  processed(bytes: number): void {
    this._main.processed(bytes);
  }

  /** Forgets the note shown over the terminal. */
  dismissMessage(): void {
    if (this._state.message !== undefined) this._setState({ ...this._state, message: undefined });
  }

  /** After session-gone or exited: makes the session again (with an edited start command, if given) and attaches. */
  async recreate(startCommand?: string): Promise<void> {
    const info = await this._api.call('panes.recreate', { paneId: this.paneId, ...(startCommand !== undefined ? { startCommand } : {}) });
    this._setState({ ...stateOf(info), message: this._state.message });
  }

  /** The tab closes: the view stops holding the pane (a pane nobody holds is detached; its session keeps running). */
  async close(): Promise<void> {
    this.dispose();
    await this._api.call('panes.close', { paneId: this.paneId });
  }

  private _setState(state: RemotePaneState): void {
    this._state = state;
    this._onState.fire(state);
  }

}

function stateOf(info: PaneInfo): RemotePaneState {
  return {
    state: info.state,
    sessionName: info.sessionName,
    ...(info.sessionId ? { sessionId: info.sessionId } : {}),
    ...(info.startCommand !== undefined ? { startCommand: info.startCommand } : {}),
    ...(info.exit ? { exit: info.exit } : {}),
    ...(info.mode ? { mode: info.mode } : {}),
    ...(info.modeNote ? { modeNote: info.modeNote } : {}),
    ...(info.layout ? { layout: info.layout } : {}),
  };
}
