import { describe, expect, it } from 'vitest';
import { AckBatcher } from './ackBatcher';

function manualScheduler() {
  const queued: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => {
      queued.push(fn);
      return { dispose: () => queued.splice(queued.indexOf(fn) >>> 0, 1) };
    },
    tick: () => queued.splice(0).forEach((fn) => fn()),
    get count() {
      return queued.length;
    },
  };
}

describe('AckBatcher', () => {
  it('sends one ack per tick for many small chunks', () => {
    const sent: number[] = [];
    const s = manualScheduler();
    const b = new AckBatcher((n) => sent.push(n), s.schedule, 1000);
    b.processed(10);
    b.processed(20);
    b.processed(30);
    expect(sent).toEqual([]);
    expect(s.count).toBe(1);
    s.tick();
    expect(sent).toEqual([60]);
  });

  it('acks at once when the threshold is reached, without waiting for the tick', () => {
    const sent: number[] = [];
    const s = manualScheduler();
    const b = new AckBatcher((n) => sent.push(n), s.schedule, 1000);
    b.processed(600);
    b.processed(600);
    expect(sent).toEqual([1200]);
    expect(s.count).toBe(0);
    b.processed(5);
    s.tick();
    expect(sent).toEqual([1200, 5]);
  });

  it('sends nothing after dispose and never an empty ack', () => {
    const sent: number[] = [];
    const s = manualScheduler();
    const b = new AckBatcher((n) => sent.push(n), s.schedule, 1000);
    b.flush();
    b.processed(0);
    b.processed(5);
    b.dispose();
    s.tick();
    b.processed(5000);
    expect(sent).toEqual([]);
  });
});
