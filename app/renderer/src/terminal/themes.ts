// The colour themes: each is the terminal's palette (xterm.js) and the app's own colours (CSS variables on the
// document, see styles.css), so the window follows the terminal. High contrast keeps every text colour at 7:1 or
// more against its background.
import type { ITheme } from '@xterm/xterm';
import type { ThemeName } from '../../../shared/model';

export const TERMINAL_THEMES: Record<ThemeName, ITheme> = {
  dark: {
    background: '#121418',
    foreground: '#d7dae0',
    cursor: '#e6e6e6',
    cursorAccent: '#121418',
    selectionBackground: '#3a4b6b',
    black: '#1c1f24',
    red: '#e06c75',
    green: '#98c379',
    yellow: '#e5c07b',
    blue: '#61afef',
    magenta: '#c678dd',
    cyan: '#56b6c2',
    white: '#d7dae0',
    brightBlack: '#5c6370',
    brightRed: '#ef7b84',
    brightGreen: '#a9d48a',
    brightYellow: '#f0d08c',
    brightBlue: '#74bdf8',
    brightMagenta: '#d58be8',
    brightCyan: '#67c7d3',
    brightWhite: '#ffffff',
  },
  light: {
    background: '#fbfbfa',
    foreground: '#2a2d33',
    cursor: '#2a2d33',
    cursorAccent: '#fbfbfa',
    selectionBackground: '#c5d6f2',
    black: '#2a2d33',
    red: '#b42f36',
    green: '#3d7a28',
    yellow: '#8a6300',
    blue: '#1f5fc1',
    magenta: '#8a3ba8',
    cyan: '#0f7483',
    white: '#d3d5d9',
    brightBlack: '#6b7280',
    brightRed: '#cf3d45',
    brightGreen: '#4b8f33',
    brightYellow: '#a07400',
    brightBlue: '#2b6fd6',
    brightMagenta: '#9c4bbb',
    brightCyan: '#158796',
    brightWhite: '#f4f4f2',
  },
  'high-contrast': {
    background: '#000000',
    foreground: '#ffffff',
    cursor: '#ffff00',
    cursorAccent: '#000000',
    selectionBackground: '#0a4ea8',
    selectionForeground: '#ffffff',
    black: '#000000',
    red: '#ff6b6b',
    green: '#5dff5d',
    yellow: '#ffff55',
    blue: '#7db4ff',
    magenta: '#ff8cff',
    cyan: '#55ffff',
    white: '#ffffff',
    brightBlack: '#b0b0b0',
    brightRed: '#ff9a9a',
    brightGreen: '#9dff9d',
    brightYellow: '#ffff9d',
    brightBlue: '#a9ceff',
    brightMagenta: '#ffb3ff',
    brightCyan: '#a8ffff',
    brightWhite: '#ffffff',
  },
};

/** The built-in font list, used when the setting is empty. */
export const DEFAULT_FONT_FAMILY = '"JetBrains Mono", "Cascadia Mono", "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

export const THEME_LABELS: Record<ThemeName, string> = { dark: 'Dark', light: 'Light', 'high-contrast': 'High contrast' };
