import { describe, expect, it } from 'vitest';
import { createSecretStore, SafeStorageSecretStore, type ISafeStorageLike, type ISecretBacking } from './secret-store';

/**
 * safeStorage stands in here (the Electron binary cannot run in tests): a reversible cipher with a key, so a
 * test can see that what is stored is not the plain text and that another key cannot read it.
 */
class FakeSafeStorage implements ISafeStorageLike {
  backend = 'gnome_libsecret';
  available = true;
  rotated = false;
  constructor(private readonly _key = 0x5a) {}
  async isAsyncEncryptionAvailable() {
    return this.available;
  }
  async encryptStringAsync(plainText: string) {
    return Buffer.concat([Buffer.from('v1:'), Buffer.from(Buffer.from(plainText).map((b) => b ^ this._key))]);
  }
  async decryptStringAsync(encrypted: Buffer) {
    if (encrypted.subarray(0, 3).toString() !== 'v1:') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const result = Buffer.from(encrypted.subarray(3).map((b) => b ^ this._key)).toString();
    if (!/^[\x20-\x7e]*$/.test(result)) throw new Error('Error while decrypting');
    return { shouldReEncrypt: this.rotated, result };
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
}

class MemoryBacking implements ISecretBacking {
  values: Record<string, string> = {};
  writes = 0;
  read() {
    return { ...this.values };
  }
  write(values: Record<string, string>) {
    this.writes++;
    this.values = { ...values };
  }
}

describe('SafeStorageSecretStore', () => {
  it('stores secrets encrypted, as base64, and reads them back', async () => {
    const backing = new MemoryBacking();
    const store = new SafeStorageSecretStore(new FakeSafeStorage(), backing);
    await store.set('password:h1', 'hunter2');
    const stored = backing.values['password:h1']!;
    expect(stored).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('hunter2');
    expect(Buffer.from(stored, 'base64').toString()).not.toContain('hunter2');
    expect(await store.get('password:h1')).toBe('hunter2');
    expect(store.persistent).toBe(true);
  });

  it('keeps other keys when one is set or deleted', async () => {
    const backing = new MemoryBacking();
    const store = new SafeStorageSecretStore(new FakeSafeStorage(), backing);
    await store.set('password:a', 'one');
    await store.set('passphrase:/k', 'two');
    await store.delete('password:a');
    expect(await store.get('password:a')).toBeUndefined();
    expect(await store.get('passphrase:/k')).toBe('two');
  });

  it('survives a restart: a new store over the same file reads what the old one wrote', async () => {
    const backing = new MemoryBacking();
    await new SafeStorageSecretStore(new FakeSafeStorage(), backing).set('password:h1', 'pw');
    expect(await new SafeStorageSecretStore(new FakeSafeStorage(), backing).get('password:h1')).toBe('pw');
  });

  it('forgets a secret it can no longer decrypt instead of failing', async () => {
    const backing = new MemoryBacking();
    backing.values['password:h1'] = Buffer.from('garbage').toString('base64');
    const store = new SafeStorageSecretStore(new FakeSafeStorage(), backing);
    expect(await store.get('password:h1')).toBeUndefined();
    expect(backing.values).toEqual({});
  });

  it('re-encrypts a secret when the keyring asks for it', async () => {
    const backing = new MemoryBacking();
    const safe = new FakeSafeStorage();
    const store = new SafeStorageSecretStore(safe, backing);
    await store.set('password:h1', 'pw');
    const writes = backing.writes;
    safe.rotated = true;
    expect(await store.get('password:h1')).toBe('pw');
    expect(backing.writes).toBe(writes + 1);
  });

  it('does not write when deleting a key it does not have', async () => {
    const backing = new MemoryBacking();
    await new SafeStorageSecretStore(new FakeSafeStorage(), backing).delete('password:none');
    expect(backing.writes).toBe(0);
  });
});

describe('createSecretStore', () => {
  it('persists through safeStorage when a keyring is available', async () => {
    const { store, notice } = await createSecretStore(new FakeSafeStorage(), new MemoryBacking());
    expect(store.persistent).toBe(true);
    expect(notice).toBeUndefined();
  });

  it.each([
    ['encryption is unavailable', (s: FakeSafeStorage) => (s.available = false)],
    ["Linux falls back to the fixed 'basic_text' key", (s: FakeSafeStorage) => (s.backend = 'basic_text')],
  ])('keeps secrets in memory only, writes nothing and tells the user when %s', async (_why, degrade) => {
    const safe = new FakeSafeStorage();
    degrade(safe);
    const backing = new MemoryBacking();
    const { store, notice } = await createSecretStore(safe, backing);
    expect(store.persistent).toBe(false);
    expect(notice).toMatchObject({ level: 'warning' });
    expect(notice?.message).toMatch(/memory only/);
    await store.set('password:h1', 'hunter2');
    expect(await store.get('password:h1')).toBe('hunter2');
    expect(backing.writes).toBe(0);
  });
});
