import headless from '@xterm/headless';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_OVERLAY, isNarrowPrintable, parseKeys, PredictionEngine, type IPredictionOptions, type IPredictionOverlay, type PredictionMode } from './prediction';
import { XtermTerminalView, type IEchoTerminal } from './predictiveEcho';
import { ECHO_TRACES } from './testing/echoTraces';
import type { IEchoTrace } from './testing/echoTraces';
import { FIRST_KEY_AT, traceEvents, type IReplayTiming, type TraceEvent } from './testing/replay';
import { visibleRows } from './testing/screen';

const { Terminal } = headless;
type Terminal = InstanceType<typeof Terminal>;

function write(term: Terminal, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

interface IFrame {
  readonly event: TraceEvent;
  readonly overlay: IPredictionOverlay;
  readonly rows: string[];
  /** The predictions shown now, and when the keys waiting for their echo were typed. */
  readonly showing: boolean;
  readonly pendingSince: number[];
}

const terminals: Terminal[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.dispose();
});

/** A trace played into the engine over a headless terminal, next to a terminal given only the server's bytes. */
class Replay {
  readonly term: Terminal;
  readonly reference: Terminal;
  readonly engine: PredictionEngine;
  readonly frames: IFrame[] = [];
  overlay: IPredictionOverlay = EMPTY_OVERLAY;
  now = 0;

  constructor(
    readonly trace: IEchoTrace,
    options: { mode?: PredictionMode; linkMs?: number; engine?: Partial<IPredictionOptions> } = {},
  ) {
    this.term = new Terminal({ cols: trace.cols, rows: trace.rows, allowProposedApi: true });
    this.reference = new Terminal({ cols: trace.cols, rows: trace.rows, allowProposedApi: true });
    terminals.push(this.term, this.reference);
    this.engine = new PredictionEngine(new XtermTerminalView(this.term as unknown as IEchoTerminal), options.engine);
    this.engine.setMode(options.mode ?? 'auto', 0);
    if (options.linkMs !== undefined) this.engine.setRoundTrip(options.linkMs, 0);
  }

  async play(events: readonly TraceEvent[]): Promise<this> {
    for (const event of events) {
      this.now = event.t;
      this.overlay = this.engine.tick(event.t);
      if ('key' in event) {
        this.overlay = this.engine.onInput(event.key, event.t);
      } else {
        this.engine.onOutput(event.output, event.t);
        await write(this.term, event.output);
        await write(this.reference, event.output);
        this.overlay = this.engine.onOutputParsed(event.t);
      }
      const { showing, pending } = this.engine.inspect();
      const pendingSince = pending.map((p) => p.sentAt);
      this.frames.push({ event, overlay: this.overlay, rows: visibleRows(this.term, this.overlay), showing: showing && this.overlay !== EMPTY_OVERLAY, pendingSince });
    }
    return this;
  }

  /** Lets time pass with no key and no output. */
  wait(ms: number): IPredictionOverlay {
    this.now += ms;
    this.overlay = this.engine.tick(this.now);
    return this.overlay;
  }

  visible(): string[] {
    return visibleRows(this.term, this.overlay);
  }

  expected(): string[] {
    return visibleRows(this.reference, EMPTY_OVERLAY);
  }

  /** Cells that differ between what is shown and what the server drew. */
  wrongCells(): number {
    const shown = this.visible();
    const truth = this.expected();
    let wrong = 0;
    for (let row = 0; row < truth.length; row++) {
      const a = shown[row]!;
      const b = truth[row]!;
      for (let x = 0; x < Math.max(a.length, b.length); x++) if (a[x] !== b[x]) wrong++;
    }
    return wrong;
  }

  /** Frame right after the key of this step was typed. */
  atKey(step: number): IFrame {
    return this.frames.find((f) => 'key' in f.event && f.event.step === step)!;
  }

  /** Frame right after the (last piece of the) echo of this step arrived. */
  atEcho(step: number): IFrame | undefined {
    return this.frames.filter((f) => 'output' in f.event && f.event.step === step).pop();
  }

