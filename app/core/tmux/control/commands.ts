// Command lines for a control-mode client. These are read by tmux's own command parser, not by a shell: quoting is
// tmux's (single quotes are literal; a `'` is written outside them as `\'`), a line is one or more commands joined
// by ` ; `, and a line must never be empty (an empty line detaches the client; control-mode-verified.md).
import { shellJoin, tmuxScript, posixCommand } from '../commands';

/** One argument for tmux's parser. Newlines cannot be passed on a control-mode line and are refused. */
export function tmuxQuote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('A tmux argument cannot contain a line break');
  // No `$` or `~` among the bare characters: tmux expands them in an unquoted word.
  if (value !== '' && /^[A-Za-z0-9_@%:,./=+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The most bytes one `send-keys -H` carries (3 characters each on the line). */
export const SEND_KEYS_CHUNK = 256;

/**
 * Keys (raw bytes) into a pane with `send-keys -H`: every byte as two hex digits, so UTF-8, control bytes and NUL
 * arrive exactly (`send-keys 0xNN` would read NN as a code point). One line per chunk, in order.
 */
export function sendKeysHex(pane: string, bytes: Uint8Array, chunk = SEND_KEYS_CHUNK): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    const part = bytes.subarray(offset, offset + chunk);
    let hex = '';
    for (const b of part) hex += (hex ? ' ' : '') + (b < 16 ? '0' : '') + b.toString(16);
    lines.push(`send-keys -H -t ${tmuxQuote(pane)} ${hex}`);
  }
  return lines;
}

/**
 * The shell command that attaches a control-mode client to a session, over an exec channel (no pty: `-C` once,
 * `-u` for UTF-8 whatever the remote locale). `pause-after` makes tmux pause a pane this client has fallen behind on
 * instead of blocking it (tmux ≥ 3.2: older ones refuse the flag, which is how Holdfast falls back to classic).
 */
export function controlAttachCommand(sessionId: string, options: { pauseAfterSec: number; ignoreSize?: boolean }): string {
  const flags = [`pause-after=${options.pauseAfterSec}`, ...(options.ignoreSize ? ['ignore-size'] : [])].join(',');
  return posixCommand(tmuxScript(['-C', 'attach-session', '-t', sessionId, '-f', flags]));
}

/** The pane's state, one line of tab-separated fields (see PaneState in control/resync.ts). */
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

export { shellJoin };
