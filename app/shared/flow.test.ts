import { describe, expect, it } from 'vitest';
import { FLOW } from './flow';

describe('flow-control constants', () => {
  it('keep the rule written beside them', () => {
    expect(FLOW.LOW_WATERMARK).toBeLessThan(FLOW.HIGH_WATERMARK);
    expect(FLOW.ACK_BYTES).toBeLessThanOrEqual((FLOW.HIGH_WATERMARK - FLOW.LOW_WATERMARK) / 2);
    expect(FLOW.BATCH_MAX_BYTES).toBeLessThanOrEqual(FLOW.LOW_WATERMARK);
    expect(FLOW.HIGH_WATERMARK).toBeLessThan(FLOW.STALE_BYTES);
  });
});
