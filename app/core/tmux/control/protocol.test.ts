import { describe, expect, it } from 'vitest';
import { ControlParser, escapeOutput, unescapeOutput, type ControlEvent } from './protocol';

const enc = (s: string) => new TextEncoder().encode(s);
const latin = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** A seeded generator (mulberry32): the same cases every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function feed(chunks: Uint8Array[]): ControlEvent[] {
  const parser = new ControlParser();
  return chunks.flatMap((c) => parser.push(c));
}

/** Splits bytes at random offsets into pieces of 1 to `max` bytes. */
function splitRandomly(bytes: Uint8Array, random: () => number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(random() * max);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** tmux's way of cutting a pane's bytes into %output lines: at arbitrary offsets, escaping each piece. */
function outputLines(pane: string, bytes: Uint8Array, random: () => number): Uint8Array[] {
  return splitRandomly(bytes, random, 64).map((piece) => concat([enc(`%output ${pane} `), escapeOutput(piece), enc('\n')]));
}

describe('unescapeOutput / escapeOutput', () => {
  it('round-trips every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const escaped = escapeOutput(all);
    expect(escaped.includes(0x0a)).toBe(false);
    expect(latin(escaped)).toContain('\\000\\001');
    expect(latin(escaped)).toContain('\\134');
    expect([...unescapeOutput(escaped)]).toEqual([...all]);
  });

  it('leaves a backslash that is not followed by three octal digits as it is', () => {
    expect(latin(unescapeOutput(enc('a\\9b\\12')))).toBe('a\\9b\\12');
  });
});

describe('ControlParser', () => {
  it('reads replies, output and notifications as tmux 3.3a writes them', () => {
    const stream = [
      '%begin 1796089590 264 0',
      '%end 1796089590 264 0',
      '%begin 1796089590 269 1',
      'hello',
      '%end 1796089590 269 1',
      '%output %4 BEGIN\\000\\001 \\134 é',
      '%extended-output %8 12 : y\\015\\012',
      '%layout-change @22 3b19,80x24,0,0{40x24,0,0,23,39x24,41,0,24} 3b19,80x24,0,0{40x24,0,0,23,39x24,41,0,24} *',
      '%window-add @18',
      '%unlinked-window-close @3',
      '%window-renamed @24 my window',
      '%session-changed $12 E8other2',
      '%sessions-changed',
      '%subscription-changed hs $10 @21 0 %21 : 19',
      '%pause %50',
      '%continue %50',
      '%some-future-notification 1 2',
      '%exit too far behind',
      '',
    ].join('\n');
    const events = feed([enc(stream)]);
    expect(events.map((e) => e.type)).toEqual([
      'block',
      'block',
      'output',
      'output',
      'layout-change',
      'window-add',
      'window-close',
      'window-renamed',
      'session-changed',
      'sessions-changed',
      'subscription-changed',
      'pause',
      'continue',
      'unknown',
      'exit',
    ]);
    expect(events[1]).toMatchObject({ type: 'block', number: 269, flags: 1, error: false });
    expect(latin((events[1] as { body: Uint8Array }).body)).toBe('hello');
    expect([...(events[2] as { bytes: Uint8Array }).bytes]).toEqual([...enc('BEGIN\x00\x01 \\ é')]);
    expect(events[3]).toMatchObject({ pane: '%8', ageMs: 12 });
    expect(latin((events[3] as { bytes: Uint8Array }).bytes)).toBe('y\r\n');
    expect(events[4]).toMatchObject({ window: '@22', flags: '*' });
    expect(events[7]).toMatchObject({ window: '@24', name: 'my window' });
    expect(events[10]).toMatchObject({ name: 'hs', pane: '%21', value: '19' });
    expect(events[14]).toEqual({ type: 'exit', reason: 'too far behind' });
  });

  it('ends a block only on its own guard, and keeps every line inside it as data, message-like or not', () => {
    const inside = ['%end 100 6 1', '%begin 100 8 1', '%error 99 7 1', '%pause %3', '%continue %3', '%output %3 not output inside a block', '%exit', '%layout-change @1 x'];
    const stream = ['%begin 100 7 1', ...inside, '%end 100 7 1', ''].join('\n');
    const events = feed([enc(stream)]);
    expect(events.map((e) => e.type)).toEqual(['block']);
    expect(latin((events[0] as { body: Uint8Array }).body)).toBe(inside.join('\n'));
  });

  it('marks a reply that ended with %error', () => {
    const events = feed([enc("%begin 5 9 1\ncan't find window: @999\n%error 5 9 1\n")]);
    expect(events).toEqual([{ type: 'block', time: 5, number: 9, flags: 1, error: true, body: enc("can't find window: @999") }]);
  });

  it('drops a trailing CR and treats login-shell noise and garbage as unknown, never throwing', () => {
    const random = rng(7);
    const garbage = Uint8Array.from({ length: 20_000 }, () => Math.floor(random() * 256));
    const parser = new ControlParser();
    expect(() => parser.push(garbage)).not.toThrow();
    const events = feed([enc('Welcome to the server\r\n%begin 1 2 1\r\nok\r\n%end 1 2 1\r\n%output\n%output %x y\n%output %1\n')]);
    expect(events.map((e) => e.type)).toEqual(['unknown', 'block', 'unknown', 'unknown', 'unknown']);
    expect(latin((events[1] as { body: Uint8Array }).body)).toBe('ok');
  });

  it('gives back exactly the bytes a program wrote, whatever the bytes and however the stream is cut (seeded fuzz)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = rng(seed);
      // Everything a program may write: NUL, `\`, LF, ESC, invalid and multi-byte UTF-8.
      const alphabet = [0x00, 0x5c, 0x0a, 0x0d, 0x1b, 0x25, 0x20, 0xe3, 0x81, 0x82, 0xff, 0xc3, 0x28, 0x41, 0x7e];
      const written = Uint8Array.from({ length: 2000 + Math.floor(random() * 3000) }, () =>
        random() < 0.5 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256),
      );
      // Interleaved with replies whose bodies hold guard look-alikes, other panes' output, notifications.
      const pieces: Uint8Array[] = [];
      const lines = outputLines('%1', written, random);
      let number = 1;
      for (const line of lines) {
        pieces.push(line);
        const r = random();
        if (r < 0.1) {
          pieces.push(enc(`%begin 1700 ${number} 1\n%end 1700 ${number + 1} 1\n%begin 1 1 1\nx\n%end 1700 ${number} 1\n`));
          number += 2;
        }
        else if (r < 0.2) pieces.push(enc('%output %2 other pane\\012\n'));
        else if (r < 0.25) pieces.push(enc('%layout-change @1 b25d,80x24,0,0,1 b25d,80x24,0,0,1 *\n'));
      }
      const stream = concat(pieces);
      const events = feed(splitRandomly(stream, random, seed % 3 === 0 ? 1 : 97));
      const got = concat(events.flatMap((e) => (e.type === 'output' && e.pane === '%1' ? [e.bytes] : [])));
      expect(Buffer.from(got).equals(Buffer.from(written)), `seed ${seed}`).toBe(true);
      expect(events.filter((e) => e.type === 'unknown')).toEqual([]);
      // Cutting the stream anywhere gives the same messages as feeding it whole.
      expect(feed([stream]).length).toBe(events.length);
    }
  });
});
