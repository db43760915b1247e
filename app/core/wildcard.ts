// Shell-style wildcards for the patterns users write: ssh_config Host lines, known_hosts host lists, Include globs.
// No regular expression is ever built from user input: `*a*a*a*a*b` against a long name would backtrack for seconds.
// The matcher keeps only the last `*` to return to (the classic greedy glob), so it takes O(text × pattern) at
// worst and about O(text) in practice.

export interface WildcardOptions {
  /** Host names compare without case. */
  caseInsensitive?: boolean;
  /** Understand `[abc]`, `[a-z]`, `[!a-z]` classes (glob(3)); ssh's own patterns have only `*` and `?`. */
  classes?: boolean;
}

type Token = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; c: string } | { kind: 'class'; negated: boolean; items: Array<[string, string]> };

function tokenize(pattern: string, classes: boolean): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[' && classes) {
      const parsed = parseClass(pattern, i);
      if (parsed) {
        tokens.push(parsed.token);
        i = parsed.end;
      } else tokens.push({ kind: 'char', c });
    } else tokens.push({ kind: 'char', c });
  }
  return tokens;
}

/** `[...]` starting at `start`; undefined when there is no closing bracket (then `[` is a plain character). */
function parseClass(pattern: string, start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negated = true;
    i++;
  }
  const items: Array<[string, string]> = [];
  // A ']' right after the opening (or its '!') is a member, as in glob(3).
  let first = true;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === ']' && !first) return { token: { kind: 'class', negated, items }, end: i };
    first = false;
    if (pattern[i + 1] === '-' && pattern[i + 2] !== undefined && pattern[i + 2] !== ']') {
      // A range written backwards ([z-a]) names nothing; it is not an error.
      items.push([c, pattern[i + 2]!]);
      i += 2;
    } else items.push([c, c]);
  }
  return undefined;
}

function matchesToken(token: Token, c: string): boolean {
  switch (token.kind) {
    case 'any':
      return true;
    case 'char':
      return token.c === c;
    case 'class': {
      const inside = token.items.some(([lo, hi]) => lo <= c && c <= hi);
      return inside !== token.negated;
    }
    case 'star':
      return false;
  }
}

export function matchWildcard(text: string, pattern: string, options: WildcardOptions = {}): boolean {
  const s = options.caseInsensitive ? text.toLowerCase() : text;
  const p = tokenize(options.caseInsensitive ? pattern.toLowerCase() : pattern, options.classes === true);
  let si = 0;
  let pi = 0;
  let starPi = -1;
  let starSi = 0;
  while (si < s.length) {
    const token = p[pi];
    if (token && token.kind !== 'star' && matchesToken(token, s[si]!)) {
      si++;
      pi++;
    } else if (token?.kind === 'star') {
      starPi = pi++;
      starSi = si;
    } else if (starPi >= 0) {
      // Let the last star take one more character and try again from there.
      pi = starPi + 1;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (p[pi]?.kind === 'star') pi++;
  return pi === p.length;
}
