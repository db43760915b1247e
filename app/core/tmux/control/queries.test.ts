import { describe, expect, it } from 'vitest';
import { QueryFilter } from './queries';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function filterAll(input: string, cuts: number[] = []): string {
  const filter = new QueryFilter();
  const bytes = enc(input);
  let out = '';
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    out += dec(filter.push(bytes.subarray(at, cut)));
    at = cut;
  }
  return out;
}

describe('QueryFilter', () => {
  it('takes out the queries tmux has answered already, and keeps every other sequence', () => {
    const queries = ['\x1b[c', '\x1b[0c', '\x1b[>c', '\x1b[>0c', '\x1b[=c', '\x1b[5n', '\x1b[6n', '\x1b[?6n', '\x1b[?2004$p', '\x1b[4$p', '\x1b[>q', '\x1b[>0q', '\x1b[14t', '\x1b[18t', '\x1b]10;?\x07', '\x1b]11;?\x1b\\', '\x1b]4;1;?\x07', '\x1b]52;c;?\x07', '\x1bP$qm\x1b\\', '\x1bP+q544e\x1b\\'];
    const kept = ['\x1b[31mred\x1b[0m', '\x1b[?1049h', '\x1b[2J', '\x1b[H', '\x1b]0;title\x07', '\x1b]10;#ffffff\x07', '\x1b[22;0t', '\x1b[8;24;80t', '\x1b7', '\x1b=', '\x1b[?2004h', '\x1bPq#0;2;0;0;0#0~-\x1b\\', 'plain é text'];
    const input = queries.map((q, i) => `${q}${kept[i % kept.length]}`).join('');
    const expected = queries.map((_, i) => kept[i % kept.length]).join('');
    expect(filterAll(input)).toBe(dec(enc(expected)));
  });

  it('gives the same result however the stream is cut', () => {
    const input = 'a\x1b[6nb\x1b]11;?\x1b\\c\x1b[38;5;196md\x1bP$qm\x1b\\e\x1b[>cf';
    const whole = filterAll(input);
    expect(whole).toBe('ab' + 'c\x1b[38;5;196mdef');
    for (let i = 1; i < input.length; i++) for (let j = i; j < input.length; j += 3) expect(filterAll(input, [i, j])).toBe(whole);
  });

  it('passes a long sequence on once it is too long to be a query', () => {
    const big = `\x1b]52;c;${'A'.repeat(70_000)}\x07`;
    expect(filterAll(big).length).toBe(big.length);
  });
});
