// The panes core keeps, and who holds them. A view holds the panes it opened (or got back with its workspace);
// a pane lives while some view holds it. A view that goes keeps its panes for a grace period (a reload takes them
// back, attached all along); after it, a pane nobody holds is detached (its tmux session keeps running).
//
// Views share panes: opening a session that a live pane already shows holds that pane, so two windows (or a
// window and a phone) show one stream instead of two tmux clients fighting over the size.
//
// Workspaces: each view's tabs (order and active tab) are kept per view id for its reloads, and the last saved
// set is written to disk; a new view starts with that set, on the panes that show those sessions now or on new
// ones made for it (after a restart: attached as soon as their hosts connect, waiting as 'reconnecting' meanwhile).
import { randomUUID } from 'node:crypto';
import { HoldfastError } from '../shared/contract';
import { Disposable, DisposableStore, type IDisposable } from '../shared/lifecycle';
import { parseStreamId } from '../shared/contract';
import type { PaneInfo, PaneState, SessionLayout, TmuxAction, Workspace, WorkspaceSave } from '../shared/model';
import { CoreClient, graceHolder, isGraceHolder, PaneHolds } from './clients';
import type { HostRegistry } from './hosts';
import type { IClock } from './interfaces';
import { Pane, type PaneAttachPolicy, type PaneAttention, type PaneStateChange } from './pane/Pane';
import type { FlowMarks } from './pane/PaneStream';
import type { IWorkspaceStore, SavedTab } from './stores/workspaceStore';
import { isReservedSessionName, reservedNameError } from './tmux/sessions';

/** How long a view that went keeps its panes for a reload to take them back. */
export const VIEW_GRACE_MS = 60_000;

/** The size a pane is made with before any view said its own (a restored pane). */
const DEFAULT_SIZE = { cols: 80, rows: 24 };

/** States in which a pane shows a live session another view may share. */
const SHAREABLE: ReadonlySet<PaneState> = new Set(['attaching', 'attached', 'reconnecting']);

export interface OpenPaneInput {
  hostId: string;
  sessionName: string;
  sessionId?: string;
  create?: { startCommand?: string };
  /** The session was made just now running this (rescue.run): watched for ending at once, kept for Recreate. */
  startedWith?: string;
  cols: number;
  rows: number;
}

export interface PaneRegistryOptions {
  hosts: HostRegistry;
  workspace: IWorkspaceStore;
  clock: IClock;
  /** A pane's state changed (every view is told). */
  onState(paneId: string, change: PaneStateChange): void;
  /** A control-mode pane's windows and panes changed. */
  onLayout?(paneId: string, layout: SessionLayout): void;
  /** A pane's program rang the bell or asked for a notification. */
  onAttention?(pane: Pane, attention: PaneAttention): void;
  graceMs?: number;
  /** Overrides of the flow-control marks (tests). */
  flow?: Partial<FlowMarks>;
  /** How a host's panes attach (its profile's tmux mode, or the settings'). Classic when absent. */
  attachPolicy?: (hostId: string) => PaneAttachPolicy;
}

interface PaneEntry {
  readonly pane: Pane;
  readonly store: DisposableStore;
  /** Each view's subscriptions, by client id and stream ("<clientId> <stream>"). */
  readonly subscriptions: Map<string, IDisposable>;
}

export class PaneRegistry extends Disposable {
  private readonly _panes = new Map<string, PaneEntry>();
  private readonly _holds = new PaneHolds();
  /** Live views by view id. */
  private readonly _views = new Map<string, CoreClient>();
  /** Views that went, by view id: the timer that releases their panes. */
  private readonly _gone = new Map<string, IDisposable>();
  /** Which of those were a paired device's (its id): a revoke lets their panes go at once. */
  private readonly _graceDevice = new Map<string, string>();
  /** Each view's tabs as it last saved them, by view id (live views and views in their grace period). */
  private readonly _tabs = new Map<string, { paneIds: string[]; activePaneId?: string }>();
  private readonly _graceMs: number;

  constructor(private readonly _options: PaneRegistryOptions) {
    super();
    this._graceMs = _options.graceMs ?? VIEW_GRACE_MS;
  }

  get size(): number {
    return this._panes.size;
  }

  /** Views gone and still within their grace period (tests). */
  get viewsInGrace(): number {
    return this._gone.size;
  }

