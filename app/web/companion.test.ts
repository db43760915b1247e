// The companion's listeners: over the local network it serves HTTPS with the certificate it generated and keeps
// (the link and the fingerprint say which), plain HTTP there is refused, and the owner's token is no good there.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientInfo, IClientConnection, IClientSink } from '../shared/contract';
import { WebCompanion } from './companion';
import { DeviceRegistry } from './devices';

class NullCore {
  connect(_sink: IClientSink, _info: ClientInfo): IClientConnection {
    return { clientId: '1', handle: async () => undefined as never, notify() {}, subscribePane() {}, unsubscribePane() {}, dispose() {} };
  }
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('WebCompanion', () => {
  it('pairs over the local network with HTTPS and its own kept certificate, and refuses plain HTTP there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-companion-'));
    dirs.push(dir);
    const companion = new WebCompanion({ devices: new DeviceRegistry(), staticDir: dir, dataDir: dir, interfaces: () => ['127.0.0.1'] });
    companion.setCore(new NullCore());
    try {
      expect(companion.options()).toEqual({ lan: ['127.0.0.1'] });
      const pairing = await companion.pair({ listen: 'lan', viewOnly: false });
      expect(pairing.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/pair\?code=/);
      expect(pairing.qrSvg).toContain('<svg');
      const cert = readFileSync(join(dir, 'tls', 'cert.pem'), 'utf8');
      expect(pairing.fingerprint).toBe(new X509Certificate(cert).fingerprint256);
      const url = new URL(pairing.url);
      // The device's browser, trusting that certificate, gets the pairing page.
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: url.port, path: `${url.pathname}${url.search}`, ca: cert }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      // Plain HTTP on that address gets no page.
      const plain = await new Promise<string>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port: url.port, path: '/' }, (res) => resolve(`status ${res.statusCode}`));
        req.on('error', (err) => resolve(`error ${err.message}`));
        req.setTimeout(3000, () => req.destroy(new Error('timeout')));
        req.end();
      });
      expect(plain).not.toMatch(/status 200/);
      // The same certificate next time (its fingerprint does not change under the user).
      const again = new WebCompanion({ devices: new DeviceRegistry(), staticDir: dir, dataDir: dir, interfaces: () => ['127.0.0.1'] });
      again.setCore(new NullCore());
      expect((await again.pair({ listen: 'lan', viewOnly: true })).fingerprint).toBe(pairing.fingerprint);
      await again.close();
      await expect(companion.pair({ listen: 'tailscale', viewOnly: false })).rejects.toThrow(/no Tailscale address/);
    } finally {
      await companion.close();
    }
  });

  it('listens on the local address the user chose, only there, with one certificate naming every local address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-companion-'));
    dirs.push(dir);
    // Two addresses of this computer (loopback stands in for two networks: 127.0.0.0/8 is all on lo).
    const companion = new WebCompanion({ devices: new DeviceRegistry(), staticDir: dir, dataDir: dir, interfaces: () => ['127.0.0.2', '127.0.0.3'] });
    companion.setCore(new NullCore());
    try {
      const first = new URL((await companion.pair({ listen: 'lan', viewOnly: false })).url);
      expect(first.hostname).toBe('127.0.0.2');
      const chosen = await companion.pair({ listen: 'lan', viewOnly: false, address: '127.0.0.3' });
      const second = new URL(chosen.url);
      expect(second.hostname).toBe('127.0.0.3');
      expect(chosen.fingerprint).toBe((await companion.pair({ listen: 'lan', viewOnly: false })).fingerprint);
      // The listener for 127.0.0.3 does not answer on the other address.
      const elsewhere = await new Promise<string>((resolve) => {
        const req = httpsRequest({ host: '127.0.0.2', port: second.port, path: '/', rejectUnauthorized: false }, (res) => resolve(`status ${res.statusCode}`));
        req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
        req.end();
      });
      expect(elsewhere).toBe('error ECONNREFUSED');
      await expect(companion.pair({ listen: 'lan', viewOnly: false, address: '10.9.9.9' })).rejects.toThrow(/10\.9\.9\.9 is not a local network address of this computer/);
    } finally {
      await companion.close();
    }
  });

  it('offers only the address the web host was told to use', () => {
    const companion = new WebCompanion({ devices: new DeviceRegistry(), staticDir: '/nowhere', dataDir: '/nowhere', interfaces: () => ['192.168.1.5', '172.17.0.1', '100.101.102.103'], lanAddress: '192.168.1.5' });
    expect(companion.options()).toEqual({ tailscale: '100.101.102.103', lan: ['192.168.1.5'] });
  });
});
