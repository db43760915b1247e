// What the view is sent before a reattached stream's first output. The old stream ended wherever the link dropped:
// inside the alternate screen, with mouse tracking or bracketed paste on, the cursor hidden, a scroll region or a
// line-drawing charset set. A fresh `tmux attach` assumes a terminal in its default state and redraws the whole
// screen, so first every mode the old stream could have left is put back to its default, then the screen is
// cleared and the cursor homed: the redraw lands on a clean screen, with no leftover screen under it and no mode
// (say, mouse reporting) that makes the user's clicks type escape codes into the shell.
//
// Explicit sequences rather than RIS (ESC c): RIS also drops the view's scrollback, and what is explicit here is
// what a reader can check.

const CSI = '\x1b[';

/** DEC private modes turned off. Mouse: X10, normal, highlight, button-event, any-event, UTF-8, SGR, urxvt, SGR-pixels. */
const PRIVATE_MODES_OFF = [
  9, 1000, 1001, 1002, 1003, 1005, 1006, 1015, 1016, // mouse tracking and its encodings
  1004, // focus in/out events
  2004, // bracketed paste
  2026, // synchronized output: left on, the view would hold back everything that follows
  1, // application cursor keys (DECCKM)
  66, // application keypad (DECNKM)
  6, // origin mode (DECOM)
  5, // reverse video (DECSCNM)
  45, // reverse wraparound
  12, // cursor blink (att610)
];

/** DEC private modes turned on. */
const PRIVATE_MODES_ON = [
  25, // cursor visible (DECTCEM)
  7, // autowrap (DECAWM)
];

export const TERMINAL_RESET: string = [
  // Back to the normal screen first: the modes below must be reset on the screen the redraw will use (tmux
  // enters the alternate screen again itself when it attaches).
  `${CSI}?1049l`,
  `${CSI}?1047l`,
  `${CSI}?47l`,
  `${CSI}!p`, // DECSTR soft reset: SGR, insert mode, origin, margins, charsets, saved cursor, as the terminal knows them
  ...PRIVATE_MODES_OFF.map((m) => `${CSI}?${m}l`),
  ...PRIVATE_MODES_ON.map((m) => `${CSI}?${m}h`),
  `${CSI}4l`, // insert mode (IRM) off
  `${CSI}r`, // scroll region: the whole screen
  `${CSI}0m`, // SGR: default colours and attributes
  `${CSI}0 q`, // cursor shape: the user's default
  '\x1b>', // numeric keypad (DECKPNM)
  '\x1b(B', // G0: US ASCII
  '\x1b)B', // G1: US ASCII
  '\x0f', // shift in: use G0
  `${CSI}H${CSI}2J`, // home the cursor and clear the screen
].join('');

export const TERMINAL_RESET_BYTES: Uint8Array = new TextEncoder().encode(TERMINAL_RESET);
