// What a long-running Holdfast process does with an error nobody caught: it says so and keeps running. One
// stray promise must never take down every pane of every host (the web host and Electron's main process both
// install this at start).

/** The part of Node's `process` the guard uses. */
export interface IProcessLike {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

export function installProcessGuards(proc: IProcessLike, log: (message: string) => void, name: string): void {
  proc.on('unhandledRejection', (reason) => {
    const detail = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    log(`${name}: an error was not handled; Holdfast keeps running: ${detail}`);
  });
}
