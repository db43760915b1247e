// The web host's backing: `conf`, which writes with temp file + fsync + rename (via `atomically`).
import Conf from 'conf';
import path from 'node:path';
import type { IJsonBacking } from './jsonFile';

/**
 * A backing over `conf` for `<cwd>/<configName>.json`. conf is opened on the first write only: the store
 * checks (and if need be moves aside) the file before conf reads it, because conf 15 throws on a file that is
 * not JSON and, with `clearInvalidConfig`, would overwrite it.
 */
export function createConfBacking(options: { cwd: string; configName: string }): IJsonBacking {
  let conf: Conf<Record<string, unknown>> | undefined;
  return {
    path: path.resolve(options.cwd, `${options.configName}.json`),
    write(value) {
      conf ??= new Conf<Record<string, unknown>>({
        cwd: options.cwd,
        configName: options.configName,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        configFileMode: 0o600,
      });
      conf.store = value;
    },
  };
}
