// Predictive echo for slow links (issue 26): a key typed at a prompt is shown at once, underlined, and becomes
// ordinary text when the server's echo draws it; an echo that disagrees, or none at all, takes it back. Pure: it
// reads the screen through ITerminalView, is told of keys and output, and is given the time; the driver
// (predictiveEcho.ts) owns the timer, the terminal and the drawing.
//
// What this learned from, in ideas only (no code taken):
// - mosh (Winstein & Balakrishnan, USENIX ATC 2012; src/frontend/terminaloverlay.cc). Predictions are an overlay
//   over the screen the server drew, never part of it, and they are judged against that screen: a cell the server
//   drew as predicted with the cursor moved past it confirms; anything else is pending until it is wrong or too
//   late. Epochs: after anything that cannot be predicted, predictions are tentative (kept but not shown) until
//   one of the new epoch is confirmed, and a wrong tentative one dies unseen. The round-trip trigger has
//   hysteresis and only turns off when nothing is shown. The last column is not predicted.
// - VS Code's typeahead addon (terminalTypeAheadAddon.ts: PredictionTimeline, CharacterPrediction,
//   BackspacePrediction, CursorMovePrediction). The keys worth predicting (printable, backspace, left/right in
//   both CSI and SS3 forms), the guard that keeps backspace and left arrow out of the prompt (the leftmost column
//   the user typed at on that line), clearing predictions when no echo comes, and password-prompt words in the
//   output as a boundary. Not its way of drawing: it writes predictions into the terminal's buffer and must then
//   rewrite the server's stream to undo them exactly (pen, charset, insert mode, saved cursor, pending wrap); here
//   the buffer only ever holds the server's bytes, so a withdrawn prediction leaves nothing behind by design.
//
// The state is one *run* at a time: predictions on one line, from one caret, in one epoch. A run starts when a
// printable key comes after the screen has settled, is tentative until the first of its keys is echoed as
// predicted, and ends at a key it cannot predict (Enter, Ctrl-C, Tab, Esc, up/down, any other sequence, the
// margin, backspace into the prompt), at a wrong or missing echo, or when the screen changes under it.

/** Settings → predictive echo. 'auto' predicts when the smoothed round trip is above the threshold. */
export type PredictionMode = 'auto' | 'always' | 'off';

/** One cell of the terminal as the engine reads it. */
export interface ICellView {
  /** Its text; '' for a cell never written (shown blank). */
  readonly chars: string;
  /** 1, 2 for a wide character, 0 for the cell a wide character's right half sits in. */
  readonly width: number;
  /** Drawn in inverse video: how full-screen programs that hide the cursor draw their own caret. */
  readonly inverse: boolean;
  /** Colours and attributes other than inverse, as one comparable key. */
  readonly style: string;
}

/** What the engine reads of the terminal: the driver backs it with xterm.js's active buffer, a test with anything. */
export interface ITerminalView {
  readonly cols: number;
  readonly rows: number;
  /** The absolute line of the screen's top row (the scrollback's length). */
  readonly screenTop: number;
  /** The cursor's column; equal to `cols` while a wrap is pending. */
  readonly cursorX: number;
  /** The cursor's absolute line. */
  readonly cursorY: number;
  /** False while the program hid the cursor (DECTCEM), as Ink-drawn input boxes (Claude Code's) do. */
  readonly cursorVisible: boolean;
  readonly alternateScreen: boolean;
  /** A frame is being drawn under synchronized output (DEC mode 2026): the screen is not the program's yet. */
  readonly synchronizedOutput: boolean;
  /** The cell at column x of absolute line y; undefined outside the buffer. */
  cell(x: number, y: number): ICellView | undefined;
}

/** A cell to draw over the screen. x is a column, y an absolute line. */
export interface IOverlayCell {
  readonly x: number;
  readonly y: number;
  readonly chars: string;
}

/**
 * What to draw over the terminal now. Empty means the screen as the server drew it: taking a prediction back is
 * drawing less, never writing to the terminal.
 */
export interface IPredictionOverlay {
  /** Cells to draw in the predicted style (underlined, as mosh does) over what the server drew. */
  readonly cells: readonly IOverlayCell[];
  /** Where the caret will be once the echo comes, when that is not where it is: draw a caret there. */
  readonly caret?: IOverlayCell;
  /** The caret as the server drew it, when the caret is drawn elsewhere: draw this cell plainly over it. */
  readonly cover?: IOverlayCell;
}

