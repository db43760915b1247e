import { describe, expect, it } from 'vitest';
import { defaultDataDir, parseCli } from './cli';
import { decideExposure, isTailscaleAddress } from './exposure';

describe('web host command line', () => {
  const defaults = { staticDir: '/app/out/renderer', env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux' as const };

  it('listens on loopback port 7681 with XDG data and the bundled UI by default', () => {
    expect(parseCli([], defaults)).toEqual({ host: '127.0.0.1', port: 7681, dataDir: '/xdg/holdfast-web', staticDir: '/app/out/renderer', allowRemote: false, keepTabsSec: 60, help: false });
  });

  it('takes every flag, and port 0 for a free port', () => {
    const options = parseCli(['--host', '0.0.0.0', '--port', '0', '--data-dir', '/d', '--static-dir', '/s'], defaults);
    expect(options).toMatchObject({ host: '0.0.0.0', port: 0, dataDir: '/d', staticDir: '/s' });
  });

  it.each(['-1', '65536', 'abc', '80.5'])('refuses the port %s', (port) => {
    expect(() => parseCli(['--port', port], defaults)).toThrow(/--port/);
  });

  it('takes how long a page that went keeps its tabs, within reason', () => {
    expect(parseCli(['--keep-tabs', '2.5'], defaults).keepTabsSec).toBe(2.5);
    expect(parseCli(['--keep-tabs', '0'], defaults).keepTabsSec).toBe(0);
    for (const bad of ['-1', 'soon', '100000']) expect(() => parseCli(['--keep-tabs', bad], defaults)).toThrow(/--keep-tabs/);
  });

  it('takes the address a paired phone reaches this computer by, only as an IP address', () => {
    expect(parseCli(['--companion-address', '192.168.1.20'], defaults).companionAddress).toBe('192.168.1.20');
    for (const bad of ['my-laptop.local', '', '300.1.1.1']) expect(() => parseCli(['--companion-address', bad], defaults)).toThrow(/--companion-address/);
  });

  it('refuses an unknown flag', () => {
    expect(() => parseCli(['--token', 'x'], defaults)).toThrow();
  });

  it('keeps data under ~/.local/share when XDG_DATA_HOME is unset', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/holdfast-web');
  });

  it('takes a certificate and key only together', () => {
    expect(parseCli(['--tls-cert', '/c.pem', '--tls-key', '/k.pem', '--allow-remote'], defaults)).toMatchObject({ tlsCert: '/c.pem', tlsKey: '/k.pem', allowRemote: true });
    expect(() => parseCli(['--tls-cert', '/c.pem'], defaults)).toThrow(/go together/);
  });
});

describe('who may reach the web host', () => {
  it('serves loopback in plain HTTP, or with the certificate given', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) {
      expect(decideExposure(host, { allowRemote: false, userTls: false })).toEqual({ ok: true, tls: 'none' });
    }
    expect(decideExposure('127.0.0.1', { allowRemote: false, userTls: true })).toEqual({ ok: true, tls: 'user' });
  });

  it('refuses any other address unless asked for explicitly, and says why and what to do', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.5', '100.100.1.1']) {
      const decision = decideExposure(host, { allowRemote: false, userTls: false });
      expect(decision.ok).toBe(false);
      expect(decision.ok ? '' : decision.error).toMatch(/refusing to listen .*controls your SSH sessions.*--allow-remote.*port forwarding/s);
    }
  });

  it('never serves plain HTTP off loopback, except on Tailscale, with a note', () => {
    expect(decideExposure('192.168.1.5', { allowRemote: true, userTls: false })).toMatchObject({ ok: true, tls: 'generated' });
    expect(decideExposure('0.0.0.0', { allowRemote: true, userTls: true })).toMatchObject({ ok: true, tls: 'user' });
    expect(decideExposure('100.101.102.103', { allowRemote: true, userTls: false })).toMatchObject({ ok: true, tls: 'none', note: expect.stringMatching(/Tailscale.*WireGuard/) });
    expect(decideExposure('100.101.102.103', { allowRemote: true, userTls: true })).toMatchObject({ ok: true, tls: 'user' });
  });

  it('knows Tailscale addresses by their ranges', () => {
    expect(['100.64.0.1', '100.127.255.254', 'fd7a:115c:a1e0::1'].map(isTailscaleAddress)).toEqual([true, true, true]);
    expect(['100.63.255.255', '100.128.0.1', '10.0.0.1', 'fd7a:115c:a1e1::1'].map(isTailscaleAddress)).toEqual([false, false, false, false]);
  });
});
