// Who may do what, through the real web host and the real core: the computer's own page (the token), a paired
// device, and a view-only device, each over its own socket, call every command of the contract. Each is refused
// (FORBIDDEN) exactly where the contract's access says so, and reaches its handler everywhere else. Then a revoke:
// two device pages and the owner's are open; the devices' sockets close at once, whatever they send meanwhile runs
// nothing, and the owner's page carries on.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { commandAccess, commands, mayUse, type CommandInput, type CommandName, type Role } from '../shared/contract';
import { createWebCore } from '../core/compose';
import type { HoldfastCore } from '../core/service';
import { DeviceRegistry } from './devices';
import { startWebHost, type WebHost } from './server';
import { WebCompanion } from './companion';

/** One valid input for every command (a host that does not exist, so that nothing connects anywhere). */
const SAMPLE: { [K in CommandName]: CommandInput<K> } = {
  'app.info': {},
  'app.notices': {},
  'hosts.list': {},
  'hosts.save': { name: 'probe', host: '127.0.0.1', port: 9, user: 'nobody' },
  'hosts.delete': { hostId: 'no-such-host' },
  'hosts.status': {},
  'hosts.retryNow': { hostId: 'no-such-host' },
  'hosts.disconnect': { hostId: 'no-such-host' },
  'hosts.forgetHostKey': { hostId: 'no-such-host' },
  'sessions.list': { hostId: 'no-such-host' },
  'sessions.preview': { hostId: 'no-such-host', sessionId: '$0' },
  'needs.list': {},
  'needs.answer': { itemId: 'no-such-item', choice: 0, fingerprint: 'x' },
  'needs.focus': { itemId: 'no-such-item' },
  'rescue.scan': { hostId: 'no-such-host' },
  'rescue.plan': { hostId: 'no-such-host', action: { kind: 'move', pid: 1 } },
  'rescue.run': { hostId: 'no-such-host', action: { kind: 'move', pid: 1 }, command: 'true' },
  'devices.list': {},
  'devices.options': {},
  'devices.pair': { listen: 'loopback', viewOnly: true },
  'devices.revoke': { deviceId: 'no-such-device' },
  'timeline.list': {},
  'timeline.export': {},
  'panes.open': { hostId: 'no-such-host', sessionName: 'x', cols: 80, rows: 24 },
  'panes.list': {},
  'panes.close': { paneId: 'no-such-pane' },
  'panes.recreate': { paneId: 'no-such-pane' },
  'panes.tmux': { paneId: 'no-such-pane', action: { kind: 'new-window' } },
  'settings.get': {},
  'settings.save': {},
  'prompts.answer': { promptId: 'no-such-prompt', answer: { kind: 'cancel' } },
  'prompts.pending': {},
  'workspace.open': { viewId: 'access-test-view' },
  'workspace.save': { viewId: 'access-test-view', paneIds: [] },
  'import.preview': { path: '/nonexistent/ssh_config' },
  'import.apply': { candidates: [] },
};

/** A socket of the web host that speaks the wire protocol. */
class Page {
  readonly ws: WebSocket;
  private _id = 1;
  private readonly _pending = new Map<number, (m: { ok: boolean; error?: { code: string } }) => void>();
  closeCode: number | undefined;

