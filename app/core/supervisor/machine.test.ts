import { describe, expect, it } from 'vitest';
import type { ErrorCode, HoldfastErrorData } from '../../shared/model';
import { HostStatus } from '../../shared/model';
import {
  checkState,
  DEFAULT_POLICY,
  initialState,
  RETRYABLE,
  retryDelayMs,
  statusOf,
  transition,
} from './machine';
import type { Effect, PhaseKind, SupervisorEvent, SupervisorEventType, SupervisorState } from './machine';

const T0 = 1_000_000;
const refused: HoldfastErrorData = { code: 'CONNECTION_REFUSED', message: 'Connection refused' };
const authFailed: HoldfastErrorData = { code: 'AUTH_FAILED', message: 'Permission denied' };

/** Folds events into a state and gathers every effect on the way. */
function run(state: SupervisorState, ...events: SupervisorEvent[]): { state: SupervisorState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const event of events) {
    const result = transition(state, event);
    state = result.state;
    effects.push(...result.effects);
  }
  return { state, effects };
}

function types(effects: readonly Effect[]): string[] {
  return effects.map((e) => e.type);
}

function connects(effects: readonly Effect[]) {
  return effects.filter((e): e is Extract<Effect, { type: 'Connect' }> => e.type === 'Connect');
}

function only<T extends Effect['type']>(effects: readonly Effect[], type: T): Extract<Effect, { type: T }> {
  const found = effects.filter((e) => e.type === type);
  expect(found, `exactly one ${type} in ${types(effects).join(', ')}`).toHaveLength(1);
  return found[0] as Extract<Effect, { type: T }>;
}

/** The id of the attempt in flight (from the state, as the driver would get it from Connect). */
function inFlightId(state: SupervisorState): number {
  const p = state.phase;
  if (p.kind === 'connecting') return p.inFlight.attemptId;
  if (p.kind === 'reconnecting' && p.pending.kind === 'attempt') return p.pending.inFlight.attemptId;
  if (p.kind === 'connected' && p.standby) return p.standby.attemptId;
  throw new Error(`no attempt in flight in ${p.kind}`);
}

function connectionId(state: SupervisorState): number {
  if (state.phase.kind !== 'connected') throw new Error(`not connected: ${state.phase.kind}`);
  return state.phase.connectionId;
}

function probeId(state: SupervisorState): number {
  if (state.phase.kind !== 'connected' || state.phase.probeId === undefined) throw new Error('no probe out');
  return state.phase.probeId;
}

const ev = {
  request: (now = T0): SupervisorEvent => ({ type: 'ConnectRequested', now }),
  retryNow: (now = T0): SupervisorEvent => ({ type: 'RetryNow', now }),
  connected: (s: SupervisorState, now = T0): SupervisorEvent => ({ type: 'Connected', now, attemptId: inFlightId(s) }),
  failed: (s: SupervisorState, error: HoldfastErrorData = refused, now = T0, random = 0.5): SupervisorEvent => ({
    type: 'ConnectFailed',
    now,
    attemptId: inFlightId(s),
    error,
    random,
  }),
  lost: (s: SupervisorState, now = T0): SupervisorEvent => ({ type: 'LinkLost', now, connectionId: connectionId(s), reason: 'keepalive' }),
  timer: (now = T0): SupervisorEvent => ({ type: 'RetryTimer', now }),
  wake: (now = T0): SupervisorEvent => ({ type: 'Wake', now }),
  echo: (now = T0): SupervisorEvent => ({ type: 'EchoOverdue', now }),
  up: (now = T0): SupervisorEvent => ({ type: 'NetworkUp', now }),
  down: (now = T0): SupervisorEvent => ({ type: 'NetworkDown', now }),
  changed: (now = T0): SupervisorEvent => ({ type: 'NetworkChanged', now }),
  probeOk: (s: SupervisorState, now = T0): SupervisorEvent => ({ type: 'ProbeOk', now, probeId: probeId(s) }),
  probeFailed: (s: SupervisorState, now = T0): SupervisorEvent => ({ type: 'ProbeFailed', now, probeId: probeId(s) }),
  panes: (count: number, now = T0): SupervisorEvent => ({ type: 'PanesChanged', now, count }),
  disconnect: (now = T0): SupervisorEvent => ({ type: 'DisconnectRequested', now }),
};

