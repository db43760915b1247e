// HoldfastCore: the one implementation of the contract. It owns a supervisor per host (one SSH connection per
// host, many pane channels over it), the panes, the prompt broker and the stores. Bridges route to `handle`.
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import type { z } from 'zod';
import {
  HoldfastError,
  type CommandName,
  type CommandOutput,
  type Commands,
  type EventName,
  type EventPayload,
  type IHoldfastHandlers,
} from '../shared/contract';
import { Disposable, DisposableStore, Emitter, type Event } from '../shared/lifecycle';
import type { HostProfile, HostStatus, Notice, PaneInfo } from '../shared/model';
import type { IClock, IConnector, IKnownHostsStore, IProfileStore, ISecretStore, ISshConnection } from './interfaces';
import { systemClock } from './interfaces';
import { Pane } from './pane/Pane';
import { PromptBroker } from './prompts';
import { SshConnector } from './ssh/connector';
import { applyImport, previewImport } from './sshconfig/import';
import {
  createConfBacking,
  KnownHostsStore,
  MemoryKnownHostsStore,
  MemorySecretStore,
  MemorySettingsStore,
  SettingsStore,
  type ISettingsStore,
  newProfile,
  ProfileStore,
  SessionSecretStore,
  updateProfile,
  validateProfileInput,
} from './stores';
import { HostSupervisor } from './supervisor/driver';
import type { SupervisorPolicy } from './supervisor/machine';
import { EchoWatchdog } from './supervisor/echoWatchdog';
import { NetworkWatcher } from './supervisor/networkWatcher';
import { WakeDetector } from './supervisor/wakeDetector';
import { isReservedSessionName, reservedNameError } from './tmux/commands';
import { listSessions } from './tmux/sessions';

export interface CoreOptions {
  shell: 'electron' | 'web';
  version: string;
  profiles: IProfileStore;
  /** The app's settings; in memory only when absent. */
  settings?: ISettingsStore;
  secrets: ISecretStore;
  knownHosts: IKnownHostsStore;
  /** Defaults to the real SshConnector. */
  connector?: IConnector;
  clock?: IClock;
  homeDir?: string;
  /** OpenSSH known_hosts files to trust (read only). Defaults to the user's and the machine's (defaultKnownHostsFiles). */
  knownHostsFiles?: string[];
  /** Watch for sleep (clock jumps) and network changes. On by default; tests of other things turn it off. */
  watchSystem?: boolean;
  probeTimeoutMs?: number;
  /** Overrides of the reconnect policy (benchmarks compare policies in one run). */
  supervisorPolicy?: Partial<SupervisorPolicy>;
}

export type CoreEvent = { [K in EventName]: { name: K; payload: EventPayload<K> } }[EventName];

type Handlers = { [K in CommandName]: (input: z.output<Commands[K]['input']>) => Promise<CommandOutput<K>> };

export class HoldfastCore extends Disposable implements IHoldfastHandlers {
  private readonly _onEvent = this._register(new Emitter<CoreEvent>());
  /** Every event for the views; the bridges forward them. */
  readonly onEvent: Event<CoreEvent> = this._onEvent.event;

  private readonly _prompts = this._register(new PromptBroker());
  private readonly _hosts = new Map<string, { supervisor: HostSupervisor; watchdog: EchoWatchdog; subscriptions: DisposableStore }>();
  private readonly _panes = new Map<string, { pane: Pane; subscriptions: DisposableStore }>();
  private readonly _connector: IConnector;
  private readonly _clock: IClock;
  private readonly _handlers: Handlers;
  private readonly _settings: ISettingsStore;
  private readonly _notices: Notice[] = [];
  /** Host keys accepted once: trusted until the app stops, so that automatic reconnects need not ask. */
  private readonly _sessionKnownHosts = new MemoryKnownHostsStore();
  /** Remembered secrets, plus those typed without "remember", kept in memory so reconnects need not ask. */
  private readonly _secrets: SessionSecretStore;

  constructor(private readonly _options: CoreOptions) {
    super();
    this._clock = _options.clock ?? systemClock;
    this._settings = _options.settings ?? new MemorySettingsStore();
    this._secrets = new SessionSecretStore(_options.secrets);
    this._connector =
      _options.connector ??
      new SshConnector({
        profiles: _options.profiles,
        secrets: this._secrets,
        prompter: this._prompts,
        knownHosts: _options.knownHosts,
        sessionKnownHosts: this._sessionKnownHosts,
        knownHostsFiles: _options.knownHostsFiles,
        homeDir: _options.homeDir,
      });
    this._register(this._prompts.onDidShow((prompt) => this._emit('prompt.show', prompt)));
    this._register(this._prompts.onDidClose((e) => this._emit('prompt.close', e)));
    if (_options.watchSystem !== false) {
      const wake = this._register(new WakeDetector({ clock: this._clock }));
      this._register(wake.onWake(() => this.notifySystem('resume')));
      const network = this._register(new NetworkWatcher({ clock: this._clock }));
      this._register(network.onNetworkUp(() => this.notifySystem('online')));
      this._register(network.onNetworkChange(() => this.notifySystem('network-change')));
      this._register(network.onNetworkDown(() => this.notifySystem('offline')));
    }
    this._handlers = this._createHandlers();
  }

