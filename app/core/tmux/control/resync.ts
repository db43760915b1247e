// Bringing a view back in line with a tmux pane, without a gap and without a duplicate: after an attach, an outage
// or a pause. Pure: what tmux says (its state and captures) and what the view shows (the pane's mirror) in, the
// bytes that make the view match out. See ../shared/design/control-mode.md §5.
//
// The view's last lines are found in tmux's history by content (the "anchor"). Everything tmux has after them is
// new and goes into the view's scrollback, after a divider that says when the link dropped and came back; then the
// screen as tmux has it now. Lines are compared as physical rows (at the pane's width) with colours stripped and
// trailing spaces trimmed. When the view's lines are not in tmux's history any more (its history-limit dropped
// them), the divider says lines are missing; when they cannot be matched for another reason (the history was
// cleared, the window was resized elsewhere and reflowed), the divider says so and only the screen is redrawn.
// Nothing is ever written twice.

/** The pane's state, one line of tab-separated fields (see TmuxPaneState). */
export const PANE_STATE_FORMAT = [
  '#{pane_id}',
  '#{pane_width}',
  '#{pane_height}',
  '#{history_size}',
  '#{history_limit}',
  '#{cursor_x}',
  '#{cursor_y}',
  '#{cursor_flag}',
  '#{alternate_on}',
  '#{alternate_saved_x}',
  '#{alternate_saved_y}',
  '#{scroll_region_upper}',
  '#{scroll_region_lower}',
  '#{keypad_cursor_flag}',
  '#{keypad_flag}',
  '#{insert_flag}',
  '#{wrap_flag}',
  '#{origin_flag}',
  '#{mouse_standard_flag}',
  '#{mouse_button_flag}',
  '#{mouse_any_flag}',
  '#{mouse_sgr_flag}',
  '#{mouse_utf8_flag}',
  '#{pane_in_mode}',
  '#{pane_dead}',
].join('\t');

/** The pane as tmux reports it (PANE_STATE_FORMAT, tab-separated). */
export interface TmuxPaneState {
  paneId: string;
  width: number;
  height: number;
  historySize: number;
  historyLimit: number;
  cursorX: number;
  cursorY: number;
  cursorVisible: boolean;
  alternateOn: boolean;
  alternateSavedX: number;
  alternateSavedY: number;
  scrollUpper: number;
  scrollLower: number;
  keypadCursor: boolean;
  keypad: boolean;
  insert: boolean;
  wrap: boolean;
  origin: boolean;
  mouseStandard: boolean;
  mouseButton: boolean;
  mouseAny: boolean;
  mouseSgr: boolean;
  mouseUtf8: boolean;
  inMode: boolean;
  dead: boolean;
}

export function parsePaneState(line: string): TmuxPaneState | undefined {
  const f = line.trim().split('\t');
  if (f.length < 25 || !/^%\d+$/.test(f[0]!)) return undefined;
  const n = (i: number) => {
    const v = Number(f[i]);
    return Number.isFinite(v) ? v : 0;
  };
  const b = (i: number) => f[i] === '1';
  return {
    paneId: f[0]!,
    width: n(1),
    height: n(2),
    historySize: n(3),
    historyLimit: n(4),
    cursorX: n(5),
    cursorY: n(6),
    cursorVisible: b(7),
    alternateOn: b(8),
    alternateSavedX: n(9),
    alternateSavedY: n(10),
    scrollUpper: n(11),
    scrollLower: n(12),
    keypadCursor: b(13),
    keypad: b(14),
    insert: b(15),
    wrap: b(16),
    origin: b(17),
    mouseStandard: b(18),
    mouseButton: b(19),
    mouseAny: b(20),
    mouseSgr: b(21),
    mouseUtf8: b(22),
    inMode: b(23),
    dead: b(24),
  };
}

/** The view's lines as the pane's mirror has them (the normal screen's buffer: scrollback, then the screen). */
export interface MirrorLines {
  /** Physical rows, plain text, trailing spaces trimmed. */
  lines: string[];
  /** Index in `lines` of the first row of the screen. */
  screenStart: number;
  /** The view is in the alternate screen. */
  alternate: boolean;
  /** Where the normal screen's cursor is (`y` indexes `lines`), when known. */
  cursor?: { x: number; y: number };
}

