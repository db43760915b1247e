import { describe, expect, it } from 'vitest';
import { LinearRegex, LinearRegexError, linearRegexProblem } from './linearRegex';

describe('LinearRegex', () => {
  it('matches as JavaScript does, for the syntax it takes', () => {
    const patterns = [
      'to confirm>\\s*$',
      '^\\[sudo\\] password for \\w+: $',
      'colou?r',
      '(?:yes|no)\\?$',
      '(?<answer>y|n)/[A-Z]',
      '[^a-z]{2,3}x',
      'a{2}b{1,}c{0,2}d',
      '\\bcat\\b',
      '\\Bat\\B',
      '[\\d.-]+%',
      '^$',
      '.*',
      '\\x41\\u00e9',
      '[a\\-z]+',
      '(a|ab)(c|bcd)(d*)',
      'Continue\\? \\[[Yy]/[Nn]\\]',
      '❯\\s*1\\.',
      '[]',
      '[^]',
      'a+?b*?c??',
    ];
    const inputs = ['', 'type the name to confirm> ', '[sudo] password for ada: ', 'color', 'colour', 'yes?', 'maybe no?', 'y/N', 'AB1x', '12x', 'aabbbd', 'aabcc d', 'a cat sat', 'concatenate', 'bat', '42.5%', 'Aé', 'a-z', 'abcd', 'Continue? [Y/n]', '❯ 1. Yes', 'x', 'aab', 'é€😀'];
    for (const p of patterns) {
      const mine = new LinearRegex(p);
      const js = new RegExp(p);
      for (const input of inputs) expect(mine.test(input), `${p} on ${JSON.stringify(input)}`).toBe(js.test(input));
    }
  });

  it('answers a catastrophic-backtracking pattern on a long line at once, where RegExp would not return', () => {
    const evil = new LinearRegex('(a+)+$');
    expect(evil.test(`${'a'.repeat(20_000)}!`)).toBe(false);
    expect(evil.test('a'.repeat(20_000))).toBe(true);
    expect(new LinearRegex('(x+x+)+y').test('x'.repeat(5000))).toBe(false);
    expect(new LinearRegex('(.*a){12}').test('a'.repeat(3000) + 'b')).toBe(true);
  });

  it('refuses what needs backtracking, what is not a pattern, and what would compile too large', () => {
    expect(() => new LinearRegex('(a)\\1')).toThrow(LinearRegexError);
    expect(() => new LinearRegex('a(?=b)')).toThrow(/Look-ahead/);
    expect(() => new LinearRegex('(?<!a)b')).toThrow(/Look-ahead/);
    expect(() => new LinearRegex('([')).toThrow(LinearRegexError);
    expect(() => new LinearRegex('a)')).toThrow(LinearRegexError);
    expect(() => new LinearRegex('*a')).toThrow(LinearRegexError);
    expect(() => new LinearRegex('((a{1000}){1000})')).toThrow(/too complex/);
    expect(linearRegexProblem('ok\\?$')).toBeUndefined();
    expect(linearRegexProblem('(a)\\1')).toMatch(/Back-references/);
  });
});
