// The reconnect policy of one host as data: transition(state, event) → { state, effects }.
// Pure: no timers, no I/O, no clock. Time and randomness arrive inside events; the driver (driver.ts) runs the
// effects. Every (phase × event) pair has a defined result; pairs that mean nothing leave the state alone.
import type { ErrorCode, HoldfastErrorData, HostStatus } from '../../shared/model';

// ---------- policy ----------

export interface SupervisorPolicy {
  /** Delay before the second attempt of an outage; the first is made at once. */
  readonly baseDelayMs: number;
  /** No automatic wait is longer than this. */
  readonly maxDelayMs: number;
  /** ± fraction applied to each delay, so that many hosts do not retry in lockstep. */
  readonly jitter: number;
  /** Round-trip check after a wake or a network change, instead of waiting for keepalives. */
  readonly probeTimeoutMs: number;
  /**
   * Round-trip check when a key typed into a pane got no echo and no output at all for a while (EchoOverdue): the
   * user is waiting on this link right now. The driver lengthens it on a link measured to be slow.
   */
  readonly echoProbeTimeoutMs: number;
  /**
   * An unattended attempt older than this is abandoned and restarted when the machine wakes or the network
   * changes (its socket may be stuck on a route that is gone). Younger ones are kept, so that two wake signals
   * for one resume (powerMonitor and the clock-jump detector) do not restart each other's attempt.
   */
  readonly restartAttemptAfterMs: number;
  /** After a wake, dial a new connection beside the old one's probe (whichever answers first stays). */
  readonly dialOnWake: boolean;
  /**
   * While a backoff is waited out after the server did not answer, its port is tried this often (a TCP connect costs
   * nothing): when it starts answering, the handshake goes at once (see watchesPort).
   */
  readonly portWatchMs: number;
}

export const DEFAULT_POLICY: SupervisorPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  jitter: 0.2,
  probeTimeoutMs: 2000,
  echoProbeTimeoutMs: 1500,
  restartAttemptAfterMs: 1000,
  dialOnWake: true,
  portWatchMs: 1000,
};

/**
 * Which connect errors are worth another automatic try. Network-ish errors are; anything the user has to act
 * on (credentials, host keys, a bad profile, a cancelled prompt) is not: retrying would only repeat it.
 * A Record so that a new ErrorCode does not compile until someone decides.
 */
export const RETRYABLE: Readonly<Record<ErrorCode, boolean>> = {
  CONNECTION_REFUSED: true,
  HOST_NOT_FOUND: true,
  TIMEOUT: true,
  NETWORK: true,
  // An unclassified failure during an outage is most likely the outage; backoff keeps it from storming.
  INTERNAL: true,
  TMUX_MISSING: true,
  SESSION_GONE: true,
  AUTH_FAILED: false,
  HOST_KEY_REJECTED: false,
  HOST_KEY_CHANGED: false,
  HOST_KEY_REVOKED: false,
  VALIDATION: false,
  CANCELLED: false,
  NOT_FOUND: false,
  BUSY: false,
  STALE: false,
  FORBIDDEN: false,
};

export function isRetryable(error: HoldfastErrorData): boolean {
  return RETRYABLE[error.code] ?? false;
}

/** Errors that say nobody answered at all (the server is down, restarting or unreachable), as opposed to refused. */
const NOBODY_ANSWERED: ReadonlySet<ErrorCode> = new Set(['CONNECTION_REFUSED', 'TIMEOUT', 'NETWORK', 'HOST_NOT_FOUND']);

/**
 * Wait before attempt `attempt` of an outage (attempt 1 is immediate): base·2^(attempt−2), ± jitter, capped.
 * `random` is in [0, 1); 0.5 means no jitter.
 */
export function retryDelayMs(attempt: number, random: number, policy: SupervisorPolicy = DEFAULT_POLICY): number {
  if (attempt <= 1) return 0;
  const exponent = Math.min(attempt - 2, 30);
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const r = Number.isFinite(random) ? Math.min(1, Math.max(0, random)) : 0.5;
  const jittered = raw * (1 + policy.jitter * (2 * r - 1));
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(jittered)));
}

