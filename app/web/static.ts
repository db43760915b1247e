// Serves the built renderer: known content types, nothing outside the static dir, index.html for app routes.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
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

  const isHtml = extname(real).toLowerCase() === '.html';
  res.writeHead(200, {
    'Content-Type': contentType(real),
    'Content-Length': String(file.size),
    // index.html names the hashed assets of the current build: always fetch it anew.
    'Cache-Control': isHtml ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
