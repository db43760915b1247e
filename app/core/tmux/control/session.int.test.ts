// A control-mode pane's session as native windows and panes, against a real sshd and tmux 3.3a: whatever is done
// in tmux (by anyone) shows in the pane's layout exactly as tmux lists it, whatever Holdfast does goes to tmux,
// keys go to the one tmux pane they are meant for, and each tmux pane's output is its own stream.
import headless from '@xterm/headless';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../../../test/harness/sshd';
import type { SessionLayout } from '../../../shared/model';
import type { ISshConnection } from '../../interfaces';
import { Pane } from '../../pane/Pane';
import { waitFor } from '../../testing';
import { shellQuote } from '../shell';
import { connectToTestServer } from '../testConnection';
import { ControlClient, controlAttachCommand } from './client';
import { tmux as tmuxCommands } from '../tmux';
import { layoutPanes } from './layout';

let server: TestSshd;
let conn: ISshConnection;
const tag = randomBytes(3).toString('hex');
let counter = 0;
const unique = (label: string) => `lay-${label}-${tag}-${++counter}`;

beforeAll(async () => {
  server = await startSshd();
  conn = await connectToTestServer(server);
});
afterAll(async () => {
  conn?.dispose();
  server?.runAsUser('tmux kill-server 2>/dev/null; true');
  await server?.dispose();
});

const tmux = (command: string) => server.runAsUser(`tmux ${command}`);