export const EMPTY_OVERLAY: IPredictionOverlay = Object.freeze({ cells: Object.freeze([]) });

export interface IPredictionOptions {
  /** 'auto': predict above this smoothed round trip (the "about 30 ms"; mosh turns on at 30). */
  thresholdMs: number;
  /** 'auto': stop predicting below this one, and only while nothing is shown (mosh: 20). */
  thresholdOffMs: number;
  /** In the alternate screen, predictions show only after this many keys in a row were echoed as predicted. */
  alternateScreenStreak: number;
  /** Bounds of the time an echo may take before the predictions waiting for it are taken back. */
  minEchoTimeoutMs: number;
  maxEchoTimeoutMs: number;
  /** After a boundary, output must have been quiet this long before a new run may start. */
  settleQuietMs: number;
}

export const DEFAULT_PREDICTION_OPTIONS: Readonly<IPredictionOptions> = Object.freeze({
  thresholdMs: 30,
  thresholdOffMs: 20,
  alternateScreenStreak: 3,
  minEchoTimeoutMs: 500,
  maxEchoTimeoutMs: 5000,
  settleQuietMs: 50,
});

/** Why predictions were taken back. */
export type WithdrawReason =
  /** The server drew something else where a key was predicted (an upper-casing tty, `*` for a password). */
  | 'mispredicted'
  /** No echo came in time (a password prompt, a program that does not echo). */
  | 'timeout'
  /** The screen changed under the run: resized, switched screens, the line before the input rewritten. */
  | 'screen'
  /** The output ended with what looks like a password prompt. */
  | 'password-prompt'
  /** The driver said so (mode off, reattach). */
  | 'reset';

/** The current run, as inspect() reports it. */
export interface IPredictionState {
  /** Its predictions are drawn (the run is confirmed, prediction is on, and the alternate screen trusts it). */
  readonly showing: boolean;
  /** Its epoch (one per run); undefined when there is no run. */
  readonly epoch: number | undefined;
  /** Its keys waiting for their echo, oldest first. */
  readonly pending: readonly { readonly op: 'insert' | 'erase' | 'left' | 'right'; readonly char: string; readonly sentAt: number }[];
}

export interface IPredictionStats {
  /** Keys given a prediction (shown or tentative). */
  predicted: number;
  /** Keys whose echo drew them as predicted. */
  confirmed: number;
  /** Keys whose prediction was taken back, by reason. */
  withdrawn: Record<WithdrawReason, number>;
}

// ---- Keys ------------------------------------------------------------------------------------------------------

/** One key of what xterm.js's onData gave. */
export type Key =
  | { kind: 'char'; char: string }
  | { kind: 'erase' }
  | { kind: 'left' }
  | { kind: 'right' }
  /** Anything else: Enter, Tab, Ctrl-C, Esc, up/down, other sequences. Predicting stops until the screen settles. */
  | { kind: 'other'; text: string };

const ESC = '\x1b';

/** Splits input into keys: CSI and SS3 sequences whole, code points one by one. */
export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const ch = data[i]!;
    if (ch === ESC) {
      const next = data[i + 1];
      if (next === '[') {
        // CSI: parameters, intermediates, one final byte.
        let j = i + 2;
        while (j < data.length && /[0-9;:<=>?]/.test(data[j]!)) j++;
        while (j < data.length && /[ -/]/.test(data[j]!)) j++;
        const end = j < data.length ? j + 1 : j;
        const seq = data.slice(i, end);
        keys.push(seq === '\x1b[D' ? { kind: 'left' } : seq === '\x1b[C' ? { kind: 'right' } : { kind: 'other', text: seq });
        i = end;
      } else if (next === 'O' && i + 2 < data.length) {
        // SS3: the arrows in application cursor mode.
        const seq = data.slice(i, i + 3);
        keys.push(seq === '\x1bOD' ? { kind: 'left' } : seq === '\x1bOC' ? { kind: 'right' } : { kind: 'other', text: seq });
        i += 3;
      } else if (next !== undefined) {
        // Alt+key, or Esc typed just before a key.
        const cp = data.codePointAt(i + 1)!;
        const len = cp > 0xffff ? 2 : 1;
        keys.push({ kind: 'other', text: data.slice(i, i + 1 + len) });
        i += 1 + len;
      } else {
        keys.push({ kind: 'other', text: ESC });
        i++;
      }
      continue;
    }
    const cp = data.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    if (cp === 0x7f || cp === 0x08) keys.push({ kind: 'erase' });
    else if (cp < 0x20 || (cp >= 0x80 && cp < 0xa0)) keys.push({ kind: 'other', text: data.slice(i, i + len) });
    else keys.push({ kind: 'char', char: data.slice(i, i + len) });
    i += len;
  }
  return keys;
}