/** Reachable states, built through events so that the table below covers what can really happen. */
function connectedWithPanes(count = 2): SupervisorState {
  let s = run(initialState(), ev.request()).state;
  s = run(s, ev.connected(s), ev.panes(count)).state;
  return s;
}

function reconnectingInFlight(): SupervisorState {
  const s = connectedWithPanes();
  return run(s, ev.lost(s)).state;
}

function reconnectingOnTimer(): SupervisorState {
  const s = reconnectingInFlight();
  return run(s, ev.failed(s)).state;
}

function samples(): Array<{ name: string; state: SupervisorState }> {
  const out: Array<{ name: string; state: SupervisorState }> = [];
  const add = (name: string, state: SupervisorState) => out.push({ name, state });
  add('idle', initialState());
  const connecting = run(initialState(), ev.request()).state;
  add('connecting (attended)', connecting);
  add('idle with error', run(connecting, ev.failed(connecting)).state);
  add('failed', run(connecting, ev.failed(connecting, authFailed)).state);
  let c = run(connecting, ev.connected(connecting)).state;
  add('connected, no panes', c);
  c = connectedWithPanes();
  add('connected with panes', c);
  const probing = run(c, ev.changed()).state;
  add('connected, probe out', probing);
  add('connected, probe out and a new connection dialled alongside (wake)', run(c, ev.wake()).state);
  add('connected without panes, probe out after a wake', run(run(connecting, ev.connected(connecting)).state, ev.wake()).state);
  add('reconnecting, attempt in flight', reconnectingInFlight());
  add('reconnecting, timer', reconnectingOnTimer());
  add('reconnecting, attended attempt', run(reconnectingOnTimer(), ev.retryNow()).state);
  add('waiting-network', run(reconnectingOnTimer(), ev.down()).state);
  const failedWithPanes = reconnectingInFlight();
  add('failed with panes', run(failedWithPanes, ev.failed(failedWithPanes, authFailed)).state);
  add('idle after disconnect with panes', run(connectedWithPanes(), ev.disconnect()).state);
  const unattended = run(connectedWithPanes(), ev.down()).state;
  add('connected, network down', unattended);
  return out;
}

/** One event of every type, with ids that match the state where it has them, and ids that do not. */
function everyEvent(s: SupervisorState): SupervisorEvent[] {
  const attemptId = (() => {
    try {
      return inFlightId(s);
    } catch {
      return s.nextId - 1;
    }
  })();
  const conn = s.phase.kind === 'connected' ? s.phase.connectionId : 0;
  const probe = s.phase.kind === 'connected' && s.phase.probeId !== undefined ? s.phase.probeId : 0;
  const now = T0 + 5000;
  const table: Record<SupervisorEventType, SupervisorEvent[]> = {
    ConnectRequested: [{ type: 'ConnectRequested', now }],
    RetryNow: [{ type: 'RetryNow', now }],
    Connected: [
      { type: 'Connected', now, attemptId },
      { type: 'Connected', now, attemptId: attemptId + 100 },
    ],
    ConnectFailed: (Object.keys(RETRYABLE) as ErrorCode[]).flatMap((code): SupervisorEvent[] => [
      { type: 'ConnectFailed', now, attemptId, error: { code, message: code }, random: 0.3 },
      { type: 'ConnectFailed', now, attemptId: attemptId + 100, error: { code, message: code }, random: 0.3 },
    ]),
    LinkLost: [
      { type: 'LinkLost', now, connectionId: conn, reason: 'closed' },
      { type: 'LinkLost', now, connectionId: conn + 100, reason: 'error' },
    ],
    RetryTimer: [{ type: 'RetryTimer', now }],
    Wake: [{ type: 'Wake', now }],
    EchoOverdue: [{ type: 'EchoOverdue', now }],
    NetworkUp: [{ type: 'NetworkUp', now }],
    NetworkDown: [{ type: 'NetworkDown', now }],
    NetworkChanged: [{ type: 'NetworkChanged', now }],
    ProbeOk: [
      { type: 'ProbeOk', now, probeId: probe },
      { type: 'ProbeOk', now, probeId: probe + 100 },
    ],
    ProbeFailed: [
      { type: 'ProbeFailed', now, probeId: probe },
      { type: 'ProbeFailed', now, probeId: probe + 100 },
    ],
    PanesChanged: [0, 1, 3, -1, Number.NaN].map((count): SupervisorEvent => ({ type: 'PanesChanged', now, count })),
    DisconnectRequested: [{ type: 'DisconnectRequested', now }],
    PortAnswered: [{ type: 'PortAnswered', now }],
  };
  return Object.values(table).flat();
}

