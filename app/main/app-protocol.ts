// app://holdfast/ serves the built renderer from out/renderer, with the strict CSP on every response. A custom
// scheme rather than file:// gives the renderer a real origin to check IPC senders against and to which
// CSP's 'self' applies, and cannot reach files outside the renderer's folder.
import { extname, join, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'holdfast';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The file under `rendererDir` that a request for `requestUrl` should get, or an HTTP status to answer with.
 * Paths without an extension are app routes and get index.html.
 */
export function resolveRendererFile(rendererDir: string, requestUrl: string): { file: string } | { status: 400 | 403 | 404 } {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { status: 400 };
  }
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return { status: 403 };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { status: 400 };
  }
  if (path.includes('\0') || path.includes('\\')) return { status: 400 };
  const root = resolve(rendererDir);
  const file = join(root, path === '/' || path === '' ? 'index.html' : path);
  if (!file.startsWith(root + sep)) return { status: 403 };
  if (extname(file) === '') return { file: join(root, 'index.html') };
  return { file };
}
