// Host profiles, one JSON document `{ version, profiles: [...] }` behind an IJsonBacking.
import { HostProfile } from '../../shared/model';
import type { IProfileStore } from '../interfaces';
import { type IJsonBacking, PersistedList, type StoreOptions } from './jsonFile';

/** The name of a profile that could not be read, if it still has one (else its host), for the notice. */
function profileName(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { name, host } = raw as { name?: unknown; host?: unknown };
  if (typeof name === 'string' && name.trim()) return name.trim().slice(0, 80);
  if (typeof host === 'string' && host.trim()) return host.trim().slice(0, 80);
  return undefined;
}

export class ProfileStore implements IProfileStore {
  private readonly _list: PersistedList<HostProfile>;

  /** Reads the file now; a corrupt one is moved aside and reported through `options.onNotice`. */
  constructor(backing: IJsonBacking, options: StoreOptions = {}) {
    this._list = new PersistedList(backing, { key: 'profiles', what: 'host profiles', item: HostProfile, nameOf: profileName }, options);
  }

  list(): HostProfile[] {
    return this._list.items.map((p) => structuredClone(p));
  }

  get(id: string): HostProfile | undefined {
    const found = this._list.items.find((p) => p.id === id);
    return found && structuredClone(found);
  }

  /** Adds or replaces (by id). Parsing strips any key the schema does not know, such as a stray `password`. */
  put(profile: HostProfile): void {
    const clean = HostProfile.parse(profile);
    const items = [...this._list.items];
    const index = items.findIndex((p) => p.id === clean.id);
    if (index === -1) items.push(clean);
    else items[index] = clean;
    this._list.replace(items);
  }

  delete(id: string): void {
    const items = this._list.items.filter((p) => p.id !== id);
    if (items.length !== this._list.items.length) this._list.replace(items);
  }
}
