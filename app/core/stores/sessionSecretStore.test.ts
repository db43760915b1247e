import { describe, expect, it } from 'vitest';
import type { ISecretStore } from '../interfaces';
import { SessionSecretStore } from './sessionSecretStore';

class Keychain implements ISecretStore {
  readonly persistent = true;
  readonly items = new Map<string, string>();
  async get(key: string) {
    return this.items.get(key);
  }
  async set(key: string, value: string) {
    this.items.set(key, value);
  }
  async delete(key: string) {
    this.items.delete(key);
  }
}

describe('SessionSecretStore', () => {
  it('keeps a secret typed without "remember" in memory only, and finds it like a remembered one', async () => {
    const keychain = new Keychain();
    const store = new SessionSecretStore(keychain);
    await store.keepForSession('password:h', 'typed');
    expect(await store.get('password:h')).toBe('typed');
    expect(await store.getRemembered('password:h')).toBeUndefined();
    expect(keychain.items.size).toBe(0);
  });

  it('remembering replaces the session copy, and delete forgets both layers', async () => {
    const keychain = new Keychain();
    const store = new SessionSecretStore(keychain);
    await store.keepForSession('k', 'old');
    await store.set('k', 'new');
    expect(await store.get('k')).toBe('new');
    expect(keychain.items.get('k')).toBe('new');
    await store.keepForSession('k', 'session');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    expect(keychain.items.size).toBe(0);
    expect(store.persistent).toBe(true);
  });
});