  /** Steps whose key was drawn as a prediction (its run shown, it waiting for its echo) before its echo arrived. */
  shownBeforeEcho(): number[] {
    const shown = new Set<number>();
    for (const f of this.frames) {
      if (!f.showing) continue;
      for (const t of f.pendingSince) {
        const step = this.frames.find((k) => 'key' in k.event && k.event.t === t)?.event.step;
        if (step !== undefined) shown.add(step);
      }
    }
    return [...shown].sort((a, b) => a - b);
  }

  /** The step of every key typed (key events in order). */
  steps(filter: (key: string) => boolean = () => true): number[] {
    return this.trace.steps.flatMap((s, i) => (filter(s.key) ? [i] : []));
  }
}

const SLOW: IReplayTiming = { echoMs: 200, gapMs: 120 };
const printable = (key: string) => key.length === 1 && key >= ' ' && key !== '\x7f';

describe('parseKeys', () => {
  it('splits input into keys: printable characters, backspace, left and right in both forms, and anything else whole', () => {
    expect(parseKeys('aé\x7f\b\x1b[D\x1b[C\x1bOD\x1bOC')).toEqual([
      { kind: 'char', char: 'a' },
      { kind: 'char', char: 'é' },
      { kind: 'erase' },
      { kind: 'erase' },
      { kind: 'left' },
      { kind: 'right' },
      { kind: 'left' },
      { kind: 'right' },
    ]);
    expect(parseKeys('\r\t\x03\x1b\x1b[A\x1b[1;5D\x1b[3~\x1bb\x1b[200~')).toEqual([
      { kind: 'other', text: '\r' },
      { kind: 'other', text: '\t' },
      { kind: 'other', text: '\x03' },
      { kind: 'other', text: '\x1b\x1b' },
      { kind: 'char', char: '[' },
      { kind: 'char', char: 'A' },
      { kind: 'other', text: '\x1b[1;5D' },
      { kind: 'other', text: '\x1b[3~' },
      { kind: 'other', text: '\x1bb' },
      { kind: 'other', text: '\x1b[200~' },
    ]);
    expect(parseKeys('😀')).toEqual([{ kind: 'char', char: '😀' }]);
  });

  it('takes only characters every terminal draws one cell wide as predictable', () => {
    for (const c of ['a', '~', ' ', 'é', 'ß', 'Ω', 'ж']) expect(isNarrowPrintable(c), c).toBe(true);
    for (const c of ['中', '😀', '\u0301', '\u00ad', 'ｱ', '→']) expect(isNarrowPrintable(c), c).toBe(false);
  });
});

