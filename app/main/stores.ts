// The Electron shell's files, all under userData: host profiles and remembered host keys through electron-store
// (core's store logic over the IJsonBacking seam), and the safeStorage-encrypted secrets.
import Store from 'electron-store';
import { join } from 'node:path';
import type { IJsonBacking } from '../core/stores';
import type { ISecretBacking } from './secret-store';

/** Opened lazily, on the first write: core's store reads and checks the file itself first (see IJsonBacking). */
export function createElectronStoreBacking(dir: string, name: string): IJsonBacking {
  let store: Store<Record<string, unknown>> | undefined;
  return {
    path: join(dir, `${name}.json`),
    write(value) {
      store ??= new Store<Record<string, unknown>>({
        name,
        cwd: dir,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        configFileMode: 0o600,
      });
      store.store = value;
    },
  };
}

/** Encrypted values only; an unreadable file costs the user re-typing a password, so it is simply cleared. */
export function createSecretBacking(dir: string): ISecretBacking {
  let store: Store<{ secrets: Record<string, string> }> | undefined;
  const open = () =>
    (store ??= new Store<{ secrets: Record<string, string> }>({
      name: 'secrets',
      cwd: dir,
      clearInvalidConfig: true,
      accessPropertiesByDotNotation: false,
      configFileMode: 0o600,
      defaults: { secrets: {} },
    }));
  return {
    read() {
      const raw: unknown = open().get('secrets');
      if (typeof raw !== 'object' || raw === null) return {};
      return Object.fromEntries(Object.entries(raw).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    },
    write(values) {
      open().set('secrets', values);
    },
  };
}
