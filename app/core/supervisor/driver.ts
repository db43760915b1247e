// The effectful side of one host's supervisor: it feeds events to the pure machine (machine.ts) and runs the
// effects it returns. It owns the retry timer, the attempt in flight (with its AbortController), the current
// connection (in a MutableDisposable, so replacing it disposes the old one and its listeners) and probes.
import { HoldfastError } from '../../shared/contract';
import { Disposable, DisposableStore, Emitter, MutableDisposable, toDisposable } from '../../shared/lifecycle';
import type { Event, IDisposable } from '../../shared/lifecycle';
import type { HoldfastErrorData, HostStatus } from '../../shared/model';
import type { IClock, ISshConnection } from '../interfaces';
import { DEFAULT_POLICY, initialState, statusOf, transition, watchesPort } from './machine';
import type { Effect, SupervisorEvent, SupervisorPolicy, SupervisorState } from './machine';

/** Distributes over the union, so that each event keeps its own fields once `now` is taken off. */
type EventInput = SupervisorEvent extends infer E ? (E extends SupervisorEvent ? Omit<E, 'now'> : never) : never;

export interface HostSupervisorOptions {
  hostId: string;
  /** Opens a connection. Must honour `signal` (reject, or resolve a connection the supervisor then disposes). */
  connect: (opts: { unattended: boolean; signal: AbortSignal }) => Promise<ISshConnection>;
  clock: IClock;
  /** In [0, 1); jitters the backoff. Math.random by default. */
  random?: () => number;
  probeTimeoutMs?: number;
  /** Overrides of the backoff and probe policy (tests, fault scenarios). */
  policy?: Partial<SupervisorPolicy>;
  /**
   * Whether the server's port answers a TCP connect now (cheap: no handshake). Watched while the machine says so
   * (watchesPort); without it the backoff alone decides.
   */
  portAnswers?: () => Promise<boolean>;
}

/** Counters for leak and storm tests. */
export interface HostSupervisorStats {
  /** Timers the supervisor has set and not yet seen fire or cancelled (retry timer, probe guard). */
  liveTimers: number;
  /** Connections handed to the supervisor and not yet disposed by it (0 or 1 outside a race). */
  liveConnections: number;
  /** Listeners the supervisor holds on connections (one per live connection). */
  connectionListeners: number;
  /** Connect calls made since construction. */
  attemptsMade: number;
  /** Callers of ensureConnected still waiting. */
  waiters: number;
  /** A connection attempt is under way (a reconnect, or a dial beside a wake's probe). */
  attemptInFlight: boolean;
}

interface Waiter {
  resolve(connection: ISshConnection): void;
  reject(error: HoldfastError): void;
}

/** Extra time beyond the probe's own timeout before the driver stops waiting for a probe that never answers. */
const PROBE_GUARD_MS = 1000;
/** A probe waits at least this many measured round trips. */
const SLOW_LINK_FACTOR = 3;

export class HostSupervisor extends Disposable {
  readonly hostId: string;

  private readonly _onDidChangeStatus = this._register(new Emitter<HostStatus>());
  /** The status the UI shows changed. */
  readonly onDidChangeStatus: Event<HostStatus> = this._onDidChangeStatus.event;
  private readonly _onDidConnect = this._register(new Emitter<{ connection: ISshConnection; reattach: boolean }>());
  /** A new connection is in use; `reattach` when it follows a loss and the panes should attach to it again. */
  readonly onDidConnect: Event<{ connection: ISshConnection; reattach: boolean }> = this._onDidConnect.event;
  private readonly _onDidLoseConnection = this._register(new Emitter<void>());
  /** The connection in use went away (link lost, failed probe, disconnect()); its panes are detached. */
  readonly onDidLoseConnection: Event<void> = this._onDidLoseConnection.event;

  private readonly _connect: HostSupervisorOptions['connect'];
  private readonly _clock: IClock;
  private readonly _random: () => number;
  private readonly _policy: SupervisorPolicy;

  private _state: SupervisorState = initialState();
  private readonly _queue: SupervisorEvent[] = [];
  private _running = false;
  private _disposed = false;

