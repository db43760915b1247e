import os from 'node:os';
import path from 'node:path';

/** Expands a leading `~` or `~/` to the home folder, as ssh does. `~otheruser/` is left as written. */
export function expandHome(p: string, homeDir: string = os.homedir()): string {
  if (p === '~') return homeDir;
  if (p.startsWith('~/') || (path.sep === '\\' && p.startsWith('~\\'))) return path.join(homeDir, p.slice(2));
  return p;
}