  list(): PaneInfo[] {
    return [...this._panes.values()].map(({ pane }) => pane.info());
  }

  hasPanesOn(hostId: string): boolean {
    return [...this._panes.values()].some(({ pane }) => pane.hostId === hostId);
  }

  /** The live views (client ids) that hold the pane: whom its state and layout are for. */
  holderClients(paneId: string): Set<string> {
    return new Set(this._holds.holdersOf(paneId).filter((holder) => !isGraceHolder(holder)));
  }

  /** The pane, if `client` holds it. */
  paneOf(client: CoreClient, paneId: string): Pane | undefined {
    return this._holds.holds(client.clientId, paneId) ? this._panes.get(paneId)?.pane : undefined;
  }

  private _require(client: CoreClient, paneId: string): Pane {
    const pane = this.paneOf(client, paneId);
    if (!pane) throw new HoldfastError({ code: 'NOT_FOUND', message: 'This pane is closed.' });
    return pane;
  }

  /**
   * Opens a tab on a session for `client`: the live pane that shows it already, if any (without `create`), else a
   * new pane attached to it (made first with `create`). Resolves once attached or session-gone.
   */
  async open(client: CoreClient, input: OpenPaneInput): Promise<PaneInfo> {
    const host = this._options.hosts.get(input.hostId);
    if (input.create && isReservedSessionName(input.sessionName)) throw reservedNameError(input.sessionName);
    if (client.role === 'viewer' && host.status.state !== 'connected') {
      throw new HoldfastError({ code: 'FORBIDDEN', message: 'This device is view only: it shows hosts the computer has connected.' });
    }
    if (!input.create) {
      const shared = this._findLive({ hostId: input.hostId, sessionName: input.sessionName, sessionId: input.sessionId }, false, client.info.kind === 'device');
      if (shared) {
        if (!client.isDisposed) this._holds.hold(client.clientId, shared.paneId);
        return shared.info();
      }
    }
    const pane = this._add(
      new Pane({
        paneId: randomUUID(),
        hostId: input.hostId,
        sessionName: input.sessionName,
        sessionId: input.create ? undefined : input.sessionId,
        startCommand: input.create?.startCommand ?? input.startedWith,
        ignoreSize: client.info.kind === 'device',
        cols: input.cols,
        rows: input.rows,
        flow: this._options.flow,
        clock: this._options.clock,
        ...this._policyFor(input.hostId),
      }),
    );
    // Held before anything is awaited: a view that goes meanwhile releases it like any other.
    this._holds.hold(client.clientId, pane.paneId);
    try {
      // A paired device never raises a prompt on the computer: it connects only where nothing needs asking.
      const connection = await host.ensureConnected({ unattended: client.role !== 'owner' });
      await pane.attach(connection, { create: input.create !== undefined, justMade: input.startedWith !== undefined });
    } catch (err) {
      this._close(pane.paneId);
      throw HoldfastError.from(err);
    }
    if (client.isDisposed && this._holds.release(client.clientId, pane.paneId)) this._close(pane.paneId);
    if (!this._panes.has(pane.paneId)) throw new HoldfastError({ code: 'CANCELLED', message: 'The pane was closed while it was opening.' });
    return pane.info();
  }

  /** The view closed the tab: it stops holding the pane; a pane nobody holds any more is detached. */
  async close(client: CoreClient, paneId: string): Promise<void> {
    if (!this._holds.holds(client.clientId, paneId)) return;
    this._unsubscribe(client.clientId, paneId);
    this._dropFromTabs(client.viewId, paneId);
    if (!this._holds.release(client.clientId, paneId)) return;
    const pane = this._panes.get(paneId)?.pane;
    // A session whose start command ended at once is clutter on the server: closing its last tab ends it.
    const connection = pane?.state === 'exited' ? this._options.hosts.find(pane.hostId)?.connection : undefined;
    if (pane && connection) await pane.endDeadSession(connection);
    // Someone may have taken it while the session was being ended.
    if (!this._holds.isHeld(paneId)) this._close(paneId);
  }

  async recreate(client: CoreClient, paneId: string, startCommand: string | undefined): Promise<PaneInfo> {
    const pane = this._require(client, paneId);
    const connection = await this._options.hosts.get(pane.hostId).ensureConnected({ unattended: client.role !== 'owner' });
    await pane.recreate(connection, startCommand);
    return pane.info();
  }

