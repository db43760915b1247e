import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRendererFile } from './app-protocol';

const ROOT = '/opt/holdfast/out/renderer';

describe('app:// file resolution', () => {
  it('serves index.html for the root and for app routes', () => {
    expect(resolveRendererFile(ROOT, 'app://holdfast/')).toEqual({ file: join(ROOT, 'index.html') });
    expect(resolveRendererFile(ROOT, 'app://holdfast/index.html')).toEqual({ file: join(ROOT, 'index.html') });
    expect(resolveRendererFile(ROOT, 'app://holdfast/hosts/h1')).toEqual({ file: join(ROOT, 'index.html') });
  });

  it('serves assets from inside the renderer folder', () => {
    expect(resolveRendererFile(ROOT, 'app://holdfast/assets/index-abc.js?x=1')).toEqual({ file: join(ROOT, 'assets/index-abc.js') });
  });

  it.each(['app://holdfast/%2e%2e/%2e%2e/main/index.js', 'app://holdfast/assets/..%2f..%2f..%2fpackage.json', 'app://holdfast/..%2F..%2Fetc%2Fpasswd.txt'])(
    'refuses to leave the renderer folder: %s',
    (url) => {
      // The URL parser may already fold "%2e%2e" segments away (staying inside), or they survive decoding
      // and are refused; either way no file outside the folder comes back.
      const result = resolveRendererFile(ROOT, url);
      if ('file' in result) expect(result.file.startsWith(`${ROOT}/`)).toBe(true);
      else expect(result.status).toBe(403);
    },
  );

  it('refuses a path that decodes to ".." segments', () => {
    expect(resolveRendererFile(ROOT, 'app://holdfast/assets/..%2f..%2f..%2fpackage.json')).toEqual({ status: 403 });
  });

  it('refuses other hosts, encoded backslashes and NUL', () => {
    expect(resolveRendererFile(ROOT, 'app://other/index.html')).toEqual({ status: 403 });
    expect(resolveRendererFile(ROOT, 'app://holdfast/..%5c..%5cx.js')).toEqual({ status: 400 });
    expect(resolveRendererFile(ROOT, 'app://holdfast/a%00.js')).toEqual({ status: 400 });
  });
});
