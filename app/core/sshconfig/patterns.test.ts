import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandGlob, isPlainAlias, matchPattern, matchPatternList } from './patterns';

describe('Host patterns', () => {
  it('match * and ? case-insensitively, and treat other characters literally', () => {
    expect(matchPattern('Web01.Example.com', '*.example.com')).toBe(true);
    expect(matchPattern('db7', 'db?')).toBe(true);
    expect(matchPattern('db17', 'db?')).toBe(false);
    expect(matchPattern('axb', 'a.b')).toBe(false);
    expect(matchPattern('a+b', 'a+b')).toBe(true);
  });

  it('let a negated pattern veto a match, and never match on negations alone', () => {
    expect(matchPatternList('bastion', ['*', '!bastion'])).toBe(false);
    expect(matchPatternList('web', ['*', '!bastion'])).toBe(true);
    expect(matchPatternList('web', ['!bastion'])).toBe(false);
  });

  it('take time in proportion to the name, not exponential in the stars (Host *a*a*a*a*a*a*a*b)', () => {
    // A regular expression built from this pattern backtracks for about 50 s on one such name, far past the test's
    // timeout; the glob matcher answers at once.
    const pattern = `${'*a'.repeat(12)}*b`;
    const name = 'a'.repeat(60);
    for (let i = 0; i < 100; i++) expect(matchPattern(name, pattern)).toBe(false);
    expect(matchPattern(`${name}b`, pattern)).toBe(true);
  });

  it('count only names without wildcards or negation as aliases', () => {
    expect(['web', '*', 'db?', '!x', 'a.b'].filter(isPlainAlias)).toEqual(['web', 'a.b']);
  });
});

describe('Include globs', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-glob-'));
    for (const name of ['b.conf', 'a.conf', 'c.txt', '.hidden.conf', 'x1', 'x2', 'y1']) fs.writeFileSync(path.join(dir, name), '');
    fs.mkdirSync(path.join(dir, 'sub.conf'));
    fs.mkdirSync(path.join(dir, 'one'));
    fs.writeFileSync(path.join(dir, 'one', 'inner'), '');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('match files sorted, skip dot files and folders, and support classes and wildcard folders', async () => {
    const names = async (pattern: string) => (await expandGlob(path.join(dir, pattern))).map((f) => path.relative(dir, f));
    expect(await names('*.conf')).toEqual(['a.conf', 'b.conf']);
    expect(await names('[xy]1')).toEqual(['x1', 'y1']);
    expect(await names('x[!1]')).toEqual(['x2']);
    expect(await names('o*/inner')).toEqual([path.join('one', 'inner')]);
    expect(await names('nothing*')).toEqual([]);
    expect(await names('c.txt')).toEqual(['c.txt']);
    expect(await names('[]x]1')).toEqual(['x1']);
  });

  it('treat a class written backwards ([z-a]) as matching nothing instead of failing', async () => {
    await expect(expandGlob(path.join(dir, '[z-a]1'))).resolves.toEqual([]);
    await expect(expandGlob(path.join(dir, '[x-y]1'))).resolves.toHaveLength(2);
  });
});
