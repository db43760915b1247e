// A tmux session over one control-mode client: its windows and their layouts (kept current from tmux's
// notifications), one ControlPaneChannel per tmux pane, and the actions Holdfast takes in tmux (new window, split,
// close, rename, zoom, resize, select). Seen from Pane it is one channel (IPtyChannel): it closes when the client
// ends, takes the keys for the active pane, and its size is the client's.
import { HoldfastError } from '../../../shared/contract';
import { Disposable, Emitter } from '../../../shared/lifecycle';
import type { SessionLayout, TmuxAction, TmuxPaneInfo, TmuxWindowInfo } from '../../../shared/model';
import type { IPtyChannel } from '../../interfaces';
import { replyText, type ControlClient } from './client';
import { target, tmux, type TmuxCommand } from '../tmux';
import { parseLayout } from './layout';
import { ControlPaneChannel, type ControlPaneOptions } from './paneChannel';

const WINDOWS_FORMAT = [
  '#{window_id}',
  '#{window_index}',
  '#{window_active}',
  '#{window_zoomed_flag}',
  '#{window_activity_flag}',
  '#{window_bell_flag}',
  '#{window_visible_layout}',
  '#{window_name}',
].join('\t');

const PANES_FORMAT = ['#{window_id}', '#{pane_id}', '#{pane_active}', '#{pane_width}', '#{pane_height}', '#{pane_current_command}', '#{pane_title}'].join('\t');

/**
 * What tmux sends no notification for (windows reordered by swap-window or move-window, a pane's command, activity
 * and bell flags) is read again every so often. Not with a control-mode subscription (refresh-client -B): tmux 3.3a's
 * subscription timer dereferences the client's session without checking it, and the server crashes when the session
 * ends while the client is still attached (control_check_subs_session; seen here as a segfault at the
 * "%subscription-changed" print) — every session of the user would go with it.
 */
export const LAYOUT_POLL_MS = 2000;

/** Notifications after which the layout is read again. */
const LAYOUT_EVENTS = new Set([
  'layout-change',
  'window-add',
  'window-close',
  'window-renamed',
  'window-pane-changed',
  'session-window-changed',
  'sessions-changed',
  'session-changed',
]);

/** Notifications come in bursts (a split changes the layout of every window): one read after the burst. */
const LAYOUT_SETTLE_MS = 15;

/** Reads the two listings into windows with their layouts and panes. Throws for a layout it cannot read. */
export function parseSessionLayout(windowsText: string, panesText: string): TmuxWindowInfo[] {
  const panes = new Map<string, TmuxPaneInfo[]>();
  for (const line of panesText.split('\n')) {
    const [window, id, active, width, height, command, ...title] = line.split('\t');
    if (!window || !id || !/^%\d+$/.test(id)) continue;
    const list = panes.get(window) ?? [];
    list.push({ id, active: active === '1', width: Number(width) || 0, height: Number(height) || 0, command: command ?? '', title: title.join('\t') });
    panes.set(window, list);
  }
  const windows: TmuxWindowInfo[] = [];
  for (const line of windowsText.split('\n')) {
    const [id, index, active, zoomed, activity, bell, layout, ...name] = line.split('\t');
    if (!id || !/^@\d+$/.test(id) || !layout) continue;
    windows.push({
      id,
      index: Number(index) || 0,
      active: active === '1',
      zoomed: zoomed === '1',
      activity: activity === '1',
      bell: bell === '1',
      name: name.join('\t'),
      layout: parseLayout(layout),
      panes: panes.get(id) ?? [],
    });
  }
  return windows.sort((a, b) => a.index - b.index);
}

export interface ControlSessionOptions {
  client: ControlClient;
  sessionId: string;
  /** Never set the client's size: tmux then leaves this client out of window sizes (a paired device's view). */
  ignoreSize?: boolean;
  /** What each pane's channel needs of the pane that shows it (its mirror, the outage label). */
  paneOptions(pane: string): Omit<ControlPaneOptions, 'pane'>;
}