  /** The connection in use, with its listener; replacing or clearing it disposes both. */
  private readonly _current = this._register(new MutableDisposable<IDisposable>());
  private _currentConnection: ISshConnection | undefined;
  /** Connections that arrived and wait for the machine to accept (UseConnection) or drop them. */
  private readonly _arrived = new Map<number, { connection: ISshConnection; store: DisposableStore }>();
  private _inFlight: { attemptId: number; controller: AbortController } | undefined;
  private readonly _retryTimer = this._register(new MutableDisposable<IDisposable>());
  private readonly _probeGuard = this._register(new MutableDisposable<IDisposable>());
  private readonly _portAnswers: (() => Promise<boolean>) | undefined;
  /** The port watch while it runs: its next check, and what the last check found. */
  private _portWatch: { timer: MutableDisposable<IDisposable>; answered?: boolean } | undefined;
  private _waiters: Waiter[] = [];

  private _liveTimers = 0;
  private _liveConnections = 0;
  private _connectionListeners = 0;
  private _attemptsMade = 0;

  constructor(options: HostSupervisorOptions) {
    super();
    this.hostId = options.hostId;
    this._connect = options.connect;
    this._portAnswers = options.portAnswers;
    this._clock = options.clock;
    this._random = options.random ?? Math.random;
    this._policy = {
      ...DEFAULT_POLICY,
      ...options.policy,
      ...(options.probeTimeoutMs !== undefined ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
    };
  }

  get status(): HostStatus {
    return { hostId: this.hostId, ...statusOf(this._state) };
  }

  /** The connection in use, if the host is connected. */
  get connection(): ISshConnection | undefined {
    return this._currentConnection;
  }

  get stats(): HostSupervisorStats {
    return {
      liveTimers: this._liveTimers,
      liveConnections: this._liveConnections,
      connectionListeners: this._connectionListeners,
      attemptsMade: this._attemptsMade,
      waiters: this._waiters.length,
      attemptInFlight: this._inFlight !== undefined,
    };
  }

  /**
   * Resolves with the connection, connecting (attended: prompts may show) if needed. Rejects with the
   * HoldfastError of the attempt it waited for if that attempt fails, even when the supervisor goes on
   * retrying on its own; CANCELLED on disconnect() or dispose().
   */
  ensureConnected(options: { unattended?: boolean } = {}): Promise<ISshConnection> {
    if (this._disposed) return Promise.reject(new HoldfastError({ code: 'CANCELLED', message: 'The host was closed' }));
    if (this._state.phase.kind === 'connected' && this._currentConnection) return Promise.resolve(this._currentConnection);
    const promise = new Promise<ISshConnection>((resolve, reject) => this._waiters.push({ resolve, reject }));
    this._dispatch({ type: 'ConnectRequested', ...(options.unattended ? { unattended: true } : {}) });
    return promise;
  }

  setPaneCount(count: number): void {
    this._dispatch({ type: 'PanesChanged', count });
  }

  retryNow(): void {
    this._dispatch({ type: 'RetryNow' });
  }

  wake(): void {
    this._dispatch({ type: 'Wake' });
  }

  networkUp(): void {
    this._dispatch({ type: 'NetworkUp' });
  }

  networkDown(): void {
    this._dispatch({ type: 'NetworkDown' });
  }

  /** The set of local addresses changed while some remain. */
  networkChanged(): void {
    this._dispatch({ type: 'NetworkChanged' });
  }

  /** A key went out and nothing came back (see EchoWatchdog): check the link now. */
  echoOverdue(): void {
    this._dispatch({ type: 'EchoOverdue' });
  }

  disconnect(): void {
    this._dispatch({ type: 'DisconnectRequested' });
  }

  override dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._portWatch?.timer.dispose();
    this._portWatch = undefined;
    this._queue.length = 0;
    this._inFlight?.controller.abort();
    this._inFlight = undefined;
    for (const id of [...this._arrived.keys()]) this._discardArrived(id);
    this._currentConnection = undefined;
    this._rejectWaiters({ code: 'CANCELLED', message: 'The host was closed' });
    super.dispose();
  }