// ---------- state ----------

/** A connection attempt in flight. Its id travels with Connect and comes back with Connected/ConnectFailed. */
export interface InFlight {
  readonly attemptId: number;
  /** Unattended attempts may not prompt (no host-key question, secrets only from the store). */
  readonly unattended: boolean;
  readonly startedAt: number;
}

export type Phase =
  | { readonly kind: 'idle'; readonly error?: HoldfastErrorData }
  /** A connect the user asked for while nothing was lost. */
  | { readonly kind: 'connecting'; readonly inFlight: InFlight }
  /**
   * `probeId` is set while a round-trip check is out. The connection's id is the attempt that made it. `standby` is
   * a new connection dialled alongside the probe after a wake: whichever answers first wins.
   */
  | { readonly kind: 'connected'; readonly connectionId: number; readonly probeId?: number; readonly standby?: InFlight }
  /** Getting a host with panes back: either an attempt is in flight or a retry timer is set. */
  | {
      readonly kind: 'reconnecting';
      readonly attempt: number;
      readonly pending: { readonly kind: 'attempt'; readonly inFlight: InFlight } | { readonly kind: 'timer'; readonly retryAt: number };
      readonly lastError?: HoldfastErrorData;
    }
  /** A host with panes, no connection and no network: nothing is tried until the network or a wake comes. */
  | { readonly kind: 'waiting-network'; readonly lastError?: HoldfastErrorData }
  /** Needs the user (credentials, host key, cancelled prompt): no automatic retry. */
  | { readonly kind: 'failed'; readonly error: HoldfastErrorData };

export type PhaseKind = Phase['kind'];

export interface SupervisorState {
  readonly phase: Phase;
  /** Panes open on this host. A host with panes is kept up; one without is not reconnected automatically. */
  readonly paneCount: number;
  /** Last known network state; unknown counts as up. */
  readonly network: 'up' | 'down';
  /** The next attempt or probe id; ids only grow, so a late answer can always be told from a current one. */
  readonly nextId: number;
  /** A connection carrying panes was lost since the last successful connect: reattach on the next one. */
  readonly panesLost: boolean;
}

export function initialState(): SupervisorState {
  return { phase: { kind: 'idle' }, paneCount: 0, network: 'up', nextId: 1, panesLost: false };
}

// ---------- events ----------

/** Every event carries `now` (epoch ms from the driver's clock): the machine never reads a clock itself. */
export type SupervisorEvent =
  /** The user listed sessions or opened a pane: connect if needed, attended. */
  /** Someone wants a connection now; `unattended` when it must not ask anything (a paired device asked). */
  | { readonly type: 'ConnectRequested'; readonly now: number; readonly unattended?: boolean }
  /** The user pressed Retry now: skip the wait (and the way out of failed), attended. */
  | { readonly type: 'RetryNow'; readonly now: number }
  | { readonly type: 'Connected'; readonly now: number; readonly attemptId: number }
  /** `random` in [0, 1) jitters the backoff delay. */
  | { readonly type: 'ConnectFailed'; readonly now: number; readonly attemptId: number; readonly error: HoldfastErrorData; readonly random: number }
  /** The connection `connectionId` closed: keepalive timeout, socket close or error. */
  | { readonly type: 'LinkLost'; readonly now: number; readonly connectionId: number; readonly reason: string; readonly message?: string }
  | { readonly type: 'RetryTimer'; readonly now: number }
  /** powerMonitor resume/unlock, or the clock-jump detector. */
  | { readonly type: 'Wake'; readonly now: number }
  | { readonly type: 'NetworkUp'; readonly now: number }
  | { readonly type: 'NetworkDown'; readonly now: number }
  /** The set of addresses changed (another Wi-Fi, VPN up): an existing TCP connection may be dead. */
  | { readonly type: 'NetworkChanged'; readonly now: number }
  | { readonly type: 'ProbeOk'; readonly now: number; readonly probeId: number }
  | { readonly type: 'ProbeFailed'; readonly now: number; readonly probeId: number }
  /** A key went out to a pane and neither its echo nor any other output came back for a while. */
  | { readonly type: 'EchoOverdue'; readonly now: number }
  | { readonly type: 'PanesChanged'; readonly now: number; readonly count: number }
  /** The server's port, watched while a backoff is waited out (watchesPort), went from not answering to answering. */
  | { readonly type: 'PortAnswered'; readonly now: number }
  | { readonly type: 'DisconnectRequested'; readonly now: number };

