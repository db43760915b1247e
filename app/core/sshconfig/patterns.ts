// ssh_config's Host patterns and Include globs.
import fs from 'node:fs/promises';
import path from 'node:path';

function escapeRegExp(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** One Host pattern (`*` any run, `?` one character), compared as ssh does: case-insensitively. */
export function matchPattern(name: string, pattern: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c)))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(name);
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

/** One path segment of a glob(3) pattern: `*`, `?`, `[abc]`, `[!a-z]`. Leading dots must match literally. */
function globSegmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

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
      const re = globSegmentRegExp(segment);
      for (const entry of entries.sort()) {
        if (entry.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(entry)) next.push(path.join(base, entry));
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
