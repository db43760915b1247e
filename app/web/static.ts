// Serves the built renderer: known content types, nothing outside the static dir, index.html for app routes.
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function fileAt(path: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.webmanifest', '.txt', '.map']);

/** Brotli when the browser takes it (browsers send it over HTTPS and to localhost), else gzip. */
export function pickEncoding(header: string | string[] | undefined): 'br' | 'gzip' | undefined {
  const value = (Array.isArray(header) ? header.join(',') : (header ?? '')).toLowerCase();
  const accepts = (name: string) => value.split(',').some((part) => {
    const [token, ...params] = part.trim().split(';');
    return token === name && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return undefined;
}

/** Compressed once per file version, kept in memory (the renderer is a few files). */
const compressedCache = new Map<string, { mtimeMs: number; body: Buffer }>();

async function compressed(path: string, encoding: 'br' | 'gzip'): Promise<Buffer> {
  const info = await stat(path);
  const key = `${encoding} ${path}`;
  const hit = compressedCache.get(key);
  if (hit && hit.mtimeMs === info.mtimeMs) return hit.body;
  const raw = await readFile(path);
  const body = encoding === 'br' ? brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }) : gzipSync(raw, { level: 9 });
  compressedCache.set(key, { mtimeMs: info.mtimeMs, body });
  return body;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * Answers a GET or HEAD for `rawPath` (the request path as sent, still percent-encoded) from `staticDir`.
 * Paths that leave the dir are refused; a missing path without an extension is an app route and gets
 * index.html; a missing file with one is 404.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string, rawPath: string): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return plain(res, 400, 'Bad request path');
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return plain(res, 400, 'Bad request path');

  const root = resolve(staticDir);
  const wanted = join(root, decoded);
  if (!isInside(root, wanted)) return plain(res, 403, 'Forbidden');

  let file = await fileAt(wanted.endsWith(sep) || wanted === root ? join(wanted, 'index.html') : wanted);
  if (!file && extname(decoded) === '') file = await fileAt(join(root, 'index.html'));
  if (!file) {
    if (!(await fileAt(join(root, 'index.html')))) {
      return plain(res, 503, `The UI is not built (no index.html in ${root}). Run "npm run build".`);
    }
    return plain(res, 404, 'Not found');
  }

  // A symlink inside the dir may point outside it.
  let real: string;
  try {
    real = await realpath(file.path);
    if (!isInside(await realpath(root), real)) return plain(res, 403, 'Forbidden');
  } catch {
    return plain(res, 404, 'Not found');
  }

  const ext = extname(real).toLowerCase();
  const isHtml = ext === '.html';
  // Built assets carry a hash of their content in their name: a browser keeps them for good. index.html names the
  // assets of the current build: always fetched anew.
  const hashed = /[-.][A-Za-z0-9_-]{8,}\.(js|css|woff2?|wasm)$/.test(real) && real.includes(`${sep}assets${sep}`);
  const cache = isHtml ? 'no-store' : hashed ? 'public, max-age=31536000, immutable' : 'no-cache';
  // Text compresses several times over (a phone on Wi-Fi loads the UI in a fraction of the bytes).
  const encoding = COMPRESSIBLE.has(ext) ? pickEncoding(req.headers['accept-encoding']) : undefined;
  if (encoding) {
    let body: Buffer;
    try {
      body = await compressed(real, encoding);
    } catch {
      return plain(res, 500, 'Could not read the file');
    }
    res.writeHead(200, { 'Content-Type': contentType(real), 'Content-Length': String(body.length), 'Content-Encoding': encoding, Vary: 'Accept-Encoding', 'Cache-Control': cache });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentType(real),
    'Content-Length': String(file.size),
    'Cache-Control': cache,
    ...(COMPRESSIBLE.has(ext) ? { Vary: 'Accept-Encoding' } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
