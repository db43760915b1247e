// Is a pane waiting for its user? Read from its screen alone (capture-pane), nothing installed on the server: a small
// table of named patterns, each recognising the prompt a waiting program leaves at the bottom of its screen. A match
// names the question, the whole prompt region as the screen shows it — what is being approved (the command, the file
// and its diff), the question and the choices — and the answers a button can give (exactly the keys that choose
// each). Pure; the caller confirms a match only once the pane has been still.
//
// The region is what a quick answer approves, so it is what the list shows and what the fingerprint covers:
// - a prompt drawn in a box (Claude Code, Gemini CLI): the whole box, from its top corner to its bottom corner;
// - one under a rule (Claude Code's newer layout): from the rule down to the last choice;
// - Codex CLI's: from its title ("Would you like to run the following command?") down to the last choice, the
//   command in between; its older layout, a bar of `▌` on the left: the whole bar;
// - a question at the cursor ([y/N], Aider's, a password): the current output block above it and the question, up
//   to a gap of three blank lines (conservative: apt's package list, npm init's package.json, ssh's host key).
// A prompt with anything below it but its own hints and frame is not waiting: it was answered, or the program moved on.
import { createHash } from 'node:crypto';
import { LinearRegex } from './linearRegex';

export interface WaitChoice {
  /** The choice's own words ("Yes, and don't ask again this session"). */
  label: string;
  /** Exactly what choosing it types. */
  keys: string;
}

export interface WaitMatch {
  /** Which table entry matched (claude-permission, yes-no, …). */
  pattern: string;
  /** The question, as the program asked it. */
  question: string;
  /** The whole prompt region, row by row as the screen shows it (trailing blanks trimmed): what an answer approves. */
  lines: string[];
  /** Quick answers; empty when only opening the pane will do (a password). */
  choices: WaitChoice[];
}

export interface Screen {
  /** The visible rows, top to bottom, as capture-pane gives them. */
  lines: string[];
  /** The cursor's row (tmux's cursor_y), when known. */
  cursorY?: number;
}

/** A user's own pattern (Settings): a regular expression for the line a waiting program leaves at the cursor. */
export interface UserPattern {
  name: string;
  regex: string;
}

const VERTICAL = '│┃║|▌';
const TOP_CORNERS = '╭┌╔┏';
const BOTTOM_CORNERS = '╰└╚┗';

/** Box-drawing frames and the padding inside them go; the words stay. */
function unframe(line: string): string {
  return line.replace(/^[\s│┃║|▌╭╰╮╯─━┌└┐┘]+/, '').replace(/[\s│┃║|▌╭╰╮╯─━┌└┐┘]+$/, '');
}

/** A row with nothing but frame and blanks (a box's bottom, an empty row inside a box). */
function isFrameOnly(line: string): boolean {
  return line.replace(/[\s│┃║|▌╭╰╮╯┌└┐┘╔╚╗╝┏┗┓┛─━═]/g, '') === '';
}

/** A horizontal rule across the screen (Claude Code draws one above its prompt). */
function isRule(line: string): boolean {
  return /^\s*[─━═]{10,}\s*$/.test(line);
}

/**
 * What a program may leave below its own prompt without having moved on: its key hints and status footer. Anything
 * else below the choices is output, and the prompt is no longer waiting.
 */
const TRAILERS = [
  /^Press enter to confirm or esc to (?:cancel|go back)\b/i,
  /^Esc to (?:cancel|exit|go back)\b/i,
  /^Enter to (?:confirm|select)\b/i,
  /^(?:↑\/?↓|↑↓) to (?:navigate|select)\b/i,
  // Gemini CLI's footer: directory, sandbox, model and its context left.
  /\bno sandbox\b|\bcontext left\)?$/i,
];
const MAX_TRAILERS = 3;

/** The screen's rows up to the last non-blank one (or the cursor's, if lower), trailing blanks trimmed. */
function screenRows(screen: Screen): string[] {
  const rows = screen.lines.map((l) => l.replace(/\s+$/, ''));
  let end = rows.length;
  while (end > 0 && rows[end - 1] === '') end--;
  return rows.slice(0, end);
}

const CHOICE = /^(?<marker>[❯›>▶●○◯◉•*]\s*)?(?<n>\d{1,2})[.)]\s+(?<label>.+?)$/;
const SELECTED = /[❯›>▶●◉•*]/;

interface ChoiceBlock {
  /** Row of the first and of the last choice (its last continuation row). */
  first: number;
  last: number;
  choices: WaitChoice[];
  /** The column of the frame on the choices' left, when they are in a box. */
  frameCol?: number;
}

