import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyTypeOfBlob, sha256Fingerprint } from './fingerprint';

const dir = mkdtempSync(join(tmpdir(), 'hf-fp-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function generate(type: 'ed25519' | 'rsa' | 'ecdsa'): { blob: Buffer; keygenFingerprint: string; keyType: string } {
  const path = join(dir, `id_${type}_${counter++}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path], { stdio: 'ignore' });
  const [keyType, base64] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/);
  // `ssh-keygen -lf` prints "<bits> SHA256:… comment (TYPE)".
  const keygenFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' }).split(/\s+/)[1]!;
  return { blob: Buffer.from(base64!, 'base64'), keygenFingerprint, keyType: keyType! };
}

describe('sha256Fingerprint', () => {
  for (const type of ['ed25519', 'rsa', 'ecdsa'] as const) {
    it(`prints an ${type} key exactly as ssh-keygen -lf does`, () => {
      const key = generate(type);
      expect(key.keygenFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(sha256Fingerprint(key.blob)).toBe(key.keygenFingerprint);
    });
  }

  it('reads the key type out of the blob', () => {
    const key = generate('ed25519');
    expect(keyTypeOfBlob(key.blob)).toBe(key.keyType);
    expect(keyTypeOfBlob(Buffer.from([0, 0, 0, 99, 1]))).toBeUndefined();
  });
});
