// tmux control mode (`tmux -C`), read as bytes. tmux writes one line per message: command replies framed by
// `%begin <time> <number> <flags>` … `%end|%error <time> <number> <flags>`, pane output as `%output %<pane> <value>`
// (bytes below 0x20 and `\` written as `\ooo`, everything else raw, so a UTF-8 character or an escape sequence can be
// cut between two lines), and notifications (`%layout-change`, `%exit`, …). See ../shared/design/control-mode.md
// and control-mode-verified.md (what tmux 3.3a really does).
//
// The parser is incremental and works on bytes only: a line is never decoded as text except the ASCII words of a
// notification. It never throws: anything it does not understand is an `unknown` event, so a garbled or newer
// stream cannot take the pane down. A reply block ends only on the guard that repeats its own time, number and
// flags (a captured pane line may look like `%end …`). Inside a block everything is data: a captured line reading
// `%pause %3` or `%output …` is a line of the pane's history, not a message. (tmux 3.3a does write `%pause` and
// `%continue` inside the reply of the `refresh-client -A` that caused them; the client, which knows which command a
// reply answers, takes them out of those replies alone: client.ts.)

export type ControlEvent =
  /** The reply to one command: its body lines joined with LF, `error` for `%error`. `flags` 1 marks this client's commands. */
  | { type: 'block'; time: number; number: number; flags: number; error: boolean; body: Uint8Array }
  /** Output of a pane; `ageMs` with pause-after (`%extended-output`). */
  | { type: 'output'; pane: string; bytes: Uint8Array; ageMs?: number }
  | { type: 'pause'; pane: string }
  | { type: 'continue'; pane: string }
  /** The client is detached or tmux is exiting; `reason` as tmux says it ("too far behind", "server exited"). */
  | { type: 'exit'; reason?: string }
  | { type: 'layout-change'; window: string; layout: string; visibleLayout?: string; flags?: string }
  | { type: 'window-add'; window: string }
  | { type: 'window-close'; window: string }
  | { type: 'window-renamed'; window: string; name: string }
  | { type: 'window-pane-changed'; window: string; pane: string }
  | { type: 'session-changed'; session: string; name: string }
  | { type: 'session-renamed'; session: string; name: string }
  | { type: 'session-window-changed'; session: string; window: string }
  | { type: 'sessions-changed' }
  | { type: 'pane-mode-changed'; pane: string }
  | { type: 'subscription-changed'; name: string; session: string; window: string; index: string; pane: string; value: string }
  /** A line tmux sent that is not one of the above (a newer notification, login-shell noise, a garbled line). */
  | { type: 'unknown'; line: Uint8Array };

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