  handle<K extends CommandName>(name: K, input: z.output<Commands[K]['input']>): Promise<CommandOutput<K>> {
    const handler = this._handlers[name] as (input: unknown) => Promise<CommandOutput<K>>;
    return handler(input);
  }

  /** What the OS tells the shell: Electron's powerMonitor, or core's own wake and network watchers. */
  notifySystem(event: 'resume' | 'unlock' | 'suspend' | 'online' | 'offline' | 'network-change'): void {
    for (const { supervisor } of this._hosts.values()) {
      if (event === 'resume' || event === 'unlock') supervisor.wake();
      else if (event === 'online') supervisor.networkUp();
      else if (event === 'offline') supervisor.networkDown();
      else if (event === 'network-change') supervisor.networkChanged();
    }
  }

  /** Tells the user something (e.g. a settings file was unreadable and moved aside). Kept for views that open later. */
  notice(notice: Notice): void {
    this._notices.push(notice);
    if (this._notices.length > 50) this._notices.shift();
    this._emit('notice', notice);
  }

  /** Prompts still waiting for an answer (for a view that connects after they were shown). */
  get pendingPrompts() {
    return this._prompts.pending;
  }

  /**
   * For leak tests: live supervisors, panes and the listeners core holds on its own emitter; per host, the
   * supervisor's counters and the channels open on its connection (when the connection counts them).
   */
  get stats() {
    return {
      hosts: this._hosts.size,
      panes: this._panes.size,
      eventListeners: this._onEvent.listenerCount,
      supervisors: [...this._hosts.values()].map(({ supervisor }) => ({ ...supervisor.stats, openChannels: openChannelsOf(supervisor.connection) })),
    };
  }