/**
 * Whether a character surely takes one cell. Only ranges where every terminal agrees: ASCII, Latin, IPA, Greek,
 * Cyrillic. Wide (CJK, most emoji), combining and ambiguous characters are not predicted: drawn a cell off, they
 * would shift everything after them.
 */
export function isNarrowPrintable(char: string): boolean {
  const cp = char.codePointAt(0);
  if (cp === undefined || char.length !== (cp > 0xffff ? 2 : 1)) return false;
  if (cp >= 0x20 && cp <= 0x7e) return true;
  if (cp >= 0xa0 && cp <= 0x2ff) return cp !== 0xad; // Latin-1, Latin Extended A/B, IPA, spacing modifiers
  if (cp >= 0x386 && cp <= 0x3ce) return cp !== 0x38b && cp !== 0x38d && cp !== 0x3a2; // Greek letters
  if (cp >= 0x400 && cp <= 0x4ff) return cp < 0x483 || cp > 0x489; // Cyrillic, without its combining marks
  return false;
}

/** A chunk of input that holds a line break and more than one key is a paste of lines: never predicted. */
function isMultiLinePaste(data: string): boolean {
  return data.length > 1 && /[\r\n]/.test(data);
}

// Words that end a prompt for something the program will not echo. Only at the very end of a batch: a prompt
// waits for input; the same words inside ordinary output are followed by more text.
const PASSWORD_PROMPT_RE = /(?:^|[^a-z])(?:password|passphrase|passwd|passcode|pin|verification code|one-time code|otp)\b[^\r\n]*:[ \t]*$/i;

