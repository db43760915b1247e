import { describe, expect, it } from 'vitest';
import { IMMEDIATE_BATCHES, IMMEDIATE_BYTES, OutputBatcher } from './OutputBatcher';
import { ManualClock } from '../testing';
import { completeUtf8Length } from './utf8';

const encoder = new TextEncoder();

/** A small seeded PRNG so that a failing chunking can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// 1-, 2-, 3- and 4-byte characters, escape sequences and line ends.
const alphabet = ['a', 'Z', ' ', '\n', '\r\n', 'é', 'ß', '€', '日', '─', '🚀', '𝄞', '\x1b[31m', '\x1b[0m'];

function randomText(next: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

function randomChunks(next: () => number, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const len = 1 + Math.floor(next() * 9);
    chunks.push(bytes.slice(i, i + len));
    i += len;
  }
  return chunks;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const strict = new TextDecoder('utf-8', { fatal: true });

function collect(batcher: OutputBatcher): Uint8Array[] {
  const batches: Uint8Array[] = [];
  batcher.onBatch((b) => batches.push(b));
  return batches;
}

describe('completeUtf8Length', () => {
  it.each([
    ['é', 2],
    ['€', 3],
    ['🚀', 4],
  ])('cuts before every incomplete prefix of %s (%i bytes)', (ch, len) => {
    const bytes = encoder.encode(`ab${ch}`);
    for (let k = 1; k < len; k++) expect(completeUtf8Length(bytes.subarray(0, 2 + k))).toBe(2);
    expect(completeUtf8Length(bytes)).toBe(2 + len);
  });

  it('does not hold back bytes that can never become a character', () => {
    expect(completeUtf8Length(new Uint8Array([0x61, 0x80]))).toBe(2); // stray continuation
    expect(completeUtf8Length(new Uint8Array([0x61, 0xff]))).toBe(2); // never valid
    expect(completeUtf8Length(new Uint8Array([0xc0]))).toBe(1); // overlong lead
    expect(completeUtf8Length(new Uint8Array([0xe2, 0x82, 0xac, 0x80]))).toBe(4); // too many continuations
  });
});

describe('OutputBatcher', () => {
  it('random chunkings come out byte-identical, and no batch ends inside a character', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = rng(seed);
      const clock = new ManualClock();
      // A small cap so that size flushes happen often, mid-character too.
      const batcher = new OutputBatcher({ scheduler: clock, maxBytes: 1 + Math.floor(next() * 64) });
      const batches = collect(batcher);
      const input = encoder.encode(randomText(next, 300));
      for (const chunk of randomChunks(next, input)) {
        batcher.write(chunk);
        if (next() < 0.3) clock.advance(16);
      }
      clock.advance(16);
      expect(batcher.pendingBytes).toBe(0);
      expect(concat(batches)).toEqual(input);
      for (const batch of batches) expect(() => strict.decode(batch)).not.toThrow();
    }
  });

  it('splits a 2-, 3- and 4-byte character at every byte and still hands on whole characters', () => {
    for (const ch of ['é', '€', '🚀']) {
      const bytes = encoder.encode(ch);
      for (let split = 1; split < bytes.length; split++) {
        const clock = new ManualClock();
        const batcher = new OutputBatcher({ scheduler: clock });
        const batches = collect(batcher);
        batcher.write(bytes.slice(0, split));
        batcher.flush();
        expect(batches).toHaveLength(0);
        batcher.write(bytes.slice(split));
        clock.advance(16);
        expect(batches.map((b) => strict.decode(b))).toEqual([ch]);
      }
    }
  });

  it('output after a quiet spell (an echo) goes out on the next tick, all chunks of that tick in one batch', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    for (let i = 0; i < 50; i++) batcher.write(encoder.encode('x'));
    expect(batches).toHaveLength(0);
    clock.advance(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(50);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(100);
    batcher.write(encoder.encode('y'));
    clock.advance(0);
    expect(batches).toHaveLength(2);
  });

  it('a flood (more than IMMEDIATE_BYTES an interval) goes out once per frame after the first few chunks, not per chunk', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches: Array<{ at: number; length: number }> = [];
    batcher.onBatch((b) => batches.push({ at: clock.now(), length: b.length }));
    // 4 KiB every millisecond (4 MB/s) for 20 frames, each chunk in a tick of its own.
    const chunk = 4 * 1024;
    for (let ms = 0; ms < 20 * 16; ms++) {
      batcher.write(new Uint8Array(chunk).fill(0x41));
      clock.advance(0);
      clock.advance(1);
    }
    clock.advance(16);
    expect(batches.reduce((n, b) => n + b.length, 0)).toBe(20 * 16 * chunk);
    // The first interval hands on chunks at once until IMMEDIATE_BYTES went out; from then on one batch per frame.
    const immediate = IMMEDIATE_BYTES / chunk;
    expect(batches.slice(0, immediate).map((b) => b.at)).toEqual([...Array(immediate).keys()]);
    const later = batches.slice(immediate);
    expect(later.length).toBeLessThanOrEqual(21);
    for (let i = 1; i < later.length; i++) expect(later[i]!.at - later[i - 1]!.at).toBeGreaterThanOrEqual(16);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a trickle of tiny writes is capped at IMMEDIATE_BATCHES messages an interval, the rest waits for the frame', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    for (let i = 0; i < IMMEDIATE_BATCHES; i++) {
      batcher.write(encoder.encode('first'));
      clock.advance(0);
    }
    expect(batches).toHaveLength(IMMEDIATE_BATCHES);
    for (let i = 0; i < 50; i++) batcher.write(encoder.encode('x'));
    clock.advance(15);
    expect(batches).toHaveLength(IMMEDIATE_BATCHES);
    clock.advance(1);
    expect(batches).toHaveLength(IMMEDIATE_BATCHES + 1);
    expect(batches.at(-1)).toHaveLength(50);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keys typed as fast as their echoes come back (one every 0.5 ms) each get their echo on the next tick', () => {
    // The echo benchmark types like this: 32 keys in one interval, far past IMMEDIATE_BATCHES. Without inputSent
    // every fifth echo waited for the frame (≈ 14 ms), which was the whole of the benchmark's echo p99.
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    for (let i = 0; i < 32; i++) {
      clock.advance(0.5);
      batcher.inputSent();
      batcher.write(encoder.encode('k'));
      clock.advance(0);
      expect(batches).toHaveLength(i + 1);
    }
  });

  it('output that follows no input still waits for the frame once the interval has had IMMEDIATE_BATCHES', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    for (let i = 0; i < IMMEDIATE_BATCHES + 1; i++) {
      clock.advance(0.5);
      batcher.write(encoder.encode('k'));
      clock.advance(0);
    }
    expect(batches).toHaveLength(IMMEDIATE_BATCHES);
    clock.advance(16);
    expect(batches).toHaveLength(IMMEDIATE_BATCHES + 1);
  });

  it('a tmux-style flood (tiny writes every 0.25 ms) costs IMMEDIATE_BATCHES + 1 messages a frame, a key typed into it one more', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches: Array<{ at: number; text: string }> = [];
    batcher.onBatch((b) => batches.push({ at: clock.now(), text: new TextDecoder().decode(b) }));
    const frames = 10;
    for (let q = 0; q < frames * 64; q++) {
      if (q === 5 * 64 + 9) batcher.inputSent(); // Ctrl-C, in the middle of the sixth interval: its echo comes next
      batcher.write(encoder.encode(q === 5 * 64 + 9 ? '^C' : '.'));
      clock.advance(0);
      clock.advance(0.25);
    }
    clock.advance(16);
    expect(batches.map((b) => b.text).join('')).toBe('.'.repeat(5 * 64 + 9) + '^C' + '.'.repeat(frames * 64 - 5 * 64 - 10));
    expect(batches.length).toBeLessThanOrEqual(frames * (IMMEDIATE_BATCHES + 1) + 1);
    expect(batches.length).toBeGreaterThan(frames);
    // The output written right after the key went out on the next tick, not at the frame.
    const withKey = batches.find((b) => b.text.includes('^C'))!;
    expect(withKey.at).toBe((5 * 64 + 9) * 0.25);
    expect(clock.pendingTimers).toBe(0);
  });

  it('an echo right after a screen redraw still goes out at once while the interval stays under IMMEDIATE_BYTES', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    batcher.write(new Uint8Array(IMMEDIATE_BYTES / 2).fill(0x41)); // bash redrawing its line, tmux its screen
    clock.advance(0);
    clock.advance(1);
    batcher.write(encoder.encode('k'));
    clock.advance(0);
    expect(batches.map((b) => b.length)).toEqual([IMMEDIATE_BYTES / 2, 1]);
  });

  it('a large batch makes the rest of the interval wait for the frame', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    batcher.write(new Uint8Array(IMMEDIATE_BYTES).fill(0x41));
    clock.advance(0);
    batcher.write(encoder.encode('more'));
    clock.advance(15);
    expect(batches).toHaveLength(1);
    clock.advance(1);
    expect(batches).toHaveLength(2);
  });

  it('keys typed back to back each get their echo on the next tick', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    for (let i = 0; i < 20; i++) {
      clock.advance(5);
      batcher.write(encoder.encode('k'));
      clock.advance(0);
      expect(batches).toHaveLength(i + 1);
    }
  });

  it('flushes at once when the size cap is reached', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock, maxBytes: 10 });
    const batches = collect(batcher);
    batcher.write(encoder.encode('12345'));
    expect(batches).toHaveLength(0);
    batcher.write(encoder.encode('67890'));
    expect(batches.map((b) => new TextDecoder().decode(b))).toEqual(['1234567890']);
  });

  it('hands on an unfinished character once no bytes came for the tail timeout, so broken output is not held for ever', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock, tailTimeoutMs: 1000 });
    const batches = collect(batcher);
    batcher.write(new Uint8Array([0x61, 0xe2]));
    clock.advance(16);
    expect(concat(batches)).toEqual(new Uint8Array([0x61]));
    clock.advance(900);
    batcher.write(new Uint8Array([0x82])); // still a valid start: held again, timeout starts over
    clock.advance(900);
    expect(concat(batches)).toEqual(new Uint8Array([0x61]));
    clock.advance(200);
    expect(concat(batches)).toEqual(new Uint8Array([0x61, 0xe2, 0x82]));
    expect(batcher.pendingBytes).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a held start of a character that the next bytes break goes out with the next batch', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    batcher.write(new Uint8Array([0x61, 0xe2]));
    clock.advance(16);
    batcher.write(encoder.encode('b'));
    clock.advance(16);
    expect(concat(batches)).toEqual(new Uint8Array([0x61, 0xe2, 0x62]));
  });

  it('end() hands on every byte, an unfinished character too', () => {
    const batcher = new OutputBatcher({ scheduler: new ManualClock() });
    const batches = collect(batcher);
    batcher.write(new Uint8Array([0x61, 0xf0, 0x9f]));
    batcher.end();
    expect(concat(batches)).toEqual(new Uint8Array([0x61, 0xf0, 0x9f]));
  });

  it('a batch does not share memory with the held tail', () => {
    const batcher = new OutputBatcher({ scheduler: new ManualClock() });
    const batches = collect(batcher);
    batcher.write(new Uint8Array([0x61, 0x62, 0xe2]));
    batcher.flush();
    expect(batches[0]!.buffer.byteLength).toBeGreaterThanOrEqual(2);
    batcher.write(new Uint8Array([0x82, 0xac]));
    batcher.flush();
    expect(batches[1]!.buffer).not.toBe(batches[0]!.buffer);
    expect(new TextDecoder().decode(batches[1])).toBe('€');
  });

  it('after dispose nothing is handed on and no timer is left', () => {
    const clock = new ManualClock();
    const batcher = new OutputBatcher({ scheduler: clock });
    const batches = collect(batcher);
    batcher.write(encoder.encode('x'));
    batcher.dispose();
    batcher.write(encoder.encode('y'));
    clock.advance(100);
    expect(batches).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