export interface ResyncCapture {
  state: TmuxPaneState;
  /** History rows, oldest first, with their colours (capture-pane -e -N -S -L -E -1); empty when there is none. */
  history: string[];
  /** The visible rows, with their colours (capture-pane -e -N): the alternate screen while a program is in it. */
  screen: string[];
  /** The normal screen's rows while the alternate one is shown (capture-pane -a). */
  normalScreen?: string[];
}

export interface ResyncOptions {
  /** What the divider says about the outage, e.g. "disconnected 14:02:10 – 14:19:44". Undefined: no divider (a first attach). */
  outage?: string;
}

export interface ResyncPlan {
  bytes: string;
  /** How the view's lines were found in tmux's: a first fill, found, or not. */
  result: 'initial' | 'matched' | 'history-dropped' | 'unmatched';
  /** Lines that came after the view's last line (into scrollback and onto the screen). */
  newLines: number;
}

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;:]*m|\x1b\]8;[^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** A captured row as text: colours stripped, trailing spaces trimmed (as the mirror's rows are read). */
export function plainRow(row: string): string {
  return row.replace(SGR, '').replace(/\s+$/u, '');
}

// eslint-disable-next-line no-control-regex
const SGR_ONLY = /\x1b\[([0-9;:]*)m/g;

/**
 * Rows of one capture made to stand alone. capture-pane -e writes colours as changes from the cell before, across
 * rows (a row of the same colour as the last has none of its own), so each row is given the colours in force where
 * it starts: a reset, then every SGR since the last reset.
 */
export function standAloneRows(rows: readonly string[]): string[] {
  let since: string[] = [];
  return rows.map((row) => {
    const prefix = since.length ? `\x1b[0m${since.join('')}` : '';
    for (const m of row.matchAll(SGR_ONLY)) {
      const params = m[1]!;
      if (params === '' || params === '0' || params.startsWith('0;')) since = params.startsWith('0;') ? [m[0]] : [];
      else since.push(m[0]);
    }
    return prefix + row;
  });
}

/** Lines of the view looked for at the end of tmux's; more when these are mostly blank. */
const ANCHOR_LINES = 8;
const ANCHOR_MAX_LINES = 64;
const ANCHOR_MIN_NONBLANK = 2;

/**
 * Where the end of the view's content is in tmux's rows (`rows`, plain): the index of the row that matches the
 * view's last non-blank line, found by the last `k` view lines matching `k` consecutive tmux rows (the latest such
 * place). Undefined if they are not there.
 */
export function findAnchor(viewRows: readonly string[], rows: readonly string[]): number | undefined {
  // A terminal keeps spaces it was sent; tmux's capture does not: compare without them.
  const view = viewRows.map((l) => l.replace(/\s+$/u, ''));
  let end = view.length;
  while (end > 0 && view[end - 1] === '') end--;
  if (end === 0) return undefined;
  const found = matchTail(view, end, rows);
  if (found !== undefined) return found;
  // The view's last line may be one tmux was still writing when the stream stopped (a pause, a drop): then the lines
  // before it match, and the row after them is that line as it is now.
  if (end < 2) return undefined;
  const before = matchTail(view, end - 1, rows);
  return before !== undefined && before + 1 < rows.length && rows[before + 1]!.startsWith(view[end - 1]!) ? before + 1 : undefined;
}

/** The latest index in `rows` where the view's lines up to `end` (the last `k` of them) end. */
function matchTail(view: readonly string[], end: number, rows: readonly string[]): number | undefined {
  let k = Math.min(end, ANCHOR_LINES);
  while (k < Math.min(end, ANCHOR_MAX_LINES) && view.slice(end - k, end).filter((l) => l !== '').length < ANCHOR_MIN_NONBLANK) k++;
  const tail = view.slice(end - k, end);
  for (let j = rows.length - 1; j >= k - 1; j--) {
    let hit = true;
    for (let i = 0; i < k; i++) {
      if (rows[j - k + 1 + i] !== tail[i]) {
        hit = false;
        break;
      }
    }
    if (hit) return j;
  }
  return undefined;
}

/** What the divider says of an outage: "disconnected 14:02:10 – 14:19:44", in local time. */
export function outageLabel(lostAt: number, backAt: number): string {
  const time = (ms: number) => {
    const d = new Date(ms);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  };
  return `disconnected ${time(lostAt)} – ${time(backAt)}`;
}

/** A line in the scrollback that says what happened to the link (dim, to the width of the pane). */
export function dividerLine(text: string, width: number): string {
  // Longer than the pane is wide, it wraps onto a second row (it is in the scrollback either way).
  const label = ` ${text} `;
  const left = 2;
  const right = Math.max(2, width - left - [...label].length);
  return `\x1b[0;2m${'─'.repeat(left)}${label}${'─'.repeat(right)}\x1b[0m`;
}

function lineCount(n: number): string {
  return `${n} ${n === 1 ? 'line' : 'lines'}`;
}

/** Modes, scroll region and cursor as tmux has them, after the rows are drawn. */
export function restoreState(state: TmuxPaneState): string {
  const set = (on: boolean, mode: number) => `\x1b[?${mode}${on ? 'h' : 'l'}`;
  let out = '';
  const full = state.scrollUpper === 0 && state.scrollLower === state.height - 1;
  if (!full) out += `\x1b[${state.scrollUpper + 1};${state.scrollLower + 1}r`;
  out += set(state.keypadCursor, 1);
  out += state.keypad ? '\x1b=' : '\x1b>';
  out += `\x1b[4${state.insert ? 'h' : 'l'}`;
  out += set(state.wrap, 7);
  // Turning any mouse mode off turns tracking off: all off first, then on what the program has.
  out += '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l';
  if (state.mouseStandard) out += '\x1b[?1000h';
  if (state.mouseButton) out += '\x1b[?1002h';
  if (state.mouseAny) out += '\x1b[?1003h';
  if (state.mouseUtf8) out += '\x1b[?1005h';
  if (state.mouseSgr) out += '\x1b[?1006h';
  out += set(state.origin, 6);
  const y = state.origin ? state.cursorY - state.scrollUpper : state.cursorY;
  out += `\x1b[${y + 1};${state.cursorX + 1}H`;
  out += set(state.cursorVisible, 25);
  return out;
}

/**
 * The cursor at the start of the row below the view's last row with content (a new row if that is the bottom one).
 * A last row the cursor is still on, past its start, is a line the program had not finished when the view stopped
 * (a flood paused mid-line): its whole version is among what was lost or what follows, so the fragment is erased
 * and the body starts there.
 */
function belowContent(mirror: MirrorLines, eraseFragment = false): string {
  const rows = mirror.lines.length - mirror.screenStart;
  let last = mirror.lines.length;
  while (last > mirror.screenStart && mirror.lines[last - 1] === '') last--;
  const contentRows = last - mirror.screenStart;
  if (contentRows <= 0) return '\x1b[H\x1b[2J';
  if (eraseFragment && mirror.cursor && mirror.cursor.y === last - 1 && mirror.cursor.x > 0) return `\x1b[${contentRows};1H\x1b[J`;
  if (contentRows < rows) return `\x1b[${contentRows + 1};1H\x1b[J`;
  return `\x1b[${rows};1H\r\n`;
}

/**
 * The bytes that bring a view showing `mirror` (undefined: a fresh view) to what tmux has now. Written inside
 * synchronized output (mode 2026), so a terminal that supports it draws the result at once.
 */
export function planResync(mirror: MirrorLines | undefined, capture: ResyncCapture, options: ResyncOptions = {}): ResyncPlan {
  const { state } = capture;
  const width = Math.max(1, state.width);
  const history = state.historySize > 0 ? standAloneRows(capture.history) : [];
  // The normal screen: what is visible, or what is saved under the alternate screen.
  const normalScreen = standAloneRows(state.alternateOn ? (capture.normalScreen ?? []) : capture.screen);
  const visible = standAloneRows(capture.screen);
  const tmuxRows = [...history, ...normalScreen];
  const plain = tmuxRows.map(plainRow);
  const viewLines = mirror?.lines ?? [];
  const decided = ((): { result: ResyncPlan['result']; body: string[]; newLines: number; placement: string } => {
    // A matched resync redraws the view's screen from tmux's rows, so it clears the screen first; otherwise the
    // view's screen is all there is of what it showed, and the body goes below it (whatever it pushes up lands in
    // the scrollback, whole).
    const clear = '\x1b[H\x1b[2J';
    if (!mirror || !viewLines.some((l) => l !== '')) return { result: 'initial', body: tmuxRows, newLines: 0, placement: clear };
    const anchor = findAnchor(viewLines, plain);
    if (anchor !== undefined) {
      // The view's screen started this many content rows before its last one: those are redrawn from tmux's rows.
      let lastContent = viewLines.length;
      while (lastContent > 0 && viewLines[lastContent - 1] === '') lastContent--;
      const screenRows = Math.max(0, lastContent - Math.min(mirror.screenStart, lastContent));
      const start = Math.max(0, anchor - screenRows + 1);
      const historyEnd = history.length;
      let lastNew = plain.length;
      while (lastNew > anchor + 1 && plain[lastNew - 1] === '') lastNew--;
      const newLines = Math.max(0, lastNew - (anchor + 1));
      // Nothing new: no divider, and the screen stays as it was.
      const label = options.outage !== undefined && newLines > 0 ? `${options.outage} · ${lineCount(newLines)} since` : undefined;
      // Every tmux row from the view's old screen on (all of tmux's screen, so it lands where tmux has it), with the
      // divider right after the view's last line. Where that is on the screen, the divider takes a row there: the
      // rows above it move up by one (the top one into the scrollback), the rows below it and the cursor stay put.
      const from = Math.min(start, historyEnd);
      const rows = tmuxRows.slice(from);
      const at = anchor + 1 - from;
      const body = label !== undefined ? [...rows.slice(0, at), dividerLine(label, width), ...rows.slice(at)] : rows;
      return { result: 'matched', body, newLines, placement: clear };
    }
    // tmux trims a full history a tenth at a time (grid_collect_history), so a full one holds 90–100% of the limit.
    const full = state.historyLimit > 0 && state.historySize >= state.historyLimit - Math.max(1, Math.ceil(state.historyLimit / 10));
    if (full || history.length < state.historySize) {
      // tmux's history is full (it dropped the oldest rows), or longer than Holdfast fetched: the view's last line is
      // older than anything here. What is here is new; what came between is missing, and the divider says so.
      const why = history.length < state.historySize ? `earlier lines not fetched (${history.length} were)` : `earlier lines lost (history-limit ${state.historyLimit})`;
      const label = `${options.outage ?? 'reattached'} · ${why}`;
      return { result: 'history-dropped', body: [dividerLine(label, width), ...tmuxRows], newLines: history.length + normalScreen.filter((r) => plainRow(r) !== '').length, placement: belowContent(mirror, true) };
    }
    const label = `${options.outage ?? 'reattached'} · history not matched (cleared or reflowed): screen only`;
    return { result: 'unmatched', body: [dividerLine(label, width), ...normalScreen], newLines: 0, placement: belowContent(mirror) };
  })();
  const { body, result, newLines, placement } = decided;

  let out = '\x1b[?2026h';
  if (mirror?.alternate) out += '\x1b[?1049l';
  // Reset colours and the scroll region (which homes the cursor), then the body where it goes.
  out += '\x1b[0m\x1b[r' + placement;
  out += body.join('\x1b[0m\r\n') + '\x1b[0m';
  if (state.alternateOn) {
    out += `\x1b[${state.alternateSavedY + 1};${state.alternateSavedX + 1}H\x1b[?1049h\x1b[H\x1b[2J`;
    visible.forEach((row, i) => {
      out += `\x1b[${i + 1};1H${row}\x1b[0m`;
    });
  }
  out += restoreState(state);
  out += '\x1b[?2026l';
  return { bytes: out, result, newLines };
}
