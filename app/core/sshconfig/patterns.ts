// ssh_config's Host patterns and Include globs.
import fs from 'node:fs/promises';
import path from 'node:path';
import { matchWildcard } from '../wildcard';

/** One Host pattern (`*` any run, `?` one character), compared as ssh does: case-insensitively. */
export function matchPattern(name: string, pattern: string): boolean {
  return matchWildcard(name, pattern, { caseInsensitive: true });
}

/**
 * A Host line's pattern list: true when some plain pattern matches and no negated one (`!pattern`) does.
 * A list of negated patterns alone never matches, as in ssh.
 */
export function matchPatternList(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchPattern(name, pattern.slice(1))) return false;
    } else if (matchPattern(name, pattern)) {
      matched = true;
    }
  }
  return matched;
}

/** A pattern that names one host, rather than a family of them (`*`, `?`) or an exclusion (`!`). */
export function isPlainAlias(pattern: string): boolean {
  return pattern.length > 0 && !/[*?]/.test(pattern) && !pattern.startsWith('!');
}

const GLOB_MAGIC = /[*?[]/;

/** Files matching an absolute glob, sorted as glob(3) sorts them. A plain path is returned if it exists. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const { root } = path.parse(pattern);
  const segments = pattern.slice(root.length).split(/[\\/]+/).filter(Boolean);
  let bases = [root];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of bases) {
      if (!GLOB_MAGIC.test(segment)) {
        next.push(path.join(base, segment));
        continue;
      }
      let entries: string[];
      try {
        entries = await fs.readdir(base);
      } catch {
        continue;
      }
      for (const entry of entries.sort()) {
        // Leading dots must match literally, as in glob(3).
        if (entry.startsWith('.') && !segment.startsWith('.')) continue;
        if (matchWildcard(entry, segment, { classes: true })) next.push(path.join(base, entry));
      }
    }
    bases = next;
  }
  const files: string[] = [];
  for (const candidate of bases) {
    try {
      if ((await fs.stat(candidate)).isFile()) files.push(candidate);
    } catch {
      // Not there: the caller reports patterns that matched nothing.
    }
  }
  return files;
}
