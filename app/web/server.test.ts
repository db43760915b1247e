import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HoldfastError, type ClientInfo, type CommandName, type EventName, type IClientConnection, type IClientSink } from '../shared/contract';
import { decodePaneData } from '../shared/wire';
import { pageKey } from './auth';
import { allowedHostHeaders, startWebHost, type IWebHostCore, type WebHost } from './server';
import { generateCertificate } from './tls';
import { get as httpsGet } from 'node:https';

/** One page as the fake core sees it: what it sent, what it subscribed to, whether it went. */
interface FakeClient {
  readonly sink: IClientSink;
  readonly info: ClientInfo;
  readonly notifications: { name: string; input: unknown }[];
  readonly subscriptions: Set<string>;
  disposed: boolean;
}

/** Core as the bridge sees it (IHoldfastCore): a client per page, and a way to send events and pane output. */
class FakeCore implements IWebHostCore {
  readonly calls: { name: CommandName; input: unknown }[] = [];
  readonly clients: FakeClient[] = [];

  connect(sink: IClientSink, info: ClientInfo): IClientConnection {
    const client: FakeClient = { sink, info, notifications: [], subscriptions: new Set(), disposed: false };
    this.clients.push(client);
    return {
      clientId: `client-${this.clients.length}`,
      handle: (name, input) => this.handle(name, input),
      notify: (name, input) => void client.notifications.push({ name, input }),
      subscribePane: (paneId) => void client.subscriptions.add(paneId),
      unsubscribePane: (paneId) => void client.subscriptions.delete(paneId),
      dispose: () => {
        client.disposed = true;
      },
    };
  }

  get liveClients(): FakeClient[] {
    return this.clients.filter((c) => !c.disposed);
  }

  /** An event for every page. */
  emit(name: EventName, payload: unknown): void {
    for (const client of this.liveClients) client.sink.event(name, payload);
  }

  /** A pane's output, for the pages subscribed to it. */
  paneData(paneId: string, data: Uint8Array): void {
    for (const client of this.liveClients) if (client.subscriptions.has(paneId)) client.sink.paneData(paneId, data);
  }

