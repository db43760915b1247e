// What the command handlers share: the stores, the hosts and panes, the prompt broker, and the way to tell every
// view something. Each module of handlers takes this and returns its part of the table; service.ts puts the parts
// together and checks that every command of the contract has exactly one handler.
import type { z } from 'zod';
import type { CommandName, CommandOutput, Commands, EventName, EventPayload, NotificationName, NotificationPayload } from '../../shared/contract';
import type { Notice } from '../../shared/model';
import type { CoreClient } from '../clients';
import type { HostRegistry } from '../hosts';
import type { IClock, ICompanion, IKnownHostsStore, IProfileStore } from '../interfaces';
import type { PaneRegistry } from '../paneRegistry';
import type { PromptBroker } from '../prompts';
import type { ISettingsStore, MemoryKnownHostsStore, SessionSecretStore } from '../stores';

export interface CoreContext {
  readonly shell: 'electron' | 'web';
  readonly version: string;
  readonly homeDir: string;
  readonly clock: IClock;
  readonly profiles: IProfileStore;
  readonly knownHosts: IKnownHostsStore;
  /** Host keys accepted once: trusted until the app stops, so that automatic reconnects need not ask. */
  readonly sessionKnownHosts: MemoryKnownHostsStore;
  /** Remembered secrets, plus those typed without "remember", kept in memory so reconnects need not ask. */
  readonly secrets: SessionSecretStore;
  readonly settings: ISettingsStore;
  readonly prompts: PromptBroker;
  readonly hosts: HostRegistry;
  readonly panes: PaneRegistry;
  /** The companion that pairs devices (web host and Electron), when this shell has one. */
  readonly companion?: ICompanion;
  /** Notices kept for views that open later. */
  readonly notices: readonly Notice[];
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void;
  /** Ends a paired device's views and lets go of its panes (after a revoke). */
  revokeDevice(deviceId: string): void;
}

/** A handler gets the validated input and the view that sent it. */
export type Handler<K extends CommandName> = (input: z.output<Commands[K]['input']>, client: CoreClient) => Promise<CommandOutput<K>>;

export type Handlers<K extends CommandName> = { [N in K]: Handler<N> };

/** A notification's handler: the validated input and the view that sent it; nothing is answered. */
export type NotificationHandler<K extends NotificationName> = (input: NotificationPayload<K>, client: CoreClient) => void;

export type NotificationHandlers = { [N in NotificationName]: NotificationHandler<N> };
