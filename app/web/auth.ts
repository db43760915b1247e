// Who may use the web host. The socket, which is what acts, takes only a token presented in its address: the page
// keeps it in storage of its own origin (scheme, host and port), which no other site or port can read. Cookies are
// another matter: a browser sends them to every port of a host, so any other local server the browser visits (a dev
// server an agent started) would see a cookie meant for this one. The cookie therefore never carries the token: it
// carries a page key, derived from the token, that loads the app's pages and files and nothing else.
// WebSocket upgrades must also come from a page of this same origin.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookies are not scoped by port, so each host's cookie carries its port in the name. */
export function pageCookieName(port: number): string {
  return `holdfast_page_${port}`;
}

/** The cookie's value for the owner: it lets the browser load the app, never use the socket. */
export function pageKey(token: string): string {
  return createHmac('sha256', token).update('holdfast page key').digest('base64url');
}

/** `Secure` over TLS: the cookie never goes over plain HTTP (to another port of the same address, say). */
export function pageCookie(port: number, key: string, secure: boolean): string {
  return `${pageCookieName(port)}=${key}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

function sameSecret(given: string, expected: string): boolean {
  // Hash first so that the comparison takes the same time whatever the given length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Whether the address carries the owner's token (the only way to the socket). */
export function tokenInQuery(query: URLSearchParams, token: string): boolean {
  const fromQuery = query.get('token');
  return fromQuery !== null && sameSecret(fromQuery, token);
}

/** How a page request may load the app: the token in its address (a first visit), or the owner's page cookie. */
export function presentedPageAccess(req: IncomingMessage, query: URLSearchParams, port: number, token: string): 'query' | 'cookie' | undefined {
  if (tokenInQuery(query, token)) return 'query';
  const fromCookie = parseCookies(req.headers.cookie).get(pageCookieName(port));
  if (fromCookie !== undefined && sameSecret(fromCookie, pageKey(token))) return 'cookie';
  return undefined;
}

/** A browser page of another site must not open our WebSocket, even if the user's cookie would go along. */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}