/** The indentation of a row with its frame characters counted as blanks. */
function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || VERTICAL.includes(line[i]!))) i++;
  return i;
}

/**
 * The marked numbered menu a prompt ends with (1, 2, 3…, exactly one selected), found from the bottom: below it only
 * blanks, frame and the program's own hints. A choice may wrap onto indented rows of its own.
 */
function choiceBlock(rows: string[]): ChoiceBlock | undefined {
  let r = rows.length - 1;
  let trailers = 0;
  for (; r >= 0; r--) {
    const line = rows[r]!;
    if (isFrameOnly(line)) continue;
    const text = unframe(line);
    if (!TRAILERS.some((t) => t.test(text))) break;
    if (++trailers > MAX_TRAILERS) return undefined;
  }
  if (r < 0) return undefined;
  const last = r;
  const found: { row: number; n: number; label: string; selected: boolean }[] = [];
  // Rows not yet known to be a wrapped choice's continuation (they are, if a choice numbered left of them is above).
  let pending: number[] = [];
  for (; r >= 0; r--) {
    const line = rows[r]!;
    const text = unframe(line);
    if (text === '') {
      // One blank row may part two choices, never more; a blank above rows that continue nothing ends the menu.
      if (pending.length > 0 || (r > 0 && unframe(rows[r - 1]!) === '')) break;
      continue;
    }
    const m = CHOICE.exec(text);
    if (!m) {
      pending.push(r);
      if (pending.length > 2) break;
      continue;
    }
    if (pending.length > 0) {
      const numberAt = indentOf(line);
      if (pending.some((p) => indentOf(rows[p]!) <= numberAt)) break;
      pending = [];
    }
    const marker = m.groups!.marker;
    found.unshift({ row: r, n: Number(m.groups!.n), label: m.groups!.label!, selected: marker !== undefined && SELECTED.test(marker) });
  }
  // The bottom row must be a choice, or a row that wraps one: anything else below the menu is output.
  if (found.length === 0 || pending.some((p) => p > found[found.length - 1]!.row)) return undefined;
  if (found.length < 2 || found.some((c, i) => c.n !== i + 1)) return undefined;
  if (found.filter((c) => c.selected).length !== 1) return undefined;
  const firstRow = rows[found[0]!.row]!;
  const lead = /^\s*/.exec(firstRow)![0].length;
  const frameCol = VERTICAL.includes(firstRow[lead] ?? '') && firstRow[lead] !== '▌' ? lead : undefined;
  return {
    first: found[0]!.row,
    last,
    ...(frameCol !== undefined ? { frameCol } : {}),
    choices: found.map((c) => ({ label: cleanLabel(c.label), keys: String(c.n) })),
  };
}

/** The program's shortcut hints ("(esc)", "(y)", Codex's "  (Y) Run this command one time") are not the choice's words. */
function cleanLabel(label: string): string {
  return label
    .replace(/\s{2,}\([A-Za-z]\)\s.*$/, '')
    .replace(/\s*\((?:esc|shift\+tab|tab|[a-z])\)\s*$/i, '')
    .trim();
}

/** The question above the choices: the nearest line that ends with "?", within the prompt. */
function questionAbove(rows: string[], row: number, stopAt: number): { text: string; row: number } | undefined {
  for (let r = row - 1; r >= stopAt && r >= row - 40; r--) {
    const text = unframe(rows[r]!);
    if (/\?\s*$/.test(text)) return { text, row: r };
  }
  return undefined;
}

/** The row of a box's top corner above `row`, its left side in column `col` (0 when it starts above the screen). */
function boxTop(rows: string[], row: number, col: number): number {
  for (let r = row - 1; r >= 0; r--) {
    const ch = rows[r]![col] ?? '';
    if (TOP_CORNERS.includes(ch)) return r;
    if (!VERTICAL.includes(ch)) return r + 1;
  }
  return 0;
}

function boxBottom(rows: string[], row: number, col: number): number {
  for (let r = row + 1; r < rows.length; r++) {
    const ch = rows[r]![col] ?? '';
    if (BOTTOM_CORNERS.includes(ch)) return r;
    if (!VERTICAL.includes(ch)) return r - 1;
  }
  return rows.length - 1;
}

/** From the question up to a rule (kept) or a gap of two blank rows: the prompt's block when it has no frame. */
function blockTop(rows: string[], row: number): number {
  let blanks = 0;
  for (let r = row - 1; r >= 0 && r >= row - 60; r--) {
    const line = rows[r]!;
    if (isRule(line)) return r;
    if (line.trim() === '') {
      if (++blanks >= 2) return r + blanks;
      continue;
    }
    blanks = 0;
  }
  return Math.max(0, row - 60);
}