  // ---------- the stream's verbs (notifications: a pane the view does not hold is ignored) ----------

  input(client: CoreClient, paneId: string, data: string, target?: string): void {
    const pane = this.paneOf(client, paneId);
    if (!pane) return;
    const host = this._options.hosts.find(pane.hostId);
    if (host) host.input(pane, client.clientId, data, target);
    else pane.input(client.clientId, data, target);
  }

  resize(client: CoreClient, paneId: string, cols: number, rows: number): void {
    this.paneOf(client, paneId)?.viewResized(client.clientId, cols, rows);
  }

  ack(client: CoreClient, paneId: string, bytes: number, target?: string): void {
    this.paneOf(client, paneId)?.ack(client.clientId, bytes, target);
  }

  setVisible(client: CoreClient, paneId: string, visible: boolean, target?: string): void {
    // A device's view never becomes the one whose size the pane takes.
    this.paneOf(client, paneId)?.setVisible(client.clientId, visible, target, client.info.kind !== 'device');
  }

  /** A window or pane action in a control-mode pane the view holds. */
  async tmuxAction(client: CoreClient, paneId: string, action: TmuxAction): Promise<void> {
    await this._require(client, paneId).tmuxAction(action);
  }

  /**
   * The view starts receiving a stream: a pane's (`paneId`), or one tmux pane of a control-mode pane
   * (`paneId/%5`). Each stream a view subscribes to is its own subscription.
   */
  subscribe(client: CoreClient, stream: string): void {
    const { paneId, target } = parseStreamId(stream);
    const entry = this._panes.get(paneId);
    if (!entry || !this._holds.holds(client.clientId, paneId)) return;
    const key = `${client.clientId} ${stream}`;
    entry.subscriptions.get(key)?.dispose();
    // A paired device's view never holds the pane back for the computer's views (PaneStream).
    entry.subscriptions.set(
      key,
      entry.pane.subscribe(client.clientId, (data) => client.paneData(stream, data), target, {
        holdsBack: client.role === 'owner',
        onSize: (size) => client.paneSize(stream, size),
      }),
    );
  }

  unsubscribe(client: CoreClient, stream: string): void {
    const { paneId } = parseStreamId(stream);
    const entry = this._panes.get(paneId);
    const key = `${client.clientId} ${stream}`;
    const subscription = entry?.subscriptions.get(key);
    if (!entry || !subscription) return;
    entry.subscriptions.delete(key);
    subscription.dispose();
  }

  /** Every subscription of the client to the pane's streams ends. */
  private _unsubscribe(clientId: string, paneId: string): void {
    const entry = this._panes.get(paneId);
    if (!entry) return;
    for (const [key, subscription] of [...entry.subscriptions]) {
      if (!key.startsWith(`${clientId} `)) continue;
      entry.subscriptions.delete(key);
      subscription.dispose();
    }
  }

  // ---------- views coming and going ----------

  /**
   * The view went. One that opened its workspace keeps its panes for the grace period, so that its reload takes
   * them back; one that did not (a test client, a tool) releases them at once.
   */
  clientGone(client: CoreClient, options: { keepForReload?: boolean } = {}): void {
    for (const paneId of [...this._panes.keys()]) this._unsubscribe(client.clientId, paneId);
    const viewId = client.viewId;
    if (viewId !== undefined && this._views.get(viewId) === client) this._views.delete(viewId);
    if (viewId !== undefined && options.keepForReload !== false && !this._views.has(viewId)) {
      if (client.info.deviceId !== undefined) this._graceDevice.set(viewId, client.info.deviceId);
      this._holds.transfer(client.clientId, graceHolder(viewId));
      this._gone.set(
        viewId,
        this._options.clock.setTimeout(() => this._expire(viewId), this._graceMs),
      );
      return;
    }
    for (const paneId of this._holds.releaseAll(client.clientId)) this._close(paneId);
  }

  /** A device was revoked: the panes its views kept for a reload are let go now. */
  releaseDevice(deviceId: string): void {
    for (const [viewId, device] of [...this._graceDevice]) {
      if (device !== deviceId) continue;
      this._gone.get(viewId)?.dispose();
      this._expire(viewId);
    }
  }

  private _expire(viewId: string): void {
    this._gone.delete(viewId);
    this._graceDevice.delete(viewId);
    this._tabs.delete(viewId);
    for (const paneId of this._holds.releaseAll(graceHolder(viewId))) this._close(paneId);
  }