export class ControlSession extends Disposable implements IPtyChannel {
  private readonly _onData = this._register(new Emitter<Uint8Array>());
  /** Never fires: every tmux pane's output comes through its own channel (`onDidAddPane`). */
  readonly onData = this._onData.event;
  private readonly _onClose = this._register(new Emitter<{ exitCode?: number; signal?: string }>());
  readonly onClose = this._onClose.event;
  private readonly _onDidChangeLayout = this._register(new Emitter<SessionLayout>());
  readonly onDidChangeLayout = this._onDidChangeLayout.event;
  private readonly _onDidAddPane = this._register(new Emitter<ControlPaneChannel>());
  /** A tmux pane appeared (at the start, or split or made since): bind its channel, then `start` it. */
  readonly onDidAddPane = this._onDidAddPane.event;
  private readonly _onDidRemovePane = this._register(new Emitter<string>());
  readonly onDidRemovePane = this._onDidRemovePane.event;

  private readonly _client: ControlClient;
  private readonly _channels = new Map<string, ControlPaneChannel>();
  private _windows: TmuxWindowInfo[] = [];
  private _size: { cols: number; rows: number } | undefined;
  private _refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private _pollTimer: ReturnType<typeof setTimeout> | undefined;
  private _lastLayoutJson = '';
  private _refreshing: Promise<void> | undefined;
  private _refreshAgain = false;
  private _closed = false;

  constructor(private readonly _options: ControlSessionOptions) {
    super();
    this._client = _options.client;
    this._register(
      this._client.onNotification((e) => {
        if (LAYOUT_EVENTS.has(e.type)) this._scheduleRefresh();
      }),
    );
    this._register(
      this._client.onDidExit((e) => {
        if (this._closed) return;
        this._closed = true;
        this._onClose.fire(e.exitCode !== undefined ? { exitCode: e.exitCode } : {});
      }),
    );
  }

  get layout(): SessionLayout {
    return { windows: this._windows, ...(this._size ? { clientSize: this._size } : {}) };
  }

  /** The active window's active pane: where keys go when no pane is named. */
  get activePane(): string | undefined {
    const window = this._windows.find((w) => w.active) ?? this._windows[0];
    return (window?.panes.find((p) => p.active) ?? window?.panes[0])?.id;
  }

  get panes(): string[] {
    return [...this._channels.keys()];
  }

  channel(pane: string): ControlPaneChannel | undefined {
    return this._channels.get(pane);
  }

  /** Reads the layout and opens a channel for every pane (each announced with onDidAddPane). */
  async start(size: { cols: number; rows: number }): Promise<void> {
    if (!this._options.ignoreSize) {
      await this._command(tmux.refreshClientSize(size.cols, size.rows));
      this._size = size;
    }
    await this.refresh();
    this._schedulePoll();
  }

  /** Reads the windows and panes again; opens channels for new panes and closes those of panes gone. */
  refresh(): Promise<void> {
    if (this._refreshing) {
      this._refreshAgain = true;
      return this._refreshing;
    }
    this._refreshing = this._refresh().finally(() => {
      this._refreshing = undefined;
      if (this._refreshAgain && !this._closed) {
        this._refreshAgain = false;
        void this.refresh().catch(() => {});
      }
    });
    return this._refreshing;
  }

  private async _refresh(): Promise<void> {
    const session = target.session(this._options.sessionId);
    const [windows, panes] = await this._client.group([tmux.listWindows(session, WINDOWS_FORMAT), tmux.listPanes({ session }, PANES_FORMAT)]);
    if (this._closed || this._store.isDisposed) return;
    if (!windows?.ok || !panes?.ok) return;
    this._windows = parseSessionLayout(replyText(windows), replyText(panes));
    const present = new Set(this._windows.flatMap((w) => w.panes.map((p) => p.id)));
    for (const pane of [...this._channels.keys()]) {
      if (present.has(pane)) continue;
      this._channels.get(pane)!.dispose();
      this._channels.delete(pane);
      this._onDidRemovePane.fire(pane);
    }
    for (const pane of present) {
      if (this._channels.has(pane)) continue;
      const channel = new ControlPaneChannel(this._client, { ...this._options.paneOptions(pane), pane });
      this._channels.set(pane, channel);
      this._onDidAddPane.fire(channel);
    }
    // A poll that finds nothing new tells nobody.
    const json = JSON.stringify(this.layout);
    if (json === this._lastLayoutJson) return;
    this._lastLayoutJson = json;
    this._onDidChangeLayout.fire(this.layout);
  }

