import { describe, expect, it } from 'vitest';
import { isMacPlatform, terminalKeyAction } from './keys';

const chord = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

describe('terminalKeyAction', () => {
  it('uses Ctrl+Shift+C/V on Linux and Windows and leaves Ctrl+C to the shell', () => {
    expect(terminalKeyAction(chord('C', { ctrlKey: true, shiftKey: true }), false, true)).toBe('copy');
    expect(terminalKeyAction(chord('V', { ctrlKey: true, shiftKey: true }), false, false)).toBe('paste');
    expect(terminalKeyAction(chord('c', { ctrlKey: true }), false, true)).toBe('none');
    expect(terminalKeyAction(chord('v', { ctrlKey: true }), false, false)).toBe('none');
  });

  it('uses Cmd+C/V on macOS, copying only with a selection', () => {
    expect(terminalKeyAction(chord('c', { metaKey: true }), true, true)).toBe('copy');
    expect(terminalKeyAction(chord('c', { metaKey: true }), true, false)).toBe('none');
    expect(terminalKeyAction(chord('v', { metaKey: true }), true, false)).toBe('paste');
    expect(terminalKeyAction(chord('c', { ctrlKey: true }), true, true)).toBe('none');
  });

  it('opens search with Ctrl+Shift+F everywhere', () => {
    expect(terminalKeyAction(chord('F', { ctrlKey: true, shiftKey: true }), false, false)).toBe('search');
    expect(terminalKeyAction(chord('F', { ctrlKey: true, shiftKey: true }), true, false)).toBe('search');
  });

  it('recognises macOS platform names', () => {
    expect(isMacPlatform('darwin')).toBe(true);
    expect(isMacPlatform('MacIntel')).toBe(true);
    expect(isMacPlatform('linux')).toBe(false);
  });
});