describe('transition: every state × every event', () => {
  const states = samples();

  it('the samples cover every phase', () => {
    const kinds = new Set(states.map((s) => s.state.phase.kind));
    const all: PhaseKind[] = ['idle', 'connecting', 'connected', 'reconnecting', 'waiting-network', 'failed'];
    expect([...kinds].sort()).toEqual([...all].sort());
    for (const { name, state } of states) expect(checkState(state), name).toEqual([]);
  });

  for (const { name, state } of states) {
    it(`from ${name}, every event gives a valid state, a status the contract accepts, and consistent effects`, () => {
      for (const event of everyEvent(state)) {
        const label = `${name} + ${JSON.stringify(event)}`;
        const { state: next, effects } = transition(state, event);
        expect(checkState(next), label).toEqual([]);
        expect(HostStatus.safeParse({ hostId: 'h', ...statusOf(next) }).success, label).toBe(true);
        // A status event exactly when what the UI shows changed, and it shows the new state.
        const emits = effects.filter((e) => e.type === 'EmitStatus');
        const changed = JSON.stringify(statusOf(state)) !== JSON.stringify(statusOf(next));
        expect(emits.length, label).toBe(changed ? 1 : 0);
        if (emits[0]) expect(emits[0].status, label).toEqual(statusOf(next));
        // At most one new attempt, and it is the one the state now waits for, with a fresh id.
        const c = connects(effects);
        expect(c.length, label).toBeLessThanOrEqual(1);
        if (c[0]) {
          expect(inFlightId(next), label).toBe(c[0].attemptId);
          expect(c[0].attemptId, label).toBeGreaterThanOrEqual(state.nextId);
        }
        // Failed never schedules anything on its own.
        if (next.phase.kind === 'failed' && state.phase.kind !== 'failed') {
          expect(types(effects), label).not.toContain('ScheduleRetry');
          expect(c, label).toHaveLength(0);
        }
        // A state with a timer got it from this event or had it before.
        if (next.phase.kind === 'reconnecting' && next.phase.pending.kind === 'timer' && next !== state) {
          const had = state.phase.kind === 'reconnecting' && state.phase.pending.kind === 'timer';
          expect(had || types(effects).includes('ScheduleRetry'), label).toBe(true);
        }
        // The input state is never mutated.
        expect(transition(state, event).state, label).toEqual(next);
      }
    });
  }
});

