// Secrets in two layers: what the user asked to remember goes to the real store (safeStorage in Electron); what
// was typed without "remember" is kept in memory until the app stops. A password typed once must not be lost at
// the first network drop: the automatic reconnect that follows cannot ask anyone.
import type { ISecretStore } from '../interfaces';

export class SessionSecretStore implements ISecretStore {
  private readonly _session = new Map<string, string>();

  constructor(private readonly _remembered: ISecretStore) {}

  get persistent(): boolean {
    return this._remembered.persistent;
  }

  async get(key: string): Promise<string | undefined> {
    return this._session.get(key) ?? (await this._remembered.get(key));
  }

  /** Only what was remembered on purpose (for "is a password stored" in the UI). */
  getRemembered(key: string): Promise<string | undefined> {
    return this._remembered.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this._session.delete(key);
    await this._remembered.set(key, value);
  }

  async keepForSession(key: string, value: string): Promise<void> {
    this._session.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this._session.delete(key);
    await this._remembered.delete(key);
  }
}
