// The web host as users start it: the bundle built by scripts/build-web.mjs, run by plain Node (no Vite
// transform in between, so a CommonJS interop mistake in any layer shows up here), one URL line on stdout,
// 403 without the token, and a clean exit on SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd } from '../../test/harness/sshd';
import { WsTestClient } from '../../test/harness/wsTestClient';

const root = fileURLToPath(new URL('../..', import.meta.url));
const URL_LINE = /^Holdfast web host: (https?:\/\/[^:\s]+:(\d+)\/\?token=([A-Za-z0-9_-]+))$/m;

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

  /** Starts the bundle on a fresh data dir and resolves once it printed its URL. */
  async function start(port = '0'): Promise<{ url: string; port: string; exited: Promise<number | null> }> {
    stdout = '';
    stderr = '';
    const dataDir = mkdtempSync(join(dir, 'data-'));
    child = spawn(process.execPath, [join(dir, 'web', 'main.js'), '--port', port, '--data-dir', dataDir, '--static-dir', join(dir, 'static')], {
      cwd: root,
      env: { ...process.env, HOME: dataDir, XDG_DATA_HOME: join(dataDir, 'xdg'), SSH_AUTH_SOCK: '' },
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
    return { url: match[1]!, port: match[2]!, exited };
  }

  it('prints one URL line, refuses requests without the token, serves with it, and exits cleanly on SIGTERM', async () => {
    const { url, port, exited } = await start();
    expect(stdout.trim().split('\n')).toHaveLength(1);

    const refused = await fetch(`http://127.0.0.1:${port}/`);
    expect(refused.status).toBe(403);
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Holdfast</title>');

    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('says where a Holdfast already runs when started on its port, and takes the next port from another program', async () => {
    const first = await start();
    const firstChild = child!;
    try {
      // A second one on the same port: exits 1 and names the address of the one running (no port hopping, which
      // would leave two hosts on one machine, each unaware of the other).
      await expect(start(first.port)).rejects.toThrow(/exited \(1\)/);
      expect(stderr).toContain(`Holdfast is already running at http://127.0.0.1:${first.port}/`);
    } finally {
      firstChild.kill('SIGTERM');
      await first.exited;
    }

    // A port that another program holds: the next free one, said on stderr; the URL line names the port used.
    const foreign = createServer((socket) => socket.end('SSH-2.0-not-holdfast\r\n'));
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const taken = (foreign.address() as AddressInfo).port;
    try {
      const moved = await start(String(taken));
      expect(Number(moved.port)).toBeGreaterThan(taken);
      expect(stderr).toContain(`port ${taken} is taken by another program; listening on ${moved.port} instead`);
      expect((await fetch(moved.url)).status).toBe(200);
      child!.kill('SIGTERM');
      expect(await moved.exited).toBe(0);
    } finally {
      foreign.close();
    }
  });

  it('keeps serving when a host-key prompt is answered after the server hung up on it (LoginGraceTime)', async () => {
    const sshd = await startSshd({ extraConfig: 'LoginGraceTime 2' });
    const { url, exited } = await start();
    const page = new WsTestClient(url);
    try {
      await page.opened();
      const saved = await page.call('hosts.save', { name: 'grace', host: sshd.host, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath });
      const hostId = (saved.value as { id: string }).id;
      const listing = page.call('sessions.list', { hostId });
      const shown = await page.waitForEvent((e) => e.name === 'prompt.show', 'the host-key prompt');
      const promptId = (shown.payload as { promptId: string }).promptId;

      // sshd gives up on the login after 2 s: the prompt closes itself, and the listing says why.
      await page.waitForEvent((e) => e.name === 'prompt.close' && (e.payload as { promptId: string }).promptId === promptId, 'the prompt to close');
      const listed = await listing;
      expect(listed.ok).toBe(false);
      expect((listed.error as { message: string }).message).toMatch(/closed the connection while .*host key/);

      // Answering it now (Cancel, as the user clicks it late) does nothing but say so.
      const late = await page.call('prompts.answer', { promptId, answer: { kind: 'cancel' } });
      expect(late).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

      // Still serving, and a page that connects now is not shown the stale prompt.
      const info = await page.call('app.info', {});
      expect(info.ok).toBe(true);
      const second = new WsTestClient(url);
      await second.opened();
      expect((await second.call('app.info', {})).ok).toBe(true);
      expect(second.events.filter((e) => e.name === 'prompt.show')).toEqual([]);
      second.close();
      expect(child!.exitCode).toBeNull();
      expect(stderr).not.toMatch(/_destruct|not handled/);
    } finally {
      page.close();
      child!.kill('SIGTERM');
      await exited;
      await sshd.dispose();
    }
  });
});