/** The longest line kept while waiting for its end (a runaway line without LF is cut here and reported as unknown). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

interface OpenBlock {
  time: number;
  number: number;
  flags: number;
  guard: string;
  lines: Uint8Array[];
}

export class ControlParser {
  /** Bytes of the line not ended yet. */
  private _partial: Uint8Array[] = [];
  private _partialSize = 0;
  private _block: OpenBlock | undefined;

  /** Takes the next bytes of the stream; returns every message completed by them, in order. */
  push(chunk: Uint8Array): ControlEvent[] {
    const events: ControlEvent[] = [];
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, start);
      if (lf < 0) break;
      let line: Uint8Array;
      if (this._partialSize > 0) {
        this._partial.push(chunk.subarray(start, lf));
        line = concat(this._partial, this._partialSize + (lf - start));
        this._partial = [];
        this._partialSize = 0;
      } else line = chunk.subarray(start, lf);
      this._line(line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line, events);
      start = lf + 1;
    }
    if (start < chunk.length) {
      // Copied: the caller's buffer may be reused.
      const rest = chunk.slice(start);
      this._partial.push(rest);
      this._partialSize += rest.length;
      if (this._partialSize > MAX_LINE_BYTES) {
        events.push({ type: 'unknown', line: concat(this._partial, this._partialSize).subarray(0, 256) });
        this._partial = [];
        this._partialSize = 0;
      }
    }
    return events;
  }

  /** Whether a reply block is open (a stream that ends now ended mid-reply). */
  get inBlock(): boolean {
    return this._block !== undefined;
  }

  private _line(line: Uint8Array, events: ControlEvent[]): void {
    const block = this._block;
    if (block) {
      if (line[0] === 0x25 /* % */) {
        const text = latin1.decode(line.subarray(0, 80));
        if (text === `%end ${block.guard}` || text === `%error ${block.guard}`) {
          this._block = undefined;
          events.push({ type: 'block', time: block.time, number: block.number, flags: block.flags, error: text.startsWith('%error'), body: joinLines(block.lines) });
          return;
        }
      }
      block.lines.push(line.slice());
      return;
    }
    if (line[0] !== 0x25) {
      // Outside a reply, only messages start with `%`: anything else is noise (a login script's output) or garbage.
      if (line.length > 0) events.push({ type: 'unknown', line: line.slice(0, 256) });
      return;
    }
    const space = line.indexOf(0x20);
    const word = latin1.decode(space < 0 ? line : line.subarray(0, space));
    switch (word) {
      case '%begin': {
        const guard = latin1.decode(line.subarray(space + 1));
        const m = /^(\d+) (\d+) (\d+)$/.exec(guard);
        if (!m) break;
        this._block = { time: Number(m[1]), number: Number(m[2]), flags: Number(m[3]), guard, lines: [] };
        return;
      }
      case '%output': {
        // %output %<pane> <value>
        const paneEnd = line.indexOf(0x20, space + 1);
        if (paneEnd < 0) break;
        const pane = latin1.decode(line.subarray(space + 1, paneEnd));
        if (!/^%\d+$/.test(pane)) break;
        events.push({ type: 'output', pane, bytes: unescapeOutput(line.subarray(paneEnd + 1)) });
        return;
      }
      case '%extended-output': {
        // %extended-output %<pane> <age> … : <value>
        const colon = indexOfSeparator(line);
        if (colon < 0) break;
        const fields = latin1.decode(line.subarray(space + 1, colon)).trim().split(' ');
        const pane = fields[0] ?? '';
        const age = Number(fields[1]);
        if (!/^%\d+$/.test(pane)) break;
        events.push({ type: 'output', pane, bytes: unescapeOutput(line.subarray(colon + 3)), ...(Number.isFinite(age) ? { ageMs: age } : {}) });
        return;
      }
      default: {
        const event = notification(word, space < 0 ? '' : utf8.decode(line.subarray(space + 1)));
        if (event) {
          events.push(event);
          return;
        }
      }
    }
    events.push({ type: 'unknown', line: line.slice(0, 256) });
  }
}

/** The ` : ` that ends the fields of `%extended-output` (and of `%subscription-changed`). */
function indexOfSeparator(line: Uint8Array): number {
  for (let i = 0; i + 2 < line.length; i++) if (line[i] === 0x20 && line[i + 1] === 0x3a && line[i + 2] === 0x20) return i;
  return -1;
}