// The whole screen erased (ED 2 or 3, home then ED 0, RIS): `clear`, a full-screen program starting. A run's line
// may then be drawn again looking just as it did before the keys (the same prompt at the top), which would pass
// for "not echoed yet"; the run ends instead.
// eslint-disable-next-line no-control-regex
const SCREEN_CLEARED_RE = /\x1b\[[23]J|\x1b\[H\x1b\[0?J|\x1bc/;

// ---- Lines and their editing -----------------------------------------------------------------------------------

interface ICell {
  readonly ch: string;
  readonly width: number;
  readonly style: string;
}

const BLANK = ' ';

function isBlank(cell: ICell | undefined): boolean {
  return cell === undefined || cell.ch === BLANK;
}

function readLine(view: ITerminalView, y: number): ICell[] {
  const line: ICell[] = [];
  for (let x = 0; x < view.cols; x++) {
    const cell = view.cell(x, y);
    line.push({ ch: cell?.chars || BLANK, width: cell?.width ?? 1, style: cell?.style ?? '' });
  }
  return line;
}

/**
 * Where the text after the caret ends: the cells a line editor moves along with an insert or a backspace. The
 * run of cells styled like the one before the caret, up to a gap of two blanks. Text styled otherwise stays put
 * (a shell's grey autosuggestion, which the next key replaces; an input box's border), and so does text after a
 * wide gap (the rest of a box). Returns x when nothing after the caret moves.
 */
function tailEnd(line: readonly ICell[], x: number): number {
  const first = line[x];
  if (first === undefined) return x;
  if (isBlank(first) && isBlank(line[x + 1])) return x;
  const before = line[x - 1];
  if (before !== undefined && before.style !== first.style) return x;
  let end = x;
  while (end < line.length) {
    const cell = line[end]!;
    if (cell.style !== first.style) break;
    if (isBlank(cell) && isBlank(line[end + 1])) break;
    end++;
  }
  return end;
}

function hasWide(line: readonly ICell[], from: number, to: number): boolean {
  for (let x = from; x < to; x++) if (line[x]!.width !== 1) return true;
  return false;
}

type Op = 'insert' | 'erase' | 'left' | 'right';

/** A key the engine predicted and whose echo it waits for. */
interface IPending {
  readonly op: Op;
  /** The typed character (insert). */
  readonly char: string;
  /** The caret's column before the key. */
  readonly x: number;
  readonly sentAt: number;
}

/** A line as the pending keys will leave it. */
interface ISimulated {
  readonly cells: ICell[];
  /** The caret after each key: carets[0] before the first. */
  readonly carets: number[];
  /** For each key, the cell it decides: the typed cell (insert) or the cell the caret lands on (erase). */
  readonly decided: (number | undefined)[];
  /** Every cell a key wrote. */
  readonly touched: Set<number>;
}

/** Applies one key to a line in place, as a line editor would. Returns the caret after it. */
function applyOp(cells: ICell[], x: number, p: IPending, touched: Set<number>): number {
  switch (p.op) {
    case 'insert': {
      const end = tailEnd(cells, x);
      for (let i = end; i > x; i--) {
        cells[i] = cells[i - 1]!;
        touched.add(i);
      }
      const before = cells[x - 1];
      cells[x] = { ch: p.char, width: 1, style: before && !isBlank(before) ? before.style : cells[x]!.style };
      touched.add(x);
      return x + 1;
    }
    case 'erase': {
      const end = tailEnd(cells, x);
      for (let i = x; i < end; i++) {
        cells[i - 1] = cells[i]!;
        touched.add(i - 1);
      }
      const last = Math.max(x, end) - 1;
      cells[last] = { ch: BLANK, width: 1, style: cells[last]!.style };
      touched.add(last);
      return x - 1;
    }
    case 'left':
      return x - 1;
    case 'right':
      return x + 1;
  }
}

function simulate(base: readonly ICell[], baseX: number, pending: readonly IPending[]): ISimulated {
  const cells = [...base];
  const carets = [baseX];
  const decided: (number | undefined)[] = [undefined];
  const touched = new Set<number>();
  let x = baseX;
  for (const p of pending) {
    x = applyOp(cells, x, p, touched);
    carets.push(x);
    decided.push(p.op === 'insert' ? p.x : p.op === 'erase' ? p.x - 1 : undefined);
  }
  return { cells, carets, decided, touched };
}

/** The line after the first `count` pending keys, for checking an echo against it. */
function simulatePrefix(base: readonly ICell[], baseX: number, pending: readonly IPending[], count: number): ICell[] {
  return simulate(base, baseX, pending.slice(0, count)).cells;
}

// ---- Round trips -----------------------------------------------------------------------------------------------

/** A smoothed round trip and its variation, as TCP keeps them (RFC 6298). */
class RoundTripEstimate {
  private _srtt: number | undefined;
  private _rttvar = 0;

  get smoothed(): number | undefined {
    return this._srtt;
  }

  /** A generous upper bound on the next sample. */
  get upper(): number | undefined {
    return this._srtt === undefined ? undefined : this._srtt + 4 * this._rttvar;
  }

  add(sample: number): void {
    if (!(sample >= 0) || !Number.isFinite(sample)) return;
    if (this._srtt === undefined) {
      this._srtt = sample;
      this._rttvar = sample / 2;
      return;
    }
    this._rttvar = 0.75 * this._rttvar + 0.25 * Math.abs(this._srtt - sample);
    this._srtt = 0.875 * this._srtt + 0.125 * sample;
  }

  clear(): void {
    this._srtt = undefined;
    this._rttvar = 0;
  }
}

// ---- The engine ------------------------------------------------------------------------------------------------

interface ICaret {
  readonly x: number;
  readonly y: number;
}

interface IRun {
  readonly epoch: number;
  readonly y: number;
  readonly cols: number;
  readonly rows: number;
  readonly alternateScreen: boolean;
  /** Backspace and left arrow stop here: left of it is the prompt. */
  readonly inputStart: number;
  /** The text just left of inputStart when the run began: the line was redrawn as something else if it changed. */
  readonly prefix: string;
  /** One of its keys was echoed as predicted: its predictions may show (mosh: the epoch is confirmed). */
  confirmed: boolean;
  /** A key it could not predict came: it takes no more keys and ends once its echoes are in. */
  closed: boolean;
  /** The line and caret the pending keys apply to: the screen as of the last confirmation. */
  base: ICell[];
  baseX: number;
  pending: IPending[];
}

/** Where the user's input began on a line, kept across runs while the text before it is unchanged. */
interface ILineMemory {
  readonly y: number;
  readonly inputStart: number;
  readonly prefix: string;
}

const PREFIX_CELLS = 16;

export class PredictionEngine {
  private readonly _options: IPredictionOptions;
  private _mode: PredictionMode = 'auto';
  private _autoOn = false;
  private readonly _link = new RoundTripEstimate();
  private readonly _echo = new RoundTripEstimate();
  private _run: IRun | undefined;
  private _epoch = 0;
  private _memory: ILineMemory | undefined;
  /** Keys echoed as predicted in a row in the alternate screen (reset by a wrong or missing echo). */
  private _streak = 0;
  private _streakScreen = false;
  private _lastKeyAt = -Infinity;
  private _lastOutputAt = -Infinity;
  /** Output batches given to the terminal and not parsed yet: the screen is not final while any is. */
  private _unparsed = 0;
  /** The last bytes of the previous batch, for sequences cut between batches. */
  private _outputTail = '';
  /** A batch given to the terminal erased the whole screen. */
  private _screenCleared = false;
  /** The caret found during one call (finding an app-drawn caret reads the whole screen). */
  private _caretCache: { value: ICaret | undefined } | undefined;
  private readonly _stats: IPredictionStats = {
    predicted: 0,
    confirmed: 0,
    withdrawn: { mispredicted: 0, timeout: 0, screen: 0, 'password-prompt': 0, reset: 0 },
  };

  constructor(
    private readonly _view: ITerminalView,
    options: Partial<IPredictionOptions> = {},
  ) {
    this._options = { ...DEFAULT_PREDICTION_OPTIONS, ...options };
  }

  get mode(): PredictionMode {
    return this._mode;
  }

  /** Prediction is on (for a "prediction on" label): the mode says so and, in 'auto', the round trip is long. */
  get active(): boolean {
    return this._mode === 'always' || (this._mode === 'auto' && this._autoOn);
  }

  /** The round trip predictions are judged by: the slower of the link's and the echoes' own, once either is known. */
  get roundTripMs(): number | undefined {
    const link = this._link.smoothed;
    const echo = this._echo.smoothed;
    if (link === undefined) return echo;
    if (echo === undefined) return link;
    return Math.max(link, echo);
  }

  get stats(): Readonly<IPredictionStats> {
    return this._stats;
  }

  /** How long a key's echo may take before the predictions waiting for it are taken back. */
  get echoTimeoutMs(): number {
    const upper = Math.max(this._link.upper ?? 0, this._echo.upper ?? 0) || 500;
    return clamp(2 * upper + 100, this._options.minEchoTimeoutMs, this._options.maxEchoTimeoutMs);
  }

  /** How long after a key its echo should have come, for deciding that the screen has settled. */
  get echoWindowMs(): number {
    const rtt = this.roundTripMs ?? 200;
    return clamp(1.5 * rtt + 50, 100, 2000);
  }

  setMode(mode: PredictionMode, now: number): IPredictionOverlay {
    this._caretCache = undefined;
    if (mode === this._mode) return this._overlay();
    this._mode = mode;
    if (mode === 'off') this._withdraw('reset', now);
    this._updateTrigger();
    return this._overlay();
  }

  /** A round trip measured on the link (a probe), in ms. */
  setRoundTrip(ms: number, _now: number): IPredictionOverlay {
    this._caretCache = undefined;
    this._link.add(ms);
    this._updateTrigger();
    return this._overlay();
  }

  /** Forgets everything about the screen (a reattach, a new stream): predictions start again from scratch. */
  reset(now: number): IPredictionOverlay {
    this._caretCache = undefined;
    this._withdraw('reset', now);
    this._memory = undefined;
    this._streak = 0;
    this._unparsed = 0;
    this._screenCleared = false;
    this._outputTail = '';
    this._lastKeyAt = now;
    return EMPTY_OVERLAY;
  }

  /** Input as sent to the server, exactly (after any key bar modifiers). */
  onInput(data: string, now: number): IPredictionOverlay {
    this._caretCache = undefined;
    this._expire(now);
    if (this._mode === 'off') {
      this._lastKeyAt = now;
      return EMPTY_OVERLAY;
    }
    const keys = isMultiLinePaste(data) ? [{ kind: 'other', text: data } as const] : parseKeys(data);
    for (const key of keys) {
      this._key(key, now);
      this._lastKeyAt = now;
    }
    return this._overlay();
  }

  /** Output from the server, before the terminal parses it. */
  onOutput(data: Uint8Array | string, now: number): void {
    this._caretCache = undefined;
    this._lastOutputAt = now;
    this._unparsed++;
    // Only output that arrives during a run can end it (a flood with nobody typing costs nothing here).
    if (!this._run) {
      this._outputTail = '';
      return;
    }
    const text = typeof data === 'string' ? data : latin1(data);
    if (SCREEN_CLEARED_RE.test(this._outputTail + text)) this._screenCleared = true;
    this._outputTail = (this._outputTail + text).slice(-8);
    if (PASSWORD_PROMPT_RE.test(text.slice(-256))) this._withdraw('password-prompt', now);
  }

  /** The terminal has parsed a batch given to onOutput: the screen shows it now. */
  onOutputParsed(now: number): IPredictionOverlay {
    this._caretCache = undefined;
    this._unparsed = Math.max(0, this._unparsed - 1);
    this._expire(now);
    this._reconcile(now);
    this._updateTrigger();
    return this._overlay();
  }

  /** Time passed: takes back predictions whose echo is overdue. */
  tick(now: number): IPredictionOverlay {
    this._caretCache = undefined;
    this._expire(now);
    return this._overlay();
  }

  /** When tick must next be called, if anything waits on time. */
  nextDeadline(): number | undefined {
    const first = this._run?.pending[0];
    return first ? first.sentAt + this.echoTimeoutMs : undefined;
  }

  /** The keys of the current run waiting for their echo, and whether they are shown: for diagnostics and tests. */
  inspect(): IPredictionState {
    const run = this._run;
    return { showing: run !== undefined && this._showing(run), epoch: run?.epoch, pending: run ? run.pending.map(({ op, char, sentAt }) => ({ op, char, sentAt })) : [] };
  }

  /** What to draw over the terminal now. */
  overlay(): IPredictionOverlay {
    this._caretCache = undefined;
    return this._overlay();
  }

  private _overlay(): IPredictionOverlay {
    const run = this._run;
    if (!run || run.pending.length === 0 || !this._showing(run) || this._screenChanged(run)) return EMPTY_OVERLAY;
    const view = this._view;
    const sim = simulate(run.base, run.baseX, run.pending);
    const line = readLine(view, run.y);
    const cells: IOverlayCell[] = [];
    for (const x of [...sim.touched].sort((a, b) => a - b)) {
      const predicted = sim.cells[x]!;
      if (predicted.ch !== line[x]?.ch) cells.push({ x, y: run.y, chars: predicted.ch });
    }
    const caretX = sim.carets[sim.carets.length - 1]!;
    const real = this._caret();
    if (real && real.x === caretX && real.y === run.y) return cells.length ? { cells } : EMPTY_OVERLAY;
    const caret: IOverlayCell = { x: caretX, y: run.y, chars: sim.cells[caretX]?.ch ?? BLANK };
    if (!real || real.y !== run.y || real.x >= view.cols) return { cells, caret };
    return { cells, caret, cover: { x: real.x, y: run.y, chars: sim.cells[real.x]?.ch ?? BLANK } };
  }

  // ---- Keys ----

  private _key(key: Key, now: number): void {
    if (key.kind === 'other' || (key.kind === 'char' && !isNarrowPrintable(key.char))) {
      this._boundary();
      return;
    }
    let run = this._run;
    if (run?.closed) return;
    if (!run) {
      if (!this._settled(now)) return;
      run = this._startRun();
      if (!run) return;
    }
    if (!this._append(run, key, now)) this._boundary();
  }

  /** A key that cannot be predicted: the run takes no more, and ends once the echoes it waits for are in. */
  private _boundary(): void {
    const run = this._run;
    if (!run) return;
    if (run.pending.length === 0) this._run = undefined;
    else run.closed = true;
  }

  /**
   * The screen has settled after a boundary: nothing predicted is pending, the echo of the last key had time to
   * come, output has paused, and the terminal has parsed everything it was given.
   */
  private _settled(now: number): boolean {
    return (
      this._run === undefined &&
      this._unparsed === 0 &&
      now - this._lastKeyAt >= this.echoWindowMs &&
      now - this._lastOutputAt >= this._options.settleQuietMs
    );
  }

  private _startRun(): IRun | undefined {
    const view = this._view;
    const caret = this._caret();
    if (!caret || caret.x >= view.cols) return undefined;
    const line = readLine(view, caret.y);
    const memory = this._memory;
    const remembered = memory && memory.y === caret.y && caret.x >= memory.inputStart && prefixOf(line, memory.inputStart) === memory.prefix;
    const inputStart = remembered ? memory.inputStart : caret.x;
    const prefix = prefixOf(line, inputStart);
    this._memory = { y: caret.y, inputStart, prefix };
    if (view.alternateScreen !== this._streakScreen) {
      this._streakScreen = view.alternateScreen;
      this._streak = 0;
    }
    this._run = {
      epoch: ++this._epoch,
      y: caret.y,
      cols: view.cols,
      rows: view.rows,
      alternateScreen: view.alternateScreen,
      inputStart,
      prefix,
      confirmed: false,
      closed: false,
      base: line,
      baseX: caret.x,
      pending: [],
    };
    return this._run;
  }

  /** Adds a prediction for the key to the run; false when the key cannot be predicted where it lands. */
  private _append(run: IRun, key: Exclude<Key, { kind: 'other' }>, now: number): boolean {
    if (this._screenChanged(run)) return false;
    // Nothing waits for an echo: start from the screen as it is (the program may have moved the caret), unless
    // the terminal is in the middle of parsing output; then from the screen as it was last judged.
    if (run.pending.length === 0 && this._unparsed === 0) {
      const caret = this._caret();
      if (!caret || caret.y !== run.y || caret.x < run.inputStart || caret.x >= run.cols) return false;
      run.base = readLine(this._view, run.y);
      run.baseX = caret.x;
    }
    const sim = simulate(run.base, run.baseX, run.pending);
    const line = sim.cells;
    const x = sim.carets[sim.carets.length - 1]!;
    const last = run.cols - 1;
    let op: Op;
    switch (key.kind) {
      case 'char': {
        // Never the last column: whether the caret then waits at the margin or wraps is the program's choice.
        if (x >= last || line[x]!.width !== 1) return false;
        const end = tailEnd(line, x);
        if (end >= last || hasWide(line, x, end)) return false;
        op = 'insert';
        break;
      }
      case 'erase': {
        if (x - 1 < run.inputStart || line[x - 1]!.width !== 1) return false;
        if (hasWide(line, x, tailEnd(line, x))) return false;
        op = 'erase';
        break;
      }
      case 'left':
        if (x - 1 < run.inputStart || line[x - 1]!.width !== 1) return false;
        op = 'left';
        break;
      case 'right':
        // Only over text the input owns: at its end, right arrow may accept a suggestion or do nothing.
        if (x + 1 > last || tailEnd(line, x) <= x || line[x]!.width !== 1) return false;
        op = 'right';
        break;
    }
    run.pending.push({ op, char: key.kind === 'char' ? key.char : '', x, sentAt: now });
    this._stats.predicted++;
    return true;
  }

  // ---- Output ----

  private _reconcile(now: number): void {
    const run = this._run;
    const cleared = this._screenCleared;
    this._screenCleared = false;
    if (!run) return;
    if (cleared || this._screenChanged(run)) {
      this._withdraw('screen', now);
      return;
    }
    // Mid-frame, or more output queued behind this batch: judge the screen once it is whole.
    if (this._view.synchronizedOutput || this._unparsed > 0) return;
    if (run.pending.length === 0) {
      if (run.closed) this._run = undefined;
      return;
    }
    const view = this._view;
    const line = readLine(view, run.y);
    if (run.prefix !== prefixOf(line, run.inputStart)) {
      this._withdraw('screen', now);
      return;
    }
    const caret = this._caret();
    const onRow = caret !== undefined && caret.y === run.y;
    const sim = simulate(run.base, run.baseX, run.pending);
    // The latest key the screen shows as predicted: the caret where it would leave it, and the cells the keys
    // up to it decide drawn as predicted. Earlier ones are in too (one batch often brings several echoes).
    if (onRow) {
      for (let i = run.pending.length; i >= 1; i--) {
        if (sim.carets[i] !== caret.x) continue;
        const expected = simulatePrefix(run.base, run.baseX, run.pending, i);
        if (decidedMatch(expected, line, sim.decided, i)) {
          this._confirm(run, i, line, caret.x, now);
          return;
        }
      }
    } else if (caret !== undefined && caret.y > run.y && decidedMatch(sim.cells, line, sim.decided, run.pending.length)) {
      // Every key drawn as predicted and the caret gone on to a line below: the program wrapped (an input box at
      // its right edge). All of them are in; the run, whose line the caret left, takes no more.
      this._confirm(run, run.pending.length, line, run.baseX, now);
      this._boundary();
      return;
    }
    // The caret where a key would leave it but the cells not as predicted: the program does something else with
    // these keys. (Where it stood before them it may simply not have answered yet.)
    if (onRow && caret.x !== run.baseX && sim.carets.slice(1).includes(caret.x)) {
      this._withdraw('mispredicted', now);
    }
  }

  private _confirm(run: IRun, count: number, line: ICell[], caretX: number, now: number): void {
    const confirmed = run.pending.slice(0, count);
    // Credit only for keys that changed the screen: a cell that already showed the character proves nothing.
    let credited = 0;
    const before = [...run.base];
    let x = run.baseX;
    for (const p of confirmed) {
      if (p.op === 'insert' && before[p.x]?.ch !== p.char) credited++;
      x = applyOp(before, x, p, new Set());
    }
    this._stats.confirmed += count;
    if (credited > 0) {
      run.confirmed = true;
      if (run.alternateScreen) this._streak += credited;
      this._echo.add(now - confirmed[confirmed.length - 1]!.sentAt);
    }
    run.pending.splice(0, count);
    run.base = line;
    run.baseX = caretX;
    if (run.pending.length === 0 && run.closed) this._run = undefined;
  }

  private _expire(now: number): void {
    const first = this._run?.pending[0];
    if (first && now - first.sentAt >= this.echoTimeoutMs) this._withdraw('timeout', now);
  }

  private _withdraw(reason: WithdrawReason, _now: number): void {
    const run = this._run;
    if (!run) return;
    this._stats.withdrawn[reason] += run.pending.length;
    this._run = undefined;
    // A program that does not echo what it is given is not to be trusted in the alternate screen again soon.
    if (reason === 'mispredicted' || reason === 'timeout') this._streak = 0;
  }

  // ---- Reading the screen ----

  private _screenChanged(run: IRun): boolean {
    const view = this._view;
    return view.cols !== run.cols || view.rows !== run.rows || view.alternateScreen !== run.alternateScreen;
  }

  private _showing(run: IRun): boolean {
    if (!this.active || !run.confirmed) return false;
    return !run.alternateScreen || this._streak >= this._options.alternateScreenStreak;
  }

  /**
   * Where input goes: the cursor, or, while a program hides it, the one inverse-video cell on the screen (Ink,
   * which draws Claude Code's input box, leaves the real cursor below its frame and draws the caret itself).
   * Undefined when that cannot be told.
   */
  private _caret(): ICaret | undefined {
    this._caretCache ??= { value: this._findCaret() };
    return this._caretCache.value;
  }

  private _findCaret(): ICaret | undefined {
    const view = this._view;
    if (view.cursorVisible) return { x: view.cursorX, y: view.cursorY };
    let found: ICaret | undefined;
    for (let y = view.screenTop; y < view.screenTop + view.rows; y++) {
      for (let x = 0; x < view.cols; x++) {
        if (!view.cell(x, y)?.inverse) continue;
        if (found) return undefined;
        found = { x, y };
      }
    }
    return found;
  }

  private _updateTrigger(): void {
    const rtt = this.roundTripMs;
    if (rtt === undefined) return;
    if (rtt > this._options.thresholdMs) this._autoOn = true;
    else if (rtt < this._options.thresholdOffMs && !(this._run && this._run.pending.length > 0 && this._showing(this._run))) this._autoOn = false;
  }
}

/** Whether the cells the first `count` keys decide show on the screen as predicted. */
function decidedMatch(expected: readonly ICell[], line: readonly ICell[], decided: readonly (number | undefined)[], count: number): boolean {
  for (let i = 1; i <= count; i++) {
    const x = decided[i];
    if (x === undefined) continue;
    if (expected[x]?.ch !== line[x]?.ch) return false;
  }
  return true;
}

function prefixOf(line: readonly ICell[], inputStart: number): string {
  let text = '';
  for (let x = Math.max(0, inputStart - PREFIX_CELLS); x < inputStart; x++) text += line[x]?.ch ?? BLANK;
  return text;
}

/** Bytes as Latin-1 text: enough to find ASCII escape sequences and words, whatever the UTF-8 around them. */
function latin1(data: Uint8Array): string {
  let text = '';
  for (let i = 0; i < data.length; i += 0x2000) text += String.fromCharCode(...data.subarray(i, i + 0x2000));
  return text;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