  private _emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    this._onEvent.fire({ name, payload } as CoreEvent);
  }

  private _profile(hostId: string): HostProfile {
    const profile = this._options.profiles.get(hostId);
    if (!profile) throw new HoldfastError({ code: 'NOT_FOUND', message: 'This host no longer exists.' });
    return profile;
  }

  private _supervisor(hostId: string): HostSupervisor {
    const existing = this._hosts.get(hostId);
    if (existing) return existing.supervisor;
    const supervisor = new HostSupervisor({
      hostId,
      clock: this._clock,
      probeTimeoutMs: this._options.probeTimeoutMs,
      policy: this._options.supervisorPolicy,
      connect: ({ unattended, signal }) => this._connector.connect(this._profile(hostId), { unattended, signal }),
    });
    const subscriptions = new DisposableStore();
    const watchdog = subscriptions.add(new EchoWatchdog(this._clock, () => supervisor.echoOverdue()));
    subscriptions.add(supervisor.onDidChangeStatus((status) => this._emit('host.status', status)));
    subscriptions.add(
      supervisor.onDidConnect(({ connection, reattach }) => {
        watchdog.reset();
        if (!reattach) return;
        for (const { pane } of this._panes.values()) {
          if (pane.hostId === hostId) void pane.attach(connection).catch(() => {});
        }
      }),
    );
    subscriptions.add(
      supervisor.onDidLoseConnection(() => {
        watchdog.reset();
        for (const { pane } of this._panes.values()) {
          if (pane.hostId === hostId) pane.linkLost();
        }
      }),
    );
    this._hosts.set(hostId, { supervisor, watchdog, subscriptions });
    return supervisor;
  }

  private _dropHost(hostId: string): void {
    for (const [paneId, entry] of this._panes) {
      if (entry.pane.hostId === hostId) this._closePane(paneId);
    }
    const host = this._hosts.get(hostId);
    if (!host) return;
    this._hosts.delete(hostId);
    host.subscriptions.dispose();
    host.supervisor.dispose();
  }

  private _pane(paneId: string): Pane {
    const entry = this._panes.get(paneId);
    if (!entry) throw new HoldfastError({ code: 'NOT_FOUND', message: 'This pane is closed.' });
    return entry.pane;
  }

  private _closePane(paneId: string): void {
    const entry = this._panes.get(paneId);
    if (!entry) return;
    this._panes.delete(paneId);
    entry.subscriptions.dispose();
    entry.pane.dispose();
    this._emit('pane.state', { paneId, state: 'closed' });
    this._updatePaneCount(entry.pane.hostId);
  }

  private _updatePaneCount(hostId: string): void {
    const count = [...this._panes.values()].filter(({ pane }) => pane.hostId === hostId).length;
    this._hosts.get(hostId)?.supervisor.setPaneCount(count);
  }

  private async _hostView(profile: HostProfile): Promise<HostProfile> {
    const hasPassword = (await this._secrets.getRemembered(`password:${profile.id}`)) !== undefined;
    return { ...profile, hasPassword };
  }

  private _createHandlers(): Handlers {
    const { profiles, knownHosts } = this._options;
    const secrets = this._secrets;
    return {
      'app.info': async () => ({
        version: this._options.version,
        shell: this._options.shell,
        secretsPersist: secrets.persistent,
        platform: process.platform,
      }),

      'app.notices': async () => [...this._notices],

      'hosts.list': async () => Promise.all(profiles.list().map((p) => this._hostView(p))),

      'hosts.save': async (input) => {
        await validateProfileInput(input, { profiles });
        const now = this._clock.now();
        const existing = input.id ? profiles.get(input.id) : undefined;
        if (input.id && !existing) throw new HoldfastError({ code: 'NOT_FOUND', message: 'This host no longer exists.' });
        const profile = existing
          ? updateProfile(existing, input, now)
          : newProfile({ ...input, keepalive: input.keepalive ?? this._settings.get().defaultKeepalive }, now);
        const moved = existing !== undefined && !sameDestination(existing, profile);
        profiles.put(profile);
        if (moved) {
          // A password belongs to the account it was typed for: a profile that now points at another host, port or
          // user must not send it there unasked. Forget it (remembered and for-this-session alike).
          await secrets.delete(`password:${profile.id}`);
        }
        if (input.password) {
          // Remembered (safeStorage) only when asked; otherwise kept until the app stops, for its reconnects.
          if (input.rememberPassword) await secrets.set(`password:${profile.id}`, input.password);
          else await secrets.keepForSession(`password:${profile.id}`, input.password);
        }
        if (moved) {
          // Where to connect changed: the old connection belongs to the old address. Open tabs follow the profile
          // to its new address at once (attended: the new server's key and password may need asking), as Retry
          // now would; a host without panes just waits for the next time it is used.
          const supervisor = this._hosts.get(profile.id)?.supervisor;
          supervisor?.disconnect();
          if (supervisor && [...this._panes.values()].some(({ pane }) => pane.hostId === profile.id)) supervisor.retryNow();
        }
        this._emit('hosts.changed', {});
        return this._hostView(profile);
      },

      'hosts.delete': async ({ hostId }) => {
        this._profile(hostId);
        this._dropHost(hostId);
        profiles.delete(hostId);
        await secrets.delete(`password:${hostId}`);
        this._emit('hosts.changed', {});
        return undefined;
      },

      'hosts.status': async () => [...this._hosts.values()].map(({ supervisor }) => supervisor.status as HostStatus),

      'hosts.retryNow': async ({ hostId }) => {
        this._profile(hostId);
        this._supervisor(hostId).retryNow();
        return undefined;
      },

      'hosts.disconnect': async ({ hostId }) => {
        this._dropHost(hostId);
        return undefined;
      },

      'hosts.forgetHostKey': async ({ hostId }) => {
        const profile = this._profile(hostId);
        knownHosts.remove(profile.host, profile.port);
        this._sessionKnownHosts.remove(profile.host, profile.port);
        return undefined;
      },

      'sessions.list': async ({ hostId }) => {
        this._profile(hostId);
        const connection = await this._supervisor(hostId).ensureConnected();
        return listSessions(connection);
      },

      'panes.open': async ({ hostId, sessionName, sessionId, create, cols, rows }) => {
        this._profile(hostId);
        if (create && isReservedSessionName(sessionName)) throw reservedNameError(sessionName);
        const supervisor = this._supervisor(hostId);
        const connection = await supervisor.ensureConnected();
        const paneId = randomUUID();
        const pane = new Pane({ paneId, hostId, sessionName, sessionId, startCommand: create?.startCommand, cols, rows });
        const subscriptions = new DisposableStore();
        subscriptions.add(
          pane.onData((data) => {
            this._hosts.get(hostId)?.watchdog.outputReceived();
            this._emit('pane.data', { paneId, data });
          }),
        );
        subscriptions.add(pane.onDidChangeState((e) => this._emit('pane.state', { paneId, ...e })));
        this._panes.set(paneId, { pane, subscriptions });
        this._updatePaneCount(hostId);
        try {
          await pane.attach(connection, { create: create !== undefined });
        } catch (err) {
          this._closePane(paneId);
          throw HoldfastError.from(err);
        }
        return pane.info();
      },

      'panes.list': async () => [...this._panes.values()].map(({ pane }) => pane.info() as PaneInfo),

      'panes.write': async ({ paneId, data }) => {
        const pane = this._pane(paneId);
        if (pane.state === 'attached') this._hosts.get(pane.hostId)?.watchdog.inputSent();
        pane.write(data);
        return undefined;
      },

      'panes.resize': async ({ paneId, cols, rows }) => {
        this._pane(paneId).resize(cols, rows);
        return undefined;
      },

      'panes.ack': async ({ paneId, bytes }) => {
        this._panes.get(paneId)?.pane.ack(bytes);
        return undefined;
      },

      'panes.close': async ({ paneId }) => {
        const pane = this._panes.get(paneId)?.pane;
        // A session whose start command ended at once is clutter on the server: closing its tab ends it.
        const connection = pane?.state === 'exited' ? this._hosts.get(pane.hostId)?.supervisor.connection : undefined;
        if (pane && connection) await pane.endDeadSession(connection);
        this._closePane(paneId);
        return undefined;
      },

      'panes.recreate': async ({ paneId, startCommand }) => {
        const pane = this._pane(paneId);
        const connection = await this._supervisor(pane.hostId).ensureConnected();
        await pane.recreate(connection, startCommand);
        return pane.info();
      },

      'settings.get': async () => this._settings.get(),

      'settings.save': async (patch) => {
        let saved;
        try {
          saved = this._settings.update(patch);
        } catch (err) {
          throw new HoldfastError({ code: 'VALIDATION', message: `These settings cannot be saved: ${err instanceof Error ? err.message : String(err)}` });
        }
        this._emit('settings.changed', saved);
        return saved;
      },

      'prompts.answer': async ({ promptId, answer }) => {
        this._prompts.answer(promptId, answer);
        return undefined;
      },

      'import.preview': async ({ path }) =>
        previewImport({ path, homeDir: this._options.homeDir ?? homedir(), existing: profiles.list() }),

      'import.apply': async ({ candidates }) => {
        const created = applyImport(candidates, profiles.list(), this._clock.now());
        for (const profile of created) profiles.put(profile);
        if (created.length) this._emit('hosts.changed', {});
        return created;
      },
    };
  }

  override dispose(): void {
    for (const paneId of [...this._panes.keys()]) this._closePane(paneId);
    for (const hostId of [...this._hosts.keys()]) this._dropHost(hostId);
    super.dispose();
  }
}

