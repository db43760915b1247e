// The web host: the built renderer and the contract over one HTTP server, for the token holder only.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../shared/bridge';
import type { ClientInfo } from '../shared/contract';
import { localAddresses } from './exposure';
import { isSameOrigin, newToken, pageCookie, pageKey, parseCookies, presentedPageAccess, tokenInQuery } from './auth';
import type { DeviceRegistry } from './devices';
import { pairPage, pairedPage, readForm } from './pairPage';
import { SocketBridge, type IWebHostCore, type SocketLimits } from './socket-bridge';
import { serveStatic } from './static';

export type { IWebHostCore } from './socket-bridge';

export interface WebHostOptions {
  core: IWebHostCore;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7681; 0 picks a free port. */
  port?: number;
  /** Default: a fresh random token. */
  token?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Overrides of the per-socket limits (tests). */
  socketLimits?: Partial<SocketLimits>;
  /** Paired devices: each may use the UI with its own token (a cookie set at pairing), never the owner's. */
  devices?: DeviceRegistry;
  /** Whether the owner's token is accepted here (the companion's own listeners take devices only). */
  ownerAccess?: boolean;
}

export interface WebHost {
  /** The URL to open, with the token. */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  /** Pages connected right now. */
  readonly clientCount: number;
  /** Stops serving and drops every client. Does not dispose the core: its owner does. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7681;
export const WS_PATH = '/ws';
/** A pane.input carries up to 1 MiB of text; JSON escaping can grow it several times. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // The page URL carries the token: never send it anywhere as a referrer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const FORBIDDEN_TEXT = 'Forbidden: open the URL that the Holdfast web host printed when it started (it carries the access token).\n';

/** What a browser is shown without a valid token: most often after the web host restarted with a new one. */
const FORBIDDEN_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light"><title>Holdfast: open the new address</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#16181d;color:#d7dae0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{max-width:520px;padding:28px 32px;margin:16px;background:#22262e;border:1px solid #3a404c;border-radius:10px}
h1{font-size:19px;margin:0 0 10px}p{margin:8px 0}code{font:13px ui-monospace,Menlo,Consolas,monospace;background:#16181d;padding:1px 5px;border-radius:4px}
.muted{color:#a3aab6;font-size:13.5px}
@media (prefers-color-scheme:light){body{background:#f4f4f2;color:#22252b}main{background:#fff;border-color:#d3d6d1}code{background:#f0f0ee}.muted{color:#5d6470}}
</style></head><body><main>
<h1>This page needs the web host's current address</h1>
<p>The Holdfast web host lets in only the address it printed when it started, which carries an access token. It was most likely restarted, and its token changed.</p>
<p>Open the address it printed this time: the line that starts with <code>Holdfast web host: http</code> in its terminal.</p>
<p class="muted">Your tmux sessions keep running on their servers in the meantime.</p>
</main></body></html>
`;

/** What a device whose cookie no longer works is shown: most often it was revoked on the computer. */
const DEVICE_REFUSED_HTML = FORBIDDEN_HTML.replace('<title>Holdfast: open the new address</title>', '<title>Holdfast: pair this device again</title>').replace(
  /<h1>[\s\S]*<\/main>/,
  `<h1>This device is not paired any more</h1>
<p>Its access was revoked on the computer Holdfast runs on (or it was paired with another Holdfast).</p>
<p>To use it here again, pair it again: on the computer, open <b>Pair a device</b> in Holdfast, and open the new link or QR code on this device.</p>
<p class="muted">Your tmux sessions keep running on their servers in the meantime.</p>
</main>`,
);

/** The cookie a paired device's pages load with on this port (its page key; the socket needs its token). */
export function deviceCookieName(port: number): string {
  return `holdfast_device_${port}`;
}

/** The query parameter a paired device's page opens the socket with. */
export const DEVICE_TOKEN_PARAM = 'device';

/**
 * The Host header values a request may carry: the names this server is reached by (the address it listens on, or
 * every local address when it listens on all of them, and the loopback names). Anything else is refused, so that a
 * site whose name a DNS rebinding points at 127.0.0.1 cannot talk to us from a browser, token or not.
 */
export function allowedHostHeaders(listenHost: string, port: number, interfaceAddresses: () => string[] = () => localAddresses({ loopback: true })): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  const bare = listenHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === '0.0.0.0' || bare === '::') for (const a of interfaceAddresses()) names.add(a.includes(':') ? `[${a.toLowerCase()}]` : a);
  else names.add(bare.includes(':') ? `[${bare}]` : bare);
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(`${name}:${port}`);
    if (port === 80 || port === 443) allowed.add(name);
  }
  return allowed;
}

function hostHeaderAllowed(req: IncomingMessage, allowed: Set<string>): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowed.has(host);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? { path: raw, query: new URLSearchParams() } : { path: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) };
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${status}\n`);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const bridge = new SocketBridge(options.core, options.socketLimits, (deviceId) => options.devices?.seen(deviceId));
  const ownerAccess = options.ownerAccess ?? true;
  const devices = options.devices;
  // A revoked device's sockets close at once.
  const revoked = devices?.onDidRevoke((id) => bridge.closeDevice(id));
  /** A device's page load (its page key, from its cookie). */
  const devicePageOf = (req: IncomingMessage) => devices?.authenticatePage(parseCookies(req.headers.cookie).get(deviceCookieName(port)));
  /** A device's socket (its token, in the socket's address). */
  const deviceOf = (query: URLSearchParams) => devices?.authenticate(query.get(DEVICE_TOKEN_PARAM) ?? undefined);
  const secure = options.tls !== undefined;

  /** GET /pair?code=…: name this device; POST /pair: pair it (once) and set its cookie. */
  const handlePairing = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> => {
    const reg = devices!;
    res.setHeader('Cache-Control', 'no-store');
    // The pairing form posts to this same page; nothing else differs from the app's policy.
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY.replace("form-action 'none'", "form-action 'self'"));
    if (req.method === 'GET') {
      const code = query.get('code') ?? '';
      const valid = reg.pairingValid(code);
      res.writeHead(valid ? 200 : 410, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(pairPage(valid ? code : undefined));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'GET, POST' });
      res.end();
      return;
    }
    // A form of this same page only (no other site can pair a device here).
    // (With the no-referrer policy a browser sends `Origin: null` for a form; Sec-Fetch-Site still names the site.)
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    const foreignOrigin = origin !== undefined && origin !== 'null' && origin !== `${secure ? 'https' : 'http'}://${req.headers.host}`;
    if (foreignOrigin || (site !== undefined && site !== 'same-origin')) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden\n');
      return;
    }
    const form = await readForm(req, 4096).catch(() => undefined);
    const paired = form ? reg.redeem(form.get('code') ?? '', form.get('name') ?? '') : undefined;
    if (!paired) {
      res.writeHead(410, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(pairPage(undefined));
      return;
    }
    res.setHeader('Set-Cookie', `${deviceCookieName(port)}=${paired.pageKey}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000${secure ? '; Secure' : ''}`);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    // The token goes to the app in the address's fragment (never sent to a server), which keeps it in its own storage.
    res.end(pairedPage(paired.device.name, paired.token));
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let port = 0;

  let allowedHosts = new Set<string>();

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (!hostHeaderAllowed(req, allowedHosts)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`This Holdfast web host does not answer to the name "${req.headers.host ?? ''}".\n`);
      return;
    }
    const { path, query } = splitUrl(req.url);
    if (path === '/pair' && options.devices) return void handlePairing(req, res, query);
    const source = ownerAccess ? presentedPageAccess(req, query, port, token) : undefined;
    if (!source && !devicePageOf(req)) {
      const html = /text\/html/.test(req.headers.accept ?? '');
      const wasDevice = parseCookies(req.headers.cookie).has(deviceCookieName(port));
      res.writeHead(403, { 'Content-Type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(html ? (wasDevice ? DEVICE_REFUSED_HTML : FORBIDDEN_HTML) : FORBIDDEN_TEXT);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    // The first visit brings the token in the URL; later requests (assets, reloads) carry the cookie.
    if (source === 'query') res.setHeader('Set-Cookie', pageCookie(port, pageKey(token), secure));
    serveStatic(req, res, options.staticDir, path).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createHttpServer(onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!hostHeaderAllowed(req, allowedHosts)) return refuseUpgrade(socket, '421 Misdirected Request');
    const { path, query } = splitUrl(req.url);
    if (path !== WS_PATH) return refuseUpgrade(socket, '404 Not Found');
    const owner = ownerAccess && tokenInQuery(query, token);
    const device = owner ? undefined : deviceOf(query);
    if (!owner && !device) return refuseUpgrade(socket, '401 Unauthorized');
    if (!isSameOrigin(req)) return refuseUpgrade(socket, '403 Forbidden');
    const info: ClientInfo = device ? { kind: 'device', label: device.name, deviceId: device.id, viewOnly: device.viewOnly } : { kind: 'page' };
    wss.handleUpgrade(req, socket, head, (ws) => bridge.attach(ws, info));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  allowedHosts = allowedHostHeaders(host, port);

  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? "https" : "http"}://${urlHost(host)}:${port}/?token=${token}`,
    token,
    port,
    get clientCount() {
      return bridge.clientCount;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        revoked?.dispose();
        bridge.dispose();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
