// The window: hosts on the left, tabs of attached tmux sessions on the right, dialogs and prompts on top. The tabs
// are this view's workspace: given back by core when the page loads (after a reload the same panes, after a restart
// the last saved set) and saved whenever they change. Each open tab holds a RemotePane; PaneView shows it.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { IHoldfastApi } from '../../../shared/contract';
import { DisposableStore, type Event, type IDisposable } from '../../../shared/lifecycle';
import {
  DEFAULT_SETTINGS,
  type AppInfo,
  type Attention,
  type HoldfastErrorData,
  type HostProfile,
  type HostStatus,
  type NeedsItem,
  type Notice,
  type PaneInfo,
  type Prompt,
  type RescueAction,
  type RescuePlan,
  type RescueScan,
  type SessionMarks,
  type Settings,
  type TmuxSession,
} from '../../../shared/model';
import { silentNotifier, WebNotifier, type INotifier, type NotificationPermissionState } from '../api/notifier';
import { RemotePane, type RemotePaneState } from '../api/remotePane';
import { sortHosts, tabTitles, titleWithCount } from '../model/format';
import { describeHost, tabTone } from '../model/hostState';
import type { IHostSessions } from '../model/rows';
import { isMacPlatform, shortcutFor } from '../terminal/keys';
import { terminalSettings } from '../terminal/TerminalController';
import { PaneView, type IPaneCallbacks, type ITab } from './PaneView';
import { ConfirmDialog, toErrorData } from './common';
import { PromptDialog } from './PromptDialog';
import { NeedsPanel } from './NeedsPanel';
import { Sidebar, type ISidebarActions } from './Sidebar';

// Forms and dialogs load when first opened, in chunks of their own: the companion's phone, which seldom opens them,
// downloads the sessions, the panes and Needs you first (docs/benchmarks.md has the bytes).
const SettingsDialog = lazy(() => import('./SettingsDialog').then((m) => ({ default: m.SettingsDialog })));
const ShortcutsDialog = lazy(() => import('./SettingsDialog').then((m) => ({ default: m.ShortcutsDialog })));
const HostForm = lazy(() => import('./HostForm').then((m) => ({ default: m.HostForm })));
const ImportDialog = lazy(() => import('./ImportDialog').then((m) => ({ default: m.ImportDialog })));
const NewSessionDialog = lazy(() => import('./NewSessionDialog').then((m) => ({ default: m.NewSessionDialog })));
const DevicesDialog = lazy(() => import('./DevicesDialog').then((m) => ({ default: m.DevicesDialog })));
const RescueDialog = lazy(() => import('./RescueDialog').then((m) => ({ default: m.RescueDialog })));
const TimelineDialog = lazy(() => import('./TimelineDialog').then((m) => ({ default: m.TimelineDialog })));

type Dialog =
  | { kind: 'host-form'; profile?: HostProfile; copyOf?: HostProfile }
  | { kind: 'settings' }
  | { kind: 'shortcuts' }
  | { kind: 'devices' }
  | { kind: 'timeline' }
  | { kind: 'rescue'; host: HostProfile; action: RescueAction; plan: RescuePlan }
  | { kind: 'import' }
  | { kind: 'new-session'; host: HostProfile }
  | { kind: 'delete'; host: HostProfile }
  | { kind: 'forget-key'; hostId: string };

interface INoticeItem extends Notice {
  id: number;
}

let nextTabId = 1;
let nextNoticeId = 1;

/** How often an open host's session list is read again while the host is connected. */
const SESSION_REFRESH_MS = 30_000;

/** Where a page keeps its view id: per browser tab, kept across reloads (an Electron window's survives its reloads). */
const VIEW_ID_KEY = 'holdfast.viewId';

function storedViewId(): string {
  try {
    const existing = sessionStorage.getItem(VIEW_ID_KEY);
    if (existing && existing.length >= 8) return existing;
  } catch {
    // No storage (a locked-down browser): a new view every load.
  }
  return crypto.randomUUID();
}

function storeViewId(viewId: string): void {
  try {
    sessionStorage.setItem(VIEW_ID_KEY, viewId);
  } catch {
    // See storedViewId.
  }
}

/** A tab's fields that follow its pane's state. */
function tabFields(state: RemotePaneState): Pick<ITab, 'state' | 'sessionName' | 'sessionId' | 'error' | 'message' | 'exit' | 'mode' | 'modeNote' | 'layout'> {
  return {
    state: state.state,
    sessionName: state.sessionName,
    sessionId: state.sessionId,
    error: state.error,
    message: state.message,
    exit: state.exit,
    mode: state.mode,
    modeNote: state.modeNote,
    layout: state.layout,
  };
}

/** A tab for a pane the view holds already (given back with its workspace). */
function tabForPane(api: IHoldfastApi, info: PaneInfo, hosts: ReadonlyMap<string, HostProfile>): ITab {
  const remote = new RemotePane(api, info);
  return {
    id: `tab-${nextTabId++}`,
    hostId: info.hostId,
    hostName: hosts.get(info.hostId)?.name ?? info.hostId,
    ...(info.startCommand !== undefined ? { create: { startCommand: info.startCommand } } : {}),
    remote,
    ...tabFields(remote.state),
  };
}

