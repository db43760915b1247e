// Who may use the web host: whoever presents the token printed at start, in the URL or in the cookie that the
// first visit with the URL sets. WebSocket upgrades must also come from a page of this same origin.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookies are not scoped by port, so each host's cookie carries its port in the name. */
export function tokenCookieName(port: number): string {
  return `holdfast_token_${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
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

/** Where the request's valid token came from, or undefined when it has none. */
export function presentedToken(req: IncomingMessage, query: URLSearchParams, port: number, token: string): 'query' | 'cookie' | undefined {
  const fromQuery = query.get('token');
  if (fromQuery !== null && sameSecret(fromQuery, token)) return 'query';
  const fromCookie = parseCookies(req.headers.cookie).get(tokenCookieName(port));
  if (fromCookie !== undefined && sameSecret(fromCookie, token)) return 'cookie';
  return undefined;
}

/** A browser page of another site must not open our WebSocket, even if the user's cookie would go along. */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}