export type SupervisorEventType = SupervisorEvent['type'];

// ---------- effects ----------

export type StatusView = Omit<HostStatus, 'hostId'>;

export type Effect =
  /** Start attempt `attemptId`. */
  | { readonly type: 'Connect'; readonly attemptId: number; readonly unattended: boolean }
  /** Abort attempt `attemptId`; whatever it still returns is stale (a connection is disposed). */
  | { readonly type: 'AbortConnect'; readonly attemptId: number }
  /** Attempt `attemptId` succeeded and is now the host's connection. */
  | { readonly type: 'UseConnection'; readonly attemptId: number }
  /** The attempt a caller may be waiting for ended without a connection. */
  | { readonly type: 'AttemptFailed'; readonly error: HoldfastErrorData }
  | { readonly type: 'ScheduleRetry'; readonly ms: number }
  | { readonly type: 'CancelRetry' }
  | { readonly type: 'Probe'; readonly probeId: number; readonly timeoutMs: number }
  /** Dispose the current connection (it may already be closed). */
  | { readonly type: 'DropConnection' }
  /** The connection went away: panes on it are no longer attached (keys typed now are discarded). */
  | { readonly type: 'MarkPanesLost' }
  /** The new connection follows a loss: reattach every pane. */
  | { readonly type: 'Reattach' }
  | { readonly type: 'EmitStatus'; readonly status: StatusView };

export type EffectType = Effect['type'];

export interface TransitionResult {
  readonly state: SupervisorState;
  readonly effects: readonly Effect[];
}

// ---------- status ----------

/** What the UI shows for a state. */
export function statusOf(state: SupervisorState): StatusView {
  const phase = state.phase;
  switch (phase.kind) {
    case 'idle':
      return phase.error ? { state: 'idle', error: phase.error } : { state: 'idle' };
    case 'connecting':
      return { state: 'connecting' };
    case 'connected':
      return { state: 'connected' };
    case 'reconnecting': {
      const status: { state: 'reconnecting'; attempt: number; nextRetryAt?: number; error?: HoldfastErrorData } = {
        state: 'reconnecting',
        attempt: phase.attempt,
      };
      if (phase.pending.kind === 'timer') status.nextRetryAt = phase.pending.retryAt;
      if (phase.lastError) status.error = phase.lastError;
      return status;
    }
    case 'waiting-network':
      return phase.lastError ? { state: 'waiting-network', error: phase.lastError } : { state: 'waiting-network' };
    case 'failed':
      return { state: 'failed', error: phase.error };
  }
}

function sameStatus(a: StatusView, b: StatusView): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whether the driver should watch the server's port: a host with panes is waiting out a backoff, the network is up,
 * and the last attempt found nobody answering (a server restarting, say). The backoff grows past a long outage; the
 * watch brings the panes back within a second or so of the server's return (PortAnswered). A server that answers and
 * refuses keeps its backoff: it is not watched.
 */
export function watchesPort(s: SupervisorState): boolean {
  const phase = s.phase;
  return phase.kind === 'reconnecting' && phase.pending.kind === 'timer' && s.network === 'up' && s.paneCount > 0 && phase.lastError !== undefined && NOBODY_ANSWERED.has(phase.lastError.code);
}

// ---------- transition ----------

type Handler<E extends SupervisorEvent> = (s: SupervisorState, e: E, fx: Effect[], p: SupervisorPolicy) => SupervisorState;
type HandlerTable = { readonly [T in SupervisorEventType]: Handler<Extract<SupervisorEvent, { type: T }>> };

