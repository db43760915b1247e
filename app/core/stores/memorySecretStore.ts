// The web host's secrets: in memory only, gone when the process ends. Nothing is ever written to disk.
import type { ISecretStore } from '../interfaces';

export class MemorySecretStore implements ISecretStore {
  /** False for the web host (gone at exit); tests of remembering pass true, as the OS keychain would say. */
  readonly persistent: boolean;
  /** The secrets held (tests look inside). */
  readonly values = new Map<string, string>();

  constructor(options: { persistent?: boolean } = {}) {
    this.persistent = options.persistent ?? false;
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}
