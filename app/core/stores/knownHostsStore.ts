// Host keys the user told Holdfast to remember, one JSON document `{ version, hosts: [...] }`.
import { z } from 'zod';
import type { IKnownHostsStore, KnownHostEntry } from '../interfaces';
import { type IJsonBacking, PersistedList, type StoreOptions } from './jsonFile';

const KnownHostEntrySchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  keyType: z.string().min(1),
  key: z.string().min(1),
  addedAt: z.number(),
}) satisfies z.ZodType<KnownHostEntry>;

/** Host names are case-insensitive. */
function sameHost(entry: KnownHostEntry, host: string, port: number): boolean {
  return entry.port === port && entry.host.toLowerCase() === host.toLowerCase();
}

export class KnownHostsStore implements IKnownHostsStore {
  private readonly _list: PersistedList<KnownHostEntry>;

  constructor(backing: IJsonBacking, options: StoreOptions = {}) {
    this._list = new PersistedList(backing, { key: 'hosts', what: 'remembered host keys', item: KnownHostEntrySchema }, options);
  }

  list(): KnownHostEntry[] {
    return this._list.items.map((e) => ({ ...e }));
  }

  find(host: string, port: number): KnownHostEntry[] {
    return this._list.items.filter((e) => sameHost(e, host, port)).map((e) => ({ ...e }));
  }

  /** Remembers a key; it replaces a remembered key of the same type for the same host and port. */
  add(entry: KnownHostEntry): void {
    const clean = KnownHostEntrySchema.parse(entry);
    const items = this._list.items.filter((e) => !(sameHost(e, clean.host, clean.port) && e.keyType === clean.keyType));
    items.push(clean);
    this._list.replace(items);
  }

  /** Forgets every key remembered for this host and port. */
  remove(host: string, port: number): void {
    const items = this._list.items.filter((e) => !sameHost(e, host, port));
    if (items.length !== this._list.items.length) this._list.replace(items);
  }
}
