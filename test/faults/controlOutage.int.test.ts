// Control mode after an outage: every line the program printed while the link was down is in the view's scrollback
// exactly once, in order, after a divider that says when the link dropped and came back; then the live screen.
// Counted over the view's whole buffer, as a terminal fed the pane's stream has it. Variants: tmux's history-limit
// dropped lines meanwhile (the divider says lines are missing, nothing is repeated), the program went into the
// alternate screen meanwhile, another client resized the window meanwhile, and a window split in two panes (each
// native pane resyncs on its own).
import headless from '@xterm/headless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamId } from '../../app/shared/contract';
import { createFaultRig, sleep, waitFor, type FaultRig } from './rig';

/** 20 lines a second, numbered. */
const FAST_COUNTER = 'i=0; while :; do echo tick-$i; i=$((i+1)); sleep 0.05; done';

let rig: FaultRig;
beforeAll(async () => {
  rig = await createFaultRig();
});
afterAll(async () => {
  await rig?.dispose();
});

/** The view's buffer: every byte the pane sent, in order, parsed by a terminal that keeps all of it. */
async function viewOf(paneId: string, cols = 80, rows = 24) {
  const term = new headless.Terminal({ cols, rows, scrollback: 100_000, allowProposedApi: true });
  for (const data of rig.view.data(paneId)) term.write(data);
  await new Promise<void>((resolve) => term.write('', resolve));
  const normal = term.buffer.normal;
  const lines: string[] = [];
  for (let y = 0; y < normal.length; y++) lines.push(normal.getLine(y)!.translateToString(true));
  const active = term.buffer.active;
  const screen: string[] = [];
  for (let y = 0; y < term.rows; y++) screen.push(active.getLine(active.viewportY + y)!.translateToString(true));
  const view = { lines, screen, alternate: active.type === 'alternate' };
  term.dispose();
  return view;
}

function tickCounts(lines: string[], prefix = 'tick') {
  const ticks = lines.flatMap((l) => {
    const m = new RegExp(`^${prefix}-(\\d+)$`).exec(l);
    return m ? [Number(m[1])] : [];
  });
  const unique = new Set(ticks);
  const min = Math.min(...ticks);
  const max = Math.max(...ticks);
  return { total: ticks.length, duplicates: ticks.length - unique.size, gaps: max - min + 1 - unique.size, min, max };
}

/** Waits until the view shows output tmux printed after now: the resync is done and live output flows again. */
async function liveAgain(paneId: string, session: string, prefix = 'tick', size?: { cols: number; rows: number }): Promise<void> {
  const printed = tickCounts(rig.tmux(`tmux capture-pane -p -t '=${session}:'`).split('\n'), prefix).max;
  await waitFor(async () => tickCounts((await viewOf(paneId, size?.cols, size?.rows)).lines, prefix).max > printed, `live output in ${session} after the reattach`);
}

/** Cuts the link for `ms` after the pane noticed; says when it went down, was noticed, came up and was attached again. */
async function outage(paneId: string, ms: number, during?: () => void): Promise<{ down: number; noticed: number; up: number; attached: number }> {
  const attachedBefore = rig.paneStates(paneId).filter((s) => s === 'attached').length;
  const down = Date.now();
  rig.ns.linkDown();
  let noticed = 0;
  let up = 0;
  try {
    await waitFor(() => rig.paneStates(paneId).includes('reconnecting'), 'the pane to notice the dead link');
    noticed = Date.now();
    during?.();
    await sleep(ms);
  } finally {
    up = Date.now();
    rig.ns.linkUp();
  }
  await waitFor(() => rig.paneStates(paneId).filter((s) => s === 'attached').length > attachedBefore, 'the pane to attach again', 60_000);
  return { down, noticed, up, attached: Date.now() };
}

/** A divider's "HH:MM:SS" as epoch ms on the day of `near` (local time, as the pane wrote it). */
function dividerTime(hms: string, near: number): number {
  const [h, m, s] = hms.split(':').map(Number);
  const d = new Date(near);
  d.setHours(h!, m!, s!, 0);
  return d.getTime();
}