/** Rows top..bottom, as shown, without blank rows at either end. */
function region(rows: string[], top: number, bottom: number): string[] {
  const out = rows.slice(top, bottom + 1);
  while (out.length > 0 && out[0]!.trim() === '') out.shift();
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  return out;
}

const CODEX_TITLE = /^(?:Would you like to (?:run the following command|make the following edits|grant these permissions|allow .+)|Allow command|Apply changes)\?$/i;

interface NumberedPrompt {
  question: string;
  regionText: string;
  choices: WaitChoice[];
}

function numberedEntry(name: string, accepts: (p: NumberedPrompt) => boolean) {
  return {
    name,
    match(rows: string[]): WaitMatch | undefined {
      const block = choiceBlock(rows);
      if (!block) return undefined;
      const top = block.frameCol !== undefined ? boxTop(rows, block.first, block.frameCol) : 0;
      const question = questionAbove(rows, block.first, top);
      if (!question) return undefined;
      let start: number;
      let end = block.last;
      if (block.frameCol !== undefined) {
        start = top;
        end = boxBottom(rows, block.last, block.frameCol);
      } else if (rows[question.row]!.trimStart().startsWith('▌')) {
        start = question.row;
        while (start > 0 && rows[start - 1]!.trimStart().startsWith('▌')) start--;
      } else if (CODEX_TITLE.test(question.text)) {
        start = question.row;
      } else {
        start = blockTop(rows, question.row);
      }
      const lines = region(rows, start, end);
      const prompt = { question: question.text, regionText: lines.join('\n'), choices: block.choices };
      if (!accepts(prompt)) return undefined;
      return { pattern: name, question: question.text, lines, choices: block.choices };
    },
  };
}

const labels = (p: NumberedPrompt) => p.choices.map((c) => c.label).join('\n');

/** The last row, if it is where the cursor is (when known): a question a program waits on is left at the cursor. */
function questionAtCursor(rows: string[], cursorY: number | undefined): { line: string; row: number } | undefined {
  const row = rows.length - 1;
  if (row < 0) return undefined;
  if (cursorY !== undefined && cursorY !== row) return undefined;
  return { line: rows[row]!.trim(), row };
}

/** The current output block above a question at the cursor: up to a gap of three blank rows. */
function outputBlockTop(rows: string[], row: number): number {
  let blanks = 0;
  for (let r = row - 1; r >= 0; r--) {
    if (rows[r]!.trim() === '') {
      if (++blanks >= 3) return r + blanks;
      continue;
    }
    blanks = 0;
  }
  return 0;
}

function lineEntry(name: string, match: (line: string) => Omit<WaitMatch, 'pattern' | 'lines'> | undefined) {
  return {
    name,
    match(rows: string[], cursorY: number | undefined): WaitMatch | undefined {
      const at = questionAtCursor(rows, cursorY);
      if (!at) return undefined;
      const found = match(at.line);
      if (!found) return undefined;
      return { pattern: name, ...found, lines: region(rows, outputBlockTop(rows, at.row), at.row) };
    },
  };
}

interface PatternEntry {
  name: string;
  match(rows: string[], cursorY: number | undefined): WaitMatch | undefined;
}

