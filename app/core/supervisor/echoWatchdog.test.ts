import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing';
import { ECHO_OVERDUE_MS, EchoWatchdog } from './echoWatchdog';

describe('EchoWatchdog', () => {
  it('calls for a probe when a key got no output at all, once per silence', () => {
    const clock = new ManualClock();
    let overdue = 0;
    const watchdog = new EchoWatchdog(clock, () => overdue++);
    watchdog.inputSent();
    clock.advance(ECHO_OVERDUE_MS - 1);
    watchdog.inputSent(); // more keys do not push the deadline out
    clock.advance(1);
    expect(overdue).toBe(1);
    clock.advance(10_000);
    expect(overdue).toBe(1);
  });

  it('stands down when any output arrives, and when the link is replaced', () => {
    const clock = new ManualClock();
    let overdue = 0;
    const watchdog = new EchoWatchdog(clock, () => overdue++);
    watchdog.inputSent();
    clock.advance(500);
    watchdog.outputReceived();
    clock.advance(5000);
    watchdog.inputSent();
    watchdog.reset();
    clock.advance(5000);
    expect(overdue).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    watchdog.inputSent();
    watchdog.dispose();
    expect(clock.pendingTimers).toBe(0);
  });
});
