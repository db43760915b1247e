import { describe, expect, it } from 'vitest';
import { FLOW_HIGH_WATERMARK, FLOW_LOW_WATERMARK, FlowControl } from './FlowControl';
import { FakePtyChannel } from './testFakes';

describe('FlowControl', () => {
  it('pauses the channel once unacknowledged bytes pass the high watermark, and resumes below the low one', () => {
    const channel = new FakePtyChannel();
    const flow = new FlowControl({ high: 100, low: 20 });
    flow.setTarget(channel);
    flow.sent(100);
    expect(channel.paused).toBe(false);
    flow.sent(1);
    expect(channel.paused).toBe(true);
    flow.ack(60); // 41 left: between the marks, stays paused
    expect(channel.paused).toBe(true);
    flow.ack(21); // 20 left: not below the low mark yet
    expect(channel.paused).toBe(true);
    flow.ack(1);
    expect(channel.paused).toBe(false);
    expect(flow.unacknowledged).toBe(19);
  });

  it('pauses and resumes once per crossing, not per chunk', () => {
    const channel = new FakePtyChannel();
    const flow = new FlowControl({ high: 10, low: 5 });
    flow.setTarget(channel);
    for (let i = 0; i < 100; i++) flow.sent(1);
    for (let i = 0; i < 100; i++) flow.ack(1);
    expect(channel.pauseCalls).toBe(1);
    expect(channel.resumeCalls).toBe(1);
  });

  it('a channel handed over while the view is behind starts paused, and is the one resumed', () => {
    const old = new FakePtyChannel();
    const next = new FakePtyChannel();
    const flow = new FlowControl({ high: 10, low: 5 });
    flow.setTarget(old);
    flow.sent(11);
    flow.setTarget(next);
    expect(next.paused).toBe(true);
    flow.ack(11);
    expect(next.paused).toBe(false);
    expect(old.resumeCalls).toBe(0);
  });

  it('acknowledging more than was sent banks no credit', () => {
    const channel = new FakePtyChannel();
    const flow = new FlowControl({ high: 10, low: 5 });
    flow.setTarget(channel);
    flow.ack(1000);
    flow.sent(11);
    expect(channel.paused).toBe(true);
  });

  it('reset forgets the count and resumes', () => {
    const channel = new FakePtyChannel();
    const flow = new FlowControl({ high: 10, low: 5 });
    flow.setTarget(channel);
    flow.sent(50);
    flow.reset();
    expect(channel.paused).toBe(false);
    expect(flow.unacknowledged).toBe(0);
  });

  it('defaults: pause above 512 KiB, resume below 128 KiB', () => {
    expect(FLOW_HIGH_WATERMARK).toBe(512 * 1024);
    expect(FLOW_LOW_WATERMARK).toBe(128 * 1024);
    expect(() => new FlowControl({ high: 5, low: 5 })).toThrow();
  });
});
