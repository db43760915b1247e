// A control-mode session's tab: its tmux windows as sub-tabs, and the active window's panes as native splits, each
// its own terminal with its own scrollback, placed at the cells tmux gives them (model/splitLayout.ts) with
// draggable dividers. Everything done here is done in tmux (so every client sees it); everything done in tmux shows
// up here through the session's layout.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SessionLayout, TmuxWindowInfo } from '../../../shared/model';
import type { RemoteOutput, RemotePane, TmuxAction } from '../api/remotePane';
import { draggedSize, splitLayout, type DividerBox, type PaneBox } from '../model/splitLayout';
import { isMacPlatform, shortcutFor } from '../terminal/keys';
import { exposeReaders } from '../terminal/readers';
import { TerminalController, type ITerminalSettings } from '../terminal/TerminalController';
import { applyKeyBarModifiers } from './KeyBar';
import { SearchBar } from './SearchBar';

type Cell = { width: number; height: number };

export function SessionView({
  remote,
  layout,
  active,
  windowVisible,
  platform,
  settings,
  onBell,
  onError,
}: {
  remote: RemotePane;
  layout: SessionLayout;
  active: boolean;
  windowVisible: boolean;
  platform: string;
  settings: ITerminalSettings;
  onBell(): void;
  onError(message: string): void;
}) {
  const windows = layout.windows;
  const activeWindow = windows.find((w) => w.active) ?? windows[0];
  const areaRef = useRef<HTMLDivElement>(null);
  const [area, setArea] = useState<{ width: number; height: number }>();
  const [cell, setCell] = useState<Cell>();
  const [renaming, setRenaming] = useState<string>();
  /** The native pane whose scrollback the search bar searches (Ctrl+Shift+F in it). */
  const [searching, setSearching] = useState<TerminalController>();
  const focusedPane = activeWindow?.panes.find((p) => p.active)?.id ?? activeWindow?.panes[0]?.id;
  const mac = isMacPlatform(platform || navigator.platform);

  const act = (action: TmuxAction) => void remote.tmux(action).catch((err: unknown) => onError(err instanceof Error ? err.message : String(err)));

  // The area's size in pixels, as it changes.
  useEffect(() => {
    const el = areaRef.current;
    if (!el) return;
    const measure = () => setArea({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // The session's size is what fits the area; tmux lays the panes out in it.
  const [requested, setRequested] = useState<string>();
  useEffect(() => {
    if (!active || !cell || !area || area.width === 0 || area.height === 0) return;
    const cols = Math.floor(area.width / cell.width);
    const rows = Math.floor(area.height / cell.height);
    remote.resize(cols, rows);
    setRequested(`${cols}x${rows}`);
  }, [remote, active, cell, area]);

  const split = useMemo(() => (activeWindow && cell ? splitLayout(activeWindow.layout, cell) : undefined), [activeWindow, cell]);
  const clientSize = layout.clientSize;
  const limited = clientSize && activeWindow && (activeWindow.layout.width < clientSize.cols || activeWindow.layout.height < clientSize.rows);

  // Window and pane shortcuts, while this tab is the one shown.
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      const id = shortcutFor(e, mac, settings.shortcuts);
      if (!id || !focusedPane || !activeWindow) return;
      const at = windows.indexOf(activeWindow);
      const panes = activeWindow.panes;
      const actions: Partial<Record<typeof id, () => void>> = {
        'new-window': () => act({ kind: 'new-window' }),
        'split-right': () => act({ kind: 'split', target: focusedPane, direction: 'right' }),
        'split-down': () => act({ kind: 'split', target: focusedPane, direction: 'down' }),
        'zoom-pane': () => act({ kind: 'zoom', target: focusedPane }),
        'next-pane': () => act({ kind: 'select-pane', target: panes[(panes.findIndex((p) => p.id === focusedPane) + 1) % panes.length]!.id }),
        'next-window': () => act({ kind: 'select-window', window: windows[(at + 1) % windows.length]!.id }),
        'previous-window': () => act({ kind: 'select-window', window: windows[(at - 1 + windows.length) % windows.length]!.id }),
      };
      const run = actions[id];
      if (!run) return;
      e.preventDefault();
      e.stopPropagation();
      run();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [active, mac, settings.shortcuts, focusedPane, activeWindow, windows]);

  return (
    <div className="session-view" data-testid="session-view" data-requested-size={requested}>
      <div className="window-bar">
        <div className="window-tabs" role="tablist" aria-label="tmux windows">
          {windows.map((w) => (
            <WindowTab key={w.id} window={w} renaming={renaming === w.id} onSelect={() => act({ kind: 'select-window', window: w.id })} onRename={(name) => {
              setRenaming(undefined);
              if (name !== undefined && name.trim() && name !== w.name) act({ kind: 'rename-window', window: w.id, name: name.trim() });
            }} onStartRename={() => setRenaming(w.id)} />
          ))}
        </div>
        <div className="window-actions">
          <button type="button" className="btn btn-small btn-ghost" onClick={() => act({ kind: 'new-window' })}>
            New window
          </button>
          <button type="button" className="btn btn-small btn-ghost" disabled={!focusedPane} onClick={() => focusedPane && act({ kind: 'split', target: focusedPane, direction: 'right' })}>
            Split right
          </button>
          <button type="button" className="btn btn-small btn-ghost" disabled={!focusedPane} onClick={() => focusedPane && act({ kind: 'split', target: focusedPane, direction: 'down' })}>
            Split down
          </button>
          <button type="button" className="btn btn-small btn-ghost" disabled={!focusedPane} onClick={() => focusedPane && act({ kind: 'zoom', target: focusedPane })} aria-pressed={activeWindow?.zoomed ?? false}>
            {activeWindow?.zoomed ? 'Unzoom' : 'Zoom'}
          </button>
          <button type="button" className="btn btn-small btn-ghost" disabled={!activeWindow} onClick={() => activeWindow && setRenaming(activeWindow.id)}>
            Rename window
          </button>
          <button type="button" className="btn btn-small btn-ghost" disabled={!focusedPane} onClick={() => focusedPane && act({ kind: 'close-pane', target: focusedPane })}>
            Close pane
          </button>
        </div>
      </div>
      {limited && clientSize && activeWindow && (
        <div className="pane-note" role="status" data-testid="size-limited">
          <span>
            Another tmux client limits this window to {activeWindow.layout.width}×{activeWindow.layout.height} (this view has room for {clientSize.cols}×{clientSize.rows}): tmux
            sizes a window for one client at a time (its window-size option).
          </span>
        </div>
      )}
      {searching && <SearchBar controller={searching} onClose={() => setSearching(undefined)} />}
      <div className="split-area" ref={areaRef}>
        {split?.panes.map((box) => (
          <NativePane
            key={box.paneId}
            box={box}
            output={remote.output(box.paneId)}
            focused={box.paneId === focusedPane}
            shown={active && windowVisible}
            platform={platform}
            settings={settings}
            onCell={(c) => setCell((old) => (old && old.width === c.width && old.height === c.height ? old : c))}
            onFocus={() => {
              if (box.paneId !== focusedPane) act({ kind: 'select-pane', target: box.paneId });
            }}
            onZoom={() => act({ kind: 'zoom', target: box.paneId })}
            onBell={onBell}
            onSearch={setSearching}
            command={activeWindow?.panes.find((p) => p.id === box.paneId)?.command ?? ''}
          />
        ))}
        {split && cell && split.dividers.map((d, i) => <Divider key={`${d.paneId}-${d.orientation}-${i}`} divider={d} cell={cell} onResize={(size) => act({ kind: 'resize-pane', target: d.paneId, ...(d.orientation === 'vertical' ? { cols: size } : { rows: size }) })} />)}
        {/* Before the first pane has measured its font, one hidden terminal does, so the session gets its size. */}
        {!cell && <CellProbe platform={platform} settings={settings} onCell={setCell} />}
      </div>
    </div>
  );
}

function WindowTab({
  window: w,
  renaming,
  onSelect,
  onRename,
  onStartRename,
}: {
  window: TmuxWindowInfo;
  renaming: boolean;
  onSelect(): void;
  onRename(name: string | undefined): void;
  onStartRename(): void;
}) {
  const [name, setName] = useState(w.name);
  useEffect(() => setName(w.name), [w.name, renaming]);
  if (renaming) {
    return (
      <form
        className="window-tab is-renaming"
        onSubmit={(e) => {
          e.preventDefault();
          onRename(name);
        }}
      >
        <input aria-label="Window name" value={name} autoFocus onChange={(e) => setName(e.target.value)} onBlur={() => onRename(name)} onKeyDown={(e) => e.key === 'Escape' && onRename(undefined)} />
      </form>
    );
  }
  return (
    <button
      type="button"
      role="tab"
      aria-selected={w.active}
      className={`window-tab ${w.active ? 'is-active' : ''}`}
      data-testid="window-tab"
      data-window-id={w.id}
      onClick={onSelect}
      onDoubleClick={onStartRename}
      title={`Window ${w.index}: ${w.name}${w.zoomed ? ' (a pane is zoomed)' : ''} — double-click to rename`}
    >
      <span className="window-index">{w.index}</span> {w.name}
      {(w.activity || w.bell) && !w.active && <span className={`window-mark ${w.bell ? 'bell' : ''}`} aria-label={w.bell ? 'bell' : 'new output'} />}
      {w.zoomed && <span className="window-zoom" aria-label="zoomed"> ⤢</span>}
    </button>
  );
}

/** One tmux pane: a terminal at exactly the cells tmux gives it, fed that pane's output. */
function NativePane({
  box,
  output,
  focused,
  shown,
  platform,
  settings,
  command,
  onCell,
  onFocus,
  onZoom,
  onBell,
  onSearch,
}: {
  box: PaneBox;
  output: RemoteOutput;
  focused: boolean;
  shown: boolean;
  platform: string;
  settings: ITerminalSettings;
  command: string;
  onCell(cell: Cell): void;
  onFocus(): void;
  onZoom(): void;
  onBell(): void;
  onSearch(controller: TerminalController): void;
}) {
  const hostRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<TerminalController | undefined>(undefined);
  const callbacks = useRef({ onCell, onFocus, onBell, onSearch });
  callbacks.current = { onCell, onFocus, onBell, onSearch };

  useEffect(() => {
    const host = hostRef.current!;
    const controller = new TerminalController(host, isMacPlatform(platform || navigator.platform), settings);
    controllerRef.current = controller;
    controller.setFixedSize({ cols: box.cols, rows: box.rows });
    const subs = [
      output.onSize((size) => controller.sizeInOrder(size)),
      output.onData((data) => {
        const length = data.length;
        controller.write(data, () => output.processed(length));
      }),
      controller.onInput((data) => output.write(applyKeyBarModifiers(data))),
      controller.onBell(() => callbacks.current.onBell()),
      controller.onSearchRequested(() => callbacks.current.onSearch(controller)),
    ];
    const onFocusIn = () => callbacks.current.onFocus();
    host.addEventListener('focusin', onFocusIn);
    if (host.parentElement) exposeReaders(host.parentElement, controller);
    // The cell size, once the renderer has measured the font, is what the session's size is made from.
    const measured = controller.whenCellMeasured((cell) => callbacks.current.onCell(cell));
    return () => {
      measured.dispose();
      host.removeEventListener('focusin', onFocusIn);
      for (const s of subs) s.dispose();
      controller.dispose();
      controllerRef.current = undefined;
    };
  }, [output, platform]);

  // Later sizes come inside the pane's stream, in order with its bytes (shared/geometry.ts); the layout's size is the
  // first one only, so that bytes drawn for the old size are never parsed at the new one.
  useEffect(() => {
    const controller = controllerRef.current;
    if (!controller) return;
    controller.applySettings(settings);
    // A new font or size gives new cells: measure again over the next frames (the renderer re-measures its font
    // asynchronously), so that the session's size and the panes' boxes follow.
    let frames = 0;
    let frame = requestAnimationFrame(function measure() {
      const cell = controller.cellSize();
      if (cell) callbacks.current.onCell(cell);
      if (++frames < 10) frame = requestAnimationFrame(measure);
    });
    return () => cancelAnimationFrame(frame);
  }, [settings]);
  useEffect(() => output.setVisible(shown), [output, shown]);
  useEffect(() => {
    if (focused && shown) controllerRef.current?.focus();
  }, [focused, shown]);

  return (
    <div
      className={`native-pane ${focused ? 'is-focused' : ''}`}
      data-testid="native-pane"
      data-tmux-pane={box.paneId}
      data-focused={focused}
      style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
    >
      <div className="terminal-host" ref={hostRef} data-testid="terminal" />
      <div className="native-pane-label" title="Double-click to zoom this pane" onDoubleClick={onZoom}>
        {command}
      </div>
    </div>
  );
}

function Divider({ divider, cell, onResize }: { divider: DividerBox; cell: Cell; onResize(size: number): void }) {
  const [drag, setDrag] = useState<number>();
  const vertical = divider.orientation === 'vertical';
  const style = vertical
    ? { left: drag ?? divider.left, top: divider.top, width: divider.width, height: divider.height }
    : { left: divider.left, top: drag ?? divider.top, width: divider.width, height: divider.height };
  return (
    <div
      className={`split-divider ${vertical ? 'vertical' : 'horizontal'} ${drag !== undefined ? 'is-dragging' : ''}`}
      role="separator"
      aria-orientation={vertical ? 'vertical' : 'horizontal'}
      aria-label={vertical ? 'Drag to resize the panes left and right' : 'Drag to resize the panes above and below'}
      data-testid="split-divider"
      style={style}
      onPointerDown={(e) => {
        (e.target as HTMLElement).setPointerCapture(e.pointerId);
        setDrag(vertical ? divider.left : divider.top);
      }}
      onPointerMove={(e) => {
        if (drag === undefined) return;
        const parent = (e.currentTarget.parentElement as HTMLElement).getBoundingClientRect();
        setDrag(vertical ? e.clientX - parent.left : e.clientY - parent.top);
      }}
      onPointerUp={() => {
        if (drag === undefined) return;
        const size = draggedSize(divider, drag, cell);
        setDrag(undefined);
        onResize(size);
      }}
    />
  );
}

/** A terminal nobody sees, to measure the font's cell before the first pane has. */
function CellProbe({ platform, settings, onCell }: { platform: string; settings: ITerminalSettings; onCell(cell: Cell): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const controller = new TerminalController(ref.current!, isMacPlatform(platform || navigator.platform), settings);
    const measured = controller.whenCellMeasured(onCell);
    return () => {
      measured.dispose();
      controller.dispose();
    };
  }, []);
  return <div className="cell-probe" ref={ref} aria-hidden="true" />;
}
