import headless from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { TERMINAL_RESET, TERMINAL_RESET_BYTES } from './terminalReset';

const { Terminal } = headless;
type Terminal = InstanceType<typeof Terminal>;

function write(term: Terminal, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

function screenText(term: Terminal): string[] {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  return lines;
}

/** Not in the public API: whether DECTCEM hid the cursor. */
function cursorHidden(term: Terminal): boolean {
  return (term as unknown as { _core: { coreService: { isCursorHidden: boolean } } })._core.coreService.isCursorHidden;
}

/** What a full-screen program leaves behind when the link drops in the middle of it. */
const ABANDONED_STREAM = [
  'before the program\r\n',
  '\x1b[5;10r', // a scroll region on the normal screen (each screen keeps its own)
  '\x1b[?1049h', // alternate screen
  '\x1b[?1000h\x1b[?1002h\x1b[?1003h\x1b[?1006h\x1b[?1015h', // mouse tracking
  '\x1b[?1004h', // focus events
  '\x1b[?2004h', // bracketed paste
  '\x1b[?25l', // cursor hidden
  '\x1b[?1h\x1b=', // application cursor keys and keypad
  '\x1b[5;10r', // scroll region
  '\x1b[?6h', // origin mode
  '\x1b[?7l', // no autowrap
  '\x1b[4h', // insert mode
  '\x1b(0', // line-drawing charset
  '\x1b[1;4;31;42m', // bold underlined red on green
  'qqqq program screen',
  '\x1b[?2026h', // synchronized output, never ended
].join('');

describe('TERMINAL_RESET', () => {
  it('puts a terminal left in a full-screen program back to its defaults and empties the screen', async () => {
    const term = new Terminal({ cols: 40, rows: 12, allowProposedApi: true });
    await write(term, ABANDONED_STREAM);

    // The abandoned stream really did set everything the reset must undo.
    expect(term.buffer.active.type).toBe('alternate');
    expect(term.modes.mouseTrackingMode).toBe('any');
    expect(term.modes.bracketedPasteMode).toBe(true);
    expect(term.modes.sendFocusMode).toBe(true);
    expect(term.modes.applicationCursorKeysMode).toBe(true);
    expect(term.modes.applicationKeypadMode).toBe(true);
    expect(term.modes.originMode).toBe(true);
    expect(term.modes.wraparoundMode).toBe(false);
    expect(term.modes.insertMode).toBe(true);
    expect(term.modes.synchronizedOutputMode).toBe(true);
    expect(cursorHidden(term)).toBe(true);

    await write(term, TERMINAL_RESET_BYTES);

    expect(term.buffer.active.type).toBe('normal');
    expect(term.modes).toEqual({
      applicationCursorKeysMode: false,
      applicationKeypadMode: false,
      bracketedPasteMode: false,
      insertMode: false,
      mouseTrackingMode: 'none',
      originMode: false,
      reverseWraparoundMode: false,
      sendFocusMode: false,
      synchronizedOutputMode: false,
      wraparoundMode: true,
    });
    expect(cursorHidden(term)).toBe(false);
    expect(screenText(term).every((line) => line === '')).toBe(true);
    expect(term.buffer.active.cursorX).toBe(0);
    expect(term.buffer.active.cursorY).toBe(0);
  });

  it('leaves no scroll region, charset or SGR behind: plain text written after it is plain and scrolls the whole screen', async () => {
    const term = new Terminal({ cols: 40, rows: 12, allowProposedApi: true });
    await write(term, ABANDONED_STREAM);
    await write(term, TERMINAL_RESET);
    await write(term, 'qtop');

    const cell = term.buffer.active.getLine(term.buffer.active.viewportY)!.getCell(0)!;
    expect(cell.getChars()).toBe('q'); // not the line-drawing '─'
    expect(cell.isBold()).toBe(0);
    expect(cell.isUnderline()).toBe(0);
    expect(cell.isFgDefault()).toBe(true);
    expect(cell.isBgDefault()).toBe(true);

    // A line feed on the last row scrolls the whole screen only if no scroll region is left (with 5;10 set,
    // a line feed outside the region does not scroll, and "qtop" would stay on the first row).
    await write(term, `\x1b[${term.rows};1H\nbottom`);
    expect(screenText(term)[0]).toBe('');
    expect(screenText(term)[term.rows - 1]).toBe('bottom');
  });

  it('is plain ASCII (it can be sent as a batch of its own without UTF-8 concerns)', () => {
    expect([...TERMINAL_RESET_BYTES].every((b) => b < 0x80)).toBe(true);
    expect(TERMINAL_RESET_BYTES.length).toBe(TERMINAL_RESET.length);
  });
});
