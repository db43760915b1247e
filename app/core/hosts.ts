// The hosts core keeps: one Host per profile that was used (listed or attached), made on first use and dropped when
// the user disconnects it, deletes its profile or moves it elsewhere.
import { HoldfastError } from '../shared/contract';
import { Disposable, type IDisposable } from '../shared/lifecycle';
import type { HostProfile, HostStatus } from '../shared/model';
import { Host } from './host';
import type { IClock, IConnector, IProfileStore, ISshConnection } from './interfaces';
import type { SupervisorPolicy } from './supervisor/machine';

export interface HostRegistryOptions {
  profiles: IProfileStore;
  connector: IConnector;
  clock: IClock;
  probeTimeoutMs?: number;
  policy?: Partial<SupervisorPolicy>;
  onStatus(status: HostStatus): void;
  /** A host was made: what watches it (Needs you) lives until it is dropped. */
  onHost?(host: Host): IDisposable;
}

export type SystemEvent = 'resume' | 'unlock' | 'suspend' | 'online' | 'offline' | 'network-change';

export class HostRegistry extends Disposable {
  private readonly _hosts = new Map<string, { host: Host; listener: IDisposable; watch?: IDisposable }>();

  constructor(private readonly _options: HostRegistryOptions) {
    super();
  }

  /** The profile, or NOT_FOUND. */
  profile(hostId: string): HostProfile {
    const profile = this._options.profiles.get(hostId);
    if (!profile) throw new HoldfastError({ code: 'NOT_FOUND', message: 'This host no longer exists.' });
    return profile;
  }

  /** The host, made (idle) on first use; NOT_FOUND without a profile. */
  get(hostId: string): Host {
    const existing = this._hosts.get(hostId);
    if (existing) return existing.host;
    this.profile(hostId);
    const host = new Host({
      hostId,
      clock: this._options.clock,
      probeTimeoutMs: this._options.probeTimeoutMs,
      policy: this._options.policy,
      // The profile is read on every attempt: an edit takes effect at the next connection.
      connect: ({ unattended, signal }): Promise<ISshConnection> => this._options.connector.connect(this.profile(hostId), { unattended, signal }),
      ...(this._options.connector.portAnswers ? { portAnswers: () => this._options.connector.portAnswers!(this.profile(hostId)) } : {}),
    });
    const listener = host.onDidChangeStatus((status) => this._options.onStatus(status));
    this._hosts.set(hostId, { host, listener });
    const watch = this._options.onHost?.(host);
    if (watch) this._hosts.get(hostId)!.watch = watch;
    return host;
  }

  find(hostId: string): Host | undefined {
    return this._hosts.get(hostId)?.host;
  }

  get all(): Host[] {
    return [...this._hosts.values()].map(({ host }) => host);
  }

  /** Ends the host's connection and forgets it. Its panes must be closed first (PaneRegistry.closeHostPanes). */
  drop(hostId: string): void {
    const entry = this._hosts.get(hostId);
    if (!entry) return;
    this._hosts.delete(hostId);
    entry.listener.dispose();
    entry.watch?.dispose();
    entry.host.dispose();
  }

  /** What the OS tells the shell: Electron's powerMonitor, or core's own wake and network watchers. */
  notifySystem(event: SystemEvent): void {
    for (const { host } of this._hosts.values()) {
      const supervisor = host.supervisor;
      if (event === 'resume' || event === 'unlock') supervisor.wake();
      else if (event === 'online') supervisor.networkUp();
      else if (event === 'offline') supervisor.networkDown();
      else if (event === 'network-change') supervisor.networkChanged();
    }
  }

  override dispose(): void {
    for (const hostId of [...this._hosts.keys()]) this.drop(hostId);
    super.dispose();
  }
}
