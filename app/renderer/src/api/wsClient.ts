// The renderer's side of the WebSocket bridge (app/shared/wire.ts): calls as JSON with ids, results matched
// by id, notifications and pane subscriptions as one-way JSON, events as JSON, the output of subscribed panes as
// binary frames. The socket is behind ISocket so tests can fake it.
import {
  commands,
  HoldfastError,
  isEventName,
  parseEventPayload,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type EventName,
  type EventPayload,
  type IHoldfastApi,
  type NotificationInput,
  type NotificationName,
} from '../../../shared/contract';
import { Emitter, toDisposable, type IDisposable } from '../../../shared/lifecycle';
import type { PaneSize } from '../../../shared/geometry';
import { decodePaneFrame, ServerMessage, type ClientMessage, type PaneFrame } from '../../../shared/wire';

/** What the client needs of a socket; `connectDomSocket` adapts the DOM WebSocket to it. */
export interface ISocket {
  send(text: string): void;
  close(): void;
}

export interface ISocketEvents {
  onOpen(): void;
  onText(text: string): void;
  onBinary(data: Uint8Array): void;
  onClose(reason: string): void;
}

export type SocketFactory = (events: ISocketEvents) => ISocket;

interface IPendingCall {
  readonly name: CommandName;
  resolve(value: unknown): void;
  reject(err: HoldfastError): void;
}

export const CONNECTION_LOST_MESSAGE = 'Lost the connection to the Holdfast web host — reload';

export class WsHoldfastClient implements IHoldfastApi, IDisposable {
  private readonly _socket: ISocket;
  private readonly _pending = new Map<number, IPendingCall>();
  private readonly _queue: string[] = [];
  private readonly _listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly _paneListeners = new Map<string, Set<(frame: PaneFrame) => void>>();
  private _nextId = 1;
  private _open = false;
  private _closed = false;

  private readonly _onDidClose = new Emitter<string>();
  /** Fires once when the socket is gone; the page must be reloaded to reconnect. */
  readonly onDidClose = this._onDidClose.event;

  constructor(factory: SocketFactory) {
    this._socket = factory({
      onOpen: () => this._handleOpen(),
      onText: (text) => this._handleText(text),
      onBinary: (data) => this._handleBinary(data),
      onClose: (reason) => this._handleClose(reason),
    });
  }

  get isClosed(): boolean {
    return this._closed;
  }

  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    if (this._closed) return Promise.reject(lostError());
    const id = this._nextId++;
    const message: ClientMessage = { t: 'call', id, name, input };
    return new Promise<CommandOutput<K>>((resolve, reject) => {
      this._pending.set(id, { name, resolve: resolve as (value: unknown) => void, reject });
      this._send(JSON.stringify(message));
    });
  }

  notify<K extends NotificationName>(name: K, input: NotificationInput<K>): void {
    if (this._closed) return;
    this._send(JSON.stringify({ t: 'notify', name, input } satisfies ClientMessage));
  }

  /**
   * Receives one pane's output: the screen as it is first, then what follows. Every subscription asks for the
   * screen again (a listener already there redraws it); the pane's frames stop when the last one is disposed.
   */
  subscribePane(paneId: string, onData: (data: Uint8Array) => void, onSize?: (size: PaneSize) => void): IDisposable {
    let set = this._paneListeners.get(paneId);
    if (!set) this._paneListeners.set(paneId, (set = new Set()));
    const wrapped = (frame: PaneFrame) => ('data' in frame ? onData(frame.data) : onSize?.(frame.size));
    set.add(wrapped);
    if (!this._closed) this._send(JSON.stringify({ t: 'sub', paneId } satisfies ClientMessage));
    return toDisposable(() => {
      if (!set.delete(wrapped) || set.size > 0 || this._paneListeners.get(paneId) !== set) return;
      this._paneListeners.delete(paneId);
      if (!this._closed) this._send(JSON.stringify({ t: 'unsub', paneId } satisfies ClientMessage));
    });
  }

  listen<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): IDisposable {
    let set = this._listeners.get(name);
    if (!set) this._listeners.set(name, (set = new Set()));
    // Wrap so that the same function subscribed twice is two subscriptions.
    const wrapped = (payload: never) => listener(payload);
    set.add(wrapped);
    return toDisposable(() => set.delete(wrapped));
  }

  dispose(): void {
    this._socket.close();
    this._handleClose('disposed');
  }

  private _send(text: string): void {
    if (this._open) this._socket.send(text);
    else this._queue.push(text);
  }

  private _handleOpen(): void {
    if (this._closed) return;
    this._open = true;
    for (const text of this._queue.splice(0)) this._socket.send(text);
  }

  private _handleText(text: string): void {
    let parsed: ServerMessage;
    try {
      parsed = ServerMessage.parse(JSON.parse(text));
    } catch (err) {
      console.warn('holdfast: ignoring a malformed message from the web host', err);
      return;
    }
    if (parsed.t === 'event') {
      if (!isEventName(parsed.name)) return;
      let payload: unknown;
      try {
        payload = parseEventPayload(parsed.name, parsed.payload);
      } catch (err) {
        console.warn(`holdfast: ignoring an invalid ${parsed.name} event`, err);
        return;
      }
      this._dispatch(parsed.name, payload);
      return;
    }
    const call = this._pending.get(parsed.id);
    if (!call) return;
    this._pending.delete(parsed.id);
    if (!parsed.ok) {
      call.reject(new HoldfastError(parsed.error));
      return;
    }
    const output = commands[call.name].output.safeParse(parsed.value);
    if (output.success) call.resolve(output.data);
    else call.reject(new HoldfastError({ code: 'INTERNAL', message: `The web host sent an invalid result for ${call.name}` }));
  }

  private _handleBinary(frame: Uint8Array): void {
    let decoded: PaneFrame;
    try {
      decoded = decodePaneFrame(frame);
    } catch (err) {
      console.warn('holdfast: ignoring a malformed binary frame', err);
      return;
    }
    for (const listener of [...(this._paneListeners.get(decoded.paneId) ?? [])]) {
      try {
        listener(decoded);
      } catch (err) {
        console.error('holdfast: a pane output listener threw', err);
      }
    }
  }

  private _dispatch(name: EventName, payload: unknown): void {
    const set = this._listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload as never);
      } catch (err) {
        // One failing view must not starve the others of the event.
        console.error(`holdfast: a ${name} listener threw`, err);
      }
    }
  }

  private _handleClose(reason: string): void {
    if (this._closed) return;
    this._closed = true;
    this._open = false;
    this._queue.length = 0;
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const call of pending) call.reject(lostError());
    this._onDidClose.fire(reason);
    this._onDidClose.dispose();
  }
}

