// Which key chord does what in a terminal, per platform convention. Pure, so it can be tested without a DOM.

export type TerminalKeyAction = 'copy' | 'paste' | 'search' | 'none';

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

/**
 * macOS: Cmd+C copies (only with a selection; otherwise it does nothing), Cmd+V pastes, Cmd+F searches.
 * Linux/Windows: Ctrl+Shift+C / Ctrl+Shift+V, since plain Ctrl+C and Ctrl+V belong to the shell.
 * Ctrl+Shift+F opens search everywhere.
 */
export function terminalKeyAction(e: IKeyChord, mac: boolean, hasSelection: boolean): TerminalKeyAction {
  const key = e.key.toLowerCase();
  if (e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey && key === 'f') return 'search';
  if (mac) {
    if (e.metaKey && !e.ctrlKey && !e.altKey) {
      if (key === 'c') return hasSelection ? 'copy' : 'none';
      if (key === 'v') return 'paste';
      if (key === 'f') return 'search';
    }
    return 'none';
  }
  if (e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey) {
    if (key === 'c') return 'copy';
    if (key === 'v') return 'paste';
  }
  return 'none';
}
