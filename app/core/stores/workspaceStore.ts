// The tabs to open again after a restart: the tab set the last view saved, one JSON document
// `{ version, workspace: { tabs: [...], active } }` beside the profiles. Each tab is what it takes to attach again
// (host, session name and id, start command), never a pane id (panes do not outlive the process). A tab that
// cannot be read is left out and named; the others are kept.
import { z } from 'zod';
import { HostId, SessionId } from '../../shared/model';
import { type IJsonBacking, PersistedDocument, type StoreOptions } from './jsonFile';

export const SavedTab = z.object({
  hostId: HostId,
  sessionName: z.string().min(1).max(200),
  sessionId: SessionId.optional(),
  startCommand: z.string().max(4096).optional(),
});
export type SavedTab = z.infer<typeof SavedTab>;

export interface SavedWorkspace {
  tabs: SavedTab[];
  /** Index of the active tab. */
  active?: number;
}

export const EMPTY_WORKSPACE: SavedWorkspace = { tabs: [] };
const MAX_TABS = 200;

export interface IWorkspaceStore {
  get(): SavedWorkspace;
  /** Writes the set; a failure to write is the caller's to report (the tabs stay open either way). */
  save(workspace: SavedWorkspace): void;
}

export class WorkspaceStore implements IWorkspaceStore {
  private readonly _doc: PersistedDocument<SavedWorkspace>;

  constructor(backing: IJsonBacking, options: StoreOptions = {}) {
    this._doc = new PersistedDocument<SavedWorkspace>(
      backing,
      {
        what: 'open tabs',
        empty: EMPTY_WORKSPACE,
        wrongShape: 'does not hold a "workspace" object',
        read(doc) {
          const raw = doc.workspace;
          if (raw === undefined && Object.keys(doc).length === 0) return { value: EMPTY_WORKSPACE };
          if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
          const { tabs, active } = raw as { tabs?: unknown; active?: unknown };
          if (!Array.isArray(tabs)) return undefined;
          const kept: SavedTab[] = [];
          const names: string[] = [];
          let keptActive: number | undefined;
          tabs.slice(0, MAX_TABS).forEach((tab, index) => {
            const parsed = SavedTab.safeParse(tab);
            if (!parsed.success) {
              const name = (tab as { sessionName?: unknown } | null)?.sessionName;
              names.push(typeof name === 'string' ? name.slice(0, 100) : `tab ${index + 1}`);
              return;
            }
            if (index === active) keptActive = kept.length;
            kept.push(parsed.data);
          });
          return { value: { tabs: kept, ...(keptActive !== undefined ? { active: keptActive } : {}) }, lost: { count: names.length, total: tabs.length, names } };
        },
        write: (workspace) => ({ workspace }),
        describeLost: (lost, file) => `${lost.count} of ${lost.total} saved tabs in ${file} could not be read (${lost.names.join(', ')}); they are not reopened`,
      },
      options,
    );
  }

  get(): SavedWorkspace {
    return this._doc.value;
  }

  save(workspace: SavedWorkspace): void {
    this._doc.replace({ tabs: workspace.tabs.slice(0, MAX_TABS), ...(workspace.active !== undefined ? { active: workspace.active } : {}) });
  }
}

/** The tab set in memory only (tests, and cores that keep no files). */
export class MemoryWorkspaceStore implements IWorkspaceStore {
  private _value: SavedWorkspace = EMPTY_WORKSPACE;
  saves = 0;
  get(): SavedWorkspace {
    return this._value;
  }
  save(workspace: SavedWorkspace): void {
    this._value = { tabs: [...workspace.tabs], ...(workspace.active !== undefined ? { active: workspace.active } : {}) };
    this.saves++;
  }
}