/** Whether two versions of a profile connect to the same account: same host, port and user. */
export function sameDestination(a: Pick<HostProfile, 'host' | 'port' | 'user'>, b: Pick<HostProfile, 'host' | 'port' | 'user'>): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.user === b.user;
}

/** The channel count SshConnection keeps; other ISshConnections (fakes) may not count. */
function openChannelsOf(connection: ISshConnection | undefined): number | undefined {
  const count = (connection as { openChannels?: unknown } | undefined)?.openChannels;
  return typeof count === 'number' ? count : undefined;
}

/**
 * Core as the web host runs it: profiles and remembered host keys as JSON files (via `conf`) in the data dir,
 * secrets in memory only (no OS keychain), and notices about unreadable settings shown to the first view.
 */
export function createWebCore(options: {
  dataDir: string;
  version: string;
  homeDir?: string;
  knownHostsFiles?: string[];
  clock?: IClock;
  supervisorPolicy?: Partial<SupervisorPolicy>;
}): HoldfastCore {
  const early: Notice[] = [];
  const onNotice = (notice: Notice) => early.push(notice);
  const profiles = new ProfileStore(createConfBacking({ cwd: options.dataDir, configName: 'profiles' }), { onNotice });
  const knownHosts = new KnownHostsStore(createConfBacking({ cwd: options.dataDir, configName: 'known-hosts' }), { onNotice });
  const settings = new SettingsStore(createConfBacking({ cwd: options.dataDir, configName: 'settings' }), { onNotice });
  const core = new HoldfastCore({
    shell: 'web',
    version: options.version,
    profiles,
    settings,
    knownHosts,
    secrets: new MemorySecretStore(),
    homeDir: options.homeDir,
    knownHostsFiles: options.knownHostsFiles,
    clock: options.clock,
    supervisorPolicy: options.supervisorPolicy,
  });
  for (const notice of early) core.notice(notice);
  return core;
}