describe('control mode, link down and up', () => {
  it('has every line printed during a 30 s outage exactly once, after a divider, followed by the live screen', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId, mode } = await rig.view.open({ hostId: host.id, sessionName: 'ctl-outage', create: { startCommand: FAST_COUNTER }, cols: 80, rows: 24 });
    expect(mode).toBe('control');
    await waitFor(() => tickCounts(rig.paneText(paneId).split(/\r?\n/)).max >= 40, 'the counter to run');
    const when = await outage(paneId, 30_000);
    await liveAgain(paneId, 'ctl-outage');
    const view = await viewOf(paneId);
    const counts = tickCounts(view.lines);
    expect(counts.min).toBe(0);
    // 30 s at 20 lines a second were printed while the link was down.
    expect(counts.max).toBeGreaterThan(600);
    expect({ duplicates: counts.duplicates, gaps: counts.gaps }).toEqual({ duplicates: 0, gaps: 0 });
    const dividers = view.lines.filter((l) => l.includes('disconnected'));
    expect(dividers).toHaveLength(1);
    const said = /disconnected (\d\d:\d\d:\d\d) – (\d\d:\d\d:\d\d) · (\d+) lines since/.exec(dividers[0]!);
    expect(said).not.toBeNull();
    // The times are the outage's, to the second: lost between the cut and its noticing, back between the link's
    // return and the reattach.
    const lost = dividerTime(said![1]!, when.down);
    const back = dividerTime(said![2]!, when.attached);
    expect(lost).toBeGreaterThanOrEqual(Math.floor(when.down / 1000) * 1000);
    expect(lost).toBeLessThanOrEqual(when.noticed);
    expect(back).toBeGreaterThanOrEqual(Math.floor(when.up / 1000) * 1000);
    expect(back).toBeLessThanOrEqual(when.attached);
    // The divider sits between the last line seen before the drop and the first one after it.
    const at = view.lines.indexOf(dividers[0]!);
    const before = Number(/tick-(\d+)/.exec(view.lines.slice(0, at).reverse().find((l) => l.startsWith('tick-')) ?? '')?.[1]);
    const after = Number(/tick-(\d+)/.exec(view.lines.slice(at).find((l) => l.startsWith('tick-')) ?? '')?.[1]);
    expect(after).toBe(before + 1);
    // The count is the lines that came meanwhile: they follow the divider, up to where live output took over.
    const count = Number(said![3]);
    expect(count).toBeGreaterThan(500);
    expect(view.lines.slice(at + 1, at + 1 + count).every((l) => /^tick-\d+$/.test(l))).toBe(true);
    expect(rig.core.stats.supervisors[0]).toMatchObject({ liveConnections: 1 });
    await rig.view.call('panes.close', { paneId });
    rig.tmux("tmux kill-session -t '=ctl-outage' 2>/dev/null; true");
  }, 120_000);

  it('says lines are missing when tmux history-limit dropped them meanwhile, and repeats none', async () => {
    // history-limit counts for panes made after it is set: set it and make the session in one tmux run.
    rig.tmux(`tmux start-server \\; set -g history-limit 100 \\; new-session -d -s ctl-limit -x 80 -y 24 '${FAST_COUNTER}' \\; set -g history-limit 2000`);
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'ctl-limit', cols: 80, rows: 24 });
    try {
      await waitFor(() => tickCounts(rig.paneText(paneId).split(/\r?\n/)).max >= 20, 'the counter to run');
      await outage(paneId, 12_000);
      await liveAgain(paneId, 'ctl-limit');
      const view = await viewOf(paneId);
      const counts = tickCounts(view.lines);
      expect(counts.duplicates).toBe(0);
      expect(counts.gaps).toBeGreaterThan(0);
      const divider = view.lines.filter((l) => l.includes('disconnected'));
      expect(divider).toHaveLength(1);
      expect(divider[0]).toMatch(/earlier lines lost \(history-limit 100\)/);
      // The divider sits at the gap: the lines before it are the last seen before the drop, the ones after it are new.
      const at = view.lines.indexOf(divider[0]!);
      const before = tickCounts(view.lines.slice(0, at));
      const after = tickCounts(view.lines.slice(at));
      expect(before.gaps + after.gaps).toBe(0);
      expect(after.min).toBeGreaterThan(before.max + 1);
    } finally {
      await rig.view.call('panes.close', { paneId });
      rig.tmux("tmux kill-session -t '=ctl-limit'; true");
    }
  }, 120_000);

  it('shows the alternate screen a program went into meanwhile, and keeps the lines before it once', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const script = "i=0; while [ ! -e /tmp/hf-go-alt ]; do echo tick-$i; i=$((i+1)); sleep 0.05; done; printf '\\033[?1049h\\033[H'; echo in-the-alternate-screen; sleep 600";
    rig.tmux('rm -f /tmp/hf-go-alt');
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'ctl-alt', create: { startCommand: script }, cols: 80, rows: 24 });
    try {
      await waitFor(() => tickCounts(rig.paneText(paneId).split(/\r?\n/)).max >= 20, 'the counter to run');
      await outage(paneId, 5_000, () => rig.tmux('touch /tmp/hf-go-alt'));
      await waitFor(async () => (await viewOf(paneId)).alternate, 'the view in the alternate screen');
      const view = await viewOf(paneId);
      expect(view.screen[0]).toBe('in-the-alternate-screen');
      const counts = tickCounts(view.lines);
      expect({ duplicates: counts.duplicates, gaps: counts.gaps }).toEqual({ duplicates: 0, gaps: 0 });
    } finally {
      await rig.view.call('panes.close', { paneId });
      rig.tmux("tmux kill-session -t '=ctl-alt' 2>/dev/null; rm -f /tmp/hf-go-alt");
    }
  }, 120_000);

  it('repeats nothing when another client resized the window meanwhile', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'ctl-resize', create: { startCommand: FAST_COUNTER }, cols: 80, rows: 24 });
    try {
      await waitFor(() => tickCounts(rig.paneText(paneId).split(/\r?\n/)).max >= 20, 'the counter to run');
      await outage(paneId, 5_000, () => rig.tmux("tmux resize-window -t '=ctl-resize:' -x 60 -y 20"));
      await liveAgain(paneId, 'ctl-resize');
      const counts = tickCounts((await viewOf(paneId)).lines);
      expect(counts.duplicates).toBe(0);
    } finally {
      await rig.view.call('panes.close', { paneId });
      rig.tmux("tmux kill-session -t '=ctl-resize' 2>/dev/null; true");
    }
  }, 120_000);

  it('resyncs each pane of a split window on its own: each has its own lines exactly once, and none of the other', async () => {
    const counter = (name: string) => `'i=0; while :; do echo ${name}-$i; i=$((i+1)); sleep 0.05; done'`;
    rig.tmux(`tmux new-session -d -s ctl-split -x 120 -y 30 ${counter('left')} \\; split-window -h -t '=ctl-split:' ${counter('right')}`);
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const info = await rig.view.open({ hostId: host.id, sessionName: 'ctl-split', cols: 120, rows: 30 });
    const paneId = info.paneId;
    try {
      expect(info.mode).toBe('control');
      await waitFor(() => rig.view.events('pane.layout').some((e) => e.paneId === paneId && e.layout.windows[0]!.panes.length === 2), 'the layout with both panes');
      const panes = rig.view.events('pane.layout').filter((e) => e.paneId === paneId).at(-1)!.layout.windows[0]!.panes;
      const named = panes.map((p) => ({ ...p, stream: streamId(paneId, p.id), name: rig.tmux(`tmux capture-pane -p -t '${p.id}'`).includes('left-') ? 'left' : 'right' }));
      expect(named.map((p) => p.name).sort()).toEqual(['left', 'right']);
      for (const p of named) rig.view.subscribe(p.stream);
      await waitFor(async () => (await Promise.all(named.map(async (p) => tickCounts((await viewOf(p.stream, p.width, p.height)).lines, p.name).max >= 20))).every(Boolean), 'both counters in their streams');
      await outage(paneId, 8_000);
      for (const p of named) await liveAgain(p.stream, 'ctl-split', p.name, { cols: p.width, rows: p.height });
      for (const p of named) {
        const view = await viewOf(p.stream, p.width, p.height);
        const counts = tickCounts(view.lines, p.name);
        // 8 s at 20 lines a second were printed in each pane while the link was down.
        expect(counts.max, p.name).toBeGreaterThan(160);
        expect({ pane: p.name, duplicates: counts.duplicates, gaps: counts.gaps }).toEqual({ pane: p.name, duplicates: 0, gaps: 0 });
        expect(view.lines.filter((l) => l.includes('disconnected')), p.name).toHaveLength(1);
        const other = p.name === 'left' ? 'right' : 'left';
        expect(view.lines.some((l) => l.startsWith(`${other}-`)), p.name).toBe(false);
      }
    } finally {
      await rig.view.call('panes.close', { paneId });
      rig.tmux("tmux kill-session -t '=ctl-split' 2>/dev/null; true");
    }
  }, 120_000);

  it('takes lines of history that look like tmux messages for data: after an outage the screen is tmux\'s and the pane takes input', async () => {
    // Every pane id a test server can have is named, so whichever this pane is, a line names it.
    const lookalikes = [
      ...Array.from({ length: 100 }, (_, i) => `%pause %${i}`),
      ...Array.from({ length: 100 }, (_, i) => `%continue %${i}`),
      '%output %0 hello',
      '%exit',
      '%begin 1 2 1',
      '%end 1 2 1',
      '%error 1 2 1',
      '%layout-change @0 abcd,80x24,0,0,0',
    ];
    rig.tmux(`printf '%s\\n' ${lookalikes.map((l) => `'${l}'`).join(' ')} > /tmp/hf-lookalikes`);
    const script = "cat /tmp/hf-lookalikes; printf 'type here: '; read x; echo \"got [$x]\"; sleep 600";
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId, mode } = await rig.view.open({ hostId: host.id, sessionName: 'ctl-lookalike', create: { startCommand: script }, cols: 80, rows: 24 });
    try {
      expect(mode).toBe('control');
      await waitFor(async () => (await viewOf(paneId)).screen.some((l) => l.startsWith('type here:')), 'the prompt on screen');
      await outage(paneId, 3_000);
      // tmux's own screen, as a classic attach draws it.
      const tmuxScreen = () => rig.tmux("tmux capture-pane -p -t '=ctl-lookalike:'").replace(/\n+$/, '').split('\n');
      // (A space the program wrote is a cell in the view, where capture-pane trims it.)
      const same = async () => JSON.stringify((await viewOf(paneId)).screen.map((l) => l.trimEnd()).slice(0, tmuxScreen().length)) === JSON.stringify(tmuxScreen());
      await waitFor(same, 'the view to show tmux\'s screen');
      // Nothing kept the pane paused or resyncing: typing reaches the program.
      rig.view.write(paneId, 'yes\r');
      await waitFor(() => rig.tmux("tmux capture-pane -p -t '=ctl-lookalike:'").includes('got [yes]'), 'the program to read the line');
      await waitFor(async () => (await viewOf(paneId)).screen.some((l) => l === 'got [yes]'), 'the answer in the view');
      // Every line of the history is in the view once.
      const view = await viewOf(paneId);
      for (const line of lookalikes) expect(view.lines.filter((l) => l === line), line).toHaveLength(1);
    } finally {
      await rig.view.call('panes.close', { paneId });
      rig.tmux("tmux kill-session -t '=ctl-lookalike' 2>/dev/null; rm -f /tmp/hf-lookalikes; true");
    }
  }, 120_000);
});
