// Host key fingerprints as OpenSSH prints them, so users can compare what Holdfast shows with `ssh-keygen -lf`.
import { createHash } from 'node:crypto';

/** "SHA256:" + unpadded base64 of the SHA-256 of the key blob (the wire form of the public key). */
export function sha256Fingerprint(keyBlob: Buffer | Uint8Array): string {
  const digest = createHash('sha256').update(keyBlob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob ("ssh-ed25519", "ssh-rsa", …), or undefined. */
export function keyTypeOfBlob(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || keyBlob.length < 4 + len) return undefined;
  const type = keyBlob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}
