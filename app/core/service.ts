// HoldfastCore: the one implementation of the contract. Views connect to it through a bridge (`connect`), each as a
// client that holds its panes; core owns the hosts (one supervisor and SSH connection each), the panes and who holds
// them, the prompt broker and the stores. The commands are handled in app/core/handlers, one module per subject.
import { homedir } from 'node:os';
import type { z } from 'zod';
import type {
  ClientInfo,
  CommandName,
  CommandOutput,
  Commands,
  EventName,
  EventPayload,
  IClientSink,
  IHoldfastCore,
  NotificationName,
  NotificationPayload,
} from '../shared/contract';
import { commandAccess, eventAudience, forbiddenError, mayUse, notifications } from '../shared/contract';
import { Disposable, Emitter, type Event } from '../shared/lifecycle';
import type { Attention, Notice } from '../shared/model';
import { CoreClient, type IClientHost } from './clients';
import { appHandlers } from './handlers/app';
import type { CoreContext, Handler, Handlers, NotificationHandler, NotificationHandlers } from './handlers/context';
import { hostHandlers } from './handlers/hosts';
import { importHandlers } from './handlers/import';
import { paneHandlers, paneNotificationHandlers } from './handlers/panes';
import { promptHandlers } from './handlers/prompts';
import { HostRegistry, type SystemEvent } from './hosts';
import type { IClock, ICompanion, IConnector, IKnownHostsStore, IProfileStore, ISecretStore, ISshConnection } from './interfaces';
import { systemClock } from './interfaces';
import type { FlowMarks } from './pane/PaneStream';
import { PaneRegistry } from './paneRegistry';
import { PromptBroker } from './prompts';
import { SshConnector } from './ssh/connector';
import {
  MemoryKnownHostsStore,
  MemorySettingsStore,
  MemoryWorkspaceStore,
  SessionSecretStore,
  type ISettingsStore,
  type IWorkspaceStore,
} from './stores';
import type { SupervisorPolicy } from './supervisor/machine';
import { NetworkWatcher } from './supervisor/networkWatcher';
import { NeedsService } from './needs/needs';
import { needsHandlers } from './handlers/needs';
import { deviceHandlers } from './handlers/devices';
import { rescueHandlers } from './handlers/rescue';
import { RescueService } from './rescue/service';
import { timelineHandlers } from './handlers/timeline';
import { MemoryTimelineLog, type ITimelineLog } from './timeline/log';
import { WakeDetector } from './supervisor/wakeDetector';

export { sameDestination } from './handlers/hosts';

export interface CoreOptions {
  shell: 'electron' | 'web';
  /** Pairs devices (the web host's and Electron's companion); without it, pairing is not offered. */
  companion?: ICompanion;
  /** How long a watched session must be silent after activity to count as "went quiet" (Needs you); 30 s. */
  quietMs?: number;
  version: string;
  profiles: IProfileStore;
  /** The app's settings; in memory only when absent. */
  settings?: ISettingsStore;
  /** The tab set to reopen after a restart; in memory only when absent. */
  workspace?: IWorkspaceStore;
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
  /** How long a view that went keeps its panes for a reload (VIEW_GRACE_MS by default). */
  viewGraceMs?: number;
  /** Overrides of the flow-control marks (tests). */
  flow?: Partial<FlowMarks>;
  /** The Timeline's record (a file in the data dir); in memory only when absent. */
  timeline?: ITimelineLog;
}

export type CoreEvent = { [K in EventName]: { name: K; payload: EventPayload<K> } }[EventName];

type AllHandlers = Handlers<CommandName>;

export class HoldfastCore extends Disposable implements IHoldfastCore, IClientHost {
  private readonly _onEvent = this._register(new Emitter<CoreEvent>());
  /** Every event every view gets, for listeners inside the process (the Electron shell's notifications). */
  readonly onEvent: Event<CoreEvent> = this._onEvent.event;

  private readonly _prompts = this._register(new PromptBroker());
  private readonly _clients = new Set<CoreClient>();
  /** Devices revoked while this core runs: their views never come back for their panes. */
  private readonly _revokedDevices = new Set<string>();
  private readonly _hosts: HostRegistry;
  private readonly _panes: PaneRegistry;
  private readonly _needs: NeedsService;
  private readonly _handlers: AllHandlers;
  private readonly _notificationHandlers: NotificationHandlers;
  private readonly _notices: Notice[] = [];

