// The contract over WebSocket (app/shared/wire.ts): calls in as JSON, results and events out as JSON, pane
// output out as binary frames. Every tab that connects gets every event. The panes a page opened are its own:
// when the page goes (closed, reloaded), they are detached, as closing their tabs would have done.
import type { RawData, WebSocket } from 'ws';
import { routeCall, checkEvent } from '../shared/bridge';
import type { EventName, IHoldfastHandlers } from '../shared/contract';
import { Disposable, type Event } from '../shared/lifecycle';
import type { HoldfastErrorData, Prompt } from '../shared/model';
import { ClientMessage, encodePaneData, type ServerMessage } from '../shared/wire';

/** What the web host needs of core: the handlers and the one stream of events. */
export interface IWebHostCore extends IHoldfastHandlers {
  readonly onEvent: Event<{ name: EventName; payload: unknown }>;
  /** Prompts still waiting for an answer: a tab that connects (or reloads) is shown them too. */
  readonly pendingPrompts?: readonly Prompt[];
}

/** The id a bad message is answered with when it carries no usable id of its own. */
export const NO_ID = -1;

export interface SocketLimits {
  /**
   * Bytes a socket may have queued and unsent. A page that stops reading (frozen, or on a link that died without a
   * word) would otherwise make the server hold everything sent to it; past this it is dropped, and a live page
   * reconnects by itself.
   */
  maxBufferedBytes: number;
  /** Calls one page may have in flight; more are answered BUSY at once. */
  maxCallsInFlight: number;
  /** How often each socket is pinged; one that has not answered the previous ping by then is dropped. */
  pingIntervalMs: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = { maxBufferedBytes: 16 * 1024 * 1024, maxCallsInFlight: 64, pingIntervalMs: 15_000 };

/** Close codes the page can tell apart (4000–4999 are the application's). */
export const CLOSE_TOO_FAR_BEHIND = 4001;

function idOf(raw: unknown): number {
  if (typeof raw === 'object' && raw !== null && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'number' && Number.isInteger(id)) return id;
  }
  return NO_ID;
}

function validation(message: string): HoldfastErrorData {
  return { code: 'VALIDATION', message };
}

export class SocketBridge extends Disposable {
  private readonly _clients = new Set<WebSocket>();
  /** The panes each page opened and has not closed. */
  private readonly _panes = new Map<WebSocket, Set<string>>();
  private readonly _inFlight = new Map<WebSocket, number>();
  /** Sockets that answered the last ping (or have not been pinged yet). */
  private readonly _alive = new Set<WebSocket>();
  private readonly _limits: SocketLimits;
  private readonly _pinger: ReturnType<typeof setInterval>;

  constructor(
    private readonly _core: IWebHostCore,
    limits: Partial<SocketLimits> = {},
  ) {
    super();
    this._limits = { ...DEFAULT_SOCKET_LIMITS, ...limits };
    this._register(this._core.onEvent(({ name, payload }) => this._broadcast(name, payload)));
    this._pinger = setInterval(() => this._pingAll(), this._limits.pingIntervalMs);
    this._pinger.unref();
  }

  get clientCount(): number {
    return this._clients.size;
  }

  attach(ws: WebSocket): void {
    this._clients.add(ws);
    this._alive.add(ws);
    ws.on('pong', () => this._alive.add(ws));
    ws.on('message', (data, isBinary) => void this._onMessage(ws, data, isBinary));
    ws.on('close', () => this._forget(ws));
    ws.on('error', () => this._forget(ws));
    for (const prompt of this._core.pendingPrompts ?? []) this._send(ws, { t: 'event', name: 'prompt.show', payload: prompt });
  }

  /** The page is gone: its panes are detached (their tmux sessions keep running on the server). */
  private _forget(ws: WebSocket): void {
    this._clients.delete(ws);
    this._alive.delete(ws);
    this._inFlight.delete(ws);
    const panes = this._panes.get(ws);
    this._panes.delete(ws);
    for (const paneId of panes ?? []) void routeCall(this._core, 'panes.close', { paneId });
  }