describe('backoff', () => {
  it('the first retry after a loss is immediate, then 1 s, 2 s, 4 s … capped at 30 s (no jitter at random 0.5)', () => {
    let s = connectedWithPanes();
    let r = run(s, ev.lost(s));
    s = r.state;
    expect(connects(r.effects)).toHaveLength(1);
    expect(types(r.effects)).not.toContain('ScheduleRetry');
    const delays: number[] = [];
    let now = T0;
    for (let i = 0; i < 8; i++) {
      r = run(s, ev.failed(s, refused, now, 0.5));
      s = r.state;
      const ms = only(r.effects, 'ScheduleRetry').ms;
      delays.push(ms);
      expect(statusOf(s)).toMatchObject({ state: 'reconnecting', attempt: i + 2, nextRetryAt: now + ms });
      now += ms;
      r = run(s, ev.timer(now));
      s = r.state;
      expect(only(r.effects, 'Connect').unattended).toBe(true);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitter moves each delay by at most 20 % and never past the cap', () => {
    expect(retryDelayMs(2, 0)).toBe(800);
    expect(retryDelayMs(2, 0.999999)).toBe(1200);
    expect(retryDelayMs(4, 0)).toBe(3200);
    for (const random of [0, 0.25, 0.5, 0.75, 0.999999, 5, -1, Number.NaN]) {
      for (let attempt = 1; attempt < 200; attempt++) {
        const ms = retryDelayMs(attempt, random);
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(DEFAULT_POLICY.maxDelayMs);
      }
    }
  });

  it('the random number comes in with the failure, so the same failure gives the same delay', () => {
    const s = reconnectingInFlight();
    const a = only(run(s, ev.failed(s, refused, T0, 0.1)).effects, 'ScheduleRetry').ms;
    const b = only(run(s, ev.failed(s, refused, T0, 0.1)).effects, 'ScheduleRetry').ms;
    const c = only(run(s, ev.failed(s, refused, T0, 0.9)).effects, 'ScheduleRetry').ms;
    expect(a).toBe(b);
    expect(c).toBeGreaterThan(a);
  });

  it('a success resets the backoff: the next loss retries at once, then after 1 s again', () => {
    let s = reconnectingInFlight();
    for (let i = 0; i < 5; i++) {
      s = run(s, ev.failed(s)).state;
      s = run(s, ev.timer()).state;
    }
    s = run(s, ev.connected(s)).state;
    let r = run(s, ev.lost(s));
    expect(connects(r.effects)).toHaveLength(1);
    expect(statusOf(r.state)).toMatchObject({ state: 'reconnecting', attempt: 1 });
    r = run(r.state, ev.failed(r.state));
    expect(only(r.effects, 'ScheduleRetry').ms).toBe(1000);
  });
});

describe('retrying at once', () => {
  it('Retry now skips the wait: the timer is cancelled and an attended attempt starts', () => {
    const r = run(reconnectingOnTimer(), ev.retryNow());
    expect(types(r.effects)).toContain('CancelRetry');
    expect(only(r.effects, 'Connect').unattended).toBe(false);
    expect(r.state.phase.kind).toBe('reconnecting');
  });

  it('a network coming up during the wait retries at once and counts the outage afresh', () => {
    let s = reconnectingOnTimer();
    for (let i = 0; i < 4; i++) {
      s = run(s, ev.timer()).state;
      s = run(s, ev.failed(s)).state;
    }
    expect(statusOf(s)).toMatchObject({ attempt: 6 });
    const r = run(s, ev.up());
    expect(types(r.effects)).toContain('CancelRetry');
    expect(only(r.effects, 'Connect').unattended).toBe(true);
    expect(statusOf(r.state)).toMatchObject({ state: 'reconnecting', attempt: 1 });
    const next = run(r.state, ev.failed(r.state));
    expect(only(next.effects, 'ScheduleRetry').ms).toBe(1000);
  });

  it('a change of addresses during the wait retries at once but keeps counting, so flapping cannot defeat the backoff', () => {
    let s = reconnectingOnTimer();
    for (let i = 0; i < 4; i++) {
      s = run(s, ev.timer()).state;
      s = run(s, ev.failed(s)).state;
    }
    const attemptBefore = statusOf(s).attempt!;
    const r = run(s, ev.changed());
    expect(types(r.effects)).toEqual(expect.arrayContaining(['CancelRetry', 'Connect']));
    expect(statusOf(r.state)).toMatchObject({ state: 'reconnecting', attempt: attemptBefore });
    const next = run(r.state, ev.failed(r.state));
    expect(only(next.effects, 'ScheduleRetry').ms).toBeGreaterThan(1000 * 2 ** (attemptBefore - 2) * 0.79);
  });

  it('a wake during the wait retries at once', () => {
    const r = run(reconnectingOnTimer(), ev.wake());
    expect(types(r.effects)).toEqual(expect.arrayContaining(['CancelRetry', 'Connect']));
  });

  it('a wake abandons an unattended attempt that was started before it, but not one that just started', () => {
    const s = reconnectingInFlight(); // started at T0
    const fresh = run(s, ev.wake(T0 + 10));
    expect(fresh.effects.filter((e) => e.type === 'Connect' || e.type === 'AbortConnect')).toEqual([]);
    const stale = run(s, ev.wake(T0 + 60_000));
    expect(only(stale.effects, 'AbortConnect').attemptId).toBe(inFlightId(s));
    expect(only(stale.effects, 'Connect').attemptId).toBe(inFlightId(stale.state));
  });

  it('a wake leaves an attended attempt alone: it may have a prompt open', () => {
    const s = run(reconnectingOnTimer(), ev.retryNow()).state;
    expect(run(s, ev.wake(T0 + 60_000)).effects).toEqual([]);
  });
});

describe('wake and probe', () => {
  it('a wake while connected probes the connection and dials a new one at the same time', () => {
    const r = run(connectedWithPanes(), ev.wake());
    expect(types(r.effects)).toEqual(['Probe', 'Connect']);
    expect(only(r.effects, 'Probe').timeoutMs).toBe(2000);
    expect(only(r.effects, 'Connect').unattended).toBe(true);
    expect(statusOf(r.state)).toEqual({ state: 'connected' });
    // A second wake signal for the same resume starts neither a second probe nor a second dial.
    expect(run(r.state, ev.wake()).effects).toEqual([]);
  });

  it('the old connection answering first keeps it and stops the dial', () => {
    let s = run(connectedWithPanes(), ev.wake()).state;
    const dial = inFlightId(s);
    const r = run(s, ev.probeOk(s));
    expect(r.effects).toEqual([{ type: 'AbortConnect', attemptId: dial }]);
    s = r.state;
    expect(s.phase).toEqual({ kind: 'connected', connectionId: connectionId(s) });
    // The dial's late success is stale: the driver disposes the connection.
    expect(run(s, { type: 'Connected', now: T0, attemptId: dial }).effects).toEqual([]);
  });

  it('the new connection answering first replaces the old one: the panes leave the old one, then reattach on the new', () => {
    const s = run(connectedWithPanes(), ev.wake()).state;
    const old = connectionId(s);
    const r = run(s, ev.connected(s));
    expect(types(r.effects)).toEqual(['DropConnection', 'MarkPanesLost', 'UseConnection', 'Reattach']);
    expect(connectionId(r.state)).not.toBe(old);
    expect(statusOf(r.state)).toEqual({ state: 'connected' });
    // The old probe's late answer changes nothing.
    expect(run(r.state, { type: 'ProbeFailed', now: T0, probeId: probeId(s) }).effects).toEqual([]);
  });

  it('a failed probe with a dial under way makes that dial the first reconnect attempt, without starting another', () => {
    const s = run(connectedWithPanes(), ev.wake()).state;
    const dial = inFlightId(s);
    const r = run(s, ev.probeFailed(s));
    expect(types(r.effects)).toEqual(['DropConnection', 'MarkPanesLost', 'EmitStatus']);
    expect(statusOf(r.state)).toEqual({ state: 'reconnecting', attempt: 1 });
    const back = run(r.state, { type: 'Connected', now: T0, attemptId: dial });
    expect(types(back.effects)).toEqual(['UseConnection', 'Reattach', 'EmitStatus']);
  });

  it('a dial that fails while the probe is out changes nothing; the probe still decides', () => {
    const s = run(connectedWithPanes(), ev.wake()).state;
    const r = run(s, ev.failed(s));
    expect(r.effects).toEqual([]);
    expect(r.state.phase).toEqual({ kind: 'connected', connectionId: connectionId(s), probeId: probeId(s) });
    const lost = run(r.state, ev.probeFailed(r.state));
    expect(types(lost.effects)).toEqual(['DropConnection', 'MarkPanesLost', 'Connect', 'EmitStatus']);
  });

  it('a wake on a host without panes only probes: nothing there needs a second connection', () => {
    let s = run(initialState(), ev.request()).state;
    s = run(s, ev.connected(s)).state;
    expect(types(run(s, ev.wake()).effects)).toEqual(['Probe']);
  });

  it('the last pane closing or a disconnect stops the dial', () => {
    const s = run(connectedWithPanes(), ev.wake()).state;
    const dial = inFlightId(s);
    expect(run(s, ev.panes(0)).effects).toEqual([{ type: 'AbortConnect', attemptId: dial }]);
    expect(types(run(s, ev.disconnect()).effects)).toEqual(['AbortConnect', 'DropConnection', 'MarkPanesLost', 'EmitStatus']);
  });

  it('a failed probe drops the connection, marks the panes lost and reconnects at once', () => {
    const s = run(connectedWithPanes(), ev.changed()).state;
    const r = run(s, ev.probeFailed(s));
    expect(types(r.effects).slice(0, 3)).toEqual(['DropConnection', 'MarkPanesLost', 'Connect']);
    expect(only(r.effects, 'Connect').unattended).toBe(true);
    expect(statusOf(r.state)).toMatchObject({ state: 'reconnecting', attempt: 1 });
  });

  it('a probe that answers keeps the connection, and the next wake probes again', () => {
    let s = run(connectedWithPanes(), ev.changed()).state;
    const r = run(s, ev.probeOk(s));
    expect(r.effects).toEqual([]);
    s = r.state;
    expect(s.phase).toEqual({ kind: 'connected', connectionId: connectionId(s) });
    expect(types(run(s, ev.changed()).effects)).toEqual(['Probe']);
  });

  it('the answer of an old probe is ignored', () => {
    const s = run(connectedWithPanes(), ev.changed()).state;
    const old = probeId(s) - 1;
    expect(run(s, { type: 'ProbeFailed', now: T0, probeId: old }).effects).toEqual([]);
  });

  it('a network change while connected probes, without dialling (an interface that flaps must not churn connections)', () => {
    expect(types(run(connectedWithPanes(), ev.changed()).effects)).toEqual(['Probe']);
    expect(types(run(connectedWithPanes(), ev.up()).effects)).toEqual(['Probe']);
  });

  it('a key with no echo probes the connection with the shorter echo timeout, once', () => {
    const r = run(connectedWithPanes(), ev.echo());
    expect(only(r.effects, 'Probe').timeoutMs).toBe(DEFAULT_POLICY.echoProbeTimeoutMs);
    expect(run(r.state, ev.echo()).effects).toEqual([]);
    expect(types(run(r.state, ev.probeFailed(r.state)).effects).slice(0, 3)).toEqual(['DropConnection', 'MarkPanesLost', 'Connect']);
    // Nothing to probe when not connected.
    expect(run(reconnectingOnTimer(), ev.echo()).effects).toEqual([]);
  });
});

describe('network down', () => {
  it('while waiting to retry, the host waits for the network and no attempt is made', () => {
    let r = run(reconnectingOnTimer(), ev.down());
    expect(types(r.effects)).toEqual(['CancelRetry', 'EmitStatus']);
    expect(statusOf(r.state)).toEqual({ state: 'waiting-network', error: refused });
    r = run(r.state, ev.timer(T0 + 60_000), ev.down());
    expect(connects(r.effects)).toEqual([]);
  });

  it('an attempt in flight is abandoned when the network goes', () => {
    const s = reconnectingInFlight();
    const r = run(s, ev.down());
    expect(only(r.effects, 'AbortConnect').attemptId).toBe(inFlightId(s));
    expect(r.state.phase.kind).toBe('waiting-network');
  });

  it('the network coming back tries at once', () => {
    const s = run(reconnectingOnTimer(), ev.down()).state;
    const r = run(s, ev.up());
    expect(only(r.effects, 'Connect').unattended).toBe(true);
    expect(r.state.phase.kind).toBe('reconnecting');
  });

  it('a link lost while there is no network goes straight to waiting, with no attempt', () => {
    let s = run(connectedWithPanes(), ev.down()).state;
    expect(s.phase.kind).toBe('connected');
    const r = run(s, ev.lost(s));
    s = r.state;
    expect(connects(r.effects)).toEqual([]);
    expect(types(r.effects)).toEqual(['DropConnection', 'MarkPanesLost', 'EmitStatus']);
    expect(s.phase.kind).toBe('waiting-network');
  });

  it('a retryable failure while the network is down waits instead of scheduling', () => {
    let s = reconnectingInFlight();
    s = { ...s, network: 'down' };
    const r = run(s, ev.failed(s));
    expect(types(r.effects)).not.toContain('ScheduleRetry');
    expect(r.state.phase.kind).toBe('waiting-network');
  });
});

describe('errors that need the user', () => {
  const needsUser = (Object.keys(RETRYABLE) as ErrorCode[]).filter((code) => !RETRYABLE[code]);

  it('authentication, host-key, validation and cancelled errors are not retried; network errors are', () => {
    expect(needsUser.sort()).toEqual(['AUTH_FAILED', 'BUSY', 'CANCELLED', 'FORBIDDEN', 'HOST_KEY_CHANGED', 'HOST_KEY_REJECTED', 'HOST_KEY_REVOKED', 'NOT_FOUND', 'STALE', 'VALIDATION']);
    for (const code of ['CONNECTION_REFUSED', 'HOST_NOT_FOUND', 'TIMEOUT', 'NETWORK'] as const) expect(RETRYABLE[code]).toBe(true);
  });

  for (const code of ['AUTH_FAILED', 'HOST_KEY_REJECTED', 'HOST_KEY_CHANGED', 'HOST_KEY_REVOKED', 'VALIDATION', 'CANCELLED', 'NOT_FOUND'] as const) {
    it(`${code} during a reconnect fails the host, and nothing but the user brings it back`, () => {
      const s = reconnectingInFlight();
      const error = { code, message: code };
      let r = run(s, ev.failed(s, error));
      expect(statusOf(r.state)).toEqual({ state: 'failed', error });
      expect(types(r.effects)).toEqual(['AttemptFailed', 'EmitStatus']);
      r = run(r.state, ev.timer(T0 + 60_000), ev.wake(T0 + 60_000), ev.up(), ev.changed(), ev.down(), ev.up(), ev.panes(3));
      expect(connects(r.effects)).toEqual([]);
      expect(r.state.phase.kind).toBe('failed');
      const retry = run(r.state, ev.retryNow());
      expect(only(retry.effects, 'Connect').unattended).toBe(false);
    });
  }

  it('a cancelled prompt on a host without panes leaves it idle with the error, not failed', () => {
    const s = run(initialState(), ev.request()).state;
    const cancelled = { code: 'CANCELLED' as const, message: 'Cancelled' };
    expect(statusOf(run(s, ev.failed(s, cancelled)).state)).toEqual({ state: 'idle', error: cancelled });
  });
});

describe('first connect, panes and staleness', () => {
  it('a first connect that fails is shown, not retried', () => {
    const s = run(initialState(), ev.request()).state;
    expect(only([...run(initialState(), ev.request()).effects], 'Connect').unattended).toBe(false);
    let r = run(s, ev.failed(s, { code: 'HOST_NOT_FOUND', message: 'No such host' }));
    expect(statusOf(r.state)).toEqual({ state: 'idle', error: { code: 'HOST_NOT_FOUND', message: 'No such host' } });
    expect(types(r.effects)).toEqual(['AttemptFailed', 'EmitStatus']);
    r = run(r.state, ev.timer(), ev.wake(), ev.up(), ev.changed());
    expect(connects(r.effects)).toEqual([]);
  });

  it('a host without panes is not reconnected when its link drops', () => {
    let s = run(initialState(), ev.request()).state;
    s = run(s, ev.connected(s)).state;
    const r = run(s, ev.lost(s));
    expect(connects(r.effects)).toEqual([]);
    expect(types(r.effects)).toEqual(['DropConnection', 'MarkPanesLost', 'EmitStatus']);
    expect(statusOf(r.state)).toEqual({ state: 'idle' });
  });

  it('a host with panes retries unattended until it connects, then reattaches', () => {
    let s = reconnectingInFlight();
    let attempts = 1;
    for (let i = 0; i < 20; i++) {
      s = run(s, ev.failed(s, { code: 'TIMEOUT', message: 't' })).state;
      const r = run(s, ev.timer());
      attempts += connects(r.effects).length;
      expect(only(r.effects, 'Connect').unattended).toBe(true);
      s = r.state;
    }
    expect(attempts).toBe(21);
    const r = run(s, ev.connected(s));
    expect(types(r.effects)).toEqual(['UseConnection', 'Reattach', 'EmitStatus']);
  });

  it('a first connect does not reattach anything', () => {
    const s = run(initialState(), ev.request()).state;
    expect(types(run(s, ev.connected(s)).effects)).toEqual(['UseConnection', 'EmitStatus']);
  });

  it('the last pane closing stops the reconnect', () => {
    const s = reconnectingInFlight();
    const r = run(s, ev.panes(0));
    expect(types(r.effects)).toEqual(['AbortConnect', 'AttemptFailed', 'EmitStatus']);
    expect(statusOf(r.state)).toEqual({ state: 'idle' });
    const onTimer = run(reconnectingOnTimer(), ev.panes(0));
    expect(types(onTimer.effects)).toEqual(['CancelRetry', 'EmitStatus']);
  });

  it('a result for an old attempt is ignored', () => {
    const s = reconnectingInFlight();
    const old = inFlightId(s);
    const restarted = run(s, ev.retryNow()).state; // unattended attempt restarted attended
    expect(inFlightId(restarted)).not.toBe(old);
    expect(run(restarted, { type: 'Connected', now: T0, attemptId: old })).toEqual({ state: restarted, effects: [] });
    expect(run(restarted, { type: 'ConnectFailed', now: T0, attemptId: old, error: authFailed, random: 0 })).toEqual({ state: restarted, effects: [] });
    const c = run(restarted, ev.connected(restarted)).state;
    expect(run(c, { type: 'LinkLost', now: T0, connectionId: old, reason: 'closed' }).effects).toEqual([]);
  });

  it('the user asking for a connection during an unattended attempt restarts it attended, once', () => {
    const s = reconnectingInFlight();
    const r = run(s, ev.request());
    expect(types(r.effects)).toEqual(['AbortConnect', 'Connect']);
    expect(only(r.effects, 'Connect').unattended).toBe(false);
    expect(run(r.state, ev.request()).effects).toEqual([]);
  });

  it('disconnect stops everything and does not come back on its own', () => {
    const s = connectedWithPanes();
    let r = run(s, ev.disconnect());
    expect(types(r.effects)).toEqual(['DropConnection', 'MarkPanesLost', 'EmitStatus']);
    r = run(r.state, ev.wake(), ev.up(), ev.timer(), ev.panes(3));
    expect(connects(r.effects)).toEqual([]);
    // Connecting again later reattaches the panes that were there.
    r = run(r.state, ev.request());
    const again = run(r.state, ev.connected(r.state));
    expect(types(again.effects)).toContain('Reattach');
  });
});