  /** Reads the layout again every LAYOUT_POLL_MS (one command group of a few hundred bytes); views hear of changes only. */
  private _schedulePoll(): void {
    if (this._closed || this._store.isDisposed) return;
    this._pollTimer = setTimeout(() => {
      this._pollTimer = undefined;
      void this.refresh()
        .catch(() => {})
        .finally(() => this._schedulePoll());
    }, LAYOUT_POLL_MS);
  }

  private _scheduleRefresh(): void {
    if (this._refreshTimer || this._closed) return;
    this._refreshTimer = setTimeout(() => {
      this._refreshTimer = undefined;
      void this.refresh().catch(() => {});
    }, LAYOUT_SETTLE_MS);
  }

  /** Does in tmux what the user did in Holdfast; the layout follows from tmux's notifications. */
  async action(action: TmuxAction): Promise<void> {
    const pane = (id: string) => {
      if (!this._windows.some((w) => w.panes.some((p) => p.id === id))) throw new HoldfastError({ code: 'NOT_FOUND', message: `The pane ${id} is not in this session any more.` });
      return target.pane(id);
    };
    const window = (id: string) => {
      if (!this._windows.some((w) => w.id === id)) throw new HoldfastError({ code: 'NOT_FOUND', message: `The window ${id} is not in this session any more.` });
      return target.window(id);
    };
    let command: TmuxCommand;
    switch (action.kind) {
      case 'new-window':
        command = tmux.newWindow(target.sessionWindow(this._options.sessionId));
        break;
      case 'split':
        command = tmux.splitWindow(pane(action.target), action.direction);
        break;
      case 'close-pane':
        command = tmux.killPane(pane(action.target));
        break;
      case 'close-window':
        command = tmux.killWindow(window(action.window));
        break;
      case 'rename-window':
        // A name is one line (a control-mode line cannot carry a line break).
        command = tmux.renameWindow(window(action.window), action.name.replace(/[\r\n]+/g, ' '));
        break;
      case 'select-window':
        command = tmux.selectWindow(window(action.window));
        break;
      case 'select-pane':
        command = tmux.selectPane(pane(action.target));
        break;
      case 'zoom':
        command = tmux.zoomPane(pane(action.target));
        break;
      case 'resize-pane':
        command = tmux.resizePane(pane(action.target), { ...(action.cols !== undefined ? { cols: action.cols } : {}), ...(action.rows !== undefined ? { rows: action.rows } : {}) });
        break;
    }
    const reply = await this._client.command(command);
    if (!reply.ok) throw new HoldfastError({ code: 'VALIDATION', message: `tmux refused it: ${replyText(reply).trim() || action.kind}` });
    // A change that sends no notification of its own (select-pane on another client's window) still shows.
    this._scheduleRefresh();
  }

  // ---------- IPtyChannel, for Pane ----------

  write(data: string | Uint8Array): void {
    const pane = this.activePane;
    if (pane) this._channels.get(pane)?.write(data);
  }

  /** Keys for one tmux pane. */
  writeTo(pane: string, data: string | Uint8Array): void {
    this._channels.get(pane)?.write(data);
  }

  /** The client's size, which tmux gives the session's windows (window-size latest). */
  resize(cols: number, rows: number): void {
    if (this._closed || this._options.ignoreSize) return;
    this._size = { cols, rows };
    this._client.send(tmux.refreshClientSize(cols, rows));
    this._scheduleRefresh();
  }

  /** Flow control is per pane (each pane's channel); the session's channel is never held. */
  pause(): void {}
  resume(): void {}

  private async _command(command: TmuxCommand): Promise<void> {
    const reply = await this._client.command(command);
    if (!reply.ok) throw new HoldfastError({ code: 'VALIDATION', message: `tmux refused ${command.args[0]?.value ?? 'a command'}: ${replyText(reply).trim()}` });
  }

  override dispose(): void {
    if (this._store.isDisposed) return;
    this._closed = true;
    if (this._refreshTimer) clearTimeout(this._refreshTimer);
    if (this._pollTimer) clearTimeout(this._pollTimer);
    for (const channel of this._channels.values()) channel.dispose();
    this._channels.clear();
    this._client.dispose();
    super.dispose();
  }
}
