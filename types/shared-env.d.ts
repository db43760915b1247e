// The few globals that every runtime Holdfast's shared code runs in (Node, Chromium, Electron) provides.
// Declared only for app/shared's own type-check; other layers get them from Node's or the DOM's types.
declare function queueMicrotask(callback: () => void): void;
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