/** The session as tmux itself lists it: windows in order, each with its panes and their cells. */
function tmuxView(session: string) {
  const t = shellQuote(`=${session}`);
  const windows = tmux(`list-windows -t ${t} -F '#{window_id} #{window_active} #{window_zoomed_flag} #{window_name}'`)
    .trim()
    .split('\n')
    .map((line) => {
      const [id, active, zoomed, ...name] = line.split(' ');
      return { id: id!, active: active === '1', zoomed: zoomed === '1', name: name.join(' ') };
    });
  const panes = tmux(`list-panes -s -t ${t} -F '#{window_id} #{pane_id} #{pane_active} #{pane_left} #{pane_top} #{pane_width} #{pane_height}'`)
    .trim()
    .split('\n')
    .map((line) => {
      const [window, id, active, x, y, width, height] = line.split(' ');
      return { window: window!, id: id!, active: active === '1', x: Number(x), y: Number(y), width: Number(width), height: Number(height) };
    });
  return windows.map((w) => ({
    ...w,
    panes: panes
      .filter((p) => p.window === w.id)
      // A zoomed window shows its active pane alone: the others have no place on screen.
      .map(({ id, active, x, y, width, height }) => ({ id, active, x: w.zoomed && !active ? -1 : x, y: w.zoomed && !active ? -1 : y, width, height }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  }));
}

/** The same, as Holdfast's layout has it (each pane's cell taken from the window's layout tree). */
function holdfastView(layout: SessionLayout | undefined) {
  return (layout?.windows ?? []).map((w) => {
    const cells = new Map(layoutPanes(w.layout).map((c) => [c.paneId, c]));
    return {
      id: w.id,
      active: w.active,
      zoomed: w.zoomed,
      name: w.name,
      panes: w.panes
        .map((p) => ({ id: p.id, active: p.active, x: cells.get(p.id)?.x ?? -1, y: cells.get(p.id)?.y ?? -1, width: p.width, height: p.height }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  });
}

/** Waits until Holdfast's layout is what tmux lists. */
async function inSync(pane: Pane, session: string, what: string): Promise<ReturnType<typeof tmuxView>> {
  let expected: ReturnType<typeof tmuxView> = [];
  try {
    await waitFor(() => {
      expected = tmuxView(session);
      return JSON.stringify(holdfastView(pane.layout)) === JSON.stringify(expected);
    }, `the layout after ${what} to match tmux's`);
  } catch (err) {
    // Say how they differ.
    expect(holdfastView(pane.layout), what).toEqual(tmuxView(session));
    throw err;
  }
  return expected;
}

async function attached(session: string, cols = 120, rows = 40): Promise<Pane> {
  const pane = new Pane({ paneId: 'p', hostId: 'h', sessionName: session, cols, rows, attachPolicy: () => ({ mode: 'control', historyLines: 100 }) });
  await pane.attach(conn);
  expect(pane.mode).toEqual({ kind: 'control' });
  return pane;
}

describe('native windows and panes', () => {
  it('shows what is done in tmux by anyone: windows made, renamed, closed; panes split, zoomed, resized, closed; the active one', async () => {
    const session = unique('follow');
    tmux(`new-session -d -s ${session} -x 120 -y 40`);
    const pane = await attached(session);
    const t = (rest = '') => shellQuote(`=${session}:${rest}`);
    try {
      let view = await inSync(pane, session, 'attaching');
      expect(view).toHaveLength(1);
      // The window takes the size Holdfast's client asked for.
      expect(tmux(`display -p -t ${t()} '#{window_width}x#{window_height}'`).trim()).toBe('120x40');

      tmux(`split-window -h -t ${t()}`);
      view = await inSync(pane, session, 'a split');
      expect(view[0]!.panes).toHaveLength(2);

      tmux(`new-window -t ${t()} -n logs`);
      tmux(`split-window -v -t ${t('logs')}`);
      view = await inSync(pane, session, 'a new window, split');
      expect(view.map((w) => w.name)).toContain('logs');

      tmux(`rename-window -t ${t('logs')} 'build output'`);
      await inSync(pane, session, 'a rename');

      tmux(`resize-pane -Z -t ${t('build output')}`);
      view = await inSync(pane, session, 'a zoom');
      expect(view.find((w) => w.name === 'build output')!.zoomed).toBe(true);
      // A zoomed window's layout is the zoomed pane alone, at the whole window's size.
      const zoomed = pane.layout!.windows.find((w) => w.zoomed)!;
      expect(layoutPanes(zoomed.layout)).toHaveLength(1);
      expect(layoutPanes(zoomed.layout)[0]).toMatchObject({ width: 120, height: 40 });
      tmux(`resize-pane -Z -t ${t('build output')}`);

      tmux(`select-window -t ${t('0')}`);
      tmux(`resize-pane -t ${t('0.0')} -x 30`);
      view = await inSync(pane, session, 'a resize and a window switch');
      expect(view[0]!.active).toBe(true);

      tmux(`select-pane -t ${t('0.1')}`);
      await inSync(pane, session, 'another pane made active');

      tmux(`swap-pane -s ${t('0.0')} -t ${t('0.1')}`);
      await inSync(pane, session, 'a swap');

      // Windows reordered: the sub-tabs follow tmux's order.
      tmux(`swap-window -s ${t('0')} -t ${t('1')}`);
      view = await inSync(pane, session, 'windows swapped');
      expect(view[0]!.name).toBe('build output');
      tmux(`swap-window -s ${t('0')} -t ${t('1')}`);
      await inSync(pane, session, 'windows swapped back');

      tmux(`kill-pane -t ${t('0.1')}`);
      tmux(`kill-window -t ${t('build output')}`);
      view = await inSync(pane, session, 'a pane and a window closed');
      expect(view).toHaveLength(1);
      expect(view[0]!.panes).toHaveLength(1);
    } finally {
      pane.dispose();
      tmux(`kill-session -t '=${session}'`);
    }
  }, 60_000);

  it('does in tmux what is done in Holdfast: new window, split right and down, rename, select, zoom, resize, close', async () => {
    const session = unique('act');
    tmux(`new-session -d -s ${session} -x 120 -y 40`);
    const pane = await attached(session);
    const t = shellQuote(`=${session}:`);
    try {
      let view = await inSync(pane, session, 'attaching');
      const first = view[0]!.panes[0]!.id;

      await pane.tmuxAction({ kind: 'split', target: first, direction: 'right' });
      view = await inSync(pane, session, 'Split right');
      expect(view[0]!.panes).toHaveLength(2);
      // Side by side: both the window's height, one right of the other.
      const [left, right] = [...view[0]!.panes].sort((a, b) => a.x - b.x);
      expect(left!.height).toBe(40);
      expect(right!.height).toBe(40);
      expect(right!.x).toBeGreaterThan(left!.x);

      await pane.tmuxAction({ kind: 'split', target: right!.id, direction: 'down' });
      view = await inSync(pane, session, 'Split down');
      const below = view[0]!.panes.find((p) => p.x === right!.x && p.y > 0)!;
      expect(below).toBeDefined();

      await pane.tmuxAction({ kind: 'resize-pane', target: left!.id, cols: 50 });
      await waitFor(() => tmux(`display -p -t ${shellQuote(left!.id)} '#{pane_width}'`).trim() === '50', 'the left pane to be 50 columns');
      await inSync(pane, session, 'a dragged divider');

      await pane.tmuxAction({ kind: 'select-pane', target: left!.id });
      await waitFor(() => tmux(`display -p -t ${t} '#{pane_id}'`).trim() === left!.id, 'the clicked pane to be active in tmux');
      await inSync(pane, session, 'a click on a pane');

      await pane.tmuxAction({ kind: 'zoom', target: below.id });
      await waitFor(() => tmux(`display -p -t ${t} '#{window_zoomed_flag} #{pane_id}'`).trim() === `1 ${below.id}`, 'the pane zoomed');
      await pane.tmuxAction({ kind: 'zoom', target: below.id });
      await waitFor(() => tmux(`display -p -t ${t} '#{window_zoomed_flag}'`).trim() === '0', 'the zoom undone');

      await pane.tmuxAction({ kind: 'new-window' });
      view = await inSync(pane, session, 'New window');
      expect(view).toHaveLength(2);
      const second = view.find((w) => w.active)!;
      await pane.tmuxAction({ kind: 'rename-window', window: second.id, name: 'agent; kill-server' });
      view = await inSync(pane, session, 'Rename window');
      // The name is a name, never a tmux command.
      expect(view.find((w) => w.id === second.id)!.name).toBe('agent; kill-server');

      await pane.tmuxAction({ kind: 'select-window', window: view[0]!.id });
      await waitFor(() => tmuxView(session)[0]!.active, 'the first window active in tmux');

      await pane.tmuxAction({ kind: 'close-pane', target: below.id });
      await pane.tmuxAction({ kind: 'close-window', window: second.id });
      view = await inSync(pane, session, 'Close pane, close window');
      expect(view).toHaveLength(1);
      expect(view[0]!.panes.map((p) => p.id).sort()).toEqual([left!.id, right!.id].sort());

      // A pane that is gone is refused with a clear error, and nothing happens in tmux.
      await expect(pane.tmuxAction({ kind: 'close-pane', target: below.id })).rejects.toThrow(/not in this session/);
    } finally {
      pane.dispose();
      tmux(`kill-session -t '=${session}'`);
    }
  }, 60_000);

  it("sends keys to the one tmux pane they are for, and gives each tmux pane's output to its own stream", async () => {
    const session = unique('keys');
    tmux(`new-session -d -s ${session} -x 120 -y 40`);
    const pane = await attached(session);
    try {
      await pane.tmuxAction({ kind: 'split', target: tmux(`display -p -t ${shellQuote(`=${session}:`)} '#{pane_id}'`).trim(), direction: 'right' });
      const [a, b] = (await inSync(pane, session, 'a split'))[0]!.panes.map((p) => p.id);
      const screens = new Map<string, headless.Terminal>();
      for (const id of [a!, b!]) {
        const size = pane.layout!.windows[0]!.panes.find((p) => p.id === id)!;
        const term = new headless.Terminal({ cols: size.width, rows: size.height, scrollback: 1000, allowProposedApi: true });
        screens.set(id, term);
        pane.subscribe('view', (d) => term.write(d, () => pane.ack('view', d.length, id)), id);
      }
      const text = (id: string) => {
        const buffer = screens.get(id)!.buffer.normal;
        return Array.from({ length: buffer.length }, (_, y) => buffer.getLine(y)!.translateToString(true)).join('\n');
      };
      const capture = (id: string) => tmux(`capture-pane -p -t ${shellQuote(id)}`);
      await waitFor(() => /\$\s*$/.test(capture(a!).trimEnd()) && /\$\s*$/.test(capture(b!).trimEnd()), 'both shells to prompt');

      pane.input('view', 'echo left-$((6*7))\r', a);
      pane.input('view', 'echo right-$((6*7))\r', b);
      await waitFor(() => capture(a!).includes('left-42') && capture(b!).includes('right-42'), 'each pane to run its command');
      expect(capture(a!)).not.toContain('right-');
      expect(capture(b!)).not.toContain('left-');

      // Each stream is its pane's output only, drawn at the pane's size.
      await waitFor(() => text(a!).includes('left-42') && text(b!).includes('right-42'), 'each stream to show its pane');
      expect(text(a!)).not.toContain('right-42');
      expect(text(b!)).not.toContain('left-42');

      // Keys with no target go to the active tmux pane.
      tmux(`select-pane -t ${shellQuote(b!)}`);
      await waitFor(() => pane.layout!.windows[0]!.panes.find((p) => p.active)?.id === b, 'the active pane to follow tmux');
      pane.input('view', 'echo active-$((6*7))\r');
      await waitFor(() => capture(b!).includes('active-42'), 'untargeted keys to reach the active pane');
      expect(capture(a!)).not.toContain('active-42');
      for (const term of screens.values()) term.dispose();
    } finally {
      pane.dispose();
      tmux(`kill-session -t '=${session}'`);
    }
  }, 60_000);

  it("sizes the session's windows to the view, and says when another client limits them", async () => {
    const session = unique('size');
    tmux(`new-session -d -s ${session} -x 80 -y 24`);
    const pane = await attached(session, 100, 30);
    const t = shellQuote(`=${session}:`);
    let other: ControlClient | undefined;
    try {
      await waitFor(() => tmux(`display -p -t ${t} '#{window_width}x#{window_height}'`).trim() === '100x30', 'the window at the view size');
      pane.resize(110, 35);
      await waitFor(() => tmux(`display -p -t ${t} '#{window_width}x#{window_height}'`).trim() === '110x35', 'the window to follow the view');
      await waitFor(() => pane.layout!.windows[0]!.layout.width === 110 && pane.layout!.clientSize?.cols === 110, 'the layout to follow');

      // Another client, smaller, with window-size smallest: tmux sizes the window for it.
      tmux(`set -t ${t} window-size smallest`);
      const id = tmux(`display -p -t ${t} '#{session_id}'`).trim();
      other = new ControlClient(await conn.openExec(controlAttachCommand(id, { pauseAfterSec: 10 })));
      await other.ready;
      await other.command(tmuxCommands.refreshClientSize(70, 20));
      await waitFor(() => pane.layout!.windows[0]!.layout.width === 70, 'the layout to show the smaller size');
      expect(pane.layout!.clientSize).toEqual({ cols: 110, rows: 35 });
    } finally {
      other?.dispose();
      pane.dispose();
      tmux(`kill-session -t '=${session}'`);
    }
  }, 60_000);
});
