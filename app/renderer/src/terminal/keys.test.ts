import { describe, expect, it } from 'vitest';
import { chordText, isMacPlatform, SHORTCUTS, shortcutFor } from './keys';

const chord = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

describe('shortcutFor', () => {
  it('uses Ctrl+Shift+C/V on Linux and Windows and leaves Ctrl+C and Ctrl+V to the shell', () => {
    expect(shortcutFor(chord('C', { ctrlKey: true, shiftKey: true }), false, true)).toBe('copy');
    expect(shortcutFor(chord('V', { ctrlKey: true, shiftKey: true }), false, true)).toBe('paste');
    expect(shortcutFor(chord('c', { ctrlKey: true }), false, true)).toBeUndefined();
    expect(shortcutFor(chord('v', { ctrlKey: true }), false, true)).toBeUndefined();
  });

  it('uses Cmd+C/V/F on macOS and leaves Ctrl to the terminal there', () => {
    expect(shortcutFor(chord('c', { metaKey: true }), true, true)).toBe('copy');
    expect(shortcutFor(chord('v', { metaKey: true }), true, true)).toBe('paste');
    expect(shortcutFor(chord('f', { metaKey: true }), true, true)).toBe('search');
    expect(shortcutFor(chord('c', { ctrlKey: true }), true, true)).toBeUndefined();
  });

  it('zooms with Ctrl (Cmd) and =, + (Shift on most layouts), - and 0', () => {
    expect(shortcutFor(chord('=', { ctrlKey: true }), false, true)).toBe('zoom-in');
    expect(shortcutFor(chord('+', { ctrlKey: true, shiftKey: true }), false, true)).toBe('zoom-in');
    expect(shortcutFor(chord('-', { ctrlKey: true }), false, true)).toBe('zoom-out');
    expect(shortcutFor(chord('0', { ctrlKey: true }), false, true)).toBe('zoom-reset');
    expect(shortcutFor(chord('=', { metaKey: true }), true, true)).toBe('zoom-in');
  });

  it('switches tabs with Ctrl+PageUp/PageDown (Cmd+Shift+[ and ] on macOS)', () => {
    expect(shortcutFor(chord('PageDown', { ctrlKey: true }), false, true)).toBe('next-tab');
    expect(shortcutFor(chord('PageUp', { ctrlKey: true }), false, true)).toBe('previous-tab');
    // With Shift it is the tmux window, not the tab.
    expect(shortcutFor(chord('PageUp', { ctrlKey: true, shiftKey: true }), false, true)).toBe('previous-window');
    expect(shortcutFor(chord('}', { metaKey: true, shiftKey: true }), true, true)).toBe('next-tab');
  });

  it('splits, zooms and opens tmux windows with chords a shell does not use', () => {
    expect(shortcutFor(chord('D', { ctrlKey: true, shiftKey: true }), false, true)).toBe('split-right');
    expect(shortcutFor(chord('E', { ctrlKey: true, shiftKey: true }), false, true)).toBe('split-down');
    expect(shortcutFor(chord('T', { ctrlKey: true, shiftKey: true }), false, true)).toBe('new-window');
    expect(shortcutFor(chord('Enter', { ctrlKey: true, shiftKey: true }), false, true)).toBe('zoom-pane');
    expect(shortcutFor(chord('d', { metaKey: true }), true, true)).toBe('split-right');
    expect(shortcutFor(chord('D', { metaKey: true, shiftKey: true }), true, true)).toBe('split-down');
    // Plain Ctrl+D (end of input) and Enter stay the shell's.
    expect(shortcutFor(chord('d', { ctrlKey: true }), false, true)).toBeUndefined();
    expect(shortcutFor(chord('Enter', {}), false, true)).toBeUndefined();
  });

  it('takes no key at all while shortcuts are off: every key goes to the terminal', () => {
    for (const [key, mods] of [
      ['C', { ctrlKey: true, shiftKey: true }],
      ['=', { ctrlKey: true }],
      ['0', { ctrlKey: true }],
      ['PageDown', { ctrlKey: true }],
    ] as const) {
      expect(shortcutFor(chord(key, mods), false, false)).toBeUndefined();
    }
  });

  it('no two shortcuts share a chord', () => {
    for (const mac of [true, false]) {
      const seen = new Set<string>();
      for (const s of SHORTCUTS) {
        const c = mac ? s.mac : s.other;
        for (const key of c.keys) {
          const id = `${key}|${c.ctrl}|${c.shift}|${c.alt}|${c.meta}`;
          expect(seen.has(id), `${s.id} ${id}`).toBe(false);
          seen.add(id);
        }
      }
    }
  });

  it('writes chords for the help panel', () => {
    const copy = SHORTCUTS.find((s) => s.id === 'copy')!;
    expect(chordText(copy, false)).toBe('Ctrl+Shift+C');
    expect(chordText(copy, true)).toBe('⌘C');
    expect(chordText(SHORTCUTS.find((s) => s.id === 'next-tab')!, false)).toBe('Ctrl+PageDown');
  });

  it('recognises macOS platform names', () => {
    expect(isMacPlatform('darwin')).toBe(true);
    expect(isMacPlatform('MacIntel')).toBe(true);
    expect(isMacPlatform('linux')).toBe(false);
  });
});
