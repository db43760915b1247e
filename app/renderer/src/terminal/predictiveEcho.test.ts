import headless from '@xterm/headless';
import { afterEach, describe, expect, it } from 'vitest';
import { toDisposable, type IDisposable } from '../../../shared/lifecycle';
import { EMPTY_OVERLAY, type IPredictionOverlay } from './prediction';
import { layoutOverlay } from './predictionOverlay';
import { PredictiveEcho, XtermTerminalView, type IEchoScheduler, type IEchoTerminal, type IPredictionPainter } from './predictiveEcho';
import { ECHO_TRACES } from './testing/echoTraces';
import { traceEvents } from './testing/replay';
import { visibleRows } from './testing/screen';

const { Terminal } = headless;
type Terminal = InstanceType<typeof Terminal>;

const terminals: Terminal[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.dispose();
});

function terminal(cols = 80, rows = 24): Terminal {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  terminals.push(term);
  return term;
}

function write(term: Terminal, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

/** The driver's clock and timer, moved by the test. */
class ManualScheduler implements IEchoScheduler {
  private _now = 0;
  private readonly _timers = new Set<{ at: number; fn: () => void }>();

  now(): number {
    return this._now;
  }

  get pending(): number {
    return this._timers.size;
  }

  setTimeout(fn: () => void, ms: number): IDisposable {
    const timer = { at: this._now + ms, fn };
    this._timers.add(timer);
    return toDisposable(() => this._timers.delete(timer));
  }

  /** Moves time to `t`, running the timers due on the way, in order. */
  advanceTo(t: number): void {
    for (;;) {
      const due = [...this._timers].filter((x) => x.at <= t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this._timers.delete(due);
      this._now = due.at;
      due.fn();
    }
    this._now = Math.max(this._now, t);
  }
}

class RecordingPainter implements IPredictionPainter {
  readonly painted: IPredictionOverlay[] = [];
  disposed = false;

  get last(): IPredictionOverlay {
    return this.painted[this.painted.length - 1] ?? EMPTY_OVERLAY;
  }

  paint(overlay: IPredictionOverlay): void {
    this.painted.push(overlay);
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** The driver over a headless terminal, wired the way the integration note says. */
function setup(options: { mode?: 'auto' | 'always' | 'off' } = {}) {
  const term = terminal();
  const scheduler = new ManualScheduler();
  const painter = new RecordingPainter();
  const echo = new PredictiveEcho(term as IEchoTerminal, painter, { scheduler, ...options });
  const output = async (data: string) => {
    const bytes = new TextEncoder().encode(data);
    const passed = echo.beforeOutput(bytes);
    expect(passed).toBe(bytes);
    await write(term, passed);
    echo.afterOutput();
  };
  return { term, scheduler, painter, echo, output };
}

describe('XtermTerminalView', () => {
  it("follows the cursor's visibility through the parser: hidden by DECTCEM, shown by DECTCEM, RIS and DECSTR", async () => {
    const term = terminal();
    const view = new XtermTerminalView(term as IEchoTerminal);
    expect(view.cursorVisible).toBe(true);
    await write(term, '\x1b[?25l');
    expect(view.cursorVisible).toBe(false);
    await write(term, '\x1b[?25h');
    expect(view.cursorVisible).toBe(true);
    await write(term, '\x1b[?1;25l');
    expect(view.cursorVisible).toBe(false);
    await write(term, '\x1bc');
    expect(view.cursorVisible).toBe(true);
    await write(term, '\x1b[?25l\x1b[!p');
    expect(view.cursorVisible).toBe(true);
    view.dispose();
  });

  it('reads cells with their width, inverse video and style, and the cursor as an absolute line', async () => {
    const term = terminal(10, 3);
    const view = new XtermTerminalView(term as IEchoTerminal);
    await write(term, 'a\x1b[7mb\x1b[27m\x1b[90mc\x1b[m中\r\n\r\n\r\nx');
    expect(view.cell(0, 0)).toMatchObject({ chars: 'a', width: 1, inverse: false });
    expect(view.cell(1, 0)).toMatchObject({ chars: 'b', inverse: true, style: view.cell(0, 0)!.style });
    expect(view.cell(2, 0)!.style).not.toBe(view.cell(0, 0)!.style);
    expect(view.cell(3, 0)).toMatchObject({ chars: '中', width: 2 });
    expect(view.cell(4, 0)).toMatchObject({ width: 0 });
    // Scrolled one line: the screen starts at line 1, the cursor is on line 3.
    expect(view.screenTop).toBe(1);
    expect([view.cursorX, view.cursorY]).toEqual([1, 3]);
    view.dispose();
  });
});

describe('PredictiveEcho', () => {
  it('paints each key at once, clears it when the echo lands, passes the bytes on untouched, and leaves the screen as the server drew it', async () => {
    const { term, scheduler, painter, echo, output } = setup();
    const reference = terminal();
    echo.setRoundTrip(200);
    expect(echo.active).toBe(true);
    const trace = ECHO_TRACES.bashLs;
    let drawnAsTyped = 0;
    for (const event of traceEvents(trace, { echoMs: 200, gapMs: 120 })) {
      scheduler.advanceTo(event.t);
      if ('key' in event) {
        echo.onInput(event.key);
        if (echo.overlay.cells.some((c) => c.chars === event.key)) drawnAsTyped++;
      } else {
        await output(event.output);
        await write(reference, event.output);
      }
      // The painter always has what the driver says is drawn.
      expect(painter.last).toBe(echo.overlay);
    }
    // "-", "l", "a" drawn as typed (the space too, as the caret moving). "l" is tentative until echoed, and "s",
    // typed before that echo, is drawn when it lands.
    expect(drawnAsTyped).toBe(3);
    expect(painter.painted.length).toBeGreaterThan(4);
    expect(echo.overlay).toBe(EMPTY_OVERLAY);
    expect(visibleRows(term, painter.last)).toEqual(visibleRows(reference, EMPTY_OVERLAY));
    expect(scheduler.pending).toBe(0);
  });

  it('takes a prediction back on its timer when the echo never comes', async () => {
    const { scheduler, painter, echo, output } = setup({ mode: 'always' });
    await output('$ ');
    scheduler.advanceTo(1000);
    echo.onInput('l');
    scheduler.advanceTo(1200);
    await output('l');
    // Confirmed: the run may show. Then the link stalls.
    scheduler.advanceTo(1300);
    echo.onInput('s');
    expect(painter.last.cells).toEqual([{ x: 3, y: 0, chars: 's' }]);
    expect(scheduler.pending).toBe(1);
    scheduler.advanceTo(1300 + 10_000);
    expect(painter.last).toBe(EMPTY_OVERLAY);
    expect(echo.stats.withdrawn.timeout).toBe(1);
    expect(scheduler.pending).toBe(0);
  });

  it("says when prediction turns on and off: 'auto' crossing the threshold, and the mode", () => {
    const { echo } = setup();
    const changes: boolean[] = [];
    echo.onDidChangeActive((active) => changes.push(active));
    expect(echo.active).toBe(false);
    echo.setRoundTrip(120);
    echo.setMode('off');
    echo.setMode('always');
    echo.setMode('auto');
    expect(changes).toEqual([true, false, true]);
    for (let i = 0; i < 40; i++) echo.setRoundTrip(5);
    expect(changes).toEqual([true, false, true, false]);
  });

  it('clears what it drew and lets go of the painter and the parser hooks when disposed', async () => {
    const { scheduler, painter, echo, output, term } = setup({ mode: 'always' });
    await output('$ ');
    scheduler.advanceTo(1000);
    echo.onInput('l');
    scheduler.advanceTo(1200);
    await output('l');
    echo.onInput('s');
    expect(painter.last.cells.length).toBe(1);
    echo.dispose();
    expect(painter.last).toBe(EMPTY_OVERLAY);
    expect(painter.disposed).toBe(true);
    expect(scheduler.pending).toBe(0);
    // Output after disposal changes nothing and throws nothing.
    await write(term, '\x1b[?25l');
    echo.onInput('x');
    expect(painter.last).toBe(EMPTY_OVERLAY);
  });
});

describe('layoutOverlay', () => {
  it('places the cells on the visible rows, cover first and caret last, and leaves out what is scrolled away', () => {
    const overlay: IPredictionOverlay = {
      cells: [
        { x: 3, y: 10, chars: 's' },
        { x: 4, y: 10, chars: 'x' },
      ],
      caret: { x: 5, y: 10, chars: ' ' },
      cover: { x: 3, y: 10, chars: 's' },
    };
    expect(layoutOverlay(overlay, 8, 5)).toEqual([
      { col: 3, row: 2, chars: 's', kind: 'cover' },
      { col: 3, row: 2, chars: 's', kind: 'predicted' },
      { col: 4, row: 2, chars: 'x', kind: 'predicted' },
      { col: 5, row: 2, chars: ' ', kind: 'caret' },
    ]);
    expect(layoutOverlay(overlay, 11, 5)).toEqual([]);
    expect(layoutOverlay(overlay, 6, 4)).toEqual([]);
  });
});
