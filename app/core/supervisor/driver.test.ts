import { afterEach, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import type { HostStatus } from '../../shared/model';
import { HostSupervisor } from './driver';
import { ManualClock, FakeConnection, FakeConnector, flush } from '../testing';

const refused = () => new HoldfastError({ code: 'CONNECTION_REFUSED', message: 'Connection refused' });
const authFailed = () => new HoldfastError({ code: 'AUTH_FAILED', message: 'Permission denied' });

const live: HostSupervisor[] = [];

function setup(options: { random?: () => number; probeTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const connector = new FakeConnector();
  const supervisor = new HostSupervisor({ hostId: 'h1', connect: connector.connect, clock, random: options.random ?? (() => 0.5), probeTimeoutMs: options.probeTimeoutMs });
  live.push(supervisor);
  const statuses: HostStatus[] = [];
  supervisor.onDidChangeStatus((s) => statuses.push(s));
  const connects: Array<{ connection: unknown; reattach: boolean }> = [];
  supervisor.onDidConnect((e) => connects.push(e));
  let losses = 0;
  supervisor.onDidLoseConnection(() => losses++);
  return { clock, connector, supervisor, statuses, connects, losses: () => losses };
}

/** A supervisor connected once (attended), with `panes` panes. */
async function connectedHost(panes = 1, options: { random?: () => number; probeTimeoutMs?: number } = {}) {
  const t = setup(options);
  const pending = t.supervisor.ensureConnected();
  const first = t.connector.last.resolve();
  await expect(pending).resolves.toBe(first);
  t.supervisor.setPaneCount(panes);
  return { ...t, first };
}

afterEach(() => {
  for (const s of live.splice(0)) s.dispose();
});

describe('HostSupervisor', () => {
  it('ensureConnected connects attended, resolves with the connection and shows connecting then connected', async () => {
    const t = setup();
    const pending = t.supervisor.ensureConnected();
    expect(t.connector.calls).toHaveLength(1);
    expect(t.connector.last.unattended).toBe(false);
    expect(t.supervisor.status).toEqual({ hostId: 'h1', state: 'connecting' });
    const connection = t.connector.last.resolve();
    await expect(pending).resolves.toBe(connection);
    expect(t.supervisor.connection).toBe(connection);
    expect(t.statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(t.connects).toEqual([{ connection, reattach: false }]);
    // Already connected: no new attempt.
    await expect(t.supervisor.ensureConnected()).resolves.toBe(connection);
    expect(t.supervisor.stats.attemptsMade).toBe(1);
  });

  it('two callers waiting for one connect share the attempt', async () => {
    const t = setup();
    const a = t.supervisor.ensureConnected();
    const b = t.supervisor.ensureConnected();
    const connection = t.connector.last.resolve();
    await expect(Promise.all([a, b])).resolves.toEqual([connection, connection]);
    expect(t.supervisor.stats.attemptsMade).toBe(1);
  });

  it('a first connect that is refused rejects with the error and is not retried', async () => {
    const t = setup();
    const pending = t.supervisor.ensureConnected();
    t.connector.last.reject(refused());
    await expect(pending).rejects.toMatchObject({ name: 'HoldfastError', code: 'CONNECTION_REFUSED' });
    expect(t.supervisor.status).toEqual({ hostId: 'h1', state: 'idle', error: { code: 'CONNECTION_REFUSED', message: 'Connection refused' } });
    t.clock.advance(10 * 60_000);
    t.supervisor.wake();
    t.supervisor.networkUp();
    await flush();
    expect(t.supervisor.stats.attemptsMade).toBe(1);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('no retry storm: after an authentication failure exactly one attempt was made, whatever happens next', async () => {
    const t = await connectedHost(2);
    t.connector.respond = (call) => call.reject(authFailed());
    t.first.kill('keepalive');
    await flush();
    expect(t.supervisor.status.state).toBe('failed');
    expect(t.supervisor.stats.attemptsMade).toBe(2); // the first connect, then the one reconnect attempt
    for (let i = 0; i < 50; i++) {
      t.clock.advance(60_000);
      t.supervisor.wake();
      t.supervisor.networkUp();
      t.supervisor.networkChanged();
      t.supervisor.setPaneCount(3);
      await flush();
    }
    expect(t.supervisor.stats.attemptsMade).toBe(2);
    expect(t.supervisor.stats.liveTimers).toBe(0);
    expect(t.clock.pendingTimers).toBe(0);
    // The user acting is the way out, and it asks (attended).
    t.supervisor.retryNow();
    expect(t.supervisor.stats.attemptsMade).toBe(3);
    expect(t.connector.last.unattended).toBe(false);
  });

  it('a failure that waits for a retry rejects the caller, while the supervisor keeps trying for the panes', async () => {
    const t = await connectedHost(1);
    t.first.kill('closed');
    expect(t.connector.last.unattended).toBe(true);
    // The user lists sessions meanwhile: the unattended attempt becomes an attended one.
    const listing = t.supervisor.ensureConnected();
    expect(t.connector.calls).toHaveLength(3);
    expect(t.connector.calls[1]!.signal.aborted).toBe(true);
    t.connector.last.reject(refused());
    await expect(listing).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(t.supervisor.status).toMatchObject({ state: 'reconnecting', attempt: 2, nextRetryAt: t.clock.now() + 1000 });
    t.clock.advance(1000);
    expect(t.connector.calls).toHaveLength(4);
    expect(t.connector.last.unattended).toBe(true);
  });

  it('retries with backoff on the fake clock: immediately, then after 1 s, 2 s, 4 s, and the reconnect reattaches', async () => {
    const t = await connectedHost(1);
    t.connector.respond = (call) => call.reject(refused());
    t.first.kill('error');
    await flush();
    expect(t.losses()).toBe(1);
    expect(t.supervisor.stats.attemptsMade).toBe(2);
    const callsAfter = (ms: number) => {
      t.clock.advance(ms);
      return t.connector.calls.length;
    };
    // Each step: just before the due time nothing, at the due time one attempt.
    for (const [wait, expected] of [[1000, 3], [2000, 4], [4000, 5], [8000, 6]] as const) {
      expect(callsAfter(wait - 1)).toBe(expected - 1);
      expect(callsAfter(1)).toBe(expected);
      await flush();
    }
    t.connector.respond = (call) => void call.resolve();
    t.clock.advance(16_000);
    await flush();
    expect(t.supervisor.status.state).toBe('connected');
    expect(t.connects.at(-1)?.reattach).toBe(true);
    expect(t.supervisor.stats.liveTimers).toBe(0);
  });

  it('wake while connected probes; a failed probe drops the connection and the dial made alongside reconnects', async () => {
    const t = await connectedHost(1, { probeTimeoutMs: 1500 });
    t.first.probeResult = false;
    t.supervisor.wake();
    expect(t.first.probes).toEqual([1500]);
    await flush();
    expect(t.first.disposed).toBe(true);
    expect(t.first.listenerCount).toBe(0);
    expect(t.losses()).toBe(1);
    expect(t.connector.calls).toHaveLength(2);
    expect(t.connector.last.unattended).toBe(true);
    t.connector.last.resolve();
    await flush();
    expect(t.connects.at(-1)?.reattach).toBe(true);
  });

  it('a wake dials a new connection beside the probe; the old one answering first keeps it and the dial is dropped', async () => {
    const t = await connectedHost(1);
    t.supervisor.wake();
    expect(t.connector.calls).toHaveLength(2);
    const dial = t.connector.last;
    expect(dial.unattended).toBe(true);
    await flush();
    expect(t.first.disposed).toBe(false);
    expect(dial.signal.aborted).toBe(true);
    expect(t.supervisor.stats.liveTimers).toBe(0);
    const late = dial.resolve();
    await flush();
    expect(late.disposed).toBe(true);
    expect(t.supervisor.connection).toBe(t.first);
    expect(t.connects).toHaveLength(1);
  });

  it('a wake on a silently dead link: the new connection answers first, takes over, and the panes reattach once, on it', async () => {
    const t = await connectedHost(2);
    t.first.probeResult = () => new Promise<boolean>(() => {});
    t.supervisor.wake();
    const fresh = t.connector.last.resolve();
    await flush();
    expect(t.first.disposed).toBe(true);
    expect(t.first.listenerCount).toBe(0);
    expect(t.supervisor.connection).toBe(fresh);
    expect(t.losses()).toBe(1);
    expect(t.connects.map((c) => [c.connection === fresh, c.reattach])).toEqual([
      [false, false],
      [true, true],
    ]);
    // The old probe's guard was dropped with the old connection.
    expect(t.supervisor.stats).toMatchObject({ liveTimers: 0, liveConnections: 1, connectionListeners: 1 });
    t.clock.advance(10_000);
    await flush();
    expect(t.supervisor.connection).toBe(fresh);
  });

  it('a probe that never settles counts as failed once its guard runs out', async () => {
    const t = await connectedHost(1);
    t.first.probeResult = () => new Promise<boolean>(() => {});
    t.supervisor.networkChanged();
    expect(t.supervisor.stats.liveTimers).toBe(1);
    t.clock.advance(2999);
    expect(t.first.disposed).toBe(false);
    t.clock.advance(1);
    expect(t.first.disposed).toBe(true);
    expect(t.connector.calls).toHaveLength(2);
  });

  it('a connection that arrives for an abandoned attempt is disposed, never used', async () => {
    const t = await connectedHost(1);
    t.first.kill('closed');
    const stale = t.connector.last;
    t.clock.advance(5000); // the attempt hangs; then the machine sleeps and wakes
    t.supervisor.wake();
    expect(stale.signal.aborted).toBe(true);
    const current = t.connector.last;
    expect(current).not.toBe(stale);
    const late = stale.resolve();
    await flush();
    expect(late.disposed).toBe(true);
    expect(late.listenerCount).toBe(0);
    expect(t.supervisor.status.state).toBe('reconnecting');
    const good = current.resolve();
    await flush();
    expect(t.supervisor.connection).toBe(good);
    expect(t.supervisor.stats.liveConnections).toBe(1);
  });

  it('network down while waiting to retry cancels the timer; network up tries at once', async () => {
    const t = await connectedHost(1);
    t.connector.respond = (call) => call.reject(refused());
    t.first.kill('closed');
    await flush();
    expect(t.supervisor.stats.liveTimers).toBe(1);
    t.supervisor.networkDown();
    expect(t.supervisor.status.state).toBe('waiting-network');
    expect(t.clock.pendingTimers).toBe(0);
    t.clock.advance(10 * 60_000);
    expect(t.supervisor.stats.attemptsMade).toBe(2);
    t.connector.respond = (call) => void call.resolve();
    t.supervisor.networkUp();
    await flush();
    expect(t.supervisor.stats.attemptsMade).toBe(3);
    expect(t.supervisor.status.state).toBe('connected');
  });

  it('100 drop-and-return cycles leave no timers, one live connection and no listeners on the old ones', async () => {
    const t = await connectedHost(2);
    let fail = true;
    t.connector.respond = (call) => {
      // Every other cycle the first attempt is refused, so the retry timer is used too.
      if (fail) call.reject(refused());
      else call.resolve();
      fail = !fail;
    };
    for (let i = 0; i < 100; i++) {
      const current = t.supervisor.connection as FakeConnection;
      if (i % 3 === 2) {
        current.probeResult = false;
        t.supervisor.wake();
      } else current.kill(i % 2 ? 'keepalive' : 'closed');
      await flush();
      t.clock.advance(60_000);
      await flush();
      expect(t.supervisor.status.state).toBe('connected');
    }
    const all = [t.first, ...t.connector.connections.slice(1)];
    expect(all.length).toBeGreaterThanOrEqual(101);
    const current = t.supervisor.connection as FakeConnection;
    for (const c of all) {
      if (c === current) continue;
      expect(c.disposed).toBe(true);
      expect(c.listenerCount).toBe(0);
    }
    expect(current.disposed).toBe(false);
    expect(current.listenerCount).toBe(1);
    expect(t.clock.pendingTimers).toBe(0);
    expect(t.supervisor.stats).toMatchObject({ liveTimers: 0, liveConnections: 1, connectionListeners: 1, waiters: 0 });
    expect(t.connects.filter((c) => c.reattach)).toHaveLength(100);
    expect(t.losses()).toBe(100);
  });

  it('disconnect drops the connection and the host stays down', async () => {
    const t = await connectedHost(1);
    t.supervisor.disconnect();
    expect(t.first.disposed).toBe(true);
    expect(t.supervisor.status).toEqual({ hostId: 'h1', state: 'idle' });
    t.clock.advance(60_000);
    t.supervisor.wake();
    await flush();
    expect(t.supervisor.stats).toMatchObject({ attemptsMade: 1, liveConnections: 0, liveTimers: 0 });
  });

  it('disconnect during an attempt rejects the caller with CANCELLED and aborts the attempt', async () => {
    const t = setup();
    const pending = t.supervisor.ensureConnected();
    t.supervisor.disconnect();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(t.connector.last.signal.aborted).toBe(true);
    const late = t.connector.last.resolve();
    await flush();
    expect(late.disposed).toBe(true);
    expect(t.supervisor.stats.liveConnections).toBe(0);
  });

  it('dispose leaves nothing behind: no timers, no connection, aborted attempt, rejected callers', async () => {
    const t = await connectedHost(1);
    t.connector.respond = (call) => call.reject(refused());
    t.first.kill('closed');
    await flush();
    expect(t.clock.pendingTimers).toBe(1);
    t.connector.respond = undefined;
    t.supervisor.retryNow();
    const waiting = t.supervisor.ensureConnected();
    const inFlight = t.connector.last;
    t.supervisor.dispose();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(inFlight.signal.aborted).toBe(true);
    expect(t.clock.pendingTimers).toBe(0);
    const late = inFlight.resolve();
    await flush();
    expect(late.disposed).toBe(true);
    expect(t.supervisor.stats).toMatchObject({ liveTimers: 0, liveConnections: 0, connectionListeners: 0 });
    await expect(t.supervisor.ensureConnected()).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('a connect that throws at once counts as a failed attempt', async () => {
    const clock = new ManualClock();
    const supervisor = new HostSupervisor({
      hostId: 'gone',
      clock,
      connect: () => {
        throw new HoldfastError({ code: 'NOT_FOUND', message: 'This host no longer exists.' });
      },
    });
    live.push(supervisor);
    await expect(supervisor.ensureConnected()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(supervisor.status.state).toBe('failed');
  });

  it('a listener that disconnects from inside a status event sees a consistent supervisor', async () => {
    const t = setup();
    t.supervisor.onDidChangeStatus((s) => {
      if (s.state === 'connected') t.supervisor.disconnect();
    });
    const pending = t.supervisor.ensureConnected();
    const connection = t.connector.last.resolve();
    await expect(pending).resolves.toBe(connection);
    expect(connection.disposed).toBe(true);
    expect(t.supervisor.status.state).toBe('idle');
    expect(t.statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'idle']);
    expect(t.supervisor.stats.liveConnections).toBe(0);
  });
});