describe('predictive echo, replayed from recorded echo traces', () => {
  it('bash: shows every key of `ls -la` after the first before its 200 ms echo, and leaves the screen exactly as the server drew it', async () => {
    const trace = ECHO_TRACES.bashLs;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    // Every key is predicted; the first of a run is tentative (mosh's epochs): it would show once echoed, that is,
    // never as a prediction. The rest show before their echo.
    expect(r.engine.stats.predicted).toBe(6);
    expect(r.shownBeforeEcho()).toEqual([1, 2, 3, 4, 5]);
    // Before `a`'s echo, the line already reads as it will.
    expect(r.atKey(5).rows[0]).toBe('$ ls -la');
    expect(r.atKey(5).overlay.cells.length).toBeGreaterThan(0);
    expect(r.overlay).toBe(EMPTY_OVERLAY);
    expect(r.visible()).toEqual(r.expected());
    expect(r.engine.stats.withdrawn).toEqual({ mispredicted: 0, timeout: 0, screen: 0, 'password-prompt': 0, reset: 0 });
  });

  it('bash: predictions waiting when Enter is typed are still confirmed by their echo; nothing is predicted after it', async () => {
    const trace = ECHO_TRACES.bashLs;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { echoMs: 200, gapMs: 60 }));
    expect(r.engine.stats.confirmed).toBe(6);
    expect(r.engine.stats.predicted).toBe(6);
    expect(r.atKey(6).rows[0]).toBe('$ ls -la');
    expect(r.visible()).toEqual(r.expected());
  });

  it('bash under `stty olcuc`: the first echo disagrees (E for e), so nothing is ever shown', async () => {
    const trace = ECHO_TRACES.bashUpper;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, pauses: { 4: 800, 9: 800 } }));
    expect(r.shownBeforeEcho()).toEqual([]);
    expect(r.frames.every((f) => f.overlay === EMPTY_OVERLAY)).toBe(true);
    expect(r.engine.stats.withdrawn.mispredicted).toBeGreaterThan(0);
    expect(r.visible()).toEqual(r.expected());
  });

  it('a prediction shown and then echoed otherwise is taken back the moment that echo arrives', async () => {
    const trace = ECHO_TRACES.bashUpperLate; // "12 34 ab 56": digits echo as typed, letters upper-cased
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    const a = trace.steps.findIndex((s) => s.key === 'a');
    expect(r.atKey(a).rows[0]).toBe('$ 12 34 a');
    const echoOfA = r.atEcho(a)!;
    expect(echoOfA.overlay).toBe(EMPTY_OVERLAY);
    expect(echoOfA.rows[0]!.startsWith('$ 12 34 A')).toBe(true);
    expect(r.engine.stats.withdrawn.mispredicted).toBeGreaterThan(0);
    // Nothing typed after the wrong echo is shown: the screen has not settled, and a new run must be confirmed.
    const typedAfter = trace.steps.map((_, i) => i).filter((i) => r.atKey(i).event.t > echoOfA.event.t);
    expect(typedAfter.length).toBeGreaterThan(0);
    expect(r.shownBeforeEcho().filter((i) => typedAfter.includes(i))).toEqual([]);
    expect(r.visible()).toEqual(r.expected());
  });

  it('bash: backspace and left/right in the middle of a line are shown at once, the rest of the line moving with them', async () => {
    const trace = ECHO_TRACES.bashEdit;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    const keys = trace.steps.map((s) => s.key);
    // "echo hllo", three lefts, "e": the inserted e pushes "llo" right before bash redraws it.
    const e = keys.indexOf('e', 9);
    expect(r.atKey(e).rows[0]).toBe('$ echo hello');
    // A left arrow moves the drawn caret at once: after the third, it stands on the first l of "hllo".
    expect(r.atKey(e - 1).overlay.caret).toEqual({ x: 8, y: 0, chars: 'l' });
    // "!", backspace, "?", left, two backspaces: "world?" loses its d and l before bash has answered.
    const lastBs = keys.lastIndexOf('\x7f');
    expect(r.atKey(lastBs).rows[0]).toBe('$ echo hello wor?');
    expect(r.shownBeforeEcho().length).toBeGreaterThan(25);
    expect(r.overlay).toBe(EMPTY_OVERLAY);
    expect(r.visible()).toEqual(r.expected());
    expect(r.engine.stats.withdrawn.mispredicted + r.engine.stats.withdrawn.timeout).toBe(0);
  });

  it('a password prompt: nothing typed at it is ever drawn, prediction stops when no echo comes, and the keys after are not shown', async () => {
    const trace = ECHO_TRACES.bashPassword;
    const keys = trace.steps.map((s) => s.key);
    const enter = keys.indexOf('\r');
    const password = enter + 1;
    const enter2 = keys.indexOf('\r', password);
    // The user stops to read the prompt, then types the password and another command.
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, pauses: { [password]: 1000 } }));
    for (let i = password; i < enter2; i++) {
      for (const f of r.frames.filter((f) => f.event.step === i)) {
        expect(f.overlay).toBe(EMPTY_OVERLAY);
        expect(f.rows.join('\n')).not.toMatch(/h?unter2?|hunt/);
      }
    }
    // The password was predicted tentatively at the prompt (never shown); no echo came, and it was taken back then.
    expect(r.engine.stats.withdrawn.timeout).toBeGreaterThan(0);
    expect(r.shownBeforeEcho().filter((i) => i >= password && i < enter2)).toEqual([]);
    expect(r.visible()).toEqual(r.expected());
    expect(r.visible().join('\n')).not.toContain('hunter2');
  });

  it('an echo that stops coming mid-line takes back what was shown once the timeout passes, and the next keys are not shown', async () => {
    const trace = ECHO_TRACES.bashLs;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, dropEchoFrom: 3 }));
    expect(r.atKey(4).rows[0]).toBe('$ ls -l');
    const timeout = r.engine.echoTimeoutMs;
    const stalledAt = r.atKey(3).event.t;
    // Still shown just before the timeout, gone at it.
    expect(r.wait(stalledAt + timeout - 1 - r.now).cells.length).toBeGreaterThan(0);
    expect(r.wait(1)).toBe(EMPTY_OVERLAY);
    expect(r.engine.stats.withdrawn.timeout).toBeGreaterThan(0);
    expect(r.visible()).toEqual(r.expected());
    expect(r.visible()[0]).toBe('$ ls');
  });

  it('Tab, Ctrl-C, Up and Enter stop prediction until the screen settles; a pause and one echoed key start it again', async () => {
    const trace = ECHO_TRACES.bashBoundaries; // "cat no" Tab " xy" ^C "echo one" Enter Up " two" Enter
    const keys = trace.steps.map((s) => s.key);
    const tab = keys.indexOf('\t');
    const ctrlC = keys.indexOf('\x03');
    const up = keys.indexOf('\x1b[A');
    const enter = keys.indexOf('\r');
    // Typed straight on after each boundary, but a pause after Ctrl-C.
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, pauses: { [ctrlC + 1]: 800 } }));
    const shown = r.shownBeforeEcho();
    // Right after Tab (its completion in flight) and after Up: nothing.
    expect(shown.filter((i) => i > tab && i < ctrlC)).toEqual([]);
    expect(shown.filter((i) => i > up)).toEqual([]);
    // After the pause: the first key of the new run tentative, the rest of "echo one" shown.
    expect(shown.filter((i) => i > ctrlC && i < enter)).toEqual(range(ctrlC + 2, enter));
    expect(r.visible()).toEqual(r.expected());
  });

  it('a line that wraps: nothing is predicted in the last column; after a pause prediction goes on on the next row', async () => {
    const trace = ECHO_TRACES.bashWrap; // "$ echo " + 90 letters on 80 columns
    const margin = 80 - 2 - 1; // the step whose character lands in column 79
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, pauses: { [margin + 3]: 800 } }));
    // (The drawn caret may stand in the last column, where bash's own stands before the margin's key.)
    for (const f of r.frames) for (const c of f.overlay.cells) expect(c.x).toBeLessThan(79);
    const shown = r.shownBeforeEcho();
    expect(shown.filter((i) => i < margin)).toEqual(range(1, margin));
    expect(shown).not.toContain(margin);
    // On the second row, after the pause: tentative first, then shown.
    expect(shown.filter((i) => i > margin)).toEqual(range(margin + 4, trace.steps.length - 1));
    expect(r.overlay).toBe(EMPTY_OVERLAY);
    expect(r.visible()).toEqual(r.expected());
  });

  it('vim in insert mode (alternate screen): nothing is shown until several keys in a row were echoed as predicted', async () => {
    const trace = ECHO_TRACES.vimInsert; // i, "hello world from vim", Esc, :q!
    const keys = trace.steps.map((s) => s.key);
    const world = keys.indexOf('w');
    const esc = keys.indexOf('\x1b');
    // `i` is not echoed: its tentative prediction dies when `h` lands where it was predicted. Then a pause.
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, pauses: { [world]: 800 } }));
    const shown = r.shownBeforeEcho();
    expect(shown.filter((i) => i < world)).toEqual([]);
    // From "world" on: three keys echoed as predicted, then shown.
    expect(shown.filter((i) => i < esc)).toEqual(range(world + 3, esc));
    // The three keys of the run that began with the unechoed `i`.
    expect(r.engine.stats.withdrawn.mispredicted).toBe(3);
    expect(r.visible()).toEqual(r.expected());
  });

  it('fish: grey autosuggestions after the caret stay where they are; the typed key replaces, never pushes them', async () => {
    const trace = ECHO_TRACES.fishSuggest;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    // After "e" fish suggests "cho " in grey; "c" is drawn over the suggestion's c, not before it.
    const c = trace.steps.findIndex((s) => s.key === 'c');
    const h = trace.steps.findIndex((s) => s.key === 'h');
    expect(r.atEcho(0)!.rows[0]).toBe('> echo');
    expect(r.atKey(h).rows[0]).toBe('> echo');
    expect(r.atKey(h).overlay.caret?.x).toBe(c + 2 + 2);
    expect(r.visible()).toEqual(r.expected());
  });

  it('tmux classic attach (alternate screen throughout): after three echoed keys the rest of the line is shown', async () => {
    const trace = ECHO_TRACES.tmuxClassic;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    const enter = trace.steps.findIndex((s) => s.key === '\r');
    const shown = r.shownBeforeEcho();
    expect(shown.filter((i) => i < enter).length).toBeGreaterThan(8);
    expect(shown).not.toContain(0);
    expect(r.visible()).toEqual(r.expected());
  });

  it("an input box drawn as Claude Code's (frame redrawn per key, cursor hidden, inverse caret): keys are shown, no garbage is left", async () => {
    const trace = ECHO_TRACES.inputBoxInk;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    const keys = trace.steps.map((s) => s.key);
    const enter = keys.indexOf('\r');
    const shown = r.shownBeforeEcho();
    // "fix the tests": all but the first before their echo, in the box, after the "│ > " prompt.
    expect(shown.filter((i) => i < 13)).toEqual(range(1, 13));
    const s = r.atKey(12);
    const boxRow = s.overlay.cells[0]!.y;
    expect(s.rows[boxRow]).toMatch(/^│ > fix the tests +│$/);
    // Editing in the middle of the box: "fix the tests", five lefts, backspace, "all ", five rights, " please".
    expect(r.atKey(enter - 1).rows[boxRow]).toMatch(/^│ > fix theall tests please +│$/);
    // The long line wraps inside the box (74 columns): nothing is predicted past it.
    for (const f of r.frames) for (const c of f.overlay.cells) expect(c.x).toBeLessThan(78);
    expect(r.overlay).toBe(EMPTY_OVERLAY);
    expect(r.visible()).toEqual(r.expected());
  });

  it("an input box drawn as Codex's composer (the real cursor at the caret): keys are shown, no garbage is left", async () => {
    const trace = ECHO_TRACES.inputBoxCodex;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    expect(r.shownBeforeEcho().filter((i) => i < 13)).toEqual(range(1, 13));
    expect(r.visible()).toEqual(r.expected());
  });
});