  // ---------- the loop ----------

  private _dispatch(input: EventInput): void {
    if (this._disposed) return;
    this._queue.push({ ...input, now: this._clock.now() } as SupervisorEvent);
    // Listeners may call back into the supervisor while effects run; their events wait their turn so that
    // every event sees the state its predecessors left.
    if (this._running) return;
    this._running = true;
    try {
      let event: SupervisorEvent | undefined;
      while (!this._disposed && (event = this._queue.shift())) {
        const { state, effects } = transition(this._state, event, this._policy);
        this._state = state;
        const reattach = effects.some((e) => e.type === 'Reattach');
        for (const effect of effects) {
          if (this._disposed) break;
          this._run(effect, reattach);
        }
        // A connection the machine did not take (stale attempt, or the host moved on) is disposed.
        if (event.type === 'Connected') this._discardArrived(event.attemptId);
      }
    } finally {
      this._running = false;
    }
    this._syncPortWatch();
  }

  /**
   * Watches the server's port while the machine says so: a TCP connect every portWatchMs; when the port goes from not
   * answering to answering, PortAnswered. A port that answers from the first check on (a jump host in front of a
   * server that is down) tells nothing new and triggers nothing.
   */
  private _syncPortWatch(): void {
    const want = this._portAnswers !== undefined && !this._disposed && watchesPort(this._state);
    if (!want) {
      this._portWatch?.timer.dispose();
      this._portWatch = undefined;
      return;
    }
    if (this._portWatch) return;
    const watch: { timer: MutableDisposable<IDisposable>; answered?: boolean } = { timer: new MutableDisposable<IDisposable>() };
    this._portWatch = watch;
    const check = () => {
      void this._portAnswers!().then(
        (answers) => done(answers),
        () => done(false),
      );
    };
    const done = (answers: boolean) => {
      if (this._portWatch !== watch) return;
      const before = watch.answered;
      watch.answered = answers;
      if (answers && before === false) this._dispatch({ type: 'PortAnswered' });
      if (this._portWatch === watch) watch.timer.value = this._setTimer(check, this._policy.portWatchMs);
    };
    check();
  }

  private _run(effect: Effect, reattach: boolean): void {
    switch (effect.type) {
      case 'Connect':
        return this._startAttempt(effect.attemptId, effect.unattended);
      case 'AbortConnect':
        if (this._inFlight?.attemptId === effect.attemptId) {
          this._inFlight.controller.abort();
          this._inFlight = undefined;
        }
        return;
      case 'UseConnection':
        return this._useConnection(effect.attemptId, reattach);
      case 'AttemptFailed':
        return this._rejectWaiters(effect.error);
      case 'ScheduleRetry':
        this._retryTimer.value = this._setTimer(() => this._dispatch({ type: 'RetryTimer' }), effect.ms);
        return;
      case 'CancelRetry':
        this._retryTimer.clear();
        return;
      case 'Probe':
        return this._probe(effect.probeId, effect.timeoutMs);
      case 'DropConnection':
        this._probeGuard.clear();
        this._currentConnection = undefined;
        this._current.clear();
        return;
      case 'MarkPanesLost':
        this._onDidLoseConnection.fire();
        return;
      case 'Reattach':
        // Carried by onDidConnect's `reattach`, fired with UseConnection.
        return;
      case 'EmitStatus':
        this._onDidChangeStatus.fire({ hostId: this.hostId, ...effect.status });
        return;
    }
  }

  // ---------- effects ----------

  private _startAttempt(attemptId: number, unattended: boolean): void {
    this._inFlight?.controller.abort();
    const controller = new AbortController();
    this._inFlight = { attemptId, controller };
    this._attemptsMade++;
    let attempt: Promise<ISshConnection>;
    try {
      attempt = this._connect({ unattended, signal: controller.signal });
    } catch (err) {
      attempt = Promise.reject(err);
    }
    attempt.then(
      (connection) => this._onAttemptSucceeded(attemptId, connection),
      (err: unknown) => this._onAttemptFailed(attemptId, err),
    );
  }

