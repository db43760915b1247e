import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { sha256Fingerprint } from './fingerprint';
import { HOLDFAST_STORE_SOURCE, HostKeyVerifier } from './hostKeyVerifier';
import { MemoryKnownHostsStore, ScriptedPrompter } from '../testing';

/** An ssh-ed25519 public key blob, built from a fresh Node key pair. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const len = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(type.length), type, len(raw.length), raw]);
}

/** An ecdsa-sha2-nistp256 public key blob. */
function ecdsaBlob(): Buffer {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  const q = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  return Buffer.concat([str(Buffer.from('ecdsa-sha2-nistp256')), str(Buffer.from('nistp256')), str(q)]);
}

const target = { host: 'srv.example', port: 2222, hostId: 'h1' };

function make(files: Record<string, string> = {}, answer: ConstructorParameters<typeof ScriptedPrompter>[0] = () => ({ kind: 'cancel' })) {
  const store = new MemoryKnownHostsStore();
  const prompter = new ScriptedPrompter(answer);
  const verifier = new HostKeyVerifier({ store, prompter, knownHostsFiles: Object.keys(files), readFile: (p) => files[p] });
  return { store, prompter, verifier };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (e: unknown) => (e instanceof HoldfastError ? e.code : String(e)),
  );
}

describe('HostKeyVerifier', () => {
  it('accepts a key listed in a known_hosts file without asking', async () => {
    const key = ed25519Blob();
    const { verifier, prompter } = make({ '/kh': `[srv.example]:2222 ssh-ed25519 ${key.toString('base64')}\n` });
    await verifier.verify(target, key);
    expect(prompter.asked).toEqual([]);
  });

  it('asks about an unknown key and stores it only when told to remember', async () => {
    const key = ed25519Blob();
    const once = make({}, () => ({ kind: 'host-key', remember: false }));
    await once.verifier.verify(target, key);
    expect(once.prompter.asked).toEqual([{ kind: 'host-key', hostId: 'h1', host: 'srv.example', port: 2222, keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(key) }]);
    expect(once.store.list()).toEqual([]);

    const remembered = make({}, () => ({ kind: 'host-key', remember: true }));
    await remembered.verifier.verify(target, key);
    expect(remembered.store.list()).toEqual([{ host: 'srv.example', port: 2222, keyType: 'ssh-ed25519', key: key.toString('base64'), addedAt: expect.any(Number) }]);
    await remembered.verifier.verify(target, key);
    expect(remembered.prompter.asked).toHaveLength(1);
  });

  it('says which key is already trusted when the server offers only a key of another type, and never accepts that unattended', async () => {
    const known = ed25519Blob();
    const offered = ecdsaBlob();
    const files = { '/kh': `[srv.example]:2222 ssh-ed25519 ${known.toString('base64')}\n` };
    const { verifier, prompter, store } = make(files, () => ({ kind: 'host-key', remember: true }));
    expect(await codeOf(verifier.verify(target, offered, { unattended: true }))).toBe('HOST_KEY_REJECTED');
    expect(prompter.asked).toEqual([]);

    await verifier.verify(target, offered);
    expect(prompter.asked).toEqual([
      {
        kind: 'host-key',
        hostId: 'h1',
        host: 'srv.example',
        port: 2222,
        keyType: 'ecdsa-sha2-nistp256',
        fingerprint: sha256Fingerprint(offered),
        otherKeys: [{ keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(known), source: '/kh' }],
      },
    ]);
    expect(store.list().map((e) => e.keyType)).toEqual(['ecdsa-sha2-nistp256']);
  });

  it('rejects an unknown key the user cancels, and one met unattended without asking', async () => {
    const { verifier, prompter } = make();
    expect(await codeOf(verifier.verify(target, ed25519Blob()))).toBe('HOST_KEY_REJECTED');
    expect(prompter.asked).toHaveLength(1);
    expect(await codeOf(verifier.verify(target, ed25519Blob(), { unattended: true }))).toBe('HOST_KEY_REJECTED');
    expect(prompter.asked).toHaveLength(1);
  });

  it("refuses a key that differs from the one in Holdfast's store, pointing at Replace stored key", async () => {
    const old = ed25519Blob();
    const presented = ed25519Blob();
    const { verifier, store, prompter } = make({}, () => ({ kind: 'host-key', remember: true }));
    store.add({ host: 'srv.example', port: 2222, keyType: 'ssh-ed25519', key: old.toString('base64'), addedAt: 1 });
    const err = await verifier.verify(target, presented).catch((e: HoldfastError) => e);
    expect(err).toBeInstanceOf(HoldfastError);
    const e = err as HoldfastError;
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain(sha256Fingerprint(old));
    expect(e.message).toContain(sha256Fingerprint(presented));
    expect(e.message).toContain(HOLDFAST_STORE_SOURCE);
    expect(e.hint).toContain('Replace stored key');
    expect(prompter.asked).toEqual([]);
  });

  it('refuses a key marked @revoked', async () => {
    const key = ed25519Blob();
    const { verifier } = make({ '/kh': `@revoked * ssh-ed25519 ${key.toString('base64')}\n[srv.example]:2222 ssh-ed25519 ${key.toString('base64')}\n` });
    expect(await codeOf(verifier.verify(target, key))).toBe('HOST_KEY_REVOKED');
  });

  it('prefers key types already known for the host', () => {
    const key = ed25519Blob();
    const { verifier } = make({ '/kh': `[srv.example]:2222 ssh-ed25519 ${key.toString('base64')}\n` });
    expect(verifier.knownKeyTypes('srv.example', 2222)).toEqual(['ssh-ed25519']);
    expect(verifier.knownKeyTypes('srv.example', 22)).toEqual([]);
  });
});

describe('HostKeyVerifier with a session store (keys accepted once)', () => {
  it('trusts a key accepted once for the rest of the session, even unattended, without writing it to the store', async () => {
    const key = ed25519Blob();
    const store = new MemoryKnownHostsStore();
    const sessionStore = new MemoryKnownHostsStore();
    const prompter = new ScriptedPrompter(() => ({ kind: 'host-key', remember: false }));
    const verifier = new HostKeyVerifier({ store, sessionStore, prompter, knownHostsFiles: [], readFile: () => undefined });
    await verifier.verify(target, key);
    await verifier.verify(target, key, { unattended: true });
    expect(prompter.asked).toHaveLength(1);
    expect(store.list()).toEqual([]);
    expect(sessionStore.find(target.host, target.port)).toHaveLength(1);
  });

  it('still refuses a different key for a host accepted once, as a changed key', async () => {
    const store = new MemoryKnownHostsStore();
    const sessionStore = new MemoryKnownHostsStore();
    const prompter = new ScriptedPrompter(() => ({ kind: 'host-key', remember: false }));
    const verifier = new HostKeyVerifier({ store, sessionStore, prompter, knownHostsFiles: [], readFile: () => undefined });
    await verifier.verify(target, ed25519Blob());
    expect(await codeOf(verifier.verify(target, ed25519Blob()))).toBe('HOST_KEY_CHANGED');
  });
});