export function transition(state: SupervisorState, event: SupervisorEvent, policy: SupervisorPolicy = DEFAULT_POLICY): TransitionResult {
  const fx: Effect[] = [];
  const handler = HANDLERS[event.type] as Handler<SupervisorEvent>;
  const next = handler(state, event, fx, policy);
  const before = statusOf(state);
  const after = statusOf(next);
  if (!sameStatus(before, after)) fx.push({ type: 'EmitStatus', status: after });
  return { state: next, effects: fx };
}

function inFlightOf(phase: Phase): InFlight | undefined {
  if (phase.kind === 'connecting') return phase.inFlight;
  if (phase.kind === 'reconnecting' && phase.pending.kind === 'attempt') return phase.pending.inFlight;
  if (phase.kind === 'connected') return phase.standby;
  return undefined;
}

/** Issues a Connect and returns the phase-independent part of the new state plus the in-flight record. */
function issue(s: SupervisorState, now: number, unattended: boolean, fx: Effect[]): { s: SupervisorState; inFlight: InFlight } {
  const inFlight: InFlight = { attemptId: s.nextId, unattended, startedAt: now };
  fx.push({ type: 'Connect', attemptId: inFlight.attemptId, unattended });
  return { s: { ...s, nextId: s.nextId + 1 }, inFlight };
}

function startConnecting(s: SupervisorState, now: number, unattended: boolean, fx: Effect[]): SupervisorState {
  const issued = issue(s, now, unattended, fx);
  return { ...issued.s, phase: { kind: 'connecting', inFlight: issued.inFlight } };
}

function startReconnecting(
  s: SupervisorState,
  now: number,
  attempt: number,
  unattended: boolean,
  fx: Effect[],
  lastError?: HoldfastErrorData,
): SupervisorState {
  const issued = issue(s, now, unattended, fx);
  const phase: Phase = lastError
    ? { kind: 'reconnecting', attempt, pending: { kind: 'attempt', inFlight: issued.inFlight }, lastError }
    : { kind: 'reconnecting', attempt, pending: { kind: 'attempt', inFlight: issued.inFlight } };
  return { ...issued.s, phase };
}

/** Without a connection and with panes to keep up: try at once, or wait for the network. */
function recover(s: SupervisorState, now: number, fx: Effect[], lastError?: HoldfastErrorData): SupervisorState {
  if (s.paneCount === 0) return { ...s, phase: { kind: 'idle' } };
  if (s.network === 'down') return { ...s, phase: lastError ? { kind: 'waiting-network', lastError } : { kind: 'waiting-network' } };
  return startReconnecting(s, now, 1, true, fx, lastError);
}

/** The current connection is gone (closed, failed probe): drop it, mark panes, and recover. */
function lose(s: SupervisorState, now: number, fx: Effect[]): SupervisorState {
  fx.push({ type: 'DropConnection' }, { type: 'MarkPanesLost' });
  const lost: SupervisorState = { ...s, panesLost: s.panesLost || s.paneCount > 0 };
  const standby = s.phase.kind === 'connected' ? s.phase.standby : undefined;
  if (standby) {
    // A new connection is already being dialled (after a wake): it is the reconnect's first attempt.
    if (s.paneCount > 0) return { ...lost, phase: { kind: 'reconnecting', attempt: 1, pending: { kind: 'attempt', inFlight: standby } } };
    return { ...lost, phase: { kind: 'connecting', inFlight: standby } };
  }
  return recover(lost, now, fx);
}

/** A round-trip check of the connection in use (at most one out at a time). */
function probeConnected(s: SupervisorState, fx: Effect[], timeoutMs: number): SupervisorState {
  const phase = s.phase;
  if (phase.kind !== 'connected' || phase.probeId !== undefined) return s;
  fx.push({ type: 'Probe', probeId: s.nextId, timeoutMs });
  return { ...s, nextId: s.nextId + 1, phase: { ...phase, probeId: s.nextId } };
}

/**
 * The user wants a connection now (ConnectRequested, RetryNow): attended. A request that must not ask (a paired
 * device's: no prompt may show on the computer for it) starts an unattended attempt, and never replaces one in flight.
 */
