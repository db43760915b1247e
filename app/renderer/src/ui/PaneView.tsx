// A tab's content: the terminal bound to the tab's RemotePane (its output, keys, size, visibility and
// acknowledgements all go through the RemotePane), and what the pane's state means for the user (attaching,
// reconnecting, session gone, exited, failed) as an overlay on top of it.
import { useEffect, useRef, useState } from 'react';
import type { IHoldfastApi } from '../../../shared/contract';
import { DisposableStore } from '../../../shared/lifecycle';
import type { CommandExit, HoldfastErrorData, HostStatus, PaneState, SessionLayout } from '../../../shared/model';
import { RemotePane } from '../api/remotePane';
import { describeHost } from '../model/hostState';
import { isMacPlatform } from '../terminal/keys';
import { readBuffer, readScreen, type TerminalReaders } from '../terminal/readers';
import { TerminalController, type ITerminalSettings } from '../terminal/TerminalController';
import { HostStateCard } from './HostState';
import { applyKeyBarModifiers, KeyBar } from './KeyBar';
import { SearchBar } from './SearchBar';
import { SessionView } from './SessionView';
import { ErrorBox, Spinner, toErrorData, useNow } from './common';

export interface ITab {
  id: string;
  hostId: string;
  hostName: string;
  sessionName: string;
  /** tmux's id of the session, when it was listed: the pane attaches by id, never by name. */
  sessionId?: string;
  create?: { startCommand?: string };
  /** A session made just now running this (Rescue): opened by id, watched for ending at once, kept for Recreate. */
  startedWith?: string;
  /** The pane this tab holds, once it is open. */
  remote?: RemotePane;
  state: PaneState | 'opening';
  error?: HoldfastErrorData;
  /** A note from core, e.g. that typed input was discarded during an outage. */
  message?: string;
  /** How the start command ended, while `exited`. */
  exit?: CommandExit;
  /** How the pane is attached, and why classic in auto mode. */
  mode?: 'control' | 'classic';
  modeNote?: string;
  /** In control mode: the session's windows and panes, shown as sub-tabs and native splits. */
  layout?: SessionLayout;
}

export interface IPaneCallbacks {
  onOpened(tabId: string, remote: RemotePane): void;
  onFailed(tabId: string, error: HoldfastErrorData): void;
  onClose(tabId: string): void;
  onDismissMessage(tabId: string): void;
  /** Back to 'opening' without a pane, so that the view attaches again. */
  onReopen(tabId: string): void;
  onRetryNow(hostId: string): void;
  onReplaceHostKey(hostId: string): void;
  onEditHost(hostId: string): void;
  /** The program in the pane rang the bell. */
  onBell?(tabId: string): void;
  /** A window or pane action failed in tmux. */
  onError?(message: string): void;
  /** The key bar's A− / A+ (a phone's text size). */
  onZoom?(delta: number): void;
}

/** A touch screen or a narrow window (a phone): the key bar is shown. */
function useTouchLayout(): boolean {
  const query = '(pointer: coarse), (max-width: 760px)';
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setMatches(list.matches);
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, []);
  return matches;
}

/** Whether the window is shown (not minimized, not a background browser tab). */
function useWindowVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

