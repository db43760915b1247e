// Holdfast's keyboard shortcuts, as one table: what each does, its chord per platform, and the text the help
// panel shows. A chord Holdfast takes never reaches the terminal, so every one of them can be turned off at once
// (Settings → Keyboard shortcuts): then every key goes to the program in the pane. Pure, so it can be tested
// without a DOM.

export type ShortcutId =
  | 'copy'
  | 'paste'
  | 'search'
  | 'zoom-in'
  | 'zoom-out'
  | 'zoom-reset'
  | 'next-tab'
  | 'previous-tab'
  | 'new-window'
  | 'split-right'
  | 'split-down'
  | 'zoom-pane'
  | 'next-pane'
  | 'next-window'
  | 'previous-window'
  | 'help';

export interface IKeyChord {
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export function isMacPlatform(platform: string): boolean {
  return /^(mac|darwin)/i.test(platform);
}

interface Chord {
  /** Compared without case. Several keys name the same physical key on some layouts ("=" and "+"). */
  keys: readonly string[];
  ctrl?: boolean;
  shift?: boolean;
  alt?: boolean;
  meta?: boolean;
}

export interface IShortcut {
  id: ShortcutId;
  /** What it does, in the help panel. */
  label: string;
  /** macOS, then Linux and Windows (where plain Ctrl+C and Ctrl+V belong to the shell). */
  mac: Chord;
  other: Chord;
  /** Where it works: in a terminal only, or anywhere in the window. */
  scope: 'terminal' | 'window';
}

export const SHORTCUTS: readonly IShortcut[] = [
  { id: 'copy', label: 'Copy the selection', mac: { keys: ['c'], meta: true }, other: { keys: ['c'], ctrl: true, shift: true }, scope: 'terminal' },
  { id: 'paste', label: 'Paste', mac: { keys: ['v'], meta: true }, other: { keys: ['v'], ctrl: true, shift: true }, scope: 'terminal' },
  { id: 'search', label: 'Find in the terminal', mac: { keys: ['f'], meta: true }, other: { keys: ['f'], ctrl: true, shift: true }, scope: 'terminal' },
  { id: 'zoom-in', label: 'Larger text in every pane', mac: { keys: ['=', '+'], meta: true }, other: { keys: ['=', '+'], ctrl: true }, scope: 'window' },
  { id: 'zoom-out', label: 'Smaller text in every pane', mac: { keys: ['-', '_'], meta: true }, other: { keys: ['-', '_'], ctrl: true }, scope: 'window' },
  { id: 'zoom-reset', label: 'Text size back to the setting', mac: { keys: ['0'], meta: true }, other: { keys: ['0'], ctrl: true }, scope: 'window' },
  { id: 'next-tab', label: 'Next tab', mac: { keys: [']', '}'], meta: true, shift: true }, other: { keys: ['pagedown'], ctrl: true }, scope: 'window' },
  { id: 'previous-tab', label: 'Previous tab', mac: { keys: ['[', '{'], meta: true, shift: true }, other: { keys: ['pageup'], ctrl: true }, scope: 'window' },
  // tmux windows and panes (control mode), done in tmux: they show up in every client attached to the session.
  { id: 'new-window', label: 'New tmux window', mac: { keys: ['t'], meta: true }, other: { keys: ['t'], ctrl: true, shift: true }, scope: 'window' },
  { id: 'split-right', label: 'Split the pane right', mac: { keys: ['d'], meta: true }, other: { keys: ['d'], ctrl: true, shift: true }, scope: 'window' },
  { id: 'split-down', label: 'Split the pane down', mac: { keys: ['d'], meta: true, shift: true }, other: { keys: ['e'], ctrl: true, shift: true }, scope: 'window' },
  { id: 'zoom-pane', label: 'Zoom the pane (again: unzoom)', mac: { keys: ['enter'], meta: true, shift: true }, other: { keys: ['enter'], ctrl: true, shift: true }, scope: 'window' },
  { id: 'next-pane', label: 'Next pane', mac: { keys: [']'], meta: true }, other: { keys: [']', '}'], ctrl: true, shift: true }, scope: 'window' },
  { id: 'next-window', label: 'Next tmux window', mac: { keys: [']', '}'], meta: true, alt: true }, other: { keys: ['pagedown'], ctrl: true, shift: true }, scope: 'window' },
  { id: 'previous-window', label: 'Previous tmux window', mac: { keys: ['[', '{'], meta: true, alt: true }, other: { keys: ['pageup'], ctrl: true, shift: true }, scope: 'window' },
  { id: 'help', label: 'Show these shortcuts', mac: { keys: ['/', '?'], meta: true, shift: true }, other: { keys: ['/', '?'], ctrl: true, shift: true }, scope: 'window' },
];

function matches(e: IKeyChord, chord: Chord): boolean {
  return (
    chord.keys.includes(e.key.toLowerCase()) &&
    e.ctrlKey === (chord.ctrl ?? false) &&
    e.metaKey === (chord.meta ?? false) &&
    e.altKey === (chord.alt ?? false) &&
    // Shift is part of some keys ("+" is Shift+"=" on many layouts): only a chord that needs it requires it.
    (chord.shift ? e.shiftKey : !e.shiftKey || chord.keys.some((k) => !/^[a-z0-9]$|^page|^enter$/.test(k)))
  );
}

/** The shortcut a key press is, or undefined (it goes to the terminal). Undefined for all while they are off. */
export function shortcutFor(e: IKeyChord, mac: boolean, enabled: boolean): ShortcutId | undefined {
  if (!enabled) return undefined;
  return SHORTCUTS.find((s) => matches(e, mac ? s.mac : s.other))?.id;
}

/** A chord as the help panel writes it: "Ctrl+Shift+C", "⌘C". */
export function chordText(shortcut: IShortcut, mac: boolean): string {
  const chord = mac ? shortcut.mac : shortcut.other;
  const key = chord.keys[0]!;
  const name = key === 'pagedown' ? 'PageDown' : key === 'pageup' ? 'PageUp' : key === 'enter' ? 'Enter' : key.length === 1 ? key.toUpperCase() : key;
  if (mac) return `${chord.ctrl ? '⌃' : ''}${chord.alt ? '⌥' : ''}${chord.shift ? '⇧' : ''}${chord.meta ? '⌘' : ''}${name}`;
  return [chord.ctrl && 'Ctrl', chord.alt && 'Alt', chord.shift && 'Shift', name].filter(Boolean).join('+');
}
