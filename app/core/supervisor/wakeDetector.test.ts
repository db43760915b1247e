import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing';
import { WakeDetector } from './wakeDetector';

function setup(options: { intervalMs?: number; thresholdMs?: number } = {}) {
  const clock = new ManualClock();
  const detector = new WakeDetector({ clock, ...options });
  const wakes: number[] = [];
  detector.onWake((e) => wakes.push(e.sleptMs));
  return { clock, detector, wakes };
}

describe('WakeDetector', () => {
  it('stays quiet while ticks arrive on time', () => {
    const t = setup();
    t.clock.advance(10 * 60_000);
    expect(t.wakes).toEqual([]);
    expect(t.clock.pendingTimers).toBe(1);
    t.detector.dispose();
  });

  it('a tick that arrives far too late is a wake, reported once with how long the machine was away', () => {
    const t = setup();
    t.clock.advance(5000);
    t.clock.sleep(30_000);
    t.clock.advance(1000);
    expect(t.wakes).toEqual([30_000]);
    t.clock.advance(60_000);
    expect(t.wakes).toHaveLength(1);
    t.detector.dispose();
  });

  it('a busy event loop that makes a tick a few seconds late is not a wake', () => {
    const t = setup();
    t.clock.advance(1000); // tick; the next is due in 1 s
    t.clock.stall(4500);
    t.clock.advance(0); // 3.5 s late: below the 4 s threshold
    expect(t.wakes).toEqual([]);
    t.clock.stall(6000);
    t.clock.advance(0);
    expect(t.wakes).toEqual([5000]);
    t.detector.dispose();
  });

  it('honours its interval and threshold', () => {
    const t = setup({ intervalMs: 200, thresholdMs: 1000 });
    t.clock.sleep(1500);
    t.clock.advance(200);
    expect(t.wakes).toEqual([1500]);
    t.detector.dispose();
  });

  it('leaves no timer and fires nothing once disposed', () => {
    const t = setup();
    t.clock.advance(3000);
    t.detector.dispose();
    expect(t.clock.pendingTimers).toBe(0);
    t.clock.sleep(60_000);
    t.clock.advance(5000);
    expect(t.wakes).toEqual([]);
  });

  it('a listener may dispose the detector from inside onWake, and nothing is left ticking', () => {
    const clock = new ManualClock();
    const detector = new WakeDetector({ clock });
    let wakes = 0;
    detector.onWake(() => {
      wakes++;
      detector.dispose();
    });
    clock.sleep(10_000);
    clock.advance(1000);
    expect(wakes).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
