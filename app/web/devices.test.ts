import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceRegistry, PAIRING_TTL_MS } from './devices';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hf-devices-'));
  dirs.push(d);
  return d;
};

describe('DeviceRegistry', () => {
  it('pairs a device once per code, gives its token once, and keeps only its hash', () => {
    const file = join(tmp(), 'devices.json');
    const registry = new DeviceRegistry({ file });
    const { code } = registry.createPairing({ viewOnly: false });
    const paired = registry.redeem(code, '  Pixel  ')!;
    expect(paired.device).toMatchObject({ name: 'Pixel', viewOnly: false });
    expect(registry.redeem(code, 'again')).toBeUndefined();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(paired.token);
    expect(text).not.toContain(code);
    expect(registry.authenticate(paired.token)?.id).toBe(paired.device.id);
    expect(registry.authenticate(`${paired.token}x`)).toBeUndefined();
    expect(registry.authenticate(undefined)).toBeUndefined();
    // Another registry on the same file knows the device (and still never the token).
    expect(new DeviceRegistry({ file }).authenticate(paired.token)?.name).toBe('Pixel');
  });

  it('refuses an expired code, and a view-only pairing makes a view-only device', () => {
    let now = 1000;
    const registry = new DeviceRegistry({ now: () => now });
    const old = registry.createPairing({ viewOnly: false });
    now += PAIRING_TTL_MS;
    expect(registry.pairingValid(old.code)).toBe(false);
    expect(registry.redeem(old.code, 'late')).toBeUndefined();
    const viewOnly = registry.createPairing({ viewOnly: true });
    expect(registry.redeem(viewOnly.code, 'iPad')!.device.viewOnly).toBe(true);
  });

  it('revokes a device at once and for good, and says so to whoever holds its sockets', () => {
    const file = join(tmp(), 'devices.json');
    const registry = new DeviceRegistry({ file });
    const { token, device } = registry.redeem(registry.createPairing({ viewOnly: false }).code, 'Phone')!;
    const revoked: string[] = [];
    registry.onDidRevoke((id) => revoked.push(id));
    expect(registry.revoke(device.id)).toBe(true);
    expect(revoked).toEqual([device.id]);
    expect(registry.authenticate(token)).toBeUndefined();
    expect(new DeviceRegistry({ file }).authenticate(token)).toBeUndefined();
    expect(registry.revoke(device.id)).toBe(false);
  });

  it('moves an unreadable file aside and says so', () => {
    const file = join(tmp(), 'devices.json');
    writeFileSync(file, '{not json');
    const notices: string[] = [];
    const registry = new DeviceRegistry({ file, onNotice: (m) => notices.push(m) });
    expect(registry.devices).toEqual([]);
    expect(notices[0]).toMatch(/moved aside/);
  });
});