/** A stable order (by name, as people scan a list), so rows never move under the cursor when activity changes. */
function sortSessions(list: readonly TmuxSession[]): TmuxSession[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }) || a.id.localeCompare(b.id));
}

export function App({ api, onDidDisconnect }: { api: IHoldfastApi; onDidDisconnect: Event<string> }) {
  const [appInfo, setAppInfo] = useState<AppInfo>();
  const [hosts, setHosts] = useState<HostProfile[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [statuses, setStatuses] = useState<ReadonlyMap<string, HostStatus>>(new Map());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [sessions, setSessions] = useState<ReadonlyMap<string, IHostSessions>>(new Map());
  const [busyHosts, setBusyHosts] = useState<ReadonlySet<string>>(new Set());
  const [tabs, setTabs] = useState<ITab[]>([]);
  const [activeTabId, setActiveTabId] = useState<string>();
  /** This view's id once core gave its workspace back; tabs are saved only from then on. */
  const [viewId, setViewId] = useState<string>();
  const [prompts, setPrompts] = useState<Prompt[]>([]);
  const [dialog, setDialog] = useState<Dialog>();
  const [notices, setNotices] = useState<INoticeItem[]>([]);
  const [lost, setLost] = useState<string>();
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  /** Ctrl/Cmd +/-: a change of text size for this window, on top of the setting (Ctrl/Cmd 0 undoes it). */
  const [zoom, setZoom] = useState(0);
  /** Needs you: the waiting panes of every connected host, and the sessions' marks. */
  /** Rescue: each host's programs outside tmux, from its last listing. */
  const [rescue, setRescue] = useState<ReadonlyMap<string, RescueScan>>(new Map());
  /** On a phone: the list or the session, one at a time. */
  const [phoneView, setPhoneView] = useState<'list' | 'session'>('list');
  const [needs, setNeeds] = useState<{ items: NeedsItem[]; marks: SessionMarks[] }>({ items: [], marks: [] });
  const [notifier, setNotifier] = useState<INotifier>(silentNotifier);
  const [permission, setPermission] = useState<NotificationPermissionState>('unsupported');

  const hostsById = useMemo(() => new Map(hosts.map((h) => [h.id, h])), [hosts]);
  const state = useRef({ hostsById, tabs, expanded, statuses, activeTabId, settings });
  state.current = { hostsById, tabs, expanded, statuses, activeTabId, settings };

  const notify = useCallback((level: Notice['level'], message: string) => {
    const id = nextNoticeId++;
    // Three at most: a burst (saving several hosts) must not wall off the window.
    setNotices((n) => [...n.slice(-2), { id, level, message }]);
    if (level === 'info') setTimeout(() => setNotices((n) => n.filter((x) => x.id !== id)), 6000);
  }, []);

  const refreshHosts = useCallback(async () => {
    try {
      setHosts(sortHosts(await api.call('hosts.list', {})));
    } catch (err) {
      notify('error', `Could not load hosts: ${toErrorData(err).message}`);
    } finally {
      setLoaded(true);
    }
  }, [api, notify]);

  /**
   * Lists a host's sessions. `quiet` is a refresh nobody asked for (a tab attached or closed, the host came back,
   * the periodic one): no spinner, and a failure keeps the list it had rather than replacing it with an error.
   */
  /** Looks for the host's programs outside tmux (one bounded command, with each listing). */
  const scanRescue = useCallback(
    (hostId: string) => {
      api.call('rescue.scan', { hostId }).then(
        (scan) => setRescue((m) => new Map(m).set(hostId, scan)),
        () => {},
      );
    },
    [api],
  );

  /** Each host's latest list request: an answer to an older one (slower, from before a change) is not shown. */
  const listRequests = useRef(new Map<string, number>());

  const listSessions = useCallback(
    async (host: HostProfile, options: { quiet?: boolean } = {}) => {
      const request = (listRequests.current.get(host.id) ?? 0) + 1;
      listRequests.current.set(host.id, request);
      const latest = () => listRequests.current.get(host.id) === request;
      if (options.quiet) {
        try {
          const list = await api.call('sessions.list', { hostId: host.id });
          if (!latest()) return;
          setSessions((m) => new Map(m).set(host.id, { loading: false, sessions: sortSessions(list) }));
          scanRescue(host.id);
        } catch (err) {
          // The host's own state says what went wrong; the list stays as last seen. A request that took the place of
          // one the user made (still loading) answers for it, error included.
          if (latest()) setSessions((m) => (m.get(host.id)?.loading ? new Map(m).set(host.id, { ...m.get(host.id), loading: false, error: toErrorData(err) }) : m));
        }
        return;
      }
      setBusyHosts((s) => new Set(s).add(host.id));
      setSessions((m) => new Map(m).set(host.id, { ...m.get(host.id), loading: true, error: undefined }));
      try {
        const list = await api.call('sessions.list', { hostId: host.id });
        if (latest()) {
          setSessions((m) => new Map(m).set(host.id, { loading: false, sessions: sortSessions(list) }));
          scanRescue(host.id);
        }
      } catch (err) {
        const error = toErrorData(err);
        if (latest()) setSessions((m) => new Map(m).set(host.id, { loading: false, error, ...(error.code === 'CANCELLED' ? { sessions: m.get(host.id)?.sessions } : {}) }));
      } finally {
        setBusyHosts((s) => {
          const next = new Set(s);
          next.delete(host.id);
          return next;
        });
      }
    },
    [api],
  );

  /**
   * Lists a host's sessions again, quietly, if its list is open: after a tab attached, closed or its session ended.
   * `connected`: the caller knows the host is connected (its watch said its sessions changed), even if this view has
   * not heard of it yet.
   */
  const relistIfShown = useCallback(
    (hostId: string, options: { connected?: boolean } = {}) => {
      const host = state.current.hostsById.get(hostId);
      const connected = options.connected === true || state.current.statuses.get(hostId)?.state === 'connected';
      if (host && state.current.expanded.has(hostId) && connected) void listSessions(host, { quiet: true });
    },
    [listSessions],
  );

  // Sessions made or ended elsewhere show up at once ('sessions.changed', from the watch on the host); while a host's
  // list is open it is also listed again now and then, for a host whose watch does not run.
  useEffect(() => {
    const timer = setInterval(() => {
      for (const hostId of state.current.expanded) relistIfShown(hostId);
    }, SESSION_REFRESH_MS);
    return () => clearInterval(timer);
  }, [relistIfShown]);

  // Subscriptions and the first load.
  useEffect(() => {
    const store = new DisposableStore();
    store.add(onDidDisconnect((reason) => setLost(reason)));
    store.add(
      api.listen('host.status', (s) => {
        const was = state.current.statuses.get(s.hostId)?.state;
        setStatuses((m) => new Map(m).set(s.hostId, s));
        // Back after an outage: what the list showed is stale.
        if (s.state === 'connected' && was !== 'connected') {
          state.current = { ...state.current, statuses: new Map(state.current.statuses).set(s.hostId, s) };
          relistIfShown(s.hostId);
        }
      }),
    );
    store.add(api.listen('hosts.changed', () => void refreshHosts()));
    store.add(api.listen('prompt.show', (p) => setPrompts((ps) => [...ps.filter((x) => x.promptId !== p.promptId), p])));
    store.add(api.listen('prompt.close', ({ promptId }) => setPrompts((ps) => ps.filter((x) => x.promptId !== promptId))));
    // Prompts already waiting (shown before this page loaded, or before a reload): listened for first, then read.
    api.call('prompts.pending', {}).then((list) => setPrompts((ps) => [...ps, ...list.filter((p) => !ps.some((x) => x.promptId === p.promptId))]), () => {});
    store.add(api.listen('notice', (n) => notify(n.level, n.message)));
    store.add(api.listen('settings.changed', (next) => setSettings(next)));
    api.call('settings.get', {}).then(setSettings, () => {});
    api.call('app.info', {}).then((info) => {
      setAppInfo(info);
      // Electron's main process shows the notifications; a page shows its own.
      const next = info.shell === 'electron' ? silentNotifier : new WebNotifier();
      setNotifier(next);
      setPermission(next.permission);
    }, () => {});
    store.add(api.listen('needs.changed', (next) => setNeeds(next)));
    store.add(api.listen('sessions.changed', ({ hostId }) => relistIfShown(hostId, { connected: true })));
    api.call('needs.list', {}).then(setNeeds, () => {});
    // Notices raised before this view opened, e.g. a settings file that was unreadable at start-up.
    api.call('app.notices', {}).then((list) => list.forEach((n) => notify(n.level, n.message)), () => {});
    void refreshHosts();
    api.call('hosts.status', {}).then(
      (list) => setStatuses((m) => new Map([...list.map((s) => [s.hostId, s] as const), ...m])),
      () => {},
    );
    return () => store.dispose();
  }, [api, onDidDisconnect, refreshHosts, notify, relistIfShown]);

  // This view's tabs: the same panes after a reload, the last saved set in a new view (after a restart too).
  useEffect(() => {
    let cancelled = false;
    const requested = storedViewId();
    Promise.all([api.call('workspace.open', { viewId: requested }), api.call('hosts.list', {}).catch(() => [] as HostProfile[])]).then(
      ([workspace, hostList]) => {
        if (cancelled) {
          return;
        }
        storeViewId(workspace.viewId);
        const byId = new Map(hostList.map((h) => [h.id, h]));
        const restored = workspace.panes.map((info) => ({ info, tab: tabForPane(api, info, byId) }));
        setTabs((ts) => [...restored.map((r) => r.tab), ...ts.filter((t) => !restored.some((r) => r.info.paneId === t.remote?.paneId))]);
        const active = restored.find((r) => r.info.paneId === workspace.activePaneId) ?? restored[0];
        if (active) setActiveTabId((current) => current ?? active.tab.id);
        setViewId(workspace.viewId);
      },
      (err: unknown) => notify('warning', `Could not reopen the tabs of the last session: ${toErrorData(err).message}`),
    );
    return () => {
      cancelled = true;
    };
  }, [api, notify]);

  // Each open tab follows its pane's state; an attach, a detach or a session that ended changes the host's list.
  const stateSubscriptions = useRef(new Map<RemotePane, IDisposable>());
  useEffect(() => {
    const live = new Set(tabs.flatMap((t) => (t.remote ? [t.remote] : [])));
    for (const [remote, subscription] of stateSubscriptions.current) {
      if (!live.has(remote)) {
        subscription.dispose();
        stateSubscriptions.current.delete(remote);
      }
    }
    for (const remote of live) {
      if (stateSubscriptions.current.has(remote)) continue;
      stateSubscriptions.current.set(
        remote,
        remote.onState((next) => {
          if (next.state === 'session-gone' || next.state === 'attached' || next.state === 'closed' || next.state === 'exited') relistIfShown(remote.hostId);
          setTabs((ts) => ts.map((t) => (t.remote === remote ? { ...t, ...tabFields(next) } : t)));
        }),
      );
    }
  }, [tabs, relistIfShown]);
  useEffect(
    () => () => {
      for (const subscription of stateSubscriptions.current.values()) subscription.dispose();
      stateSubscriptions.current.clear();
    },
    [],
  );

  // The tabs (order and active one) are saved whenever they change: for this view's reload, and for the next start.
  const savedKey = useMemo(() => {
    const paneIds = tabs.flatMap((t) => (t.remote ? [t.remote.paneId] : []));
    const activePaneId = tabs.find((t) => t.id === activeTabId)?.remote?.paneId;
    return JSON.stringify({ paneIds, activePaneId });
  }, [tabs, activeTabId]);
  useEffect(() => {
    if (!viewId) return;
    const { paneIds, activePaneId } = JSON.parse(savedKey) as { paneIds: string[]; activePaneId?: string };
    api.call('workspace.save', { viewId, paneIds, ...(activePaneId ? { activePaneId } : {}) }).catch((err: unknown) => {
      const e = toErrorData(err);
      if (e.code !== 'NETWORK') notify('warning', e.message);
    });
  }, [api, viewId, savedKey, notify]);

  const titles = useMemo(() => tabTitles(tabs), [tabs]);
  const activeTab = tabs.find((t) => t.id === activeTabId);
  const activeTitle = activeTab ? `${titles.get(activeTab.id) ?? activeTab.sessionName} — Holdfast` : 'Holdfast';

  const openTab = useCallback((host: HostProfile, sessionName: string, create?: { startCommand?: string }, sessionId?: string, startedWith?: string) => {
    const existing =
      !create &&
      startedWith === undefined &&
      state.current.tabs.find(
        (t) => t.hostId === host.id && (sessionId !== undefined && t.sessionId !== undefined ? t.sessionId === sessionId : t.sessionName === sessionName) && t.state !== 'failed',
      );
    setPhoneView('session');
    if (existing) {
      setActiveTabId(existing.id);
      return;
    }
    const tab: ITab = {
      id: `tab-${nextTabId++}`,
      hostId: host.id,
      hostName: host.name,
      sessionName,
      state: 'opening',
      ...(sessionId ? { sessionId } : {}),
      ...(create ? { create } : {}),
      ...(startedWith !== undefined ? { startedWith } : {}),
    };
    setTabs((ts) => [...ts, tab]);
    setActiveTabId(tab.id);
  }, []);

  /** Opens the session of a waiting pane (or of a notification) on that pane: tmux selects it, the tab opens. */
  const openNeeds = useCallback(
    async (target: { itemId?: string; hostId: string; sessionId?: string; sessionName: string }) => {
      const host = state.current.hostsById.get(target.hostId);
      if (!host) return;
      if (target.itemId) await api.call('needs.focus', { itemId: target.itemId }).catch(() => undefined);
      openTab(host, target.sessionName, undefined, target.sessionId);
    },
    [api, openTab],
  );

  const answerNeeds = useCallback(
    async (item: NeedsItem, choice: number) => {
      try {
        await api.call('needs.answer', { itemId: item.id, choice, fingerprint: item.fingerprint });
      } catch (err) {
        const e = toErrorData(err);
        // Answered already (here, elsewhere): nothing to do. Changed since shown: look at it instead of typing.
        if (e.code === 'NOT_FOUND') return;
        if (e.code === 'STALE') {
          notify('warning', e.message);
          await openNeeds({ itemId: item.id, hostId: item.hostId, sessionId: item.sessionId, sessionName: item.sessionName });
          return;
        }
        notify('error', e.message);
      }
    },
    [api, notify, openNeeds],
  );

  // The window title names the active tab and counts the panes that wait (one effect: two would overwrite each other).
  useEffect(() => {
    document.title = titleWithCount(activeTitle, needs.items.length);
  }, [activeTitle, needs.items.length]);

  // Desktop notifications (core decided it calls for one: not muted, not in view, not again within a minute).
  useEffect(() => {
    const sub = api.listen('attention', (a: Attention) => {
      if (!settings.notifications) return;
      notifier.show(a, () => {
        window.focus();
        void openNeeds({ itemId: a.kind === 'waiting' && a.tmuxPane ? `${a.hostId}|${a.tmuxPane}` : undefined, hostId: a.hostId, sessionId: a.sessionId, sessionName: a.sessionName });
      });
    });
    // The Electron shell's notification was clicked: the window it brought up opens the pane.
    const opened = api.listen('attention.open', (a: Attention) => {
      if (!document.hasFocus()) return;
      void openNeeds({ itemId: a.kind === 'waiting' && a.tmuxPane ? `${a.hostId}|${a.tmuxPane}` : undefined, hostId: a.hostId, sessionId: a.sessionId, sessionName: a.sessionName });
    });
    return () => {
      sub.dispose();
      opened.dispose();
    };
  }, [api, notifier, settings.notifications, openNeeds]);

  const marks = useMemo(() => new Map(needs.marks.map((m) => [`${m.hostId} ${m.sessionId}`, m])), [needs.marks]);
  /** When each session's waiting prompts began, for its waiting time today. */
  const waits = useMemo(() => {
    const map = new Map<string, number[]>();
    for (const item of needs.items) map.set(`${item.hostId} ${item.sessionId}`, [...(map.get(`${item.hostId} ${item.sessionId}`) ?? []), item.since]);
    return map;
  }, [needs.items]);

  const closeTab = useCallback(
    (tabId: string) => {
      const tab = state.current.tabs.find((t) => t.id === tabId);
      if (tab?.remote) {
        tab.remote.close().then(
          () => relistIfShown(tab.hostId),
          (err: unknown) => {
            const e = toErrorData(err);
            if (e.code !== 'NOT_FOUND') notify('warning', `Detaching ${tab.sessionName}: ${e.message}`);
          },
        );
      }
      setTabs((ts) => {
        const index = ts.findIndex((t) => t.id === tabId);
        const next = ts.filter((t) => t.id !== tabId);
        setActiveTabId((active) => (active === tabId ? (next[Math.min(index, next.length - 1)]?.id ?? undefined) : active));
        return next;
      });
    },
    [notify, relistIfShown],
  );

  const retryNow = useCallback(
    (hostId: string) => {
      api.call('hosts.retryNow', { hostId }).catch((err: unknown) => notify('error', toErrorData(err).message));
    },
    [api, notify],
  );

  const allSidebarActions = useMemo<ISidebarActions>(
    () => ({
      onAddHost: () => setDialog({ kind: 'host-form' }),
      onImport: () => setDialog({ kind: 'import' }),
      onToggleHost: (host) => {
        if (state.current.expanded.has(host.id)) {
          setExpanded((s) => {
            const next = new Set(s);
            next.delete(host.id);
            return next;
          });
          return;
        }
        setExpanded((s) => new Set(s).add(host.id));
        void listSessions(host);
      },
      onRefreshSessions: (host) => void listSessions(host),
      onEditHost: (host) => setDialog({ kind: 'host-form', profile: host }),
      // A form filled in from the host; nothing is saved until Save.
      onDuplicateHost: (host) => setDialog({ kind: 'host-form', copyOf: host }),
      onOpenSettings: () => setDialog({ kind: 'settings' }),
      onOpenShortcuts: () => setDialog({ kind: 'shortcuts' }),
      onPairDevice: () => setDialog({ kind: 'devices' }),
      onOpenTimeline: () => setDialog({ kind: 'timeline' }),
      onRescue: (host, action) => {
        // The checks run first; the exact command is shown before anything runs.
        api.call('rescue.plan', { hostId: host.id, action }).then(
          (plan) => setDialog({ kind: 'rescue', host, action, plan }),
          (err: unknown) => notify('error', toErrorData(err).message),
        );
      },
      onDeleteHost: (host) => setDialog({ kind: 'delete', host }),
      onRetryNow: (host) => retryNow(host.id),
      onReplaceHostKey: (host) => setDialog({ kind: 'forget-key', hostId: host.id }),
      onOpenSession: (host: HostProfile, session: TmuxSession) => openTab(host, session.name, undefined, session.id),
      onNewSession: (host) => setDialog({ kind: 'new-session', host }),
      onPreview: async (host, session) => (await api.call('sessions.preview', { hostId: host.id, sessionId: session.id })).lines,
      onSetAlert: (host, session, alert) => {
        const next = { ...state.current.settings.sessionAlerts };
        const key = `${host.id}/${session.name}`;
        if (alert) next[key] = alert;
        else delete next[key];
        api.call('settings.save', { sessionAlerts: next }).then(setSettings, (err: unknown) => notify('error', toErrorData(err).message));
      },
    }),
    [listSessions, openTab, retryNow],
  );

  /** A paired device's view offers only what its role may do (the contract's access; core refuses the rest anyway). */
  const role = appInfo?.device ? (appInfo.device.viewOnly ? 'viewer' : 'device') : 'owner';
  const sidebarActions = useMemo<ISidebarActions>(() => {
    if (role === 'owner') return allSidebarActions;
    const { onAddHost: _add, onImport: _import, onEditHost: _edit, onDuplicateHost: _dup, onDeleteHost: _del, onReplaceHostKey: _key, onOpenSettings: _settings, onSetAlert: _alert, onPairDevice: _pair, ...rest } = allSidebarActions;
    if (role === 'device') return rest;
    const { onNewSession: _new, onRescue: _rescue, ...looking } = rest;
    return looking;
  }, [allSidebarActions, role]);

  const paneCallbacks = useMemo<IPaneCallbacks>(
    () => ({
      onOpened: (tabId: string, remote: RemotePane) => {
        // Opened the session a tab already shows (another view's pane came back as this one's): one tab for it.
        const duplicate = state.current.tabs.find((t) => t.id !== tabId && t.remote?.paneId === remote.paneId);
        if (duplicate) {
          remote.dispose();
          setTabs((ts) => ts.filter((t) => t.id !== tabId));
          setActiveTabId(duplicate.id);
          return;
        }
        setTabs((ts) => ts.map((t) => (t.id === tabId ? { ...t, remote, ...tabFields(remote.state), error: undefined } : t)));
        // A new session now shows in its host's list.
        const tab = state.current.tabs.find((t) => t.id === tabId);
        if (tab) relistIfShown(tab.hostId);
      },
      onFailed: (tabId: string, error: HoldfastErrorData) => {
        const tab = state.current.tabs.find((t) => t.id === tabId);
        if (tab && error.code === 'SESSION_GONE') relistIfShown(tab.hostId);
        setTabs((ts) => ts.map((t) => (t.id === tabId ? { ...t, state: error.code === 'SESSION_GONE' ? 'session-gone' : 'failed', error } : t)));
      },
      onClose: closeTab,
      onDismissMessage: (tabId: string) => {
        state.current.tabs.find((t) => t.id === tabId)?.remote?.dismissMessage();
        setTabs((ts) => ts.map((t) => (t.id === tabId ? { ...t, message: undefined } : t)));
      },
      onReopen: (tabId: string) => {
        // The old pane is let go (it failed or was detached); a new one is opened.
        const old = state.current.tabs.find((t) => t.id === tabId)?.remote;
        if (old) void old.close().catch(() => {});
        setTabs((ts) => ts.map((t) => (t.id === tabId ? { ...t, remote: undefined, state: 'opening', error: undefined } : t)));
      },
      onRetryNow: retryNow,
      onReplaceHostKey: (hostId: string) => setDialog({ kind: 'forget-key', hostId }),
      onEditHost: (hostId: string) => {
        const profile = state.current.hostsById.get(hostId);
        if (profile) setDialog({ kind: 'host-form', profile });
      },
      onError: (message: string) => notify('error', message),
      onZoom: (delta: number) => setZoom((z) => Math.max(-6, Math.min(12, z + delta))),
    }),
    [closeTab, relistIfShown, retryNow, notify],
  );

  // "Retry now" appears once: on the visible pane when it is reconnecting, else in the sidebar.
  const hideRetryFor = useMemo(
    () => new Set(activeTab && (activeTab.state === 'reconnecting' || activeTab.state === 'failed') ? [activeTab.hostId] : []),
    [activeTab],
  );

  const prompt = prompts[0];
  const platform = appInfo?.platform ?? '';
  // A host the user opened and that failed: the main area says so too, instead of "click a host".
  const failedHint = useMemo(() => {
    for (const hostId of expanded) {
      const host = hostsById.get(hostId);
      const listing = sessions.get(hostId);
      const view = describeHost(statuses.get(hostId), 0);
      const error = listing?.error ?? (view.kind === 'failed' ? statuses.get(hostId)?.error : undefined);
      if (host && error && error.code !== 'CANCELLED') return `${host.name}: ${describeHost({ hostId, state: 'failed', error }, 0).label}. What happened, and Retry now, are in the sidebar.`;
    }
    return undefined;
  }, [expanded, hostsById, sessions, statuses]);
  const mac = isMacPlatform(platform || navigator.platform);

  // The app's colours follow the theme.
  useEffect(() => {
    document.documentElement.dataset.theme = settings.theme;
  }, [settings.theme]);

  // Window shortcuts (zoom, tabs, help); the terminal keeps them from the program, this acts on them.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const id = shortcutFor(e, mac, settings.shortcuts);
      if (!id || id === 'copy' || id === 'paste' || id === 'search') return;
      e.preventDefault();
      if (id === 'zoom-in') setZoom((z) => Math.min(z + 1, 40 - settings.fontSize));
      else if (id === 'zoom-out') setZoom((z) => Math.max(z - 1, 6 - settings.fontSize));
      else if (id === 'zoom-reset') setZoom(0);
      else if (id === 'help') setDialog({ kind: 'shortcuts' });
      else {
        const ts = state.current.tabs;
        const at = ts.findIndex((t) => t.id === state.current.activeTabId);
        if (ts.length === 0) return;
        const step = id === 'next-tab' ? 1 : -1;
        setActiveTabId(ts[(at + step + ts.length) % ts.length]!.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mac, settings.shortcuts, settings.fontSize]);

  /** Each tab's terminal settings: the app's, the host's own theme, and the window's zoom. */
  const terminalSettingsFor = useMemo(() => {
    const cache = new Map<string, ReturnType<typeof terminalSettings>>();
    return (hostId: string) => {
      const theme = hostsById.get(hostId)?.theme;
      const key = theme ?? '';
      let value = cache.get(key);
      if (!value) cache.set(key, (value = terminalSettings(settings, { mac, theme, fontSize: settings.fontSize + zoom })));
      return value;
    };
  }, [settings, zoom, mac, hostsById]);

  return (
    <div className={`app phone-${tabs.length > 0 ? phoneView : 'list'}`}>
      {lost !== undefined &&
        (lost === 'revoked' ? (
          <div className="banner" role="alert" data-testid="connection-lost" data-reason={lost}>
            <span>
              This device’s access was revoked on the computer. To use Holdfast here again, pair it again: on the computer, open{' '}
              <b>Pair a device</b> and open the new link or code here. Your sessions keep running on the servers.
            </span>
          </div>
        ) : (
          <div className="banner" role="alert" data-testid="connection-lost" data-reason={lost}>
            <span>
              {appInfo?.device
                ? 'Lost the connection to the computer Holdfast runs on; sessions keep running on the servers. Reload once the computer is reachable again.'
                : 'Lost the connection to the Holdfast web host; sessions keep running on the servers. If it was restarted, open the new address it printed (its access token changed); otherwise reload once it runs again.'}{' '}
              <span className="muted small">({lost || 'closed'})</span>
            </span>
            <button type="button" className="btn btn-small" onClick={() => window.location.reload()}>
              Reload
            </button>
          </div>
        ))}
      <div className="workspace">
        <Sidebar
          hosts={hosts}
          statuses={statuses}
          expanded={expanded}
          sessions={sessions}
          hideRetryFor={hideRetryFor}
          busyHosts={busyHosts}
          loaded={loaded}
          actions={sidebarActions}
          extras={{
            rescue,
            canPair: appInfo?.canPair === true,
            device: appInfo?.device,
            marks,
            waits,
            alerts: settings.sessionAlerts,
            top: (
              <NeedsPanel
                items={needs.items}
                marks={marks}
                notifications={settings.notifications && (permission === 'default' || permission === 'denied') ? permission : undefined}
                onAnswer={answerNeeds}
                offline={lost === undefined ? undefined : lost === 'revoked' ? 'This device’s access was revoked: nothing can be answered from here.' : 'Not connected to Holdfast: answer once it is back.'}
                onOpen={(item) => void openNeeds({ itemId: item.id, hostId: item.hostId, sessionId: item.sessionId, sessionName: item.sessionName })}
                onAllowNotifications={() => void notifier.request().then(setPermission)}
              />
            ),
          }}
        />
        <main className="main">
          {tabs.length > 0 && (
            <div className="tabbar" role="tablist" aria-label="Open sessions">
              <button type="button" className="btn btn-small btn-ghost phone-back" onClick={() => setPhoneView('list')}>
                ‹ Sessions
              </button>
              {tabs.map((t) => (
                <div key={t.id} className={`tab ${t.id === activeTabId ? 'is-active' : ''} state-${t.state}`} data-testid="tab" data-session-name={t.sessionName}>
                  <button
                    type="button"
                    role="tab"
                    aria-selected={t.id === activeTabId}
                    className="tab-title"
                    onClick={() => setActiveTabId(t.id)}
                    onAuxClick={(e) => {
                      if (e.button === 1) closeTab(t.id);
                    }}
                    title={`${t.sessionName} on ${t.hostName}`}
                  >
                    <span className={`tab-dot tone-${tabTone(t.state, statuses.get(t.hostId))}`} aria-hidden="true" />
                    {titles.get(t.id)}
                  </button>
                  <button type="button" className="tab-close" aria-label={`Detach ${titles.get(t.id) ?? ''}`} title="Close tab (the tmux session keeps running)" onClick={() => closeTab(t.id)}>
                    ×
                  </button>
                </div>
              ))}
            </div>
          )}
          <div className="panes">
            {tabs.map((t) => (
              <PaneView
                key={t.id}
                api={api}
                tab={t}
                active={t.id === activeTabId}
                hostStatus={statuses.get(t.hostId)}
                hostExists={hostsById.has(t.hostId) || !loaded}
                platform={platform}
                settings={terminalSettingsFor(t.hostId)}
                callbacks={paneCallbacks}
                viewOnly={appInfo?.device?.viewOnly === true}
              />
            ))}
            {tabs.length === 0 && (
              <div className="empty-main">
                <div className="empty-card">
                  <h1>Holdfast</h1>
                  <p>Stay attached to tmux sessions on your servers, through network drops and sleep.</p>
                  {failedHint && (
                    <p className="empty-failure" role="status">
                      {failedHint}
                    </p>
                  )}
                  {hosts.length === 0 ? (
                    <ol>
                      <li>Add a host (or import your ~/.ssh/config) on the left.</li>
                      <li>Click the host to see its tmux sessions.</li>
                      <li>Click a session to attach, or start a new one.</li>
                    </ol>
                  ) : (
                    <p>Click a host on the left to see its tmux sessions, then a session to attach.</p>
                  )}
                  <p className="muted small">Closing a tab detaches; the session keeps running on the server.</p>
                </div>
              </div>
            )}
          </div>
        </main>
      </div>

      <Suspense fallback={null}>
        {dialog?.kind === 'settings' && (
          <SettingsDialog
            api={api}
            settings={settings}
            mac={mac}
            onCancel={() => setDialog(undefined)}
            onSaved={(saved) => {
              setSettings(saved);
              setDialog(undefined);
              notify('info', 'Settings saved.');
            }}
          />
        )}
        {dialog?.kind === 'rescue' && (
          <RescueDialog
            host={dialog.host}
            action={dialog.action}
            plan={dialog.plan}
            what={(() => {
              const action = dialog.action;
              const process = action.kind === 'move' ? rescue.get(dialog.host.id)?.processes.find((p) => p.pid === action.pid) : undefined;
              return action.kind === 'move' ? `${process?.agent ?? process?.command ?? 'the program'} (pid ${action.pid})` : action.agent;
            })()}
            replan={() => api.call('rescue.plan', { hostId: dialog.host.id, action: dialog.action })}
            onCancel={() => setDialog(undefined)}
            onRun={async (plan) => {
              const made = await api.call('rescue.run', { hostId: dialog.host.id, action: dialog.action, command: plan.command });
              setDialog(undefined);
              // With what it runs: the tab shows what it printed if it ends at once, and Recreate runs it again.
              openTab(dialog.host, made.sessionName, undefined, made.sessionId, made.startCommand);
              void listSessions(dialog.host, { quiet: true });
            }}
            onResume={
              dialog.action.kind === 'move' && !dialog.plan.ok
                ? (() => {
                    const process = rescue.get(dialog.host.id)?.processes.find((p) => dialog.action.kind === 'move' && p.pid === dialog.action.pid);
                    const agent = process?.agent;
                    return agent ? () => sidebarActions.onRescue?.(dialog.host, { kind: 'resume', agent, ...(process.cwd ? { cwd: process.cwd } : {}) }) : undefined;
                  })()
                : undefined
            }
          />
        )}
        {dialog?.kind === 'devices' && <DevicesDialog api={api} onClose={() => setDialog(undefined)} />}
        {dialog?.kind === 'timeline' && <TimelineDialog api={api} hosts={hosts} onClose={() => setDialog(undefined)} />}
        {dialog?.kind === 'shortcuts' && <ShortcutsDialog mac={mac} enabled={settings.shortcuts} onClose={() => setDialog(undefined)} onOpenSettings={() => setDialog({ kind: 'settings' })} />}
        {dialog?.kind === 'host-form' && (
          <HostForm
            api={api}
            appInfo={appInfo}
            profile={dialog.profile}
            copyOf={dialog.copyOf}
            hosts={hosts}
            onCancel={() => setDialog(undefined)}
            onSaved={(saved) => {
              setDialog(undefined);
              void refreshHosts();
              notify('info', `Saved ${saved.name}.`);
            }}
          />
        )}
        {dialog?.kind === 'import' && (
          <ImportDialog
            api={api}
            onCancel={() => setDialog(undefined)}
            onImported={(imported) => {
              setDialog(undefined);
              void refreshHosts();
              notify('info', imported.length ? `Imported ${imported.length} ${imported.length === 1 ? 'host' : 'hosts'}.` : 'Nothing new to import.');
            }}
          />
        )}
        {dialog?.kind === 'new-session' && (
          <NewSessionDialog
            hostName={dialog.host.name}
            existing={sessions.get(dialog.host.id)?.sessions?.map((s) => s.name) ?? []}
            onCancel={() => setDialog(undefined)}
            onStart={(name, startCommand) => {
              const host = dialog.host;
              setDialog(undefined);
              openTab(host, name, startCommand ? { startCommand } : {});
            }}
          />
        )}
      </Suspense>
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete ${dialog.host.name}?`}
          message="The profile and its remembered password are removed. tmux sessions on the server keep running."
          confirmLabel="Delete"
          danger
          onCancel={() => setDialog(undefined)}
          onConfirm={async () => {
            await api.call('hosts.delete', { hostId: dialog.host.id });
            setDialog(undefined);
            void refreshHosts();
          }}
        />
      )}
      {dialog?.kind === 'forget-key' && (
        <ConfirmDialog
          title="Replace the stored host key?"
          message={`Only do this if you know the server's key changed (for example, it was reinstalled). Holdfast forgets the key stored for ${
            hostsById.get(dialog.hostId)?.name ?? 'this host'
          } and asks you to check the new fingerprint on the next connection.`}
          confirmLabel="Forget stored key"
          danger
          onCancel={() => setDialog(undefined)}
          onConfirm={async () => {
            await api.call('hosts.forgetHostKey', { hostId: dialog.hostId });
            setDialog(undefined);
            notify('info', 'The stored key was forgotten. Check the new key when Holdfast asks.');
            const host = hostsById.get(dialog.hostId);
            // Connect again at once (attended), so the new key is shown now, for the panes as for the list.
            if (host && expanded.has(host.id)) void listSessions(host);
            else if (tabs.some((t) => t.hostId === dialog.hostId)) retryNow(dialog.hostId);
          }}
        />
      )}
      {prompt && !dialog && (
        <PromptDialog
          key={prompt.promptId}
          api={api}
          prompt={prompt}
          hostName={prompt.hostId ? hostsById.get(prompt.hostId)?.name : undefined}
          onDone={() => setPrompts((ps) => ps.filter((p) => p.promptId !== prompt.promptId))}
        />
      )}

      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
            <span>{n.message}</span>
            <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => setNotices((ns) => ns.filter((x) => x.id !== n.id))}>
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}