/** A trace written by hand, for a rule no recorded program shows on its own. */
function handTrace(setup: string, steps: [key: string, echo: string][]): IEchoTrace {
  return { program: 'hand-written', cols: 80, rows: 24, setup, steps: steps.map(([key, echo]) => ({ key, echo })) };
}

describe('rules, on hand-written echoes', () => {
  it('never predicts backspace or left arrow into the prompt: the prompt stays drawn in every frame', async () => {
    const trace = handTrace('$ ', [
      ['a', 'a'],
      ['b', 'b'],
      ['\x7f', '\b\x1b[K'],
      ['\x7f', '\b\x1b[K'],
      ['\x7f', '\x07'],
      ['\x1b[D', '\x07'],
    ]);
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    expect(r.engine.stats.predicted).toBe(4);
    for (const f of r.frames) expect(f.rows[0]!.startsWith('$')).toBe(true);
    expect(r.atKey(3).rows[0]).toBe('$');
    expect(r.visible()).toEqual(r.expected());
  });

  it('takes back what is shown the moment the output ends in a password prompt', async () => {
    const trace = handTrace('$ ', [
      ['a', 'a'],
      ['b', 'b'],
      ['c', '\r\nPassword: '],
      ['d', ''],
    ]);
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW));
    expect(r.atKey(3).rows[0]).toBe('$ abcd');
    const prompt = r.atEcho(2)!;
    expect(prompt.overlay).toBe(EMPTY_OVERLAY);
    expect(prompt.rows.slice(0, 2)).toEqual(['$ ab', 'Password:']);
    expect(r.engine.stats.withdrawn['password-prompt']).toBe(2);
  });

  it('ends the run when the whole screen is cleared, even if the prompt comes back looking as it did before the keys', async () => {
    // Keys that reach the server together (a paste, a jittery link) are echoed in one batch with what they ran.
    const trace = handTrace('$ ', [
      ['l', 'l'],
      ['c', ''],
      ['l', ''],
      ['e', ''],
      ['a', ''],
      ['r', ''],
      ['\r', 'clear\r\n\x1b[H\x1b[2J\x1b[3J$ '],
    ]);
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { echoMs: 200, gapMs: 30, pauses: { 1: 400 } }));
    // "l" was typed alone and echoed: the run is confirmed and "clear" drawn ahead of its echo.
    expect(r.atKey(6).rows[0]).toBe('$ lclear');
    const after = r.atEcho(6)!;
    expect(after.overlay).toBe(EMPTY_OVERLAY);
    expect(after.rows[0]).toBe('$');
    expect(r.engine.stats.withdrawn.screen).toBe(5);
  });

  it('predicts nothing of a paste of several lines, nor a wide character, nor what follows them until the screen settles', async () => {
    const trace = handTrace('$ ', [
      ['a', 'a'],
      ['b', 'b'],
      ['echo 1\recho 2\r', 'echo 1\r\n1\r\n$ echo 2\r\n2\r\n$ '],
      ['x', 'x'],
      ['中', '中'],
      ['y', 'y'],
      ['z', 'z'],
    ]);
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, pauses: { 3: 800 } }));
    // a, b; then after the pause x (tentative, confirmed); then 中 ends that run and y, z come too soon after it.
    expect(r.engine.stats.predicted).toBe(3);
    expect(r.shownBeforeEcho()).toEqual([1]);
    expect(r.visible()).toEqual(r.expected());
  });
});