function userConnect(s: SupervisorState, e: { now: number; unattended?: boolean }, fx: Effect[]): SupervisorState {
  const unattended = e.unattended === true;
  const phase = s.phase;
  switch (phase.kind) {
    case 'connected':
      return s;
    case 'idle':
    case 'failed':
      if (s.panesLost && s.paneCount > 0) return startReconnecting(s, e.now, 1, unattended, fx);
      return startConnecting(s, e.now, unattended, fx);
    case 'waiting-network':
      return startReconnecting(s, e.now, 1, unattended, fx, phase.lastError);
    case 'connecting':
      // An attended attempt may have a prompt open: keep it. An unattended one cannot ask, so restart it attended.
      if (!phase.inFlight.unattended || unattended) return s;
      fx.push({ type: 'AbortConnect', attemptId: phase.inFlight.attemptId });
      return startConnecting(s, e.now, false, fx);
    case 'reconnecting':
      if (phase.pending.kind === 'timer') {
        fx.push({ type: 'CancelRetry' });
        return startReconnecting(s, e.now, phase.attempt, unattended, fx, phase.lastError);
      }
      if (!phase.pending.inFlight.unattended || unattended) return s;
      fx.push({ type: 'AbortConnect', attemptId: phase.pending.inFlight.attemptId });
      return startReconnecting(s, e.now, phase.attempt, false, fx, phase.lastError);
  }
}

/**
 * Circumstances changed for the better or at least differently (Wake, NetworkUp, NetworkChanged): check a live
 * connection at once, and retry at once instead of waiting out the backoff. A wake or a network coming up counts
 * the outage afresh; a mere change of addresses keeps the count, so that an interface that keeps flapping (a VPN,
 * a container bridge) cannot hold the backoff at its shortest delay.
 */
function freshStart(s: SupervisorState, e: { now: number }, fx: Effect[], p: SupervisorPolicy, resetBackoff = true, dialAlongside = false): SupervisorState {
  const phase = s.phase;
  switch (phase.kind) {
    case 'idle':
    case 'failed':
      return s;
    case 'connected': {
      if (phase.probeId !== undefined) return s;
      const probing = probeConnected(s, fx, p.probeTimeoutMs);
      // After a wake the old socket is as likely dead as not, and a probe can only tell by timing out: dial a new
      // connection at the same time, and keep whichever answers first. Only for a host whose panes need it.
      if (!dialAlongside || s.paneCount === 0 || s.network === 'down' || probing.phase.kind !== 'connected') return probing;
      const issued = issue(probing, e.now, true, fx);
      return { ...issued.s, phase: { ...probing.phase, standby: issued.inFlight } };
    }
    case 'waiting-network':
      // After a wake the network knowledge may be stale: one attempt tells; if it fails for want of a
      // network, the host waits again.
      return startReconnecting(s, e.now, 1, true, fx, phase.lastError);
    case 'connecting': {
      const f = phase.inFlight;
      if (!f.unattended || e.now - f.startedAt < p.restartAttemptAfterMs) return s;
      fx.push({ type: 'AbortConnect', attemptId: f.attemptId });
      return startConnecting(s, e.now, true, fx);
    }
    case 'reconnecting': {
      if (phase.pending.kind === 'timer') {
        fx.push({ type: 'CancelRetry' });
        return startReconnecting(s, e.now, resetBackoff ? 1 : phase.attempt, true, fx, phase.lastError);
      }
      const f = phase.pending.inFlight;
      if (!f.unattended || e.now - f.startedAt < p.restartAttemptAfterMs) return s;
      fx.push({ type: 'AbortConnect', attemptId: f.attemptId });
      return startReconnecting(s, e.now, resetBackoff ? 1 : phase.attempt, true, fx, phase.lastError);
    }
  }
}

/** Ends whatever is pending without a connection (abort an attempt, cancel a timer). */
function stopPending(s: SupervisorState, fx: Effect[], reason: HoldfastErrorData): void {
  const inFlight = inFlightOf(s.phase);
  if (inFlight) fx.push({ type: 'AbortConnect', attemptId: inFlight.attemptId }, { type: 'AttemptFailed', error: reason });
  if (s.phase.kind === 'reconnecting' && s.phase.pending.kind === 'timer') fx.push({ type: 'CancelRetry' });
}