  /**
   * The view's tabs. A view that reloaded (its id is in its grace period) gets its own tabs back, on the same live
   * panes; a new view gets the set last saved, on the panes that show those sessions now or on new ones.
   */
  openWorkspace(client: CoreClient, requestedViewId: string): Workspace {
    if (client.viewId !== undefined) return this._workspaceOf(client, client.viewId);
    // A second live view with the same id is a copy (a duplicated browser tab carries its sessionStorage along):
    // it is a new view, and gets an id of its own.
    const viewId = this._views.has(requestedViewId) ? randomUUID() : requestedViewId;
    client.viewId = viewId;
    this._views.set(viewId, client);
    const timer = this._gone.get(viewId);
    if (timer) {
      timer.dispose();
      this._gone.delete(viewId);
      this._graceDevice.delete(viewId);
      this._holds.transfer(graceHolder(viewId), client.clientId);
      return this._workspaceOf(client, viewId);
    }
    // A paired device starts with tabs of its own: the set the computer reopens after a restart is the computer's
    // (opening it on a phone would make panes at a size nobody chose).
    if (client.info.kind === 'device') {
      this._tabs.set(viewId, { paneIds: [] });
      return this._workspaceOf(client, viewId);
    }
    const saved = this._options.workspace.get();
    const paneIds: string[] = [];
    let activePaneId: string | undefined;
    saved.tabs.forEach((tab, index) => {
      const pane = this._paneForSavedTab(tab);
      if (!pane) return;
      this._holds.hold(client.clientId, pane.paneId);
      if (!paneIds.includes(pane.paneId)) paneIds.push(pane.paneId);
      if (index === saved.active) activePaneId = pane.paneId;
    });
    this._tabs.set(viewId, { paneIds, ...(activePaneId ? { activePaneId } : {}) });
    return this._workspaceOf(client, viewId);
  }