  constructor(options: CoreOptions) {
    super();
    const clock = options.clock ?? systemClock;
    const settings = options.settings ?? new MemorySettingsStore();
    const secrets = new SessionSecretStore(options.secrets);
    const sessionKnownHosts = new MemoryKnownHostsStore();
    const connector =
      options.connector ??
      new SshConnector({
        profiles: options.profiles,
        secrets,
        prompter: this._prompts,
        knownHosts: options.knownHosts,
        sessionKnownHosts,
        knownHostsFiles: options.knownHostsFiles,
        homeDir: options.homeDir,
      });
    const timeline = options.timeline ?? new MemoryTimelineLog();
    this._register(timeline.onDidAppend((entry) => this._emit('timeline.added', { entries: [entry] })));
    this._needs = this._register(
      new NeedsService({
        timeline,
        clock,
        settings: () => settings.get(),
        hostName: (hostId) => options.profiles.get(hostId)?.name ?? hostId,
        isShown: (hostId, sessionId, tmuxPane) => this._panes.isShown(hostId, sessionId, tmuxPane),
        quietMs: options.quietMs,
      }),
    );
    this._register(this._needs.onDidChange((state) => this._emit('needs.changed', state)));
    this._register(this._needs.onSessionsChanged((hostId) => this._emit('sessions.changed', { hostId })));
    this._register(this._needs.onAttention((attention) => this._emit('attention', attention)));
    this._hosts = this._register(
      new HostRegistry({
        profiles: options.profiles,
        connector,
        clock,
        probeTimeoutMs: options.probeTimeoutMs,
        policy: options.supervisorPolicy,
        onStatus: (status) => this._emit('host.status', status),
        onHost: (host) => this._needs.watchHost(host),
      }),
    );
    this._panes = this._register(
      new PaneRegistry({
        hosts: this._hosts,
        workspace: options.workspace ?? new MemoryWorkspaceStore(),
        clock,
        graceMs: options.viewGraceMs,
        flow: options.flow,
        attachPolicy: (hostId) => {
          const current = settings.get();
          return { mode: options.profiles.get(hostId)?.tmuxMode ?? current.defaultTmuxMode, historyLines: current.tmuxHistoryLines };
        },
        onLayout: (paneId, layout) => this._emit('pane.layout', { paneId, layout }),
        onAttention: (pane, attention) => this._needs.paneAttention(pane, attention),
        onState: (paneId, { mode, ...change }) =>
          this._emit('pane.state', {
            paneId,
            ...change,
            ...(mode ? { mode: mode.kind, ...(mode.kind === 'classic' && mode.because ? { modeNote: mode.because } : {}) } : {}),
          }),
      }),
    );
    this._register(this._prompts.onDidShow((prompt) => this._emit('prompt.show', prompt)));
    this._register(this._prompts.onDidClose((e) => this._emit('prompt.close', e)));
    if (options.watchSystem !== false) {
      const wake = this._register(new WakeDetector({ clock }));
      this._register(wake.onWake(() => this.notifySystem('resume')));
      const network = this._register(new NetworkWatcher({ clock }));
      this._register(network.onNetworkUp(() => this.notifySystem('online')));
      this._register(network.onNetworkChange(() => this.notifySystem('network-change')));
      this._register(network.onNetworkDown(() => this.notifySystem('offline')));
    }
    const ctx: CoreContext = {
      shell: options.shell,
      version: options.version,
      homeDir: options.homeDir ?? homedir(),
      clock,
      profiles: options.profiles,
      knownHosts: options.knownHosts,
      sessionKnownHosts,
      secrets,
      settings,
      prompts: this._prompts,
      hosts: this._hosts,
      panes: this._panes,
      notices: this._notices,
      ...(options.companion ? { companion: options.companion } : {}),
      emit: (name, payload) => this._emit(name, payload),
      revokeDevice: (deviceId) => this.revokeDevice(deviceId),
    };
    this._notificationHandlers = paneNotificationHandlers(ctx);
    this._handlers = {
      ...appHandlers(ctx),
      ...hostHandlers(ctx),
      ...paneHandlers(ctx),
      ...promptHandlers(ctx),
      ...importHandlers(ctx),
      ...needsHandlers(ctx, this._needs),
      ...timelineHandlers(timeline),
      ...deviceHandlers(ctx),
      ...rescueHandlers(
        ctx,
        new RescueService({ now: () => clock.now(), extraNames: () => settings.get().rescueNames, resumeCommands: () => settings.get().resumeCommands }),
      ),
    } satisfies AllHandlers;
    if (options.companion) this._register(options.companion.onDidChange(() => this._emit('devices.changed', {})));
  }