  constructor(url: string) {
    const u = new URL(url);
    this.ws = new WebSocket(url, { headers: { Origin: `http://${u.host}` } });
    this.ws.on('message', (data: Buffer, binary) => {
      if (binary) return;
      const m = JSON.parse(data.toString()) as { t: string; id: number; ok: boolean; error?: { code: string } };
      if (m.t === 'result') this._pending.get(m.id)?.(m);
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  call(name: string, input: unknown): Promise<{ ok: boolean; error?: { code: string } }> {
    const id = this._id++;
    return new Promise((resolve) => {
      this._pending.set(id, resolve);
      this.ws.send(JSON.stringify({ t: 'call', id, name, input }));
    });
  }

  send(name: string, input: unknown): void {
    this.ws.send(JSON.stringify({ t: 'call', id: this._id++, name, input }));
  }
}

function post(port: number, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/x-www-form-urlencoded' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('access through the real web host', () => {
  let dir: string;
  let devices: DeviceRegistry;
  let core: HoldfastCore;
  let companion: WebCompanion;
  let host: WebHost;
  const opened: Page[] = [];

  async function pairDevice(name: string, viewOnly: boolean): Promise<{ token: string; id: string }> {
    const { code } = devices.createPairing({ viewOnly });
    const page = await post(host.port, '/pair', new URLSearchParams({ code, name }).toString());
    const token = decodeURIComponent(/#device=([^"]+)"/.exec(page)![1]!);
    return { token, id: devices.devices.find((d) => d.name === name)!.id };
  }

  async function open(query: string): Promise<Page> {
    const page = new Page(`ws://127.0.0.1:${host.port}/ws?${query}`);
    opened.push(page);
    await page.opened();
    return page;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-access-'));
    mkdirSync(join(dir, 'static'), { recursive: true });
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>Holdfast</title>');
    devices = new DeviceRegistry({ file: join(dir, 'data', 'devices.json') });
    companion = new WebCompanion({ devices, staticDir: join(dir, 'static'), dataDir: join(dir, 'data'), interfaces: () => [] });
    core = createWebCore({ dataDir: join(dir, 'data'), version: 'test', homeDir: dir, knownHostsFiles: [], companion });
    companion.setCore(core);
    host = await startWebHost({ core, staticDir: join(dir, 'static'), port: 0, devices });
    companion.setLoopback(host);
  });

  afterAll(async () => {
    for (const page of opened) page.ws.terminate();
    await host.close();
    await companion.close();
    core.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses each role exactly what the contract says, for every command', async () => {
    const full = await pairDevice('Pixel', false);
    const viewer = await pairDevice('Wall screen', true);
    const pages: Record<Role, Page> = {
      owner: await open(`token=${host.token}`),
      device: await open(`device=${encodeURIComponent(full.token)}`),
      viewer: await open(`device=${encodeURIComponent(viewer.token)}`),
    };
    const wrong: string[] = [];
    for (const role of ['viewer', 'device', 'owner'] as const) {
      for (const name of Object.keys(commands) as CommandName[]) {
        const input = SAMPLE[name];
        const result = await pages[role].call(name, input);
        const forbidden = !result.ok && result.error?.code === 'FORBIDDEN';
        const allowed = mayUse(role, commandAccess(name, commands[name].input.parse(input) as never));
        if (forbidden === allowed) wrong.push(`${role} ${name}: ${forbidden ? 'refused' : 'allowed'} (${result.ok ? 'ok' : result.error?.code})`);
      }
    }
    expect(wrong).toEqual([]);
    // And the refinement: a viewer may look at a session, never make one.
    expect((await pages.viewer.call('panes.open', { ...SAMPLE['panes.open'], create: {} })).error?.code).toBe('FORBIDDEN');
    expect((await pages.device.call('panes.open', { ...SAMPLE['panes.open'], create: {} })).error?.code).not.toBe('FORBIDDEN');
  });

  it('revoke closes both pages of the device at once, runs nothing they send meanwhile, and leaves the owner untouched', async () => {
    const phone = await pairDevice('Phone', false);
    const owner = await open(`token=${host.token}`);
    const first = await open(`device=${encodeURIComponent(phone.token)}`);
    const second = await open(`device=${encodeURIComponent(phone.token)}`);
    expect((await first.call('hosts.list', {})).ok).toBe(true);
    const before = (await owner.call('hosts.list', {})) as { ok: boolean; value?: unknown[] };
    // Every call of the phone's that reaches core's handlers, from here on.
    const reached: string[] = [];
    const handle = core.handle.bind(core);
    core.handle = ((client, name, input) => {
      if (client.info.deviceId === phone.id) reached.push(name);
      return handle(client, name, input);
    }) as typeof core.handle;
    const closed = Promise.all([first, second].map((p) => new Promise<number>((resolve) => p.ws.once('close', resolve))));
    expect((await owner.call('devices.revoke', { deviceId: phone.id })).ok).toBe(true);
    // What the device sends right after the revoke runs nothing.
    for (let i = 0; i < 20; i++) first.send('panes.open', { hostId: 'no-such-host', sessionName: `after-${i}`, cols: 80, rows: 24, create: {} });
    expect(await closed).toEqual([4003, 4003]);
    expect(reached).toEqual([]);
    const after = (await owner.call('hosts.list', {})) as { ok: boolean; value?: unknown[] };
    expect(after.ok).toBe(true);
    expect(after.value).toHaveLength((before.value ?? []).length);
    expect(owner.ws.readyState).toBe(WebSocket.OPEN);
    // The token opens nothing any more.
    const again = new Page(`ws://127.0.0.1:${host.port}/ws?device=${encodeURIComponent(phone.token)}`);
    opened.push(again);
    await expect(again.opened()).rejects.toThrow(/401/);
  });
});
