// Is a pane waiting for its user? Read from its screen alone (capture-pane), nothing installed on the server: a small
// table of named patterns, each matching the lines at the bottom of the screen, where a waiting program leaves its
// question and its cursor. A match names the question, the prompt's own lines, and the answers a button can give
// (exactly the keys that choose each). Pure; the caller confirms a match only once the pane has been still.

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
  /** The prompt's own lines, trimmed of frame characters, for the list. */
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

interface PatternEntry {
  name: string;
  match(rows: string[]): WaitMatch | undefined;
}

/** How many rows above the last non-blank one a prompt may take. */
const PROMPT_ROWS = 16;

/** Box-drawing frames and the padding inside them go; the words stay. */
function unframe(line: string): string {
  return line.replace(/^[\s│┃|╭╰╮╯─━┌└┐┘]+/, '').replace(/[\s│┃|╭╰╮╯─━┌└┐┘]+$/, '');
}

/** The rows up to the cursor's (or the last non-blank one), the last PROMPT_ROWS of them. */
function bottomRows(screen: Screen): string[] {
  let end = screen.lines.length;
  while (end > 0 && screen.lines[end - 1]!.trim() === '') end--;
  if (screen.cursorY !== undefined && screen.cursorY + 1 > end) end = Math.min(screen.lines.length, screen.cursorY + 1);
  return screen.lines.slice(Math.max(0, end - PROMPT_ROWS), end);
}

const CHOICE = /^(?<marker>[❯›>▶●○◯◉•*]\s*)?(?<n>\d{1,2})[.)]\s+(?<label>.+?)$/;

interface NumberedChoices {
  /** Index of the first choice row in rows. */
  first: number;
  last: number;
  choices: WaitChoice[];
  marked: boolean;
}

/** A run of choices numbered 1, 2, 3… near the bottom, one of them marked as selected. */
function numberedChoices(rows: string[]): NumberedChoices | undefined {
  const clean = rows.map(unframe);
  for (let last = clean.length - 1; last >= 0 && last >= clean.length - 6; last--) {
    const m = CHOICE.exec(clean[last]!);
    if (!m) continue;
    // Walk up through the run.
    const found: { row: number; n: number; label: string; marker: boolean }[] = [];
    let row = last;
    for (; row >= 0; row--) {
      const line = clean[row]!;
      if (line === '') continue;
      const c = CHOICE.exec(line);
      if (!c) break;
      found.unshift({ row, n: Number(c.groups!.n), label: c.groups!.label!, marker: c.groups!.marker !== undefined && !/[○◯]/.test(c.groups!.marker) });
    }
    if (found.length < 2 || found.some((c, i) => c.n !== i + 1)) return undefined;
    return {
      first: found[0]!.row,
      last,
      // The hint in brackets at the end (a shortcut key) is the program's, not the choice's words.
      choices: found.map((c) => ({ label: c.label.replace(/\s*\((?:esc|shift\+tab|tab|[a-z])\)\s*$/i, '').trim(), keys: String(c.n) })),
      marked: found.some((c) => c.marker),
    };
  }
  return undefined;
}

/** The question above a block: the nearest line that ends with "?" (or the nearest non-blank one). */
function questionAbove(rows: string[], row: number): { text: string; row: number } | undefined {
  const clean = rows.map(unframe);
  let fallback: { text: string; row: number } | undefined;
  for (let r = row - 1; r >= 0 && r >= row - 8; r--) {
    const line = clean[r]!;
    if (line === '') continue;
    if (/\?\s*$/.test(line)) return { text: line, row: r };
    fallback ??= { text: line, row: r };
  }
  return fallback;
}

function numberedEntry(name: string, accepts: (question: string, all: string) => boolean): PatternEntry {
  return {
    name,
    match(rows) {
      const block = numberedChoices(rows);
      if (!block || !block.marked) return undefined;
      const question = questionAbove(rows, block.first);
      if (!question) return undefined;
      const all = rows.join('\n');
      if (!accepts(question.text, all)) return undefined;
      return { pattern: name, question: question.text, lines: rows.slice(question.row, block.last + 1).map(unframe).filter((l) => l !== ''), choices: block.choices };
    },
  };
}

