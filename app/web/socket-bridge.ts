// The contract over WebSocket (app/shared/wire.ts): calls in as JSON, results and events out as JSON, pane
// output out as binary frames. Each page is a client of core (HoldfastCore.connect): core sends it the events and
// the output of the panes it subscribed to, and releases the panes it holds when its socket goes.
import type { RawData, WebSocket } from 'ws';
import { checkEvent, routeCall, routeNotification } from '../shared/bridge';
import type { ClientInfo, IClientConnection, IHoldfastCore } from '../shared/contract';
import { Disposable } from '../shared/lifecycle';
import type { HoldfastErrorData } from '../shared/model';
import { ClientMessage, encodePaneData, encodePaneSize, type ServerMessage } from '../shared/wire';

/** What the web host needs of core: a client per page. */
export type IWebHostCore = IHoldfastCore;

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
/** The device was revoked. */
export const CLOSE_REVOKED = 4003;

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

interface PageState {
  readonly client: IClientConnection;
  readonly info: ClientInfo;
  inFlight: number;
  /** Answered the last ping (or has not been pinged yet). */
  alive: boolean;
}

export class SocketBridge extends Disposable {
  private readonly _pages = new Map<WebSocket, PageState>();
  private readonly _limits: SocketLimits;
  private readonly _pinger: ReturnType<typeof setInterval>;

  constructor(
    private readonly _core: IWebHostCore,
    limits: Partial<SocketLimits> = {},
    /** A paired device sent something (its "last seen"). */
    private readonly _onDeviceActivity: (deviceId: string) => void = () => {},
  ) {
    super();
    this._limits = { ...DEFAULT_SOCKET_LIMITS, ...limits };
    this._pinger = setInterval(() => this._pingAll(), this._limits.pingIntervalMs);
    this._pinger.unref();
  }

  get clientCount(): number {
    return this._pages.size;
  }

  attach(ws: WebSocket, info: ClientInfo = { kind: 'page' }): void {
    const client = this._core.connect(
      {
        event: (name, payload) => this._sendEvent(ws, name, payload),
        paneData: (paneId, data) => this._write(ws, encodePaneData(paneId, data), true),
        paneSize: (paneId, size) => this._write(ws, encodePaneSize(paneId, size), true),
      },
      info,
    );
    const page: PageState = { client, info, inFlight: 0, alive: true };
    this._pages.set(ws, page);
    ws.on('pong', () => {
      page.alive = true;
    });
    ws.on('message', (data, isBinary) => void this._onMessage(ws, page, data, isBinary));
    ws.on('close', () => this._forget(ws));
    ws.on('error', () => this._forget(ws));
  }

  /**
   * A revoked device: its sockets close now. Its client is disposed at once (core refuses anything it still sends,
   * and nothing more reaches it); the close frame tells the page why, and a socket that does not read it is cut.
   */
  closeDevice(deviceId: string): void {
    for (const [ws, page] of [...this._pages]) {
      if (page.info.deviceId !== deviceId) continue;
      this._forget(ws);
      ws.close(CLOSE_REVOKED, 'revoked');
      setTimeout(() => ws.terminate(), 500).unref();
    }
  }

  /** The page is gone: core releases what it held (after a grace period for a reload, see PaneRegistry). */
  private _forget(ws: WebSocket): void {
    const page = this._pages.get(ws);
    if (!page) return;
    this._pages.delete(ws);
    page.client.dispose();
  }

  private _pingAll(): void {
    for (const [ws, page] of [...this._pages]) {
      if (!page.alive) {
        // No pong since the last ping: the page is gone (a laptop closed, a phone asleep) without closing.
        ws.terminate();
        this._forget(ws);
        continue;
      }
      page.alive = false;
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
    for (const ws of [...this._pages.keys()]) {
      ws.terminate();
      this._forget(ws);
    }
    super.dispose();
  }

  private async _onMessage(ws: WebSocket, page: PageState, data: RawData, isBinary: boolean): Promise<void> {
    // A page this bridge let go of (revoked, too far behind) is not listened to, even while its socket closes.
    if (this._pages.get(ws) !== page) return;
    if (page.info.deviceId !== undefined) this._onDeviceActivity(page.info.deviceId);
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
    const parsed = ClientMessage.safeParse(raw);
    if (!parsed.success) {
      this._send(ws, { t: 'result', id: idOf(raw), ok: false, error: validation('Message is not a call') });
      return;
    }
    const message = parsed.data;
    switch (message.t) {
      case 'notify': {
        // One-way: nothing is answered, a bad one is dropped (and logged, for whoever debugs the page).
        const routed = routeNotification(page.client, message.name, message.input);
        if (routed === false) console.warn(`holdfast web: dropped a notification that does not fit the contract: ${String(message.name).slice(0, 100)}`);
        else if (routed !== true) console.warn(`holdfast web: ${message.name} failed: ${describe(routed.failed)}`);
        return;
      }
      case 'sub':
        page.client.subscribePane(message.paneId);
        return;
      case 'unsub':
        page.client.unsubscribePane(message.paneId);
        return;
      case 'call':
        break;
    }
    const { id, name, input } = message;
    if (page.inFlight >= this._limits.maxCallsInFlight) {
      this._send(ws, { t: 'result', id, ok: false, error: { code: 'BUSY', message: `Too many calls at once (${page.inFlight} unanswered); try again shortly.` } });
      return;
    }
    page.inFlight++;
    let result;
    try {
      result = await routeCall(page.client, name, input);
    } finally {
      page.inFlight--;
    }
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

  private _sendEvent(ws: WebSocket, name: string, payload: unknown): void {
    const event = checkEvent(name, payload);
    if (!event) {
      console.warn(`holdfast web: dropped an event that does not match its schema: ${String(name)}`);
      return;
    }
    this._send(ws, { t: 'event', name: event.name, payload: event.payload });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
