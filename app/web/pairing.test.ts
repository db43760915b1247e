// Paired devices at the web host: the pairing page (once per code), the device's own cookie, its sockets known as
// the device's (never the owner's), Revoke closing them at once and refusing the next request; and the UI served
// compressed and cacheable.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ClientInfo, IClientConnection, IClientSink } from '../shared/contract';
import { DeviceRegistry } from './devices';
import { deviceCookieName, startWebHost, type IWebHostCore, type WebHost } from './server';

class InfoCore implements IWebHostCore {
  readonly infos: ClientInfo[] = [];
  connect(_sink: IClientSink, info: ClientInfo): IClientConnection {
    this.infos.push(info);
    return { clientId: String(this.infos.length), handle: async () => undefined as never, notify() {}, subscribePane() {}, unsubscribePane() {}, dispose() {} };
  }
}

function http(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('pairing a device', () => {
  let dir: string;
  let devices: DeviceRegistry;
  let core: InfoCore;
  let host: WebHost;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-pair-'));
    mkdirSync(join(dir, 'static', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Holdfast</title>');
    writeFileSync(join(dir, 'static', 'assets', 'index-Abc123xyz.js'), 'console.log("app");'.repeat(200));
    devices = new DeviceRegistry();
    core = new InfoCore();
    host = await startWebHost({ core, staticDir: join(dir, 'static'), port: 0, devices });
  });
  afterEach(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pair = async (code: string, name: string) =>
    http(host.port, '/pair', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: `http://127.0.0.1:${host.port}` }, body: new URLSearchParams({ code, name }).toString() });

  it('pairs once per code, with a cookie of its own that is not the owner token', async () => {
    const { code } = devices.createPairing({ viewOnly: true });
    const page = await http(host.port, `/pair?code=${code}`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('Name this device');
    const paired = await pair(code, 'Pixel');
    expect(paired.status).toBe(200);
    expect(paired.body.toString()).toContain('Paired as “Pixel”');
    const cookie = String(paired.headers['set-cookie']).split(';')[0]!;
    expect(cookie.startsWith(`${deviceCookieName(host.port)}=`)).toBe(true);
    expect(cookie).not.toContain(host.token);
    // The device's own token reaches its app in the link's fragment (never sent to a server), not in the cookie.
    const token = decodeURIComponent(/href="\/#device=([^"]+)"/.exec(paired.body.toString())?.[1] ?? '');
    expect(token).not.toBe('');
    expect(cookie).not.toContain(token);
    // The code worked once.
    expect((await pair(code, 'again')).status).toBe(410);
    expect((await http(host.port, `/pair?code=${code}`)).status).toBe(410);
    // The device loads the UI with its cookie, and opens a socket as the device with its token (the cookie alone
    // opens none: any other port of the host may have been shown it).
    expect((await http(host.port, '/', { headers: { Cookie: cookie } })).status).toBe(200);
    const refused = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { Cookie: cookie, Origin: `http://127.0.0.1:${host.port}` } });
    await expect(new Promise((resolve, reject) => (refused.once('open', resolve), refused.once('error', reject)))).rejects.toThrow(/401/);
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?device=${encodeURIComponent(token)}`, { headers: { Origin: `http://127.0.0.1:${host.port}` } });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    expect(core.infos.at(-1)).toMatchObject({ kind: 'device', label: 'Pixel', viewOnly: true });

    // Revoke: the socket closes at once, and the next request is refused.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    devices.revoke(devices.devices[0]!.id);
    expect(await closed).toBe(4003);
    expect((await http(host.port, '/', { headers: { Cookie: cookie } })).status).toBe(403);
  });

  it('a pairing code works up to one moment before it expires, and not at the end', async () => {
    let now = 1_000_000;
    const timed = new DeviceRegistry({ now: () => now });
    const timedHost = await startWebHost({ core, staticDir: join(dir, 'static'), port: 0, devices: timed });
    try {
      const post = (code: string, name: string) =>
        http(timedHost.port, '/pair', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: `http://127.0.0.1:${timedHost.port}` }, body: new URLSearchParams({ code, name }).toString() });
      const first = timed.createPairing({ viewOnly: false });
      const second = timed.createPairing({ viewOnly: false });
      now = first.expiresAt - 1;
      expect((await http(timedHost.port, `/pair?code=${first.code}`)).status).toBe(200);
      expect((await post(first.code, 'just in time')).status).toBe(200);
      now = second.expiresAt;
      expect((await http(timedHost.port, `/pair?code=${second.code}`)).status).toBe(410);
      expect((await post(second.code, 'too late')).status).toBe(410);
      expect(timed.devices.map((d) => d.name)).toEqual(['just in time']);
    } finally {
      await timedHost.close();
    }
  });

  it('refuses a pairing form sent from another site', async () => {
    const { code } = devices.createPairing({ viewOnly: false });
    const forged = await http(host.port, '/pair', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' }, body: `code=${code}&name=x` });
    expect(forged.status).toBe(403);
    expect(devices.devices).toEqual([]);
  });

  it('serves the UI compressed, and its hashed assets for good', async () => {
    const js = await http(host.port, `/assets/index-Abc123xyz.js?token=${host.token}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['cache-control']).toContain('immutable');
    expect(gunzipSync(js.body).toString()).toBe('console.log("app");'.repeat(200));
    expect(js.body.length).toBeLessThan(200);
    const index = await http(host.port, `/?token=${host.token}`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(index.headers['content-encoding']).toBe('br');
    expect(index.headers['cache-control']).toBe('no-store');
  });
});
