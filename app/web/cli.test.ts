import { describe, expect, it } from 'vitest';
import { defaultDataDir, exposureWarning, parseCli } from './cli';

describe('web host command line', () => {
  const defaults = { staticDir: '/app/out/renderer', env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux' as const };

  it('listens on loopback port 7681 with XDG data and the bundled UI by default', () => {
    expect(parseCli([], defaults)).toEqual({ host: '127.0.0.1', port: 7681, dataDir: '/xdg/holdfast-web', staticDir: '/app/out/renderer', help: false });
  });

  it('takes every flag, and port 0 for a free port', () => {
    const options = parseCli(['--host', '0.0.0.0', '--port', '0', '--data-dir', '/d', '--static-dir', '/s'], defaults);
    expect(options).toMatchObject({ host: '0.0.0.0', port: 0, dataDir: '/d', staticDir: '/s' });
  });

  it.each(['-1', '65536', 'abc', '80.5'])('refuses the port %s', (port) => {
    expect(() => parseCli(['--port', port], defaults)).toThrow(/--port/);
  });

  it('refuses an unknown flag', () => {
    expect(() => parseCli(['--token', 'x'], defaults)).toThrow();
  });

  it('keeps data under ~/.local/share when XDG_DATA_HOME is unset', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/holdfast-web');
  });

  it('warns that a non-loopback host hands control of the SSH sessions to whoever has the URL', () => {
    expect(exposureWarning('127.0.0.1')).toBeUndefined();
    expect(exposureWarning('::1')).toBeUndefined();
    expect(exposureWarning('localhost')).toBeUndefined();
    expect(exposureWarning('0.0.0.0')).toMatch(/Anyone who can reach .* controls your SSH sessions/);
    expect(exposureWarning('192.168.1.5')).toMatch(/WARNING/);
  });
});
