// The web host as users start it: the bundle built by scripts/build-web.mjs, run by plain Node (no Vite
// transform in between, so a CommonJS interop mistake in any layer shows up here), one URL line on stdout,
// 403 without the token, and a clean exit on SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const URL_LINE = /^Holdfast web host: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/m;

describe('web host bundle', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';

  beforeAll(() => {
    // Inside the checkout (.tmp is ignored), so that the bundle finds node_modules as out/web/ does.
    mkdirSync(join(root, '.tmp'), { recursive: true });
    dir = mkdtempSync(join(root, '.tmp', 'web-bundle-'));
    const build = spawnSync(process.execPath, ['scripts/build-web.mjs', '--out-dir', join(dir, 'web')], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build-web failed:\n${build.stdout}\n${build.stderr}`);
    mkdirSync(join(dir, 'static'));
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Holdfast</title>');
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one URL line, refuses requests without the token, serves with it, and exits cleanly on SIGTERM', async () => {
    child = spawn(process.execPath, [join(dir, 'web', 'main.js'), '--port', '0', '--data-dir', join(dir, 'data'), '--static-dir', join(dir, 'static')], {
      cwd: root,
      env: { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'xdg') },
    });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const found = stdout.match(URL_LINE);
        if (found) resolve(found);
      };
      child!.stdout!.on('data', check);
      void exited.then((code) => reject(new Error(`web host exited (${code}) before printing its URL:\n${stdout}\n${stderr}`)));
    });
    const [, url, port] = match;
    expect(stdout.trim().split('\n')).toHaveLength(1);

    const refused = await fetch(`http://127.0.0.1:${port}/`);
    expect(refused.status).toBe(403);
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Holdfast</title>');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