  private _track(ws: WebSocket, name: string, input: unknown, value: unknown): void {
    if (name === 'panes.open' || name === 'panes.recreate') {
      const paneId = (value as { paneId?: unknown } | undefined)?.paneId;
      if (typeof paneId !== 'string') return;
      if (!this._clients.has(ws)) {
        // The page went while the pane was opening: nobody will ever close it.
        void routeCall(this._core, 'panes.close', { paneId });
        return;
      }
      let panes = this._panes.get(ws);
      if (!panes) this._panes.set(ws, (panes = new Set()));
      panes.add(paneId);
    } else if (name === 'panes.close') {
      const paneId = (input as { paneId?: unknown } | undefined)?.paneId;
      if (typeof paneId === 'string') this._panes.get(ws)?.delete(paneId);
    }
  }

  private _pingAll(): void {
    for (const ws of [...this._clients]) {
      if (!this._alive.has(ws)) {
        // No pong since the last ping: the page is gone (a laptop closed, a phone asleep) without closing.
        ws.terminate();
        this._forget(ws);
        continue;
      }
      this._alive.delete(ws);
      if (ws.readyState === ws.OPEN) ws.ping();
    }
  }

  /** Sends, and drops a socket that has fallen too far behind instead of queueing for it without bound. */
  private _write(ws: WebSocket, data: string | Uint8Array, binary = false): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this._limits.maxBufferedBytes) {
      ws.close(CLOSE_TOO_FAR_BEHIND, 'too far behind');
      // A socket that does not read will not read the close frame either.
      ws.terminate();
      this._forget(ws);
      return;
    }
    ws.send(data, { binary });
  }

  override dispose(): void {
    clearInterval(this._pinger);
    for (const ws of this._clients) ws.terminate();
    this._clients.clear();
    super.dispose();
  }

  private async _onMessage(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this._send(ws, { t: 'result', id: NO_ID, ok: false, error: validation('Binary messages are not accepted') });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      this._send(ws, { t: 'result', id: NO_ID, ok: false, error: validation('Message is not JSON') });
      return;
    }
    const message = ClientMessage.safeParse(raw);
    if (!message.success) {
      this._send(ws, { t: 'result', id: idOf(raw), ok: false, error: validation('Message is not a call') });
      return;
    }
    const { id, name, input } = message.data;
    const inFlight = this._inFlight.get(ws) ?? 0;
    if (inFlight >= this._limits.maxCallsInFlight) {
      this._send(ws, { t: 'result', id, ok: false, error: { code: 'BUSY', message: `Too many calls at once (${inFlight} unanswered); try again shortly.` } });
      return;
    }
    this._inFlight.set(ws, inFlight + 1);
    let result;
    try {
      result = await routeCall(this._core, name, input);
    } finally {
      if (this._clients.has(ws)) this._inFlight.set(ws, (this._inFlight.get(ws) ?? 1) - 1);
    }
    if (result.ok) this._track(ws, name, input, result.value);
    this._send(ws, result.ok ? { t: 'result', id, ok: true, value: result.value } : { t: 'result', id, ok: false, error: result.error });
  }

  private _send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      if (message.t !== 'result') return;
      text = JSON.stringify({ t: 'result', id: message.id, ok: false, error: { code: 'INTERNAL', message: `Result could not be sent: ${String(err)}` } });
    }
    this._write(ws, text);
  }

  private _broadcast(name: EventName, payload: unknown): void {
    const event = checkEvent(name, payload);
    if (!event) {
      console.warn(`holdfast web: dropped an event that does not match its schema: ${String(name)}`);
      return;
    }
    if (this._clients.size === 0) return;
    if (event.name === 'pane.data') {
      const { paneId, data } = event.payload as { paneId: string; data: Uint8Array };
      const frame = encodePaneData(paneId, data);
      for (const ws of [...this._clients]) this._write(ws, frame, true);
      return;
    }
    const text = JSON.stringify({ t: 'event', name: event.name, payload: event.payload } satisfies ServerMessage);
    for (const ws of [...this._clients]) this._write(ws, text);
  }
}
