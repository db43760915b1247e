// A regular expression matcher whose time is linear in the input, for the user's own wait patterns: core matches
// them against whatever a server prints, and a pattern with catastrophic backtracking (`(a+)+$`) run by JavaScript's
// engine would freeze core for good. The pattern is compiled to an NFA and run as a Pike VM (Thompson's
// construction: every thread advances one character at a time, at most one thread per instruction), so a line of
// n characters costs at most n × (program size) steps, whatever the pattern.
//
// The syntax is the common part of JavaScript's: literals and escapes, `.`, classes (`[a-z]`, `[^…]`, `\d \w \s`
// and their negations), `^ $ \b \B`, groups (`(…)`, `(?:…)`, `(?<name>…)`, matched but not captured),
// alternation, and `* + ? {n} {n,} {n,m}` (lazy forms accepted: only whether it matches is asked). What needs
// backtracking — back-references, look-ahead and look-behind — is refused with a LinearRegexError, as is a pattern
// whose program would be too large (a counted repetition nested in another).

export class LinearRegexError extends Error {
  override name = 'LinearRegexError';
}

type CharTest = (cp: number) => boolean;

type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'cat'; parts: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: '^' | '$' | 'b' | 'B' };

type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: '^' | '$' | 'b' | 'B' }
  | { op: 'match' };

/** The largest program a pattern may compile to (a pattern of 500 characters compiles to far fewer, unless nested counts multiply it). */
const MAX_PROGRAM = 20_000;
const MAX_COUNT = 1000;

const isDigit: CharTest = (c) => c >= 48 && c <= 57;
const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace: CharTest = (c) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
const not = (test: CharTest): CharTest => (c) => !test(c);

class Parser {
  private _pos = 0;
  private readonly _cps: number[];

  constructor(source: string) {
    this._cps = Array.from(source, (ch) => ch.codePointAt(0)!);
  }

  parse(): Node {
    const node = this._alternation();
    if (this._pos < this._cps.length) throw new LinearRegexError(`Unmatched ')' at ${this._pos}`);
    return node;
  }

  private _peek(offset = 0): number | undefined {
    return this._cps[this._pos + offset];
  }

  private _eat(cp: number): boolean {
    if (this._peek() !== cp) return false;
    this._pos++;
    return true;
  }