const DISCONNECTED: HoldfastErrorData = { code: 'CANCELLED', message: 'Disconnected' };
const NO_PANES: HoldfastErrorData = { code: 'CANCELLED', message: 'No panes are open on this host any more' };
const NETWORK_DOWN: HoldfastErrorData = { code: 'NETWORK', message: 'The network is down' };

const HANDLERS: HandlerTable = {
  ConnectRequested: (s, e, fx) => userConnect(s, e, fx),

  PortAnswered(s, e, fx) {
    const phase = s.phase;
    if (phase.kind !== 'reconnecting' || phase.pending.kind !== 'timer' || !watchesPort(s)) return s;
    // The server is back: the handshake now, not when the backoff says (the attempt count is kept).
    fx.push({ type: 'CancelRetry' });
    return startReconnecting(s, e.now, phase.attempt, true, fx, phase.lastError);
  },
  RetryNow: (s, e, fx) => userConnect(s, e, fx),

  Connected(s, e, fx) {
    const inFlight = inFlightOf(s.phase);
    if (!inFlight || inFlight.attemptId !== e.attemptId) return s; // stale: the driver disposes it
    if (s.phase.kind === 'connected') {
      // The connection dialled after a wake answered before the old one's probe did: the old one goes, and the
      // panes move over (they are detached from the old connection first, so none is ever attached twice).
      fx.push({ type: 'DropConnection' }, { type: 'MarkPanesLost' }, { type: 'UseConnection', attemptId: e.attemptId });
      if (s.paneCount > 0) fx.push({ type: 'Reattach' });
      return { ...s, network: 'up', panesLost: false, phase: { kind: 'connected', connectionId: e.attemptId } };
    }
    fx.push({ type: 'UseConnection', attemptId: e.attemptId });
    if (s.panesLost && s.paneCount > 0) fx.push({ type: 'Reattach' });
    return { ...s, network: 'up', panesLost: false, phase: { kind: 'connected', connectionId: e.attemptId } };
  },

  ConnectFailed(s, e, fx, p) {
    const phase = s.phase;
    const inFlight = inFlightOf(phase);
    if (!inFlight || inFlight.attemptId !== e.attemptId) return s;
    if (phase.kind === 'connected') {
      // The dial alongside a probe failed; the old connection's probe still decides.
      return { ...s, phase: { kind: 'connected', connectionId: phase.connectionId, ...(phase.probeId !== undefined ? { probeId: phase.probeId } : {}) } };
    }
    fx.push({ type: 'AttemptFailed', error: e.error });
    if (!isRetryable(e.error)) {
      // A cancelled prompt on a host nobody needs up is just "not connected"; everything else needs the user.
      if (e.error.code === 'CANCELLED' && s.paneCount === 0) return { ...s, phase: { kind: 'idle', error: e.error } };
      return { ...s, phase: { kind: 'failed', error: e.error } };
    }
    // Only a host with panes is retried on its own; a plain connect that fails is shown, not retried silently.
    if (s.paneCount === 0) return { ...s, phase: { kind: 'idle', error: e.error } };
    if (s.network === 'down') return { ...s, phase: { kind: 'waiting-network', lastError: e.error } };
    const attempt = (phase.kind === 'reconnecting' ? phase.attempt : 1) + 1;
    const ms = retryDelayMs(attempt, e.random, p);
    fx.push({ type: 'ScheduleRetry', ms });
    return { ...s, phase: { kind: 'reconnecting', attempt, pending: { kind: 'timer', retryAt: e.now + ms }, lastError: e.error } };
  },

  LinkLost(s, e, fx) {
    if (s.phase.kind !== 'connected' || s.phase.connectionId !== e.connectionId) return s;
    return lose(s, e.now, fx);
  },

  RetryTimer(s, e, fx) {
    const phase = s.phase;
    if (phase.kind !== 'reconnecting' || phase.pending.kind !== 'timer') return s;
    return startReconnecting(s, e.now, phase.attempt, true, fx, phase.lastError);
  },

  Wake: (s, e, fx, p) => freshStart(s, e, fx, p, true, p.dialOnWake),
  NetworkChanged: (s, e, fx, p) => freshStart(s, e, fx, p, false),
  NetworkUp: (s, e, fx, p) => freshStart({ ...s, network: 'up' }, e, fx, p),

  NetworkDown(s, _e, fx) {
    const down: SupervisorState = { ...s, network: 'down' };
    const phase = s.phase;
    // A live connection may survive a short flap; keepalives or a probe decide. A first connect fails on its own.
    if (phase.kind !== 'reconnecting') return down;
    stopPending(s, fx, NETWORK_DOWN);
    return { ...down, phase: phase.lastError ? { kind: 'waiting-network', lastError: phase.lastError } : { kind: 'waiting-network' } };
  },

  ProbeOk(s, e, fx) {
    if (s.phase.kind !== 'connected' || s.phase.probeId !== e.probeId) return s;
    // The old connection answered first: keep it, and stop dialling a new one.
    if (s.phase.standby) fx.push({ type: 'AbortConnect', attemptId: s.phase.standby.attemptId });
    return { ...s, phase: { kind: 'connected', connectionId: s.phase.connectionId } };
  },

  EchoOverdue(s, _e, fx, p) {
    if (s.phase.kind !== 'connected') return s;
    return probeConnected(s, fx, p.echoProbeTimeoutMs);
  },

  ProbeFailed(s, e, fx) {
    if (s.phase.kind !== 'connected' || s.phase.probeId !== e.probeId) return s;
    return lose(s, e.now, fx);
  },

  PanesChanged(s, e, fx) {
    const count = Number.isFinite(e.count) ? Math.max(0, Math.floor(e.count)) : 0;
    const next: SupervisorState = { ...s, paneCount: count };
    if (count > 0) return next;
    // Nothing left to keep up: stop reconnecting.
    const kind = s.phase.kind;
    if (s.phase.kind === 'connected' && s.phase.standby) {
      fx.push({ type: 'AbortConnect', attemptId: s.phase.standby.attemptId });
      const { standby: _dropped, ...kept } = s.phase;
      return { ...next, panesLost: false, phase: kept };
    }
    if (kind !== 'reconnecting' && kind !== 'waiting-network') return { ...next, panesLost: false };
    stopPending(s, fx, NO_PANES);
    return { ...next, panesLost: false, phase: { kind: 'idle' } };
  },

  DisconnectRequested(s, _e, fx) {
    if (s.phase.kind === 'connected') {
      if (s.phase.standby) fx.push({ type: 'AbortConnect', attemptId: s.phase.standby.attemptId });
      fx.push({ type: 'DropConnection' }, { type: 'MarkPanesLost' });
      return { ...s, panesLost: s.panesLost || s.paneCount > 0, phase: { kind: 'idle' } };
    }
    stopPending(s, fx, DISCONNECTED);
    return { ...s, phase: { kind: 'idle' } };
  },
};

/** For tests and the driver's sanity: the invariants every reachable state keeps. */
export function checkState(s: SupervisorState): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(s.paneCount) || s.paneCount < 0) problems.push('paneCount must be a whole number ≥ 0');
  if (!Number.isInteger(s.nextId) || s.nextId < 1) problems.push('nextId must be a whole number ≥ 1');
  const phase = s.phase;
  const inFlight = inFlightOf(phase);
  if (inFlight && inFlight.attemptId >= s.nextId) problems.push('attempt id not yet issued');
  if (phase.kind === 'connected') {
    if (phase.connectionId >= s.nextId) problems.push('connection id not yet issued');
    if (phase.probeId !== undefined && phase.probeId >= s.nextId) problems.push('probe id not yet issued');
    if (phase.standby && phase.probeId === undefined) problems.push('a standby connection without a probe to race');
  }
  if (phase.kind === 'reconnecting') {
    if (!Number.isInteger(phase.attempt) || phase.attempt < 1) problems.push('attempt must be ≥ 1');
    if (s.paneCount === 0) problems.push('reconnecting without panes');
  }
  if (phase.kind === 'waiting-network' && s.paneCount === 0) problems.push('waiting for the network without panes');
  return problems;
}
