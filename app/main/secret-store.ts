// Remembered passwords and passphrases in the Electron shell: encrypted by the OS keyring through safeStorage,
// kept as base64 in an electron-store file. Without a usable keyring they live in memory only, and the user
// is told so: a secret is never written in plain text (nor under Linux's "basic_text" fallback key, which is
// the same fixed key on every machine).
import type { ISecretStore } from '../core/interfaces';
import { MemorySecretStore } from '../core/stores';
import type { Notice } from '../shared/model';

/** The part of Electron's safeStorage this store uses. */
export interface ISafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

/** Where the encrypted values live: a map from key to base64 ciphertext. */
export interface ISecretBacking {
  read(): Record<string, string>;
  write(values: Record<string, string>): void;
}

export class SafeStorageSecretStore implements ISecretStore {
  readonly persistent = true;

  constructor(
    private readonly _safeStorage: ISafeStorageLike,
    private readonly _backing: ISecretBacking,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const stored = this._backing.read()[key];
    if (stored === undefined) return undefined;
    let decrypted: { shouldReEncrypt: boolean; result: string };
    try {
      decrypted = await this._safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
    } catch {
      // Encrypted under a key this login no longer has (another machine, a reset keyring): the user types
      // it again, and it is remembered anew.
      await this.delete(key);
      return undefined;
    }
    if (decrypted.shouldReEncrypt) await this.set(key, decrypted.result);
    return decrypted.result;
  }

  async set(key: string, value: string): Promise<void> {
    const encrypted = await this._safeStorage.encryptStringAsync(value);
    this._backing.write({ ...this._backing.read(), [key]: encrypted.toString('base64') });
  }

  async delete(key: string): Promise<void> {
    const values = this._backing.read();
    if (!(key in values)) return;
    const { [key]: _removed, ...rest } = values;
    this._backing.write(rest);
  }
}

export const NO_KEYRING_NOTICE: Notice = {
  level: 'warning',
  message:
    'No system keyring is available, so passwords you ask Holdfast to remember are kept in memory only and ' +
    'forgotten when it quits. Unlock or install a keyring (e.g. GNOME Keyring or KWallet) and restart Holdfast to keep them.',
};

/** Call after the app is ready: before that, safeStorage cannot tell whether a keyring is available. */
export async function createSecretStore(
  safeStorage: ISafeStorageLike,
  backing: ISecretBacking,
): Promise<{ store: ISecretStore; notice?: Notice }> {
  let available = false;
  try {
    available = await safeStorage.isAsyncEncryptionAvailable();
  } catch {
    available = false;
  }
  const backend = safeStorage.getSelectedStorageBackend?.();
  if (!available || backend === 'basic_text') return { store: new MemorySecretStore(), notice: NO_KEYRING_NOTICE };
  return { store: new SafeStorageSecretStore(safeStorage, backing) };
}