  private _alternation(): Node {
    const options = [this._sequence()];
    while (this._eat(0x7c /* | */)) options.push(this._sequence());
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private _sequence(): Node {
    const parts: Node[] = [];
    for (;;) {
      const c = this._peek();
      if (c === undefined || c === 0x7c || c === 0x29 /* ) */) break;
      parts.push(this._quantified(this._atom()));
    }
    return { t: 'cat', parts };
  }

  private _quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this._peek();
      let min: number;
      let max: number;
      if (c === 0x2a /* * */) [min, max] = [0, Infinity];
      else if (c === 0x2b /* + */) [min, max] = [1, Infinity];
      else if (c === 0x3f /* ? */) [min, max] = [0, 1];
      else if (c === 0x7b /* { */) {
        const counted = this._count();
        if (!counted) return node;
        [min, max] = counted;
        this._pos--;
      } else return node;
      this._pos++;
      if (node.t === 'assert') throw new LinearRegexError('Nothing to repeat');
      this._eat(0x3f); // lazy: the same for a yes/no question
      node = { t: 'rep', node, min, max };
    }
  }

  /** `{n}`, `{n,}`, `{n,m}` at the position (left just before its last character); undefined if it is a literal `{`. */
  private _count(): [number, number] | undefined {
    const rest = String.fromCodePoint(...this._cps.slice(this._pos, this._pos + 16));
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) throw new LinearRegexError(`A count above ${MAX_COUNT}`);
    if (max < min) throw new LinearRegexError('Numbers out of order in {} quantifier');
    this._pos += m[0].length;
    return [min, max];
  }

  private _atom(): Node {
    const c = this._cps[this._pos++]!;
    switch (c) {
      case 0x5e /* ^ */:
        return { t: 'assert', kind: '^' };
      case 0x24 /* $ */:
        return { t: 'assert', kind: '$' };
      case 0x2e /* . */:
        return { t: 'char', test: (x) => x !== 10 && x !== 13 && x !== 0x2028 && x !== 0x2029 };
      case 0x28 /* ( */: {
        if (this._eat(0x3f /* ? */)) {
          if (this._eat(0x3a /* : */)) {
            // non-capturing
          } else if (this._peek() === 0x3c /* < */ && this._peek(1) !== 0x3d && this._peek(1) !== 0x21) {
            this._pos++;
            while (this._peek() !== undefined && this._peek() !== 0x3e /* > */) this._pos++;
            if (!this._eat(0x3e)) throw new LinearRegexError('Unterminated group name');
          } else {
            throw new LinearRegexError('Look-ahead and look-behind need backtracking; they are not supported');
          }
        }
        const inner = this._alternation();
        if (!this._eat(0x29)) throw new LinearRegexError('Unterminated group');
        return inner;
      }
      case 0x5b /* [ */:
        return this._class();
      case 0x5c /* \ */:
        return this._escape(false) as Node;
      case 0x2a:
      case 0x2b:
      case 0x3f:
        throw new LinearRegexError('Nothing to repeat');
      case 0x29:
        throw new LinearRegexError("Unmatched ')'");
      default:
        return { t: 'char', test: (x) => x === c };
    }
  }

  /** After a backslash: a class escape, an assertion, or a literal. In a class, `\b` is a backspace. */
  private _escape(inClass: boolean): Node | CharTest {
    const c = this._cps[this._pos++];
    if (c === undefined) throw new LinearRegexError('\\ at end of pattern');
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case 'd':
        return wrap(isDigit, inClass);
      case 'D':
        return wrap(not(isDigit), inClass);
      case 'w':
        return wrap(isWord, inClass);
      case 'W':
        return wrap(not(isWord), inClass);
      case 's':
        return wrap(isSpace, inClass);
      case 'S':
        return wrap(not(isSpace), inClass);
      case 'b':
        return inClass ? (x: number) => x === 8 : { t: 'assert', kind: 'b' };
      case 'B':
        if (inClass) break;
        return { t: 'assert', kind: 'B' };
      case 'n':
        return wrap((x) => x === 10, inClass);
      case 'r':
        return wrap((x) => x === 13, inClass);
      case 't':
        return wrap((x) => x === 9, inClass);
      case 'f':
        return wrap((x) => x === 12, inClass);
      case 'v':
        return wrap((x) => x === 11, inClass);
      case '0':
        return wrap((x) => x === 0, inClass);
      case 'x':
      case 'u': {
        const len = ch === 'x' ? 2 : 4;
        const hex = String.fromCodePoint(...this._cps.slice(this._pos, this._pos + len));
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new LinearRegexError(`Bad \\${ch} escape`);
        this._pos += len;
        const value = parseInt(hex, 16);
        return wrap((x) => x === value, inClass);
      }
      default:
        break;
    }
    if (/[1-9]/.test(ch) || ch === 'k') throw new LinearRegexError('Back-references need backtracking; they are not supported');
    if (/[A-Za-z]/.test(ch) && !inClass) throw new LinearRegexError(`Unknown escape \\${ch}`);
    return wrap((x) => x === c, inClass);
  }

  private _class(): Node {
    const negate = this._eat(0x5e /* ^ */);
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this._peek();
      if (c === undefined) throw new LinearRegexError('Unterminated character class');
      if (c === 0x5d /* ] */ && !first) {
        this._pos++;
        break;
      }
      if (c === 0x5d && first) {
        // `[]` matches nothing, `[^]` anything, as in JavaScript.
        this._pos++;
        break;
      }
      first = false;
      const low = this._classAtom();
      if (this._peek() === 0x2d /* - */ && this._peek(1) !== 0x5d && this._peek(1) !== undefined && typeof low === 'number') {
        this._pos++;
        const high = this._classAtom();
        if (typeof high !== 'number') throw new LinearRegexError('Bad range in character class');
        if (high < low) throw new LinearRegexError('Range out of order in character class');
        tests.push((x) => x >= low && x <= high);
      } else {
        tests.push(typeof low === 'number' ? (x) => x === low : low);
      }
    }
    const any: CharTest = (x) => tests.some((t) => t(x));
    return { t: 'char', test: negate ? not(any) : any };
  }

  /** One member of a class: a code point (which may start a range) or a class escape (\d …). */
  private _classAtom(): number | CharTest {
    const c = this._cps[this._pos++]!;
    if (c !== 0x5c) return c;
    const e = this._peek();
    if (e === undefined) throw new LinearRegexError('\\ at end of pattern');
    const letter = String.fromCodePoint(e);
    if ('dDwWsS'.includes(letter)) return this._escape(true) as CharTest;
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, '0': 0, b: 8 };
    if (letter in simple) {
      this._pos++;
      return simple[letter]!;
    }
    if (letter === 'x' || letter === 'u') {
      this._pos++;
      const len = letter === 'x' ? 2 : 4;
      const hex = String.fromCodePoint(...this._cps.slice(this._pos, this._pos + len));
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new LinearRegexError(`Bad \\${letter} escape`);
      this._pos += len;
      return parseInt(hex, 16);
    }
    if (/[1-9]/.test(letter)) throw new LinearRegexError('Back-references need backtracking; they are not supported');
    this._pos++;
    return e;
  }
}