  /** A view connected: everything it sends goes through the returned client, which it disposes when it goes. */
  connect(sink: IClientSink, info: ClientInfo): CoreClient {
    const client = new CoreClient(info, sink, this);
    this._clients.add(client);
    return client;
  }

  // ---------- IClientHost: what every client does, routed here ----------

  /** Every call of every bridge: who may use it is the contract's (`Access`), checked here and nowhere else. */
  handle<K extends CommandName>(client: CoreClient, name: K, input: z.output<Commands[K]['input']>): Promise<CommandOutput<K>> {
    if (!mayUse(client.role, commandAccess(name, input))) return Promise.reject(forbiddenError(client.role));
    const handler = this._handlers[name] as Handler<K>;
    return handler(input, client);
  }

  /** Every notification of every bridge, through the same access check; one a view may not send is dropped. */
  notify<K extends NotificationName>(client: CoreClient, name: K, input: NotificationPayload<K>): void {
    if (!mayUse(client.role, notifications[name].access)) return;
    (this._notificationHandlers[name] as NotificationHandler<K>)(input, client);
  }

  subscribe(client: CoreClient, paneId: string): void {
    this._panes.subscribe(client, paneId);
  }

  unsubscribe(client: CoreClient, paneId: string): void {
    this._panes.unsubscribe(client, paneId);
  }

  disconnect(client: CoreClient): void {
    if (!this._clients.delete(client)) return;
    const revoked = client.info.deviceId !== undefined && this._revokedDevices.has(client.info.deviceId);
    this._panes.clientGone(client, { keepForReload: !revoked });
  }

  /**
   * A paired device's access ends, at once and in full: its views are closed (a call of theirs still on its way is
   * refused), and every pane they held, or kept for a reload, is let go.
   */
  revokeDevice(deviceId: string): void {
    this._revokedDevices.add(deviceId);
    for (const client of [...this._clients]) if (client.info.deviceId === deviceId) client.dispose();
    this._panes.releaseDevice(deviceId);
  }

  // ---------- the shells' side ----------

  /** What the OS tells the shell: Electron's powerMonitor, or core's own wake and network watchers. */
  notifySystem(event: SystemEvent): void {
    this._hosts.notifySystem(event);
  }

  /** The user clicked the shell's notification: the focused view opens the pane it was about. */
  requestOpen(attention: Attention): void {
    this._emit('attention.open', attention);
  }

  /** Tells the user something (e.g. a settings file was unreadable and moved aside). Kept for views that open later. */
  notice(notice: Notice): void {
    this._notices.push(notice);
    if (this._notices.length > 50) this._notices.shift();
    this._emit('notice', notice);
  }

  /** Prompts still waiting for an answer. */
  get pendingPrompts() {
    return this._prompts.pending;
  }

  /**
   * For leak tests: live hosts, panes, connected views and views in their grace period; per host, the supervisor's
   * counters and the channels open on its connection (when the connection counts them).
   */
  get stats() {
    return {
      hosts: this._hosts.all.length,
      panes: this._panes.size,
      clients: this._clients.size,
      viewsInGrace: this._panes.viewsInGrace,
      eventListeners: this._onEvent.listenerCount,
      supervisors: this._hosts.all.map((host) => ({ ...host.supervisor.stats, openChannels: openChannelsOf(host.connection) })),
    };
  }

  /**
   * An event, to whom it is for (contract.ts `eventAudience`): every view, the computer's own views, or the views
   * that hold the pane it is about. In-process listeners (the Electron shell's notifications) hear every event.
   */
  private _emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    this._onEvent.fire({ name, payload } as CoreEvent);
    const audience = eventAudience[name];
    const holders = audience === 'holders' ? this._panes.holderClients((payload as { paneId: string }).paneId) : undefined;
    for (const client of [...this._clients]) {
      if (audience === 'owner' && client.role !== 'owner') continue;
      if (holders && !holders.has(client.clientId)) continue;
      client.event(name, payload);
    }
  }


  override dispose(): void {
    for (const client of [...this._clients]) client.dispose();
    super.dispose();
  }
}

/** The channel count SshConnection keeps; other ISshConnections (fakes) may not count. */
function openChannelsOf(connection: ISshConnection | undefined): number | undefined {
  const count = (connection as { openChannels?: unknown } | undefined)?.openChannels;
  return typeof count === 'number' ? count : undefined;
}
