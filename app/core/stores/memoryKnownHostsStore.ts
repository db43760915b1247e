// Host keys accepted "once": trusted for the life of this process (so automatic reconnects keep working), never
// written anywhere. The next start of the app asks again.
import type { IKnownHostsStore, KnownHostEntry } from '../interfaces';

export class MemoryKnownHostsStore implements IKnownHostsStore {
  private _entries: KnownHostEntry[] = [];

  list(): KnownHostEntry[] {
    return this._entries.map((e) => ({ ...e }));
  }

  find(host: string, port: number): KnownHostEntry[] {
    return this._entries.filter((e) => e.port === port && e.host.toLowerCase() === host.toLowerCase()).map((e) => ({ ...e }));
  }

  add(entry: KnownHostEntry): void {
    this._entries = this._entries.filter(
      (e) => !(e.port === entry.port && e.host.toLowerCase() === entry.host.toLowerCase() && e.keyType === entry.keyType),
    );
    this._entries.push({ ...entry });
  }

  remove(host: string, port: number): void {
    this._entries = this._entries.filter((e) => !(e.port === port && e.host.toLowerCase() === host.toLowerCase()));
  }
}