export function PaneView({
  api,
  tab,
  active,
  hostStatus,
  hostExists,
  platform,
  settings,
  callbacks,
  viewOnly = false,
}: {
  api: IHoldfastApi;
  /** A view-only device: no key bar, and what is typed goes nowhere (core drops it too). */
  viewOnly?: boolean;
  tab: ITab;
  active: boolean;
  hostStatus: HostStatus | undefined;
  /** False once the tab's profile was deleted: nothing can be reopened then. */
  hostExists: boolean;
  platform: string;
  settings: ITerminalSettings;
  callbacks: IPaneCallbacks;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const paneRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<TerminalController | undefined>(undefined);
  const tabRef = useRef(tab);
  tabRef.current = tab;
  const [searchOpen, setSearchOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const windowVisible = useWindowVisible();
  const touch = useTouchLayout();

  // In control mode each tmux pane is its own terminal in the session view; otherwise one terminal shows the pane.
  const remote = tab.remote;
  const native = remote !== undefined && tab.mode === 'control' && tab.layout !== undefined && tab.layout.windows.length > 0;

  // Read-only handles on the visible text (terminal/readers.ts): the single terminal's, or the focused native pane's.
  useEffect(() => {
    const paneElement = paneRef.current!;
    const focused = () => paneElement.querySelector<HTMLElement>('[data-testid="native-pane"][data-focused="true"]') as (HTMLElement & TerminalReaders) | null;
    Object.assign(paneElement, {
      holdfastReadScreen: () => focused()?.holdfastReadScreen?.() ?? (controllerRef.current ? readScreen(controllerRef.current) : ''),
      holdfastReadBuffer: () => focused()?.holdfastReadBuffer?.() ?? (controllerRef.current ? readBuffer(controllerRef.current) : []),
      holdfastRawTail: () => focused()?.holdfastRawTail?.() ?? (controllerRef.current ? [...controllerRef.current.rawTail.bytes()] : []),
    } satisfies TerminalReaders);
  }, []);

  // The single terminal, while the pane is not shown as native splits (it also measures the size a pane opens with).
  useEffect(() => {
    if (native) return;
    const container = containerRef.current!;
    const controller = new TerminalController(container, isMacPlatform(platform || navigator.platform), settingsRef.current);
    controllerRef.current = controller;
    const store = new DisposableStore();
    store.add(controller.onInput((data) => tabRef.current.remote?.write(applyKeyBarModifiers(data))));
    store.add(controller.onResize(({ cols, rows }) => tabRef.current.remote?.resize(cols, rows)));
    store.add(controller.onSearchRequested(() => setSearchOpen(true)));
    store.add(controller.onBell(() => callbacks.onBell?.(tabRef.current.id)));
    return () => {
      store.dispose();
      controller.dispose();
      controllerRef.current = undefined;
    };
  }, [platform, native]);

  // Attach (and again on "Reopen"). A tab given back with its workspace has its pane already.
  const needsOpen = !remote && tab.state === 'opening';
  useEffect(() => {
    if (!needsOpen) return;
    const controller = controllerRef.current!;
    controller.fit();
    let cancelled = false;
    RemotePane.open(api, {
      hostId: tab.hostId,
      sessionName: tab.sessionName,
      ...(tab.sessionId ? { sessionId: tab.sessionId } : {}),
      ...(tab.create ? { create: tab.create } : {}),
      ...(tab.startedWith !== undefined ? { startedWith: tab.startedWith } : {}),
      cols: controller.cols,
      rows: controller.rows,
    }).then(
      (opened) => {
        // The tab closed while attaching: let go of what we got.
        if (cancelled) void opened.close().catch(() => {});
        else callbacks.onOpened(tab.id, opened);
      },
      (err: unknown) => {
        if (!cancelled) callbacks.onFailed(tab.id, toErrorData(err));
      },
    );
    return () => {
      cancelled = true;
    };
    // Runs once per attach attempt: when the tab starts out, and after Reopen.
  }, [needsOpen]);

  // The pane's output goes to the terminal; what the terminal has parsed is acknowledged.
  useEffect(() => {
    if (!remote || native) return;
    const controller = controllerRef.current!;
    const sizes = remote.onSize((size) => controller.sizeInOrder(size));
    const subscription = remote.onData((data) => {
      const length = data.length;
      controller.write(data, () => remote.processed(length));
    });
    // The terminal's size, as it is now (it may have changed while the pane was opening).
    if (controller.cols >= 2) remote.resize(controller.cols, controller.rows);
    return () => {
      subscription.dispose();
      sizes.dispose();
    };
  }, [remote, native]);

  // Core sends output at full speed only to views that show the pane; the pane takes the size of the view shown last.
  useEffect(() => {
    remote?.setVisible(active && windowVisible);
  }, [remote, active, windowVisible]);

  // Back from the session view (the pane went classic): the single terminal takes the pane's size again.
  useEffect(() => {
    const controller = controllerRef.current;
    if (native || !remote || !controller || !active) return;
    controller.fit();
    if (controller.cols >= 2) remote.resize(controller.cols, controller.rows);
  }, [native, remote, active]);

  // New settings (a font, a theme, a zoom) go to the live terminal, which re-measures and refits.
  useEffect(() => {
    controllerRef.current?.applySettings(settings);
  }, [settings]);

  useEffect(() => {
    if (!active || native) return;
    const controller = controllerRef.current;
    controller?.fit();
    if (!searchOpen) controller?.focus();
  }, [active, searchOpen, native]);

  const recreate = async (startCommand?: string) => {
    if (!remote) return;
    setBusy(true);
    try {
      await remote.recreate(startCommand);
    } catch (err) {
      callbacks.onFailed(tab.id, toErrorData(err));
    } finally {
      setBusy(false);
    }
  };

  const reopen = () => callbacks.onReopen(tab.id);

  return (
    <div ref={paneRef} className={`pane ${active ? 'is-active' : ''} ${native ? 'has-splits' : ''}`} data-testid="pane" data-pane-id={remote?.paneId ?? ''} data-pane-state={tab.state} data-pane-mode={tab.mode ?? ''} hidden={!active}>
      {/* The session-gone and exited overlays say it at length; the same words in the note above would be said twice. */}
      {tab.message && tab.state !== 'session-gone' && tab.state !== 'exited' && (
        <div className="pane-note" role="status" data-testid="pane-note">
          <span>{tab.message}</span>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => callbacks.onDismissMessage(tab.id)}>
            Dismiss
          </button>
        </div>
      )}
      {searchOpen && !native && <SearchBar controller={controllerRef.current} onClose={() => setSearchOpen(false)} />}
      <div className="terminal-host" ref={containerRef} data-testid={native ? undefined : 'terminal'} hidden={native} />
      {native && remote && tab.layout && (
        <SessionView
          remote={remote}
          layout={tab.layout}
          active={active}
          windowVisible={windowVisible}
          platform={platform}
          settings={settings}
          onBell={() => callbacks.onBell?.(tab.id)}
          onError={(message) => callbacks.onError?.(message)}
        />
      )}
      {tab.mode && tab.state === 'attached' && (
        <div
          className={`pane-mode mode-${tab.mode}`}
          data-testid="pane-mode"
          title={
            tab.mode === 'control'
              ? 'tmux control mode: the session’s output is this terminal’s scrollback, and comes back whole after an outage'
              : `Classic tmux attach${tab.modeNote ? `: ${tab.modeNote}` : ''}. Scroll tmux’s history with its copy mode (prefix [).`
          }
        >
          {tab.mode === 'control' ? 'control mode' : 'classic attach'}
        </div>
      )}
      {touch && !viewOnly && remote && tab.state === 'attached' && <KeyBar onKey={(data) => remote.write(data)} onZoom={(delta) => callbacks.onZoom?.(delta)} />}
      <PaneOverlay tab={tab} hostStatus={hostStatus} hostExists={hostExists} busy={busy} callbacks={callbacks} onRecreate={recreate} onReopen={reopen} />
    </div>
  );
}

function PaneOverlay({
  tab,
  hostStatus,
  hostExists,
  busy,
  callbacks,
  onRecreate,
  onReopen,
}: {
  tab: ITab;
  hostStatus: HostStatus | undefined;
  hostExists: boolean;
  busy: boolean;
  callbacks: IPaneCallbacks;
  onRecreate: (startCommand?: string) => void;
  onReopen: () => void;
}) {
  const now = useNow(1000);
  switch (tab.state) {
    case 'attached':
      return null;
    case 'opening':
    case 'attaching':
      return (
        <div className="pane-overlay subtle" data-testid="pane-overlay">
          <div className="overlay-card">
            <Spinner /> Attaching to <strong>{tab.sessionName}</strong> on {tab.hostName}…
          </div>
        </div>
      );
    case 'reconnecting': {
      // The host's state decides what this says: the same card, words and actions as the sidebar's. A host that
      // failed never spins here, and its actions (Replace stored key, Edit host, Retry now) are right here.
      const view = describeHost(hostStatus ?? { hostId: tab.hostId, state: 'reconnecting' }, now);
      const failed = view.kind === 'failed';
      const title = failed ? `Cannot reconnect to ${tab.hostName}` : view.kind === 'connected' ? `Reattaching to “${tab.sessionName}”…` : `Reconnecting to ${tab.hostName}…`;
      return (
        <div className="pane-overlay" data-testid="pane-overlay" data-host-state={view.kind}>
          <div className="overlay-card">
            <HostStateCard
              view={view.kind === 'connected' ? { ...view, busy: true, label: tab.message ?? 'attaching again on the open connection', actions: ['retry'] } : view}
              title={title}
              handlers={{ onRetry: () => callbacks.onRetryNow(tab.hostId), onReplaceKey: () => callbacks.onReplaceHostKey(tab.hostId), onEditHost: () => callbacks.onEditHost(tab.hostId) }}
              testId="pane-host-state"
            />
            <div className="muted small">Keys typed now are not sent; the session keeps running on the server.</div>
          </div>
        </div>
      );
    }
    case 'session-gone':
      return (
        <div className="pane-overlay" data-testid="pane-overlay">
          <div className="overlay-card" role="alert">
            <div className="overlay-title">The tmux session “{tab.sessionName}” no longer exists on {tab.hostName}.</div>
            <div className="muted">
              It was ended (exit, kill-session) or the server restarted. Recreate starts a new session with this name
              {startCommandOf(tab) ? (
                <>
                  {' '}
                  and runs <span className="mono">{startCommandOf(tab)}</span>
                </>
              ) : null}
              .
            </div>
            {/* Only an error other than "gone" (e.g. Recreate itself failed) adds something. */}
            {tab.error && tab.error.code !== 'SESSION_GONE' && <ErrorBox error={tab.error} compact />}
            <div className="overlay-actions">
              <button type="button" className="btn" onClick={() => callbacks.onClose(tab.id)}>
                Close
              </button>
              <button type="button" className="btn btn-primary" onClick={() => onRecreate()} disabled={busy || !hostExists}>
                {busy && <Spinner />}
                Recreate
              </button>
            </div>
          </div>
        </div>
      );
    case 'exited':
      return <ExitedOverlay tab={tab} busy={busy} hostExists={hostExists} callbacks={callbacks} onRecreate={onRecreate} />;
    case 'failed':
    case 'closed':
      return (
        <div className="pane-overlay" data-testid="pane-overlay">
          <div className="overlay-card">
            {!hostExists ? (
              <div className="overlay-title">The host “{tab.hostName}” was deleted. The session keeps running on the server.</div>
            ) : tab.state === 'closed' && !tab.error ? (
              <div className="overlay-title">Detached from “{tab.sessionName}”. The session keeps running on the server.</div>
            ) : (
              <ErrorBox
                error={tab.error ?? { code: 'INTERNAL', message: `Could not attach to “${tab.sessionName}”.` }}
                onReplaceHostKey={() => callbacks.onReplaceHostKey(tab.hostId)}
              />
            )}
            <div className="overlay-actions">
              <button type="button" className="btn" onClick={() => callbacks.onClose(tab.id)}>
                Close
              </button>
              {/* A tab of a deleted profile has nothing to reopen with. */}
              {hostExists && (
                <button type="button" className="btn btn-primary" onClick={onReopen}>
                  Reopen
                </button>
              )}
            </div>
          </div>
        </div>
      );
  }
}

/** What the tab's session runs when made (again): its own start command, or the one Rescue started it with. */
function startCommandOf(tab: ITab): string | undefined {
  return tab.create?.startCommand ?? tab.startedWith;
}

/** The start command ended at once: what it printed and how it ended, and a way to fix the command. */
function ExitedOverlay({
  tab,
  busy,
  hostExists,
  callbacks,
  onRecreate,
}: {
  tab: ITab;
  busy: boolean;
  hostExists: boolean;
  callbacks: IPaneCallbacks;
  onRecreate: (startCommand?: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [command, setCommand] = useState(startCommandOf(tab) ?? '');
  const exit = tab.exit;
  const how = exit?.status !== undefined ? `with status ${exit.status}` : exit?.signal ? `on signal ${exit.signal}` : 'with an exit status tmux did not learn';
  return (
    <div className="pane-overlay" data-testid="pane-overlay">
      <div className="overlay-card overlay-wide" role="alert">
        <div className="overlay-title">The start command of “{tab.sessionName}” ended at once, {how}.</div>
        {startCommandOf(tab) && <div className="mono small">$ {startCommandOf(tab)}</div>}
        {exit?.output ? (
          <pre className="command-output" data-testid="command-output">{exit.output}</pre>
        ) : (
          <div className="muted small">It printed nothing.</div>
        )}
        {editing ? (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              onRecreate(command);
            }}
          >
            <label htmlFor={`edit-command-${tab.id}`}>Start command</label>
            <input id={`edit-command-${tab.id}`} value={command} onChange={(e) => setCommand(e.target.value)} autoFocus spellCheck={false} />
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy && <Spinner />}
              Start
            </button>
          </form>
        ) : (
          <div className="overlay-actions">
            <button type="button" className="btn" onClick={() => callbacks.onClose(tab.id)}>
              Close
            </button>
            <button type="button" className="btn" onClick={() => onRecreate()} disabled={busy || !hostExists}>
              Run again
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setEditing(true)} disabled={!hostExists}>
              Edit command
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
