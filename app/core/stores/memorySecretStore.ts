// The web host's secrets: in memory only, gone when the process ends. Nothing is ever written to disk.
import type { ISecretStore } from '../interfaces';

export class MemorySecretStore implements ISecretStore {
  readonly persistent = false;
  private readonly _secrets = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this._secrets.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this._secrets.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this._secrets.delete(key);
  }
}
