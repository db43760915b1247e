// Views as core knows them. Every bridge (Electron IPC, WebSocket) makes one client per connected view (a window,
// a page) with `HoldfastCore.connect` and routes everything the view sends through it; core knows from the client
// which panes the view holds and which it subscribed to, and releases them when the client goes. Nothing reads
// command names or results to guess who owns what.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { HoldfastError, roleOf } from '../shared/contract';
import type { PaneSize } from '../shared/geometry';
import type { ClientInfo, CommandName, CommandOutput, Commands, EventName, IClientConnection, IClientSink, NotificationName, NotificationPayload, Role } from '../shared/contract';

/** What a client needs of core: the same four verbs for every client, and a word when it goes. */
export interface IClientHost {
  handle<K extends CommandName>(client: CoreClient, name: K, input: z.output<Commands[K]['input']>): Promise<CommandOutput<K>>;
  notify<K extends NotificationName>(client: CoreClient, name: K, input: NotificationPayload<K>): void;
  subscribe(client: CoreClient, paneId: string): void;
  unsubscribe(client: CoreClient, paneId: string): void;
  disconnect(client: CoreClient): void;
}

export class CoreClient implements IClientConnection {
  readonly clientId = randomUUID();
  /** The view's own id (workspace.open), kept across its reloads; undefined until it opened its workspace. */
  viewId: string | undefined;
  private _disposed = false;

  constructor(
    readonly info: ClientInfo,
    private readonly _sink: IClientSink,
    private readonly _host: IClientHost,
  ) {}

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** What this view may do (contract.ts: `Access`). */
  get role(): Role {
    return roleOf(this.info);
  }

  /** A view that went (or a device that was revoked) runs nothing more: its late calls are refused. */
  handle<K extends CommandName>(name: K, input: z.output<Commands[K]['input']>): Promise<CommandOutput<K>> {
    if (this._disposed) return Promise.reject(new HoldfastError({ code: 'FORBIDDEN', message: 'This view is closed.' }));
    return this._host.handle(this, name, input);
  }

  notify<K extends NotificationName>(name: K, input: NotificationPayload<K>): void {
    if (this._disposed) return;
    this._host.notify(this, name, input);
  }

  subscribePane(paneId: string): void {
    if (this._disposed) return;
    this._host.subscribe(this, paneId);
  }

  unsubscribePane(paneId: string): void {
    if (this._disposed) return;
    this._host.unsubscribe(this, paneId);
  }

  /** Core's side: an event for this view. A sink that throws (its window is gone) is the bridge's to clean up. */
  event(name: EventName, payload: unknown): void {
    if (this._disposed) return;
    try {
      this._sink.event(name, payload);
    } catch (err) {
      console.warn(`holdfast: a view could not take the ${name} event: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Core's side: output of a pane this view subscribed to. */
  paneData(paneId: string, data: Uint8Array): void {
    if (this._disposed) return;
    this._sink.paneData(paneId, data);
  }

  /** Core's side: a tmux pane's new size, in order with its output. */
  paneSize(paneId: string, size: PaneSize): void {
    if (this._disposed) return;
    this._sink.paneSize(paneId, size);
  }

  /** The view went (closed, reloaded, its socket dropped): its panes are released (see PaneRegistry). */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._host.disconnect(this);
  }
}

/**
 * Who holds which pane. A holder is a live view (its client id) or a view that went and may come back
 * (`view:<viewId>`, during its grace period). A pane nobody holds is closed by its registry.
 */
export class PaneHolds {
  private readonly _byHolder = new Map<string, Set<string>>();

  hold(holder: string, paneId: string): void {
    let panes = this._byHolder.get(holder);
    if (!panes) this._byHolder.set(holder, (panes = new Set()));
    panes.add(paneId);
  }

  /** True when nobody holds the pane any more. */
  release(holder: string, paneId: string): boolean {
    const panes = this._byHolder.get(holder);
    if (panes?.delete(paneId) && panes.size === 0) this._byHolder.delete(holder);
    return !this.isHeld(paneId);
  }

  /** Releases everything `holder` holds; returns the panes nobody holds any more. */
  releaseAll(holder: string): string[] {
    const panes = this._byHolder.get(holder);
    this._byHolder.delete(holder);
    return [...(panes ?? [])].filter((paneId) => !this.isHeld(paneId));
  }

  /** `to` takes over everything `from` holds. */
  transfer(from: string, to: string): void {
    const panes = this._byHolder.get(from);
    if (!panes) return;
    this._byHolder.delete(from);
    for (const paneId of panes) this.hold(to, paneId);
  }

  /** The pane is gone: nobody holds it. */
  forget(paneId: string): void {
    for (const [holder, panes] of this._byHolder) {
      if (panes.delete(paneId) && panes.size === 0) this._byHolder.delete(holder);
    }
  }

  holds(holder: string, paneId: string): boolean {
    return this._byHolder.get(holder)?.has(paneId) ?? false;
  }

  heldBy(holder: string): string[] {
    return [...(this._byHolder.get(holder) ?? [])];
  }

  isHeld(paneId: string): boolean {
    for (const panes of this._byHolder.values()) if (panes.has(paneId)) return true;
    return false;
  }

  holdersOf(paneId: string): string[] {
    return [...this._byHolder].filter(([, panes]) => panes.has(paneId)).map(([holder]) => holder);
  }
}

/** The holder key of a view that went, during its grace period. */
export function graceHolder(viewId: string): string {
  return `view:${viewId}`;
}

export function isGraceHolder(holder: string): boolean {
  return holder.startsWith('view:');
}
