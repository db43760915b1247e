import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { certificateNames, loadOrCreateCertificate } from './tls';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-tls-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the web host certificate', () => {
  it('is made once, names the addresses it serves, and is kept across restarts with the same fingerprint', async () => {
    const first = await loadOrCreateCertificate(dir, ['192.168.7.20']);
    expect(first.created).toBe(true);
    expect(certificateNames(first.cert)).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '192.168.7.20']));
    expect(first.fingerprint).toBe(new X509Certificate(first.cert).fingerprint256);
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(new X509Certificate(first.cert).checkPrivateKey((await import('node:crypto')).createPrivateKey(first.key))).toBe(true);
    expect(statSync(join(dir, 'key.pem')).mode & 0o077).toBe(0);

    const again = await loadOrCreateCertificate(dir, ['192.168.7.20']);
    expect(again).toMatchObject({ created: false, fingerprint: first.fingerprint });
  });

  it('is made anew when it does not name a new address, has expired, or cannot be read', async () => {
    const first = await loadOrCreateCertificate(dir, ['192.168.7.20']);
    const moved = await loadOrCreateCertificate(dir, ['10.1.2.3']);
    expect(moved.created).toBe(true);
    expect(moved.fingerprint).not.toBe(first.fingerprint);

    const later = new Date(Date.now() + 900 * 86_400_000);
    expect((await loadOrCreateCertificate(dir, ['10.1.2.3'], later)).created).toBe(true);

    writeFileSync(join(dir, 'cert.pem'), 'garbage');
    const repaired = await loadOrCreateCertificate(dir, []);
    expect(repaired.created).toBe(true);
    expect(readFileSync(join(dir, 'cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