/** The table, most specific first. */
const ENTRIES: PatternEntry[] = [
  numberedEntry('claude-plan', (p) => /^Would you like to proceed\?/i.test(p.question) && /plan/i.test(p.regionText) && !/suggest changes/i.test(labels(p))),
  numberedEntry('gemini-approval', (p) => /^(?:Apply this change|Allow execution|Do you want to proceed|Allow .*\?$)/i.test(p.question) && /suggest changes|^(?:Yes, )?allow (?:once|always)\b/im.test(labels(p))),
  numberedEntry('codex-approval', (p) => CODEX_TITLE.test(p.question) || /tell Codex/i.test(labels(p))),
  numberedEntry('claude-permission', (p) => /^Do you want to /i.test(p.question) || /tell Claude/i.test(labels(p))),
  // Any other marked numbered menu ends in a question a user answers.
  numberedEntry('numbered-choice', () => true),
  lineEntry('aider', (line) => {
    const m = /^(?<q>.*?\?)\s*\(Y\)es\/\(N\)o(?<rest>(?:\/\([A-Z]\)[^/[]+)*)\s*\[(?:Yes|No)\]:\s*$/.exec(line);
    if (!m) return undefined;
    const choices: WaitChoice[] = [
      { label: 'Yes', keys: 'y\r' },
      { label: 'No', keys: 'n\r' },
    ];
    for (const extra of m.groups!.rest!.matchAll(/\/\((?<k>[A-Z])\)(?<word>[^/[]+)/g)) {
      choices.push({ label: `${extra.groups!.k}${extra.groups!.word!.trim()}`, keys: `${extra.groups!.k!.toLowerCase()}\r` });
    }
    return { question: m.groups!.q!.trim(), choices };
  }),
  lineEntry('git-add-patch', (line) => {
    // git add -p / checkout -p / stash -p: "(1/3) Stage this hunk [y,n,q,a,d,e,?]? "
    const m = /^(?:\(\d+\/\d+\) )?(?<q>(?:Stage|Unstage|Discard|Apply|Stash) (?:this hunk|mode change|deletion|addition)(?: (?:to|from) (?:index|worktree|index and worktree))?) \[(?<keys>[a-zA-Z?,/]+)\]\?\s*$/.exec(line);
    if (!m) return undefined;
    const keys = m.groups!.keys!.split(',');
    if (!keys.includes('y') || !keys.includes('n')) return undefined;
    return { question: `${m.groups!.q}?`, choices: [{ label: 'Yes', keys: 'y\r' }, { label: 'No', keys: 'n\r' }, ...(keys.includes('q') ? [{ label: 'Quit', keys: 'q\r' }] : [])] };
  }),
  lineEntry('yes-no', (line) => {
    const short = /^(?<q>.*?)\s*[[(](?:y\/n|Y\/n|y\/N|Y\/N)[\])]\s*[:?]?\s*$/.exec(line);
    if (short) return { question: short.groups!.q!.trim() || line, choices: [{ label: 'Yes', keys: 'y\r' }, { label: 'No', keys: 'n\r' }] };
    const long = /^(?<q>.*?)\s*[[(]yes\/no(?:\/\[fingerprint\])?[\])]\s*[:?]?\s*$/i.exec(line);
    if (long) return { question: long.groups!.q!.trim() || line, choices: [{ label: 'Yes', keys: 'yes\r' }, { label: 'No', keys: 'no\r' }] };
    // npm init's last question: "Is this OK? (yes) ", the default in brackets.
    const withDefault = /^(?<q>(?:Is this OK|Proceed|Continue|OK to proceed)\?)\s*\((?:yes|no)\)\s*$/i.exec(line);
    if (withDefault) return { question: withDefault.groups!.q!, choices: [{ label: 'Yes', keys: 'yes\r' }, { label: 'No', keys: 'no\r' }] };
    return undefined;
  }),
  lineEntry('password', (line) => {
    if (!/(?:password|passphrase)[^:]{0,60}:\s*$/i.test(line) || line.length > 120) return undefined;
    // Never a quick answer: a secret is typed in the pane.
    return { question: line, choices: [] };
  }),
];

export const PATTERN_NAMES = ENTRIES.map((e) => e.name);

/** Compiled user patterns, by source: each is compiled once (linear-time matcher, see linearRegex.ts). */
const compiled = new Map<string, LinearRegex | null>();

function userRegex(source: string): LinearRegex | undefined {
  let regex = compiled.get(source);
  if (regex === undefined) {
    try {
      regex = new LinearRegex(source);
    } catch {
      regex = null;
    }
    if (compiled.size > 200) compiled.clear();
    compiled.set(source, regex);
  }
  return regex ?? undefined;
}

/** Whether the screen shows a program waiting for its user, and how to answer it. */
export function detectWaiting(screen: Screen, userPatterns: readonly UserPattern[] = []): WaitMatch | undefined {
  const rows = screenRows(screen);
  if (rows.length === 0) return undefined;
  for (const entry of ENTRIES) {
    const match = entry.match(rows, screen.cursorY);
    if (match) return match;
  }
  const at = questionAtCursor(rows, screen.cursorY);
  if (!at) return undefined;
  for (const user of userPatterns) {
    // A pattern that cannot be matched in linear time was refused when saved; one edited into the file is skipped.
    if (userRegex(user.regex)?.test(at.line)) return { pattern: user.name, question: at.line, lines: region(rows, outputBlockTop(rows, at.row), at.row), choices: [] };
  }
  return undefined;
}

/** The text a fingerprint covers: the pattern and the whole region, exactly. */
export function promptText(match: WaitMatch): string {
  return `${match.pattern}\n${match.lines.join('\n')}`;
}

/**
 * A fingerprint of the whole prompt region (SHA-256, 128 bits shown): a quick answer is typed only while the screen
 * shows exactly this prompt. Two prompts that differ in the command they approve never share one.
 */
export function promptFingerprint(match: WaitMatch): string {
  return createHash('sha256').update(promptText(match)).digest('hex').slice(0, 32);
}