/** A line question at the cursor: "… [y/N]", "(yes/no)", Aider's "(Y)es/(N)o". */
function lineQuestion(rows: string[]): { line: string; row: number } | undefined {
  for (let r = rows.length - 1; r >= 0; r--) {
    const line = rows[r]!.trimEnd();
    if (line.trim() === '') continue;
    return { line: line.trim(), row: r };
  }
  return undefined;
}

/** The table, most specific first. */
const ENTRIES: PatternEntry[] = [
  numberedEntry('claude-plan', (q, all) => /Would you like to proceed\?/i.test(q) && /plan/i.test(all)),
  numberedEntry('claude-permission', (q, all) => /^Do you want to /i.test(q) || /Claude/.test(all)),
  numberedEntry('codex-approval', (q, all) => /Would you like to (run|make|apply)|Allow command\?|Codex/i.test(q) || /Codex/.test(all)),
  numberedEntry('gemini-approval', (q) => /^(Apply this change|Allow execution|Do you want to proceed)/i.test(q)),
  // Any other marked numbered menu ends in a question a user answers.
  numberedEntry('numbered-choice', (q) => /\?\s*$/.test(q)),
  {
    name: 'aider',
    match(rows) {
      const at = lineQuestion(rows);
      if (!at) return undefined;
      const m = /^(?<q>.*?\?)\s*\(Y\)es\/\(N\)o(?<rest>(?:\/\([A-Z]\)[^/[]+)*)\s*\[(?:Yes|No)\]:\s*$/.exec(at.line);
      if (!m) return undefined;
      const choices: WaitChoice[] = [
        { label: 'Yes', keys: 'y\r' },
        { label: 'No', keys: 'n\r' },
      ];
      for (const extra of m.groups!.rest!.matchAll(/\/\((?<k>[A-Z])\)(?<word>[^/[]+)/g)) {
        choices.push({ label: `${extra.groups!.k}${extra.groups!.word!.trim()}`, keys: `${extra.groups!.k!.toLowerCase()}\r` });
      }
      return { pattern: 'aider', question: m.groups!.q!.trim(), lines: [at.line], choices };
    },
  },
  {
    name: 'yes-no',
    match(rows) {
      const at = lineQuestion(rows);
      if (!at) return undefined;
      const short = /^(?<q>.*?)\s*[[(](?:y\/n|Y\/n|y\/N|Y\/N)[\])]\s*[:?]?\s*$/.exec(at.line);
      if (short) return { pattern: 'yes-no', question: short.groups!.q!.trim() || at.line, lines: [at.line], choices: [{ label: 'Yes', keys: 'y\r' }, { label: 'No', keys: 'n\r' }] };
      const long = /^(?<q>.*?)\s*[[(]yes\/no(?:\/\[fingerprint\])?[\])]\s*[:?]?\s*$/i.exec(at.line);
      if (long) return { pattern: 'yes-no', question: long.groups!.q!.trim() || at.line, lines: [at.line], choices: [{ label: 'Yes', keys: 'yes\r' }, { label: 'No', keys: 'no\r' }] };
      return undefined;
    },
  },
  {
    name: 'password',
    match(rows) {
      const at = lineQuestion(rows);
      if (!at || !/(?:password|passphrase)[^:]{0,60}:\s*$/i.test(at.line) || at.line.length > 120) return undefined;
      // Never a quick answer: a secret is typed in the pane.
      return { pattern: 'password', question: at.line, lines: [at.line], choices: [] };
    },
  },
];

export const PATTERN_NAMES = ENTRIES.map((e) => e.name);

/** Whether the screen shows a program waiting for its user, and how to answer it. */
export function detectWaiting(screen: Screen, userPatterns: readonly UserPattern[] = []): WaitMatch | undefined {
  const rows = bottomRows(screen);
  if (rows.length === 0) return undefined;
  for (const entry of ENTRIES) {
    const match = entry.match(rows);
    if (match) return match;
  }
  const at = lineQuestion(rows);
  if (!at) return undefined;
  for (const user of userPatterns) {
    let regex: RegExp;
    try {
      regex = new RegExp(user.regex);
    } catch {
      continue;
    }
    if (regex.test(at.line)) return { pattern: user.name, question: at.line, lines: [at.line], choices: [] };
  }
  return undefined;
}

/** A short, stable fingerprint of what the prompt shows: a quick answer is sent only if it is unchanged. */
export function promptFingerprint(match: WaitMatch): string {
  let h = 0x811c9dc5;
  const text = `${match.pattern}\n${match.lines.join('\n')}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