function notification(word: string, rest: string): ControlEvent | undefined {
  const args = rest.split(' ');
  const id = (prefix: string, value: string | undefined) => (value !== undefined && new RegExp(`^\\${prefix}\\d+$`).test(value) ? value : undefined);
  switch (word) {
    case '%exit':
      return rest ? { type: 'exit', reason: rest } : { type: 'exit' };
    case '%pause':
    case '%continue': {
      const pane = id('%', args[0]);
      return pane ? { type: word === '%pause' ? 'pause' : 'continue', pane } : undefined;
    }
    case '%layout-change': {
      const window = id('@', args[0]);
      if (!window || !args[1]) return undefined;
      return { type: 'layout-change', window, layout: args[1], ...(args[2] ? { visibleLayout: args[2] } : {}), ...(args[3] ? { flags: args[3] } : {}) };
    }
    case '%window-add':
    case '%unlinked-window-add': {
      const window = id('@', args[0]);
      return window ? { type: 'window-add', window } : undefined;
    }
    case '%window-close':
    case '%unlinked-window-close': {
      const window = id('@', args[0]);
      return window ? { type: 'window-close', window } : undefined;
    }
    case '%window-renamed':
    case '%unlinked-window-renamed': {
      const window = id('@', args[0]);
      return window ? { type: 'window-renamed', window, name: rest.slice(args[0]!.length + 1) } : undefined;
    }
    case '%window-pane-changed': {
      const window = id('@', args[0]);
      const pane = id('%', args[1]);
      return window && pane ? { type: 'window-pane-changed', window, pane } : undefined;
    }
    case '%session-changed':
    case '%client-session-changed': {
      // %client-session-changed <client> $S name: only this client's own change is %session-changed.
      if (word === '%client-session-changed') return undefined;
      const session = id('$', args[0]);
      return session ? { type: 'session-changed', session, name: rest.slice(args[0]!.length + 1) } : undefined;
    }
    case '%session-renamed': {
      const session = id('$', args[0]);
      return session ? { type: 'session-renamed', session, name: rest.slice(args[0]!.length + 1) } : undefined;
    }
    case '%session-window-changed': {
      const session = id('$', args[0]);
      const window = id('@', args[1]);
      return session && window ? { type: 'session-window-changed', session, window } : undefined;
    }
    case '%sessions-changed':
      return { type: 'sessions-changed' };
    case '%pane-mode-changed': {
      const pane = id('%', args[0]);
      return pane ? { type: 'pane-mode-changed', pane } : undefined;
    }
    case '%subscription-changed': {
      // %subscription-changed <name> $S @W <index> %P … : <value>
      const colon = rest.indexOf(' : ');
      if (colon < 0) return undefined;
      const [name, session, window, index, pane] = rest.slice(0, colon).split(' ');
      if (!name) return undefined;
      return { type: 'subscription-changed', name, session: session ?? '-', window: window ?? '-', index: index ?? '-', pane: pane ?? '-', value: rest.slice(colon + 3) };
    }
    default:
      return undefined;
  }
}

/** `%output` value to bytes: `\ooo` (three octal digits) is one byte; every other byte stands for itself. */
export function unescapeOutput(value: Uint8Array): Uint8Array {
  if (value.indexOf(BACKSLASH) < 0) return value.slice();
  const out = new Uint8Array(value.length);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (b === BACKSLASH && i + 3 < value.length && isOctal(value[i + 1]) && isOctal(value[i + 2]) && isOctal(value[i + 3])) {
      out[n++] = ((value[i + 1]! - 0x30) * 64 + (value[i + 2]! - 0x30) * 8 + (value[i + 3]! - 0x30)) & 0xff;
      i += 3;
    } else out[n++] = b;
  }
  return out.slice(0, n);
}

/** What tmux writes for bytes (for tests and fakes): bytes below 0x20 and `\` as `\ooo`. */
export function escapeOutput(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    if (b < 0x20 || b === BACKSLASH) out.push(BACKSLASH, 0x30 + ((b >> 6) & 7), 0x30 + ((b >> 3) & 7), 0x30 + (b & 7));
    else out.push(b);
  }
  return Uint8Array.from(out);
}

function isOctal(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x37;
}

function joinLines(lines: readonly Uint8Array[]): Uint8Array {
  let size = Math.max(0, lines.length - 1);
  for (const line of lines) size += line.length;
  const out = new Uint8Array(size);
  let offset = 0;
  lines.forEach((line, i) => {
    if (i > 0) out[offset++] = LF;
    out.set(line, offset);
    offset += line.length;
  });
  return out;
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
