import { describe, expect, it } from 'vitest';
import { ByteTail } from './byteTail';

describe('ByteTail', () => {
  it('keeps the newest bytes in order, at most its limit', () => {
    const tail = new ByteTail(8);
    tail.push(new Uint8Array([1, 2, 3]));
    tail.push(new Uint8Array([]));
    tail.push(new Uint8Array([4, 5, 6, 7, 8, 9]));
    expect([...tail.bytes()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    tail.push(new Uint8Array([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]));
    expect([...tail.bytes()]).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
  });
});