  async handle(name: CommandName, input: unknown): Promise<never> {
    this.calls.push({ name, input });
    if (name === 'app.info') return { version: '9.9.9', shell: 'web', secretsPersist: false, platform: 'linux' } as never;
    if (name === 'hosts.delete') throw new HoldfastError({ code: 'NOT_FOUND', message: 'This host no longer exists.' });
    if (name === 'panes.open') return { paneId: `pane-${this.calls.length}`, hostId: 'h1', sessionName: 's', state: 'attached' } as never;
    return undefined as never;
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(host: WebHost, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // `path` goes out as written: node does not normalise "..", so the server sees what an attacker sends.
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that queues what it receives, so a test can await the next message. */
class Client {
  readonly ws: WebSocket;
  private readonly _queue: { data: Buffer; binary: boolean }[] = [];
  private _waiter: (() => void) | undefined;

  constructor(url: string, headers: Record<string, string>) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data: Buffer, binary) => {
      this._queue.push({ data, binary });
      this._waiter?.();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** Resolves with the HTTP status the upgrade was refused with. */
  refused(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      this.ws.once('open', () => reject(new Error('The connection was accepted')));
    });
  }

  async next(): Promise<{ data: Buffer; binary: boolean }> {
    while (this._queue.length === 0) await new Promise<void>((resolve) => (this._waiter = resolve));
    return this._queue.shift()!;
  }

  async nextJson(): Promise<Record<string, unknown>> {
    const { data, binary } = await this.next();
    expect(binary).toBe(false);
    return JSON.parse(data.toString()) as Record<string, unknown>;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }
}

describe('allowedHostHeaders', () => {
  it('accepts the loopback names and the address served, with the port', () => {
    const allowed = allowedHostHeaders('127.0.0.1', 7681, () => []);
    expect([...allowed].sort()).toEqual(['127.0.0.1:7681', '[::1]:7681', 'localhost:7681']);
    expect(allowedHostHeaders('10.200.1.1', 443, () => [])).toEqual(new Set(['localhost:443', 'localhost', '127.0.0.1:443', '127.0.0.1', '[::1]:443', '[::1]', '10.200.1.1:443', '10.200.1.1']));
  });

  it('accepts every local address when listening on all of them', () => {
    const allowed = allowedHostHeaders('0.0.0.0', 8000, () => ['127.0.0.1', '10.200.9.1', 'fe80::1']);
    expect(allowed.has('10.200.9.1:8000')).toBe(true);
    expect(allowed.has('[fe80::1]:8000')).toBe(true);
    expect(allowed.has('0.0.0.0:8000')).toBe(false);
  });
});

describe('web host', () => {
  let dir: string;
  let core: FakeCore;
  let host: WebHost;
  const clients: Client[] = [];

  const origin = () => ({ Origin: `http://127.0.0.1:${host.port}` });
  const wsUrl = (token = host.token) => `ws://127.0.0.1:${host.port}/ws?token=${token}`;
  async function connect(): Promise<Client> {
    const client = new Client(wsUrl(), origin());
    clients.push(client);
    await client.opened();
    return client;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-web-test-'));
    mkdirSync(join(dir, 'static', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Holdfast</title><div id="root"></div>');
    writeFileSync(join(dir, 'static', 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET-CONTENT');
    core = new FakeCore();
    host = await startWebHost({ core, staticDir: join(dir, 'static'), port: 0 });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) if (client.ws.readyState === WebSocket.OPEN) client.ws.terminate();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a page as a client of core', () => {
    const until = async (fn: () => boolean, what: string) => {
      for (let i = 0; i < 400 && !fn(); i++) await new Promise((r) => setTimeout(r, 25));
      if (!fn()) throw new Error(`Timed out waiting for ${what}`);
    };

    it('makes one client per page and disposes it when the page goes', async () => {
      const page = await connect();
      const other = await connect();
      await until(() => core.clients.length === 2, 'two clients');
      expect(core.clients.map((c) => c.info.kind)).toEqual(['page', 'page']);
      page.ws.close();
      await until(() => core.clients[0]!.disposed, 'the first page to be let go');
      expect(core.clients[1]!.disposed).toBe(false);
      other.ws.close();
      await until(() => core.liveClients.length === 0, 'every page to be let go');
    });

    it('sends a page the output of the panes it subscribed to, and nothing of the others', async () => {
      const page = await connect();
      const other = await connect();
      page.send({ t: 'sub', paneId: 'mine' });
      other.send({ t: 'sub', paneId: 'theirs' });
      await until(() => core.clients.every((c) => c.subscriptions.size === 1), 'the subscriptions');
      core.paneData('theirs', new Uint8Array([1]));
      core.paneData('mine', new Uint8Array([2]));
      const frame = await page.next();
      expect(decodePaneData(new Uint8Array(frame.data))).toMatchObject({ paneId: 'mine' });
      expect(decodePaneData(new Uint8Array((await other.next()).data))).toMatchObject({ paneId: 'theirs' });
      page.send({ t: 'unsub', paneId: 'mine' });
      await until(() => core.clients[0]!.subscriptions.size === 0, 'the unsubscription');
    });

    it('delivers notifications without an answer, and drops one that does not fit the contract without a word', async () => {
      const page = await connect();
      const warn = console.warn;
      const warnings: string[] = [];
      console.warn = (message: string) => void warnings.push(message);
      try {
        page.send({ t: 'notify', name: 'pane.input', input: { paneId: 'p', data: 'ls\r' } });
        page.send({ t: 'notify', name: 'pane.resize', input: { paneId: 'p', cols: 0, rows: 24 } });
        page.send({ t: 'notify', name: 'shell.exec', input: { cmd: 'id' } });
        page.send({ t: 'notify', name: 'pane.ack', input: { paneId: 'p', bytes: 10 } });
        await until(() => core.clients[0]!.notifications.length === 2, 'the valid notifications');
      } finally {
        console.warn = warn;
      }
      expect(core.clients[0]!.notifications).toEqual([
        { name: 'pane.input', input: { paneId: 'p', data: 'ls\r' } },
        { name: 'pane.ack', input: { paneId: 'p', bytes: 10 } },
      ]);
      expect(warnings).toHaveLength(2);
      // Nothing was answered; a call still is.
      page.send({ t: 'call', id: 1, name: 'app.info', input: {} });
      expect(await page.nextJson()).toMatchObject({ t: 'result', id: 1, ok: true });
    });
  });

  describe('HTTP', () => {
    it('prints a loopback URL that carries the token', () => {
      expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
      expect(host.token.length).toBeGreaterThanOrEqual(32);
    });

    it('tells a browser without the token, on a page, to open the address the web host printed (it restarted)', async () => {
      const reply = await get(host, '/', { Accept: 'text/html,application/xhtml+xml' });
      expect(reply.status).toBe(403);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.body).toContain('most likely restarted, and its token changed');
      expect(reply.body).not.toContain('<div id="root">');
    });

    it('refuses a request without the token or with a wrong one', async () => {
      expect((await get(host, '/')).status).toBe(403);
      expect((await get(host, '/assets/app.js')).status).toBe(403);
      expect((await get(host, '/?token=wrong')).status).toBe(403);
      expect((await get(host, '/', { Cookie: `holdfast_token_${host.port}=wrong` })).status).toBe(403);
      expect((await get(host, '/')).body).not.toContain('root');
    });

    it('serves the page for the token in the URL and sets an HttpOnly SameSite=Strict cookie that is not the token', async () => {
      const reply = await get(host, `/?token=${host.token}`);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.body).toContain('<div id="root">');
      const cookie = String(reply.headers['set-cookie']);
      expect(cookie).toContain(`holdfast_page_${host.port}=${pageKey(host.token)}`);
      expect(cookie).not.toContain(host.token);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      // Plain HTTP: no Secure (the browser would not keep it); over TLS it is (see HTTPS below).
      expect(cookie).not.toContain('Secure');
    });

    it('serves assets to the cookie alone, with their content type and the strict CSP', async () => {
      const reply = await get(host, '/assets/app.js', { Cookie: `other=1; holdfast_page_${host.port}=${pageKey(host.token)}` });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(reply.body).toBe('console.log("app")');
      const csp = String(reply.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("default-src 'none'");
    });

    it('answers app routes with index.html and a missing file with 404', async () => {
      const route = await get(host, `/hosts/abc?token=${host.token}`);
      expect(route.status).toBe(200);
      expect(route.body).toContain('<div id="root">');
      expect((await get(host, `/assets/missing.js?token=${host.token}`)).status).toBe(404);
    });

    it('refuses a request or upgrade whose Host header names another site (DNS rebinding), token or not', async () => {
      const reply = await get(host, `/?token=${host.token}`, { Host: `rebind.example:${host.port}` });
      expect(reply.status).toBe(421);
      expect(reply.body).not.toContain('root');
      expect((await get(host, `/?token=${host.token}`, { Host: `localhost:${host.port}` })).status).toBe(200);
      const client = new Client(wsUrl(), { Origin: `http://rebind.example:${host.port}`, Host: `rebind.example:${host.port}` });
      clients.push(client);
      expect(await client.refused()).toBe(421);
    });

    it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt'])(
      'refuses to leave the static dir: %s',
      async (path) => {
        const reply = await get(host, `${path}?token=${host.token}`);
        expect([400, 403]).toContain(reply.status);
        expect(reply.body).not.toContain('TOP-SECRET-CONTENT');
      },
    );
  });

  describe('limits per page', () => {
    let limited: WebHost;
    const connectTo = async (target: WebHost) => {
      const client = new Client(`ws://127.0.0.1:${target.port}/ws?token=${target.token}`, { Origin: `http://127.0.0.1:${target.port}` });
      clients.push(client);
      await client.opened();
      return client;
    };
    const stopReading = (client: Client) => (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const until = async (fn: () => boolean, what: string) => {
      for (let i = 0; i < 400 && !fn(); i++) await new Promise((r) => setTimeout(r, 25));
      if (!fn()) throw new Error(`Timed out waiting for ${what}`);
    };

    beforeEach(async () => {
      limited = await startWebHost({ core, staticDir: join(dir, 'static'), port: 0, socketLimits: { maxBufferedBytes: 256 * 1024, maxCallsInFlight: 4, pingIntervalMs: 100 } });
    });
    afterEach(() => limited.close());

    it('drops a page that stops reading once it has too much unsent, and keeps serving the others', async () => {
      const stuck = await connectTo(limited);
      stopReading(stuck);
      const healthy = await connectTo(limited);
      stuck.send({ t: 'sub', paneId: 'p' });
      healthy.send({ t: 'sub', paneId: 'p' });
      await until(() => core.liveClients.length === 2 && core.liveClients.every((c) => c.subscriptions.has('p')), 'both pages to subscribe');
      let received = 0;
      healthy.ws.on('message', (data: Buffer) => (received += data.length));
      const chunk = new Uint8Array(64 * 1024).fill(0x61);
      let fired = 0;
      // Far more than the bound: the stuck page is dropped long before this is sent.
      for (; fired < 400 && limited.clientCount === 2; fired++) {
        core.paneData('p', chunk);
        await new Promise((r) => setImmediate(r));
      }
      expect(limited.clientCount).toBe(1);
      expect(fired).toBeLessThan(400);
      await until(() => received >= fired * chunk.length, 'the healthy page to get everything');
    });

    it('answers BUSY to calls beyond the in-flight limit, and serves again as they finish', async () => {
      const page = await connectTo(limited);
      for (let id = 1; id <= 4; id++) page.send({ t: 'call', id, name: 'sessions.list', input: { hostId: 'h' } });
      page.send({ t: 'call', id: 5, name: 'sessions.list', input: { hostId: 'h' } });
      expect(await page.nextJson()).toMatchObject({ t: 'result', id: 5, ok: false, error: { code: 'BUSY' } });
      expect(core.calls.filter((c) => c.name === 'sessions.list')).toHaveLength(4);
    });

    it('drops a page that stops answering pings', async () => {
      const page = await connectTo(limited);
      const closed = new Promise<void>((resolve) => page.ws.once('close', () => resolve()));
      await until(() => limited.clientCount === 1, 'the page to be counted');
      // Still connected after several pings it answered.
      await new Promise((r) => setTimeout(r, 350));
      expect(limited.clientCount).toBe(1);
      stopReading(page);
      await until(() => limited.clientCount === 0, 'the silent page to be dropped');
      (page.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await closed;
    });
  });

  describe('HTTPS', () => {
    it('serves the page over TLS with the certificate given, and answers no plain HTTP on that port', async () => {
      const material = await generateCertificate(['127.0.0.1']);
      const secure = await startWebHost({ core, staticDir: join(dir, 'static'), port: 0, tls: material });
      try {
        expect(secure.url).toBe(`https://127.0.0.1:${secure.port}/?token=${secure.token}`);
        const { status, cookie } = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
          httpsGet(secure.url, { ca: material.cert }, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie']) });
          }).on('error', reject);
        });
        expect(status).toBe(200);
        // Over TLS the cookie is Secure: a browser never sends it over plain HTTP.
        expect(cookie).toMatch(/holdfast_page_\d+=[^;]+;.*; Secure/);
        const plain = await get(secure, `/?token=${secure.token}`).then(
          (r) => r.status,
          (err: NodeJS.ErrnoException) => err.code,
        );
        expect(plain).not.toBe(200);
      } finally {
        await secure.close();
      }
    });
  });

  describe('WebSocket', () => {
    it('refuses an upgrade without the token', async () => {
      const client = new Client(`ws://127.0.0.1:${host.port}/ws`, origin());
      clients.push(client);
      expect(await client.refused()).toBe(401);
    });

    it('refuses an upgrade with a wrong token', async () => {
      const client = new Client(wsUrl('wrong'), origin());
      clients.push(client);
      expect(await client.refused()).toBe(401);
    });

    it('refuses an upgrade from a page of another origin, even with the token', async () => {
      const client = new Client(wsUrl(), { Origin: 'http://evil.example' });
      clients.push(client);
      expect(await client.refused()).toBe(403);
    });

    it('refuses an upgrade that carries only a cookie: the page cookie, or the token itself in a cookie (one any other port of this host may have been shown)', async () => {
      for (const cookie of [`holdfast_page_${host.port}=${pageKey(host.token)}`, `holdfast_token_${host.port}=${host.token}`, `holdfast_page_${host.port}=${host.token}`]) {
        const client = new Client(`ws://127.0.0.1:${host.port}/ws`, { ...origin(), Cookie: cookie });
        clients.push(client);
        await expect(client.opened()).rejects.toThrow(/401/);
      }
    });

    it('routes a call to core and returns its result', async () => {
      const client = await connect();
      client.send({ t: 'call', id: 7, name: 'app.info', input: {} });
      expect(await client.nextJson()).toEqual({
        t: 'result',
        id: 7,
        ok: true,
        value: { version: '9.9.9', shell: 'web', secretsPersist: false, platform: 'linux' },
      });
      expect(core.calls).toEqual([{ name: 'app.info', input: {} }]);
    });

    it('returns a failing command as HoldfastErrorData with its code', async () => {
      const client = await connect();
      client.send({ t: 'call', id: 3, name: 'hosts.delete', input: { hostId: 'h1' } });
      expect(await client.nextJson()).toEqual({
        t: 'result',
        id: 3,
        ok: false,
        error: { code: 'NOT_FOUND', message: 'This host no longer exists.' },
      });
    });

    it('answers invalid input with VALIDATION and never calls core', async () => {
      const client = await connect();
      client.send({ t: 'call', id: 4, name: 'panes.open', input: { hostId: 'h', sessionName: 's', cols: 0, rows: 24 } });
      const reply = await client.nextJson();
      expect(reply).toMatchObject({ t: 'result', id: 4, ok: false, error: { code: 'VALIDATION' } });
      expect((reply.error as { fields: Record<string, string> }).fields).toHaveProperty('cols');
      expect(core.calls).toEqual([]);
    });

    it('answers an unknown command, a malformed message and non-JSON with VALIDATION and keeps serving', async () => {
      const client = await connect();
      client.send({ t: 'call', id: 5, name: 'fs.readFile', input: { path: '/etc/passwd' } });
      expect(await client.nextJson()).toMatchObject({ t: 'result', id: 5, ok: false, error: { code: 'VALIDATION' } });
      client.send({ t: 'nonsense', id: 6 });
      expect(await client.nextJson()).toMatchObject({ t: 'result', id: 6, ok: false, error: { code: 'VALIDATION' } });
      client.send('{ not json');
      expect(await client.nextJson()).toMatchObject({ t: 'result', id: -1, ok: false, error: { code: 'VALIDATION' } });
      client.ws.send(Buffer.from([1, 2, 3]));
      expect(await client.nextJson()).toMatchObject({ t: 'result', id: -1, ok: false, error: { code: 'VALIDATION' } });
      expect(core.calls).toEqual([]);

      client.send({ t: 'call', id: 8, name: 'app.info', input: {} });
      expect(await client.nextJson()).toMatchObject({ t: 'result', id: 8, ok: true });
    });

    it('sends pane output as a binary frame that decodes to the same bytes', async () => {
      const client = await connect();
      client.send({ t: 'sub', paneId: 'pane-1' });
      await expect.poll(() => core.liveClients[0]?.subscriptions.has('pane-1')).toBe(true);
      const data = new Uint8Array([0x68, 0x69, 0xe2, 0x82, 0xac, 0x00, 0xff]);
      core.paneData('pane-1', data);
      const frame = await client.next();
      expect(frame.binary).toBe(true);
      const decoded = decodePaneData(new Uint8Array(frame.data));
      expect(decoded.paneId).toBe('pane-1');
      expect([...decoded.data]).toEqual([...data]);
    });

    it('sends events as JSON to every connected tab', async () => {
      const first = await connect();
      const second = await connect();
      await expect.poll(() => core.liveClients.length).toBe(2);
      core.emit('notice', { level: 'info', message: 'hello' });
      const expected = { t: 'event', name: 'notice', payload: { level: 'info', message: 'hello' } };
      expect(await first.nextJson()).toEqual(expected);
      expect(await second.nextJson()).toEqual(expected);
    });

    it('drops an event that does not match its schema', async () => {
      const client = await connect();
      await expect.poll(() => core.liveClients.length).toBe(1);
      const warn = console.warn;
      console.warn = () => {};
      try {
        core.emit('notice', { level: 'shout', message: 'x' });
      } finally {
        console.warn = warn;
      }
      core.emit('hosts.changed', {});
      expect(await client.nextJson()).toEqual({ t: 'event', name: 'hosts.changed', payload: {} });
    });

    it('drops its clients when closed', async () => {
      const client = await connect();
      const closed = new Promise<void>((resolve) => client.ws.once('close', () => resolve()));
      await host.close();
      await closed;
      expect(client.ws.readyState).toBe(WebSocket.CLOSED);
    });
  });
});
