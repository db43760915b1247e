// Read-only handles on what a terminal shows, for end-to-end tests and accessibility tooling: with the WebGL
// renderer the text is not in the DOM. Set on a pane's element as holdfastReadScreen / holdfastReadBuffer /
// holdfastRawTail.
import type { TerminalController } from './TerminalController';

export interface TerminalReaders {
  holdfastReadScreen?: () => string;
  holdfastReadBuffer?: () => string[];
  holdfastRawTail?: () => number[];
}

/** Sets the handles on `element` for `controller`. */
export function exposeReaders(element: HTMLElement, controller: TerminalController): void {
  const target = element as HTMLElement & TerminalReaders;
  target.holdfastReadScreen = () => readScreen(controller);
  target.holdfastReadBuffer = () => readBuffer(controller);
  target.holdfastRawTail = () => [...controller.rawTail.bytes()];
}

/** Every line of the normal buffer: its scrollback, then its screen. */
export function readBuffer(controller: TerminalController): string[] {
  const buffer = controller.term.buffer.normal;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
  return lines;
}

export function readScreen(controller: TerminalController): string {
  const buffer = controller.term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < controller.term.rows; y++) {
    lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  }
  return lines.join('\n');
}
