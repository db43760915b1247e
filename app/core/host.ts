// One server as core keeps it: its supervisor (one SSH connection, kept up while panes need it), the echo watchdog,
// and the panes that hold a reference on it. The host attaches its panes whenever a connection comes: after a loss
// every pane, and at any time the panes that wait for a link (made again after a restart while the server was
// away). Its pane count is the number of references held, never a recount by someone else.
import { Disposable, DisposableStore, toDisposable, type Event, type IDisposable } from '../shared/lifecycle';
import type { HostStatus } from '../shared/model';
import type { IClock, ISshConnection } from './interfaces';
import type { Pane } from './pane/Pane';
import { HostSupervisor } from './supervisor/driver';
import { EchoWatchdog } from './supervisor/echoWatchdog';
import type { SupervisorPolicy } from './supervisor/machine';

export interface HostOptions {
  hostId: string;
  clock: IClock;
  connect: (opts: { unattended: boolean; signal: AbortSignal }) => Promise<ISshConnection>;
  /** Whether the server's port answers now (HostSupervisorOptions.portAnswers). */
  portAnswers?: () => Promise<boolean>;
  probeTimeoutMs?: number;
  policy?: Partial<SupervisorPolicy>;
}

export class Host extends Disposable {
  readonly hostId: string;
  readonly supervisor: HostSupervisor;
  readonly onDidChangeStatus: Event<HostStatus>;
  private readonly _watchdog: EchoWatchdog;
  /** Each pane and what it holds on the host (its output listener). */
  private readonly _panes = new Map<Pane, IDisposable>();

  constructor(options: HostOptions) {
    super();
    this.hostId = options.hostId;
    this.supervisor = this._register(
      new HostSupervisor({
        hostId: options.hostId,
        clock: options.clock,
        probeTimeoutMs: options.probeTimeoutMs,
        policy: options.policy,
        connect: options.connect,
        ...(options.portAnswers ? { portAnswers: options.portAnswers } : {}),
      }),
    );
    this.onDidChangeStatus = this.supervisor.onDidChangeStatus;
    const watchdog = (this._watchdog = this._register(new EchoWatchdog(options.clock, () => this.supervisor.echoOverdue())));
    this._register(
      this.supervisor.onDidConnect(({ connection, reattach }) => {
        watchdog.reset();
        for (const pane of [...this._panes.keys()]) {
          if (reattach || pane.awaitingLink) void pane.attach(connection).catch(() => {});
        }
      }),
    );
    this._register(
      this.supervisor.onDidLoseConnection(() => {
        watchdog.reset();
        for (const pane of [...this._panes.keys()]) pane.linkLost();
      }),
    );
  }

  get status(): HostStatus {
    return this.supervisor.status;
  }

  get connection(): ISshConnection | undefined {
    return this.supervisor.connection;
  }

  get panes(): readonly Pane[] {
    return [...this._panes.keys()];
  }

  /** The connection, connecting if needed; `unattended` when nothing may be asked (a paired device wants it). */
  ensureConnected(options: { unattended?: boolean } = {}): Promise<ISshConnection> {
    return this.supervisor.ensureConnected(options);
  }

  /**
   * The pane holds a reference on the host until the returned disposable is disposed: while any pane does, the
   * supervisor keeps the host connected and reconnects it after a loss.
   */
  addPane(pane: Pane): IDisposable {
    if (this._panes.has(pane)) throw new Error('Host.addPane: this pane is already on the host');
    const store = new DisposableStore();
    store.add(pane.onData(() => this._watchdog.outputReceived()));
    // The supervisor decides about the link: a dead one is replaced, and the new one attaches the pane again.
    store.add(pane.onLinkInDoubt(() => this.supervisor.echoOverdue()));
    this._panes.set(pane, store);
    this.supervisor.setPaneCount(this._panes.size);
    return toDisposable(() => {
      if (!this._panes.delete(pane)) return;
      store.dispose();
      if (!this._store.isDisposed) this.supervisor.setPaneCount(this._panes.size);
    });
  }

  /**
   * Attaches a pane that waits for a link once there is one: now, if the host is connected, else when it connects.
   * Asks for a connection (attended: a key or password may be asked for). A host that cannot be reached keeps its
   * panes waiting, and the supervisor keeps trying.
   */
  attachWhenConnected(pane: Pane): void {
    const connection = this.status.state === 'connected' ? this.supervisor.connection : undefined;
    if (connection) {
      void pane.attach(connection).catch(() => {});
      return;
    }
    // The connection, when it comes, attaches every pane that awaits a link (onDidConnect above).
    this.supervisor.ensureConnected().catch(() => {});
  }

  /** Keys went from a view to one of this host's panes (one tmux pane of it, with `target`). */
  input(pane: Pane, viewId: string, data: string, target?: string): void {
    if (pane.state === 'attached') this._watchdog.inputSent();
    pane.input(viewId, data, target);
  }

  override dispose(): void {
    for (const store of this._panes.values()) store.dispose();
    this._panes.clear();
    super.dispose();
  }
}
