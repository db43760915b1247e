import headless from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { findAnchor, outageLabel, parsePaneState, planResync, plainRow, type MirrorLines, type TmuxPaneState } from './resync';

function state(fields: Partial<TmuxPaneState> = {}): TmuxPaneState {
  return {
    paneId: '%1',
    width: 80,
    height: 4,
    historySize: 0,
    historyLimit: 2000,
    cursorX: 0,
    cursorY: 3,
    cursorVisible: true,
    alternateOn: false,
    alternateSavedX: 0,
    alternateSavedY: 0,
    scrollUpper: 0,
    scrollLower: 3,
    keypadCursor: false,
    keypad: false,
    insert: false,
    wrap: true,
    origin: false,
    mouseStandard: false,
    mouseButton: false,
    mouseAny: false,
    mouseSgr: false,
    mouseUtf8: false,
    inMode: false,
    dead: false,
    ...fields,
  };
}

/** A view: a terminal of the pane's size that parses what it is given, and reads back as the mirror does. */
class View {
  readonly term = new headless.Terminal({ cols: 80, rows: 4, scrollback: 1000, allowProposedApi: true });
  async write(data: string): Promise<void> {
    await new Promise<void>((r) => this.term.write(data, r));
  }
  mirror(): MirrorLines {
    const b = this.term.buffer.normal;
    const lines: string[] = [];
    for (let y = 0; y < b.length; y++) lines.push(b.getLine(y)!.translateToString(true).trimEnd());
    return { lines, screenStart: b.baseY, alternate: this.term.buffer.active.type === 'alternate', cursor: { x: b.cursorX, y: b.baseY + b.cursorY } };
  }
  all(): string[] {
    return this.mirror().lines;
  }
  screen(): string[] {
    const b = this.term.buffer.active;
    const rows: string[] = [];
    for (let y = 0; y < this.term.rows; y++) rows.push(b.getLine(b.viewportY + y)!.translateToString(true));
    return rows;
  }
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe('parsePaneState', () => {
  it('reads the tab-separated formats, and refuses anything else', () => {
    const line = ['%3', '80', '24', '120', '2000', '5', '23', '1', '0', '0', '0', '0', '23', '1', '0', '0', '1', '0', '1', '0', '0', '1', '0', '0', '0'].join('\t');
    expect(parsePaneState(line)).toMatchObject({ paneId: '%3', width: 80, height: 24, historySize: 120, cursorX: 5, cursorY: 23, keypadCursor: true, mouseStandard: true, mouseSgr: true, wrap: true });
    expect(parsePaneState('garbage')).toBeUndefined();
  });
});

describe('findAnchor', () => {
  it('finds the latest place where the view ends, and needs at least two lines that are not blank', () => {
    expect(findAnchor(['a', 'b', 'c'], ['x', 'a', 'b', 'c', 'd'])).toBe(3);
    expect(findAnchor(['a', 'b'], ['a', 'b', 'a', 'b', 'z'])).toBe(3);
    expect(findAnchor(['a', 'b', '', ''], ['a', 'b', 'c'])).toBe(1);
    expect(findAnchor(['q'], ['a', 'b'])).toBeUndefined();
    expect(findAnchor(['', ''], ['', ''])).toBeUndefined();
    // Blank lines between: more lines are compared until two are not blank.
    expect(findAnchor(['x', 'a', '', '', '', '', '', '', '', 'b'], ['y', 'a', '', '', '', '', '', '', '', 'b', 'c', '', '', '', '', '', '', '', 'b'])).toBe(9);
    // The view's last line cut short (tmux was still writing it): the lines before it match, and it is the next row.
    expect(findAnchor(['a', 'b', 'c', 'n17'], ['a', 'b', 'c', 'n1734', 'x'])).toBe(3);
    expect(findAnchor(['a', 'b', 'c', 'zz'], ['a', 'b', 'c', 'n1734', 'x'])).toBeUndefined();
    // Trailing spaces the terminal kept do not count.
    expect(findAnchor(['a ', 'b  '], ['a', 'b'])).toBe(1);
  });

  it('compares rows without their colours and trailing spaces', () => {
    expect(plainRow('\x1b[31mred\x1b[0m   ')).toBe('red');
  });
});

describe('planResync', () => {
  it('fills a fresh view with tmux history and the screen, cursor where tmux has it', async () => {
    const view = new View();
    const plan = planResync(undefined, { state: state({ historySize: 3, cursorX: 2, cursorY: 1 }), history: lines(1, 3), screen: ['line 4', '$ ', '', ''] });
    await view.write(plan.bytes);
    expect(plan.result).toBe('initial');
    expect(view.all().slice(0, 5)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', '$']);
    expect(view.term.buffer.active.cursorY).toBe(1);
    expect(view.term.buffer.active.cursorX).toBe(2);
  });

  it('after an outage adds what is new exactly once, after a divider, and keeps the screen where tmux has it', async () => {
    const view = new View();
    await view.write(lines(1, 6).join('\r\n'));
    // Meanwhile tmux got lines 7 to 12: its history is 1–8, its screen 9–12.
    const plan = planResync(view.mirror(), { state: state({ historySize: 8, cursorY: 3, cursorX: 7 }), history: lines(1, 8), screen: lines(9, 12) }, { outage: 'disconnected 10:00:00 – 10:00:30' });
    await view.write(plan.bytes);
    expect(plan.result).toBe('matched');
    expect(plan.newLines).toBe(6);
    const all = view.all();
    expect(all.filter((l) => l.startsWith('line'))).toEqual(lines(1, 12));
    const divider = all.findIndex((l) => l.includes('disconnected'));
    expect(all[divider - 1]).toBe('line 6');
    expect(all[divider + 1]).toBe('line 7');
    // The times as the pane said them, and exactly the six lines that came meanwhile.
    expect(all[divider]!.trim()).toBe('── disconnected 10:00:00 – 10:00:30 · 6 lines since ' + '─'.repeat(80 - 2 - ' disconnected 10:00:00 – 10:00:30 · 6 lines since '.length));
    expect(view.screen()).toEqual(lines(9, 12));
  });

  it('says the outage in local time to the second, from the moment the link was lost to the moment it came back', () => {
    const lost = new Date(2026, 11, 6, 14, 2, 10).getTime();
    expect(outageLabel(lost, lost + 17 * 60_000 + 34_000)).toBe('disconnected 14:02:10 – 14:19:44');
    expect(outageLabel(new Date(2026, 11, 6, 9, 5, 3).getTime(), new Date(2026, 11, 7, 0, 0, 0).getTime())).toBe('disconnected 09:05:03 – 00:00:00');
  });

  it('when more history is there than was fetched, says how much was, and repeats nothing', async () => {
    const view = new View();
    await view.write(lines(1, 3).join('\r\n') + '\r\n');
    // tmux holds 500 rows of history; Holdfast fetched the last 10 (none of them the view's).
    const plan = planResync(view.mirror(), { state: state({ historySize: 500, historyLimit: 2000 }), history: lines(100, 109), screen: lines(110, 113) }, { outage: 'disconnected 10:00:00 – 10:05:00' });
    await view.write(plan.bytes);
    expect(plan.result).toBe('history-dropped');
    expect(plan.newLines).toBe(14);
    const all = view.all();
    expect(all.slice(0, 3)).toEqual(lines(1, 3));
    expect(all[3]!.trim()).toMatch(/^── disconnected 10:00:00 – 10:05:00 · earlier lines not fetched \(10 were\) ─+$/);
    expect(all.slice(4).filter((l) => l.startsWith('line'))).toEqual(lines(100, 113));
  });

  it('with nothing new, adds no divider and changes nothing on the screen', async () => {
    const view = new View();
    await view.write(lines(1, 6).join('\r\n'));
    const plan = planResync(view.mirror(), { state: state({ historySize: 2 }), history: lines(1, 2), screen: lines(3, 6) }, { outage: 'disconnected' });
    await view.write(plan.bytes);
    expect(plan.newLines).toBe(0);
    expect(view.all().filter((l) => l.startsWith('line'))).toEqual(lines(1, 6));
    expect(view.all().some((l) => l.includes('disconnected'))).toBe(false);
    expect(view.screen()).toEqual(lines(3, 6));
  });

  it('with the same lines printed again and again, matches the latest place and repeats none', async () => {
    const view = new View();
    await view.write(['x', 'y', 'x', 'y', 'x', 'y'].join('\r\n'));
    const history = ['x', 'y', 'x', 'y'];
    const plan = planResync(view.mirror(), { state: state({ historySize: 4 }), history, screen: ['x', 'y', 'z', ''] }, { outage: 'o' });
    await view.write(plan.bytes);
    expect(view.all().filter((l) => /^[xyz]$/.test(l))).toEqual(['x', 'y', 'x', 'y', 'x', 'y', 'z']);
  });

  it("when tmux's history dropped the view's lines, keeps everything the view had and marks the gap", async () => {
    const view = new View();
    await view.write(lines(1, 3).join('\r\n') + '\r\n');
    const plan = planResync(view.mirror(), { state: state({ historySize: 10, historyLimit: 10 }), history: lines(50, 59), screen: lines(60, 63) }, { outage: 'gone' });
    await view.write(plan.bytes);
    expect(plan.result).toBe('history-dropped');
    const all = view.all();
    expect(all.slice(0, 3)).toEqual(lines(1, 3));
    expect(all[3]!.trim()).toMatch(/^── gone · earlier lines lost \(history-limit 10\) ─+$/);
    expect(all.slice(4).filter((l) => l.startsWith('line'))).toEqual(lines(50, 63));
    expect(view.screen()).toEqual(lines(60, 63));
  });

  it('when the view stopped in the middle of a line that tmux has dropped since, erases that fragment before the gap', async () => {
    const view = new View();
    // A flood paused mid-line: the view has "line 1", "line 2" and the start of "line 3".
    await view.write(lines(1, 2).join('\r\n') + '\r\nli');
    const plan = planResync(view.mirror(), { state: state({ historySize: 10, historyLimit: 10 }), history: lines(50, 59), screen: lines(60, 63) }, { outage: 'gone' });
    await view.write(plan.bytes);
    const all = view.all();
    expect(all.slice(0, 2)).toEqual(lines(1, 2));
    expect(all[2]).toMatch(/earlier lines lost/);
    expect(all.includes('li')).toBe(false);
  });

  it('when nothing matches and the history is not full, redraws only the screen, below what the view had', async () => {
    const view = new View();
    await view.write(lines(1, 2).join('\r\n'));
    const plan = planResync(view.mirror(), { state: state({ historySize: 1 }), history: ['other'], screen: ['cleared', '', '', ''] }, { outage: 'disconnected' });
    await view.write(plan.bytes);
    expect(plan.result).toBe('unmatched');
    expect(view.all().slice(0, 2)).toEqual(lines(1, 2));
    expect(view.all().some((l) => l === 'other')).toBe(false);
    expect(view.screen()[0]).toBe('cleared');
  });

  it('puts the divider right after the last line seen when the new lines have not scrolled it off the screen; the cursor row stays', async () => {
    const view = new View();
    await view.write(lines(1, 2).join('\r\n'));
    // Meanwhile two more lines; tmux has no history yet (4 rows).
    const plan = planResync(view.mirror(), { state: state({ historySize: 0, cursorY: 3, cursorX: 0 }), history: [], screen: [...lines(1, 4)] }, { outage: 'disconnected' });
    await view.write(plan.bytes);
    const all = view.all();
    expect(all.filter((l) => l.startsWith('line'))).toEqual(lines(1, 4));
    const at = all.findIndex((l) => l.includes('disconnected'));
    expect(all[at - 1]).toBe('line 2');
    expect(all[at + 1]).toBe('line 3');
    expect(view.screen()[3]).toBe('line 4');
    expect(view.term.buffer.active.cursorY).toBe(3);
  });

  it('restores the alternate screen a program is in, over the normal one, and the modes', async () => {
    const view = new View();
    await view.write(lines(1, 3).join('\r\n'));
    const plan = planResync(
      view.mirror(),
      {
        state: state({ historySize: 0, alternateOn: true, alternateSavedX: 6, alternateSavedY: 2, cursorX: 1, cursorY: 0, keypadCursor: true, mouseSgr: true, mouseButton: true }),
        history: [],
        screen: ['VIM', '~', '~', ':q'],
        normalScreen: [...lines(1, 3), '$ vim'],
      },
      { outage: 'disconnected' },
    );
    await view.write(plan.bytes);
    expect(view.term.buffer.active.type).toBe('alternate');
    expect(view.screen()).toEqual(['VIM', '~', '~', ':q']);
    expect(view.term.modes.applicationCursorKeysMode).toBe(true);
    expect(view.term.modes.mouseTrackingMode).toBe('drag');
    expect(view.term.buffer.active.cursorX).toBe(1);
    // The normal screen under it has the lines once.
    expect(view.term.buffer.normal.getLine(view.term.buffer.normal.baseY + 3)!.translateToString(true)).toBe('$ vim');
    expect(view.all().filter((l) => l.startsWith('line'))).toEqual(lines(1, 3));
  });
});
