// The Electron IPC channel names, shared by the main-process bridge and the preload. No imports, so that the
// sandboxed preload bundles nothing else.

/** renderer → main: `invoke(CALL_CHANNEL, name, input)` → CommandResult. */
export const IPC_CALL_CHANNEL = 'holdfast:call';
/** main → renderer: `send(EVENT_CHANNEL, name, payload)`. */
export const IPC_EVENT_CHANNEL = 'holdfast:event';