describe('when predictions are shown', () => {
  it("'auto' shows nothing on a fast link, and shows predictions once the round trip is above 30 ms", async () => {
    const trace = ECHO_TRACES.bashLs;
    const fast = await new Replay(trace, { linkMs: 5 }).play(traceEvents(trace, { echoMs: 10, gapMs: 120 }));
    expect(fast.engine.active).toBe(false);
    expect(fast.shownBeforeEcho()).toEqual([]);
    const slow = await new Replay(trace, { linkMs: 60 }).play(traceEvents(trace, { echoMs: 60, gapMs: 30 }));
    expect(slow.engine.active).toBe(true);
    expect(slow.shownBeforeEcho().length).toBeGreaterThan(0);
  });

  it("'auto' learns the round trip from the echoes when the link's is not known", async () => {
    const trace = ECHO_TRACES.bashLs;
    const r = await new Replay(trace).play(traceEvents(trace, SLOW));
    expect(r.engine.roundTripMs).toBe(200);
    expect(r.engine.active).toBe(true);
    // The first echo taught it: from then on keys show, the one typed before it too.
    expect(r.shownBeforeEcho()).toEqual([1, 2, 3, 4, 5]);
  });

  it("'always' shows predictions on a fast link; 'off' never does", async () => {
    const trace = ECHO_TRACES.bashLs;
    const always = await new Replay(trace, { mode: 'always', linkMs: 5 }).play(traceEvents(trace, { echoMs: 20, gapMs: 10 }));
    expect(always.shownBeforeEcho().length).toBeGreaterThan(0);
    const off = await new Replay(trace, { mode: 'off', linkMs: 500 }).play(traceEvents(trace, SLOW));
    expect(off.engine.active).toBe(false);
    expect(off.frames.every((f) => f.overlay === EMPTY_OVERLAY)).toBe(true);
    expect(off.engine.stats.predicted).toBe(0);
  });

  it("'auto' turns off below 20 ms only (hysteresis), and setting 'off' takes back what is shown", async () => {
    const trace = ECHO_TRACES.bashLs;
    const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, SLOW).filter((e) => e.t < FIRST_KEY_AT + 450));
    expect(r.overlay.cells.length).toBeGreaterThan(0);
    expect(r.engine.setMode('off', r.now)).toBe(EMPTY_OVERLAY);
    expect(r.engine.stats.withdrawn.reset).toBeGreaterThan(0);
    const e = new PredictionEngine(new XtermTerminalView(r.term as unknown as IEchoTerminal));
    for (let i = 0; i < 30; i++) e.setRoundTrip(25, 0);
    expect(e.active).toBe(false);
    for (let i = 0; i < 30; i++) e.setRoundTrip(40, 0);
    expect(e.active).toBe(true);
    for (let i = 0; i < 30; i++) e.setRoundTrip(25, 0);
    expect(e.active).toBe(true);
    for (let i = 0; i < 30; i++) e.setRoundTrip(10, 0);
    expect(e.active).toBe(false);
  });
});

