// The one composition root: the stores, the timeline and core, made the same way for both shells. The Electron
// shell passes electron-store files and its safeStorage secrets; the web host conf files and secrets kept in memory.
import { join } from 'node:path';
import type { Notice } from '../shared/model';
import type { ICompanion, ISecretStore } from './interfaces';
import { HoldfastCore, type CoreOptions } from './service';
import { createConfBacking, KnownHostsStore, MemorySecretStore, ProfileStore, SettingsStore, WorkspaceStore, type IJsonBacking } from './stores';
import { FileTimelineLog } from './timeline/log';

/** The files core keeps, by name (`profiles`, `known-hosts`, `settings`, `workspace`). */
export type StoreName = 'profiles' | 'known-hosts' | 'settings' | 'workspace';

export interface ComposeOptions extends Omit<CoreOptions, 'profiles' | 'settings' | 'workspace' | 'knownHosts' | 'secrets' | 'timeline' | 'companion'> {
  dataDir: string;
  /** Where each store keeps its JSON. */
  backing: (name: StoreName) => IJsonBacking;
  secrets: ISecretStore;
  companion?: ICompanion;
  /** Notices from before core existed (a keyring that could not be opened): shown with the stores' own. */
  notices?: Notice[];
}

export function composeCore(options: ComposeOptions): HoldfastCore {
  const { dataDir, backing, notices, companion, ...rest } = options;
  // A settings file moved aside because it was corrupt is said once core can say it.
  const early: Notice[] = [...(notices ?? [])];
  const onNotice = (notice: Notice) => early.push(notice);
  const core = new HoldfastCore({
    ...rest,
    profiles: new ProfileStore(backing('profiles'), { onNotice }),
    knownHosts: new KnownHostsStore(backing('known-hosts'), { onNotice }),
    settings: new SettingsStore(backing('settings'), { onNotice }),
    workspace: new WorkspaceStore(backing('workspace'), { onNotice }),
    timeline: new FileTimelineLog(join(dataDir, 'timeline.jsonl')),
    ...(companion ? { companion } : {}),
  });
  for (const notice of early) core.notice(notice);
  return core;
}

/**
 * Core as the web host runs it: profiles and remembered host keys as JSON files (via `conf`) in the data dir,
 * secrets in memory only (no OS keychain), and notices about unreadable settings shown to the first view.
 */
export function createWebCore(options: Omit<ComposeOptions, 'shell' | 'backing' | 'secrets'>): HoldfastCore {
  return composeCore({
    ...options,
    shell: 'web',
    backing: (name) => createConfBacking({ cwd: options.dataDir, configName: name }),
    secrets: new MemorySecretStore(),
  });
}