function lostError(): HoldfastError {
  return new HoldfastError({ code: 'NETWORK', message: CONNECTION_LOST_MESSAGE });
}

/** What a page opens the socket with: the owner's token, or a paired device's. */
export interface Credential {
  kind: 'token' | 'device';
  value: string;
}

/** Where a page keeps its credential: storage of its own origin (scheme, host and port), never a cookie. */
export const CREDENTIAL_KEY = 'holdfast.credential';

/**
 * The credential a page's address brings (`?token=` for the owner, `#device=` from the pairing page), else the one
 * the page kept from an earlier load.
 */
export function credentialFor(location: { search: string; hash: string }, stored: string | null): Credential | undefined {
  const token = new URLSearchParams(location.search).get('token');
  if (token) return { kind: 'token', value: token };
  const device = new URLSearchParams(location.hash.replace(/^#/, '')).get('device');
  if (device) return { kind: 'device', value: device };
  if (!stored) return undefined;
  try {
    const parsed = JSON.parse(stored) as Partial<Credential>;
    if ((parsed.kind === 'token' || parsed.kind === 'device') && typeof parsed.value === 'string' && parsed.value) return { kind: parsed.kind, value: parsed.value };
  } catch {
    // Not ours: as if nothing were kept.
  }
  return undefined;
}

/** The URL of the web host's socket: same origin, `/ws`, with the page's credential. */
export function socketUrl(location: { protocol: string; host: string }, credential: Credential | undefined): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const param = credential?.kind === 'device' ? 'device' : 'token';
  return `${scheme}//${location.host}/ws?${param}=${encodeURIComponent(credential?.value ?? '')}`;
}

/**
 * The page's address without its credential, for history.replaceState: it must not stay in the address bar, the
 * history or a bookmark. The page keeps it in its own storage (CREDENTIAL_KEY) for reloads and other tabs.
 */
export function addressWithoutToken(href: string): string | undefined {
  const url = new URL(href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  const inHash = hash.has('device');
  if (!url.searchParams.has('token') && !inHash) return undefined;
  url.searchParams.delete('token');
  hash.delete('device');
  const rest = inHash ? hash.toString() : url.hash.replace(/^#/, '');
  return `${url.pathname}${url.search}${rest ? `#${rest}` : ''}`;
}

/** Adapts the DOM WebSocket to ISocket. */
export function domSocketFactory(url: string): SocketFactory {
  return (events) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => events.onOpen();
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === 'string') events.onText(e.data);
      else if (e.data instanceof ArrayBuffer) events.onBinary(new Uint8Array(e.data));
    };
    ws.onclose = (e: CloseEvent) => events.onClose(e.reason || `closed (${e.code})`);
    ws.onerror = () => {
      // A close event always follows an error; that is where the UI learns of it.
    };
    return {
      send: (text) => ws.send(text),
      close: () => ws.close(),
    };
  };
}