const ALL_TRACES = Object.entries(ECHO_TRACES) as [string, IEchoTrace][];

/** Pauses that let prediction start again after each boundary in a trace. */
function pausesAfterBoundaries(trace: IEchoTrace): Record<number, number> {
  const pauses: Record<number, number> = {};
  trace.steps.forEach((s, i) => {
    if (!printable(s.key) && s.key !== '\x7f' && !s.key.startsWith('\x1b[') && i + 1 < trace.steps.length) pauses[i + 1] = 900;
  });
  return pauses;
}

describe('nothing wrong is left on screen', () => {
  it.each(ALL_TRACES)('%s: at every round trip and with output cut anywhere, the screen ends as the server drew it', async (_name, trace) => {
    for (const echoMs of [40, 200, 600]) {
      for (const splitSeed of [undefined, 1, 2]) {
        const timing: IReplayTiming = { echoMs, gapMs: 90, pauses: pausesAfterBoundaries(trace), ...(splitSeed === undefined ? {} : { splitSeed }) };
        const r = await new Replay(trace, { linkMs: echoMs }).play(traceEvents(trace, timing));
        // Once the last echo is in, nothing is drawn but what the server drew: no prediction waits for a timeout to
        // be taken back (tentative ones at a password prompt may wait, unseen).
        const label = `${_name} echo ${echoMs} ms, split ${splitSeed}`;
        expect(r.overlay, label).toBe(EMPTY_OVERLAY);
        expect(r.wrongCells(), label).toBe(0);
        expect(r.visible(), label).toEqual(r.expected());
        r.wait(10_000);
        expect(r.overlay, label).toBe(EMPTY_OVERLAY);
        // Never a predicted cell in the last column.
        for (const f of r.frames) for (const c of f.overlay.cells) expect(c.x, label).toBeLessThan(trace.cols - 1);
      }
    }
  }, 120_000);

  it('counts 0 wrong characters left on screen after the echoes settle, across all traces', async () => {
    let wrong = 0;
    let shown = 0;
    for (const [, trace] of ALL_TRACES) {
      const r = await new Replay(trace, { linkMs: 200 }).play(traceEvents(trace, { ...SLOW, pauses: pausesAfterBoundaries(trace) }));
      r.wait(10_000);
      wrong += r.wrongCells();
      shown += r.shownBeforeEcho().length;
    }
    expect(wrong).toBe(0);
    // And prediction did something: keys were shown before their echo.
    expect(shown).toBeGreaterThan(150);
  }, 60_000);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

