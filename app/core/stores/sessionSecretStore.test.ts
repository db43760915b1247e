import { describe, expect, it } from 'vitest';
import { keychain as newKeychain } from '../testing';
import { SessionSecretStore } from './sessionSecretStore';

describe('SessionSecretStore', () => {
  it('keeps a secret typed without "remember" in memory only, and finds it like a remembered one', async () => {
    const keychain = newKeychain();
    const store = new SessionSecretStore(keychain);
    await store.keepForSession('password:h', 'typed');
    expect(await store.get('password:h')).toBe('typed');
    expect(await store.getRemembered('password:h')).toBeUndefined();
    expect(keychain.values.size).toBe(0);
  });

  it('remembering replaces the session copy, and delete forgets both layers', async () => {
    const keychain = newKeychain();
    const store = new SessionSecretStore(keychain);
    await store.keepForSession('k', 'old');
    await store.set('k', 'new');
    expect(await store.get('k')).toBe('new');
    expect(keychain.values.get('k')).toBe('new');
    await store.keepForSession('k', 'session');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    expect(keychain.values.size).toBe(0);
    expect(store.persistent).toBe(true);
  });
});