function wrap(test: CharTest, inClass: boolean): Node | CharTest {
  return inClass ? test : { t: 'char', test };
}

function compile(node: Node): Inst[] {
  const prog: Inst[] = [];
  const grow = () => {
    if (prog.length > MAX_PROGRAM) throw new LinearRegexError('The pattern is too complex (nested counted repetition)');
  };
  const emit = (n: Node): void => {
    grow();
    switch (n.t) {
      case 'char':
        prog.push({ op: 'char', test: n.test });
        return;
      case 'assert':
        prog.push({ op: 'assert', kind: n.kind });
        return;
      case 'cat':
        for (const part of n.parts) emit(part);
        return;
      case 'alt': {
        const jumps: { op: 'jmp'; x: number }[] = [];
        for (let i = 0; i < n.options.length; i++) {
          if (i < n.options.length - 1) {
            const split = { op: 'split' as const, x: prog.length + 1, y: 0 };
            prog.push(split);
            emit(n.options[i]!);
            const jmp = { op: 'jmp' as const, x: 0 };
            prog.push(jmp);
            jumps.push(jmp);
            split.y = prog.length;
          } else {
            emit(n.options[i]!);
          }
        }
        for (const jmp of jumps) jmp.x = prog.length;
        return;
      }
      case 'rep': {
        for (let i = 0; i < n.min; i++) emit(n.node);
        if (n.max === Infinity) {
          const split = { op: 'split' as const, x: prog.length + 1, y: 0 };
          const loop = prog.length;
          prog.push(split);
          emit(n.node);
          prog.push({ op: 'jmp', x: loop });
          split.y = prog.length;
          return;
        }
        const splits: { op: 'split'; x: number; y: number }[] = [];
        for (let i = n.min; i < n.max; i++) {
          const split = { op: 'split' as const, x: prog.length + 1, y: 0 };
          prog.push(split);
          splits.push(split);
          emit(n.node);
        }
        for (const split of splits) split.y = prog.length;
        return;
      }
    }
  };
  emit(node);
  prog.push({ op: 'match' });
  grow();
  return prog;
}

/** A compiled pattern: `test` runs in time linear in the input. */
export class LinearRegex {
  private readonly _prog: Inst[];

  /** Throws LinearRegexError for what it cannot match without backtracking, or for a pattern that is not one. */
  constructor(readonly source: string) {
    this._prog = compile(new Parser(source).parse());
  }

  /** Whether the pattern matches somewhere in `input` (as RegExp.prototype.test without flags). */
  test(input: string): boolean {
    const prog = this._prog;
    const cps = Array.from(input, (ch) => ch.codePointAt(0)!);
    const n = cps.length;
    const mark = new Int32Array(prog.length).fill(-1);
    let current: number[] = [];
    let next: number[] = [];
    const stack: number[] = [];
    const add = (list: number[], start: number, pos: number) => {
      stack.push(start);
      while (stack.length > 0) {
        const pc = stack.pop()!;
        if (mark[pc] === pos) continue;
        mark[pc] = pos;
        const inst = prog[pc]!;
        switch (inst.op) {
          case 'jmp':
            stack.push(inst.x);
            break;
          case 'split':
            stack.push(inst.y, inst.x);
            break;
          case 'assert':
            if (holds(inst.kind, cps, pos)) stack.push(pc + 1);
            break;
          default:
            list.push(pc);
        }
      }
    };
    for (let pos = 0; pos <= n; pos++) {
      // Unanchored: a new attempt starts at every position.
      add(current, 0, pos);
      for (const pc of current) {
        const inst = prog[pc]!;
        if (inst.op === 'match') return true;
        if (inst.op === 'char' && pos < n && inst.test(cps[pos]!)) add(next, pc + 1, pos + 1);
      }
      [current, next] = [next, current];
      next.length = 0;
    }
    return false;
  }
}

function holds(kind: '^' | '$' | 'b' | 'B', cps: number[], pos: number): boolean {
  switch (kind) {
    case '^':
      return pos === 0;
    case '$':
      return pos === cps.length;
    default: {
      const before = pos > 0 && isWord(cps[pos - 1]!);
      const after = pos < cps.length && isWord(cps[pos]!);
      return kind === 'b' ? before !== after : before === after;
    }
  }
}

/** Why a pattern cannot be used, or undefined if it can. */
export function linearRegexProblem(source: string): string | undefined {
  try {
    new LinearRegex(source);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
