// Backings over `conf` (web host) and anything shaped like it, such as electron-store (Electron shell).
// conf writes with temp file + fsync + rename (through `atomically`).
import Conf from 'conf';
import path from 'node:path';
import type { IJsonBacking } from './jsonFile';

/** What conf and electron-store have in common that a backing needs: the whole document as `store`. */
export interface IConfLike {
  store: Record<string, unknown>;
}

/**
 * A backing that opens its conf-like store only on the first write: the store checks (and if need be moves
 * aside) the file before the library reads it, because conf 15 throws on a file that is not JSON and, with
 * `clearInvalidConfig`, would overwrite it.
 *
 * Electron, for example:
 *   createLazyStoreBacking(path.join(app.getPath('userData'), 'profiles.json'),
 *     () => new ElectronStore({ name: 'profiles', clearInvalidConfig: false, accessPropertiesByDotNotation: false }));
 */
export function createLazyStoreBacking(filePath: string, open: () => IConfLike): IJsonBacking {
  let store: IConfLike | undefined;
  return {
    path: path.resolve(filePath),
    write(value) {
      store ??= open();
      store.store = value;
    },
  };
}

/** The web host's backing: conf, for `<cwd>/<configName>.json`. */
export function createConfBacking(options: { cwd: string; configName: string }): IJsonBacking {
  return createLazyStoreBacking(
    path.resolve(options.cwd, `${options.configName}.json`),
    () =>
      new Conf<Record<string, unknown>>({
        cwd: options.cwd,
        configName: options.configName,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        configFileMode: 0o600,
      }),
  );
}
