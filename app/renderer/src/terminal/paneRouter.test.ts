import { describe, expect, it } from 'vitest';
import { PaneRouter } from './paneRouter';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('PaneRouter', () => {
  it('delivers output that arrived before the view claimed the pane, in order, then live output', () => {
    const r = new PaneRouter();
    r.deliver('p1', bytes(1));
    r.deliver('p2', bytes(9));
    r.deliver('p1', bytes(2));
    const got: number[] = [];
    r.claim('p1', (d) => got.push(...d));
    r.deliver('p1', bytes(3));
    expect(got).toEqual([1, 2, 3]);
  });

  it('stops delivering after the claim is disposed and bounds what it holds', () => {
    const r = new PaneRouter(3);
    const got: number[] = [];
    const claim = r.claim('p1', (d) => got.push(...d));
    claim.dispose();
    r.deliver('p1', bytes(1, 2));
    r.deliver('p1', bytes(3, 4)); // over the bound: dropped
    r.claim('p1', (d) => got.push(...d));
    expect(got).toEqual([1, 2]);
  });
});