  private _onAttemptSucceeded(attemptId: number, connection: ISshConnection): void {
    this._liveConnections++;
    const store = new DisposableStore();
    // Subscribe before anything else can happen, so a close right after the handshake is not missed; the
    // listener goes first into the store so it is removed before the connection's own dispose fires close.
    store.add(this._listen(connection.onDidClose((e) => this._dispatch({ type: 'LinkLost', connectionId: attemptId, reason: e.reason, message: e.message }))));
    store.add(
      toDisposable(() => {
        this._liveConnections--;
        connection.dispose();
      }),
    );
    if (this._inFlight?.attemptId === attemptId) this._inFlight = undefined;
    if (this._disposed) {
      store.dispose();
      return;
    }
    this._arrived.set(attemptId, { connection, store });
    this._dispatch({ type: 'Connected', attemptId });
    // If the event was queued behind a running one, the loop discards it after processing; otherwise it ran now.
  }

  private _onAttemptFailed(attemptId: number, err: unknown): void {
    if (this._inFlight?.attemptId === attemptId) this._inFlight = undefined;
    if (this._disposed) return;
    const error = HoldfastError.from(err).toData();
    this._dispatch({ type: 'ConnectFailed', attemptId, error, random: this._random() });
  }

  private _useConnection(attemptId: number, reattach: boolean): void {
    const arrived = this._arrived.get(attemptId);
    if (!arrived) return;
    this._arrived.delete(attemptId);
    this._probeGuard.clear();
    this._currentConnection = arrived.connection;
    this._current.value = arrived.store;
    this._onDidConnect.fire({ connection: arrived.connection, reattach });
    const waiters = this._waiters;
    this._waiters = [];
    for (const waiter of waiters) waiter.resolve(arrived.connection);
  }

  private _discardArrived(attemptId: number): void {
    const arrived = this._arrived.get(attemptId);
    if (!arrived) return;
    this._arrived.delete(attemptId);
    arrived.store.dispose();
  }

  private _probe(probeId: number, timeoutMs: number): void {
    const connection = this._currentConnection;
    if (!connection) {
      this._dispatch({ type: 'ProbeFailed', probeId });
      return;
    }
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled || this._disposed) return;
      settled = true;
      this._probeGuard.clear();
      this._dispatch(ok ? { type: 'ProbeOk', probeId } : { type: 'ProbeFailed', probeId });
    };
    // A link measured to be slow (a satellite, a congested tether) gets longer than the policy's short timeout, so
    // that a probe does not tear down a connection that is merely far away.
    const measured = connection.roundTripMs;
    const timeout = Math.max(timeoutMs, measured !== undefined ? Math.ceil(SLOW_LINK_FACTOR * measured) : 0);
    // The connection's probe has its own timeout; the guard only covers a probe that never settles.
    this._probeGuard.value = this._setTimer(() => settle(false), timeout + PROBE_GUARD_MS);
    let probe: Promise<boolean>;
    try {
      probe = connection.probe(timeout);
    } catch (err) {
      probe = Promise.reject(err);
    }
    probe.then(
      (ok) => settle(ok === true),
      () => settle(false),
    );
  }

  private _rejectWaiters(error: HoldfastErrorData): void {
    const waiters = this._waiters;
    this._waiters = [];
    for (const waiter of waiters) waiter.reject(new HoldfastError(error));
  }

  /** A clock timer that counts itself while alive. */
  private _setTimer(fn: () => void, ms: number): IDisposable {
    let alive = true;
    this._liveTimers++;
    const end = () => {
      if (!alive) return false;
      alive = false;
      this._liveTimers--;
      return true;
    };
    const handle = this._clock.setTimeout(() => {
      if (end()) fn();
    }, ms);
    return toDisposable(() => {
      if (end()) handle.dispose();
    });
  }

  private _listen(subscription: IDisposable): IDisposable {
    this._connectionListeners++;
    return toDisposable(() => {
      this._connectionListeners--;
      subscription.dispose();
    });
  }
}
