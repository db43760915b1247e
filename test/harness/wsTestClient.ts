// A WebSocket client of the web host for tests: speaks the wire protocol (app/shared/wire.ts), matches results to
// calls, and keeps every event so a test can wait for the one it expects.
import WebSocket from 'ws';

export interface WireEvent {
  name: string;
  payload: unknown;
}

export class WsTestClient {
  readonly ws: WebSocket;
  readonly events: WireEvent[] = [];
  readonly binary: Buffer[] = [];
  private _nextId = 1;
  private readonly _pending = new Map<number, (message: Record<string, unknown>) => void>();
  private readonly _waiters = new Set<() => void>();

  /** `url` is the page URL the web host printed (with its token). */
  constructor(pageUrl: string) {
    const page = new URL(pageUrl);
    const token = page.searchParams.get('token') ?? '';
    this.ws = new WebSocket(`ws://${page.host}/ws?token=${encodeURIComponent(token)}`, { headers: { Origin: `${page.protocol}//${page.host}` } });
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.binary.push(data);
      else {
        const message = JSON.parse(data.toString()) as Record<string, unknown>;
        if (message.t === 'result') this._pending.get(message.id as number)?.(message);
        else if (message.t === 'event') this.events.push({ name: message.name as string, payload: message.payload });
      }
      for (const wake of [...this._waiters]) wake();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** Sends a call and resolves with its whole result message ({ ok, value } or { ok: false, error }). */
  call(name: string, input: unknown): Promise<Record<string, unknown>> {
    const id = this._nextId++;
    return new Promise((resolve) => {
      this._pending.set(id, (message) => {
        this._pending.delete(id);
        resolve(message);
      });
      this.ws.send(JSON.stringify({ t: 'call', id, name, input }));
    });
  }

  /** Resolves with the first event (already received or still to come) for which `match` is true. */
  async waitForEvent(match: (e: WireEvent) => boolean, what: string, timeoutMs = 20_000): Promise<WireEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this._waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this._waiters.add(wake);
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }
}
