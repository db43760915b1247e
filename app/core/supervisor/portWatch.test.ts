// A server that restarts: while a host with panes waits out a backoff after nobody answered, its port is tried
// every second (a TCP connect), and the handshake goes as soon as the port answers again, however far the backoff
// had grown. A server that answers and refuses keeps its backoff; a port that answered from the start (a jump host in
// front of a server that is down) triggers nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { FakeConnector, flush, ManualClock } from '../testing';
import { HostSupervisor } from './driver';
import { initialState, transition, watchesPort, type SupervisorState } from './machine';

const refused = () => new HoldfastError({ code: 'CONNECTION_REFUSED', message: 'Connection refused' });
const live: HostSupervisor[] = [];
afterEach(() => {
  for (const s of live.splice(0)) s.dispose();
});

describe('watchesPort', () => {
  const waiting = (code: HoldfastError['code'], extra: Partial<SupervisorState> = {}): SupervisorState => ({
    ...initialState(),
    paneCount: 1,
    phase: { kind: 'reconnecting', attempt: 5, pending: { kind: 'timer', retryAt: 30_000 }, lastError: { code, message: 'x' } },
    ...extra,
  });

  it('watches while a host with panes waits out a backoff after nobody answered', () => {
    for (const code of ['CONNECTION_REFUSED', 'TIMEOUT', 'NETWORK', 'HOST_NOT_FOUND'] as const) expect(watchesPort(waiting(code))).toBe(true);
  });

  it('does not watch a server that answered and failed otherwise, a host without panes, or with the network down', () => {
    expect(watchesPort(waiting('INTERNAL'))).toBe(false);
    expect(watchesPort(waiting('CONNECTION_REFUSED', { paneCount: 0 }))).toBe(false);
    expect(watchesPort(waiting('CONNECTION_REFUSED', { network: 'down' }))).toBe(false);
    expect(watchesPort(initialState())).toBe(false);
  });

  it('PortAnswered cancels the backoff and starts the attempt now, keeping the count', () => {
    const { state, effects } = transition(waiting('CONNECTION_REFUSED'), { type: 'PortAnswered', now: 1000 });
    expect(effects.map((e) => e.type)).toEqual(expect.arrayContaining(['CancelRetry', 'Connect']));
    expect(state.phase).toMatchObject({ kind: 'reconnecting', attempt: 5, pending: { kind: 'attempt' } });
    // Anywhere else it means nothing.
    expect(transition(initialState(), { type: 'PortAnswered', now: 1 }).effects).toEqual([]);
  });
});

describe('HostSupervisor watching a server that is down', () => {
  function setup(portAnswersNow: () => boolean) {
    const clock = new ManualClock();
    const connector = new FakeConnector();
    let checks = 0;
    const supervisor = new HostSupervisor({
      hostId: 'h1',
      connect: connector.connect,
      clock,
      random: () => 0.5,
      policy: { baseDelayMs: 1000, maxDelayMs: 60_000, portWatchMs: 1000 },
      portAnswers: async () => {
        checks++;
        return portAnswersNow();
      },
    });
    live.push(supervisor);
    return { clock, connector, supervisor, checks: () => checks };
  }

  /** Connected with a pane, then the link lost and the server refusing for `failures` attempts. */
  async function downFor(t: ReturnType<typeof setup>, failures: number) {
    const pending = t.supervisor.ensureConnected();
    const first = t.connector.last.resolve();
    await pending;
    t.supervisor.setPaneCount(1);
    first.kill('closed');
    for (let i = 0; i < failures; i++) {
      await flush();
      t.connector.last.reject(refused());
      await flush();
      if (i < failures - 1) t.clock.advance((t.supervisor.status as { nextRetryAt: number }).nextRetryAt - t.clock.now());
    }
  }

  it('tries the port every second while it waits, and connects as soon as it answers, long before the backoff', async () => {
    let up = false;
    const t = setup(() => up);
    await downFor(t, 6);
    const status = t.supervisor.status as { state: string; nextRetryAt: number };
    expect(status.state).toBe('reconnecting');
    const attempts = t.connector.calls.length;
    // The backoff has grown to half a minute; the port is tried every second meanwhile.
    expect(status.nextRetryAt - t.clock.now()).toBeGreaterThan(20_000);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      await flush();
    }
    expect(t.checks()).toBeGreaterThanOrEqual(3);
    expect(t.connector.calls.length).toBe(attempts);
    // The server is back.
    up = true;
    t.clock.advance(1000);
    await flush();
    expect(t.connector.calls.length).toBe(attempts + 1);
    expect(t.connector.last.unattended).toBe(true);
    t.connector.last.resolve();
    await flush();
    expect(t.supervisor.status.state).toBe('connected');
    // Connected: the watch stopped, and the supervisor holds no timer.
    const checks = t.checks();
    t.clock.advance(5000);
    await flush();
    expect(t.checks()).toBe(checks);
    expect(t.supervisor.stats.liveTimers).toBe(0);
  });

  it('a port that answered from the first check on (a jump host in front) starts nothing: the backoff decides', async () => {
    const t = setup(() => true);
    await downFor(t, 4);
    const attempts = t.connector.calls.length;
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      await flush();
    }
    expect(t.checks()).toBeGreaterThanOrEqual(3);
    expect(t.connector.calls.length).toBe(attempts);
  });
});