  /** The view's tabs changed: kept for its reload, and written as the set the next new view (or run) starts with. */
  saveWorkspace(client: CoreClient, save: WorkspaceSave): void {
    if (client.viewId === undefined || client.viewId !== save.viewId) {
      throw new HoldfastError({ code: 'VALIDATION', message: 'This view has not opened that workspace.' });
    }
    const paneIds = save.paneIds.filter((id, i, all) => all.indexOf(id) === i && this._holds.holds(client.clientId, id) && this._panes.has(id));
    const activePaneId = save.activePaneId !== undefined && paneIds.includes(save.activePaneId) ? save.activePaneId : undefined;
    this._tabs.set(save.viewId, { paneIds, ...(activePaneId ? { activePaneId } : {}) });
    // A device's tabs are kept for its own reloads only: it never changes what the computer reopens.
    if (client.info.kind === 'device') return;
    const tabs = paneIds.map((id) => savedTabOf(this._panes.get(id)!.pane));
    const active = activePaneId !== undefined ? paneIds.indexOf(activePaneId) : undefined;
    try {
      this._options.workspace.save({ tabs, ...(active !== undefined ? { active } : {}) });
    } catch (err) {
      throw new HoldfastError({
        code: 'INTERNAL',
        message: `The open tabs could not be saved for the next start: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'The tabs stay open; only reopening them after a restart is affected.',
      });
    }
  }

  private _workspaceOf(client: CoreClient, viewId: string): Workspace {
    const held = this._holds.heldBy(client.clientId).filter((id) => this._panes.has(id));
    const saved = this._tabs.get(viewId);
    const order = [...(saved?.paneIds.filter((id) => held.includes(id)) ?? []), ...held.filter((id) => !saved?.paneIds.includes(id))];
    const activePaneId = saved?.activePaneId !== undefined && order.includes(saved.activePaneId) ? saved.activePaneId : undefined;
    return { viewId, panes: order.map((id) => this._panes.get(id)!.pane.info()), ...(activePaneId ? { activePaneId } : {}) };
  }

  /** A live pane showing the saved tab's session, or a new one made for it (attached once its host connects). */
  private _paneForSavedTab(tab: SavedTab): Pane | undefined {
    const shared = this._findLive(tab, true);
    if (shared) return shared;
    let host;
    try {
      host = this._options.hosts.get(tab.hostId);
    } catch {
      // Its profile was deleted since: nothing to open it with.
      return undefined;
    }
    const pane = this._add(
      new Pane({
        paneId: randomUUID(),
        hostId: tab.hostId,
        sessionName: tab.sessionName,
        sessionId: tab.sessionId,
        startCommand: tab.startCommand,
        ...DEFAULT_SIZE,
        restored: true,
        flow: this._options.flow,
        clock: this._options.clock,
        ...this._policyFor(tab.hostId),
      }),
    );
    host.attachWhenConnected(pane);
    return pane;
  }

  /** Whether a view shows this session (this tmux pane of it, in control mode) now. */
  isShown(hostId: string, sessionId: string, tmuxPane?: string): boolean {
    for (const { pane } of this._panes.values()) {
      if (pane.hostId !== hostId || pane.sessionId !== sessionId || pane.state !== 'attached') continue;
      if (pane.mode?.kind === 'control' && tmuxPane !== undefined ? pane.isShown(tmuxPane) : pane.isShown()) return true;
    }
    return false;
  }

  /**
   * A pane that shows this session now and can be shared: by id when there is one, by name only when `byName` (a
   * saved tab made before its id was known).
   */
  private _findLive(tab: { hostId: string; sessionName: string; sessionId?: string }, byName: boolean, forDevice = false): Pane | undefined {
    for (const { pane } of this._panes.values()) {
      if (pane.hostId !== tab.hostId || !SHAREABLE.has(pane.state)) continue;
      // A device's own pane never sizes its session: the desktop gets a pane of its own.
      if (pane.ignoreSize && !forDevice) continue;
      if (tab.sessionId !== undefined ? pane.sessionId === tab.sessionId : byName && pane.sessionName === tab.sessionName) return pane;
    }
    return undefined;
  }

  // ---------- panes coming and going ----------

  private _policyFor(hostId: string): { attachPolicy?: () => PaneAttachPolicy } {
    const policy = this._options.attachPolicy;
    return policy ? { attachPolicy: () => policy(hostId) } : {};
  }

  private _add(pane: Pane): Pane {
    const host = this._options.hosts.get(pane.hostId);
    const store = new DisposableStore();
    store.add(pane.onDidChangeState((change) => this._options.onState(pane.paneId, change)));
    store.add(pane.onDidChangeLayout((layout) => this._options.onLayout?.(pane.paneId, layout)));
    store.add(pane.onAttention((attention) => this._options.onAttention?.(pane, attention)));
    store.add(host.addPane(pane));
    this._panes.set(pane.paneId, { pane, store, subscriptions: new Map() });
    return pane;
  }

  /** Detaches every pane of the host (it is being deleted, disconnected or moved). */
  closeHostPanes(hostId: string): void {
    for (const [paneId, { pane }] of [...this._panes]) if (pane.hostId === hostId) this._close(paneId);
  }

  private _close(paneId: string): void {
    const entry = this._panes.get(paneId);
    if (!entry) return;
    // Its holders hear that it closed (the event goes to whoever holds it), then it is gone.
    this._options.onState(paneId, { state: 'closed' });
    this._panes.delete(paneId);
    this._holds.forget(paneId);
    for (const tabs of this._tabs.values()) tabs.paneIds = tabs.paneIds.filter((id) => id !== paneId);
    for (const subscription of entry.subscriptions.values()) subscription.dispose();
    entry.subscriptions.clear();
    entry.store.dispose();
    entry.pane.dispose();
  }

  private _dropFromTabs(viewId: string | undefined, paneId: string): void {
    const tabs = viewId !== undefined ? this._tabs.get(viewId) : undefined;
    if (!tabs) return;
    tabs.paneIds = tabs.paneIds.filter((id) => id !== paneId);
    if (tabs.activePaneId === paneId) delete tabs.activePaneId;
  }

  override dispose(): void {
    for (const timer of this._gone.values()) timer.dispose();
    this._gone.clear();
    for (const paneId of [...this._panes.keys()]) this._close(paneId);
    super.dispose();
  }
}

function savedTabOf(pane: Pane): SavedTab {
  return {
    hostId: pane.hostId,
    sessionName: pane.sessionName,
    ...(pane.sessionId ? { sessionId: pane.sessionId } : {}),
    ...(pane.startCommand !== undefined ? { startCommand: pane.startCommand } : {}),
  };
}
