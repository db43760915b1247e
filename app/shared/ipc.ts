// The Electron IPC channel names, shared by the main-process bridge and the preload. No imports, so that the
// sandboxed preload bundles nothing else.

/** renderer → main, once per page load: a new view; a reload replaces the window's previous one. */
export const IPC_HELLO_CHANNEL = 'holdfast:hello';
/** renderer → main: `invoke(CALL_CHANNEL, name, input)` → CommandResult. */
export const IPC_CALL_CHANNEL = 'holdfast:call';
/** renderer → main, one-way: `send(NOTIFY_CHANNEL, name, input)`. */
export const IPC_NOTIFY_CHANNEL = 'holdfast:notify';
/** renderer → main: `send(SUB_CHANNEL, paneId)` starts a pane's output, `send(UNSUB_CHANNEL, paneId)` stops it. */
export const IPC_SUB_CHANNEL = 'holdfast:sub';
export const IPC_UNSUB_CHANNEL = 'holdfast:unsub';
/** main → renderer: `send(EVENT_CHANNEL, name, payload)`. */
export const IPC_EVENT_CHANNEL = 'holdfast:event';
/**
 * main → renderer: `send(DATA_CHANNEL, paneId, bytes)`, only for panes the window subscribed to; a tmux pane's new
 * size, in order with them, is `send(DATA_CHANNEL, paneId, { cols, rows })`.
 */
export const IPC_DATA_CHANNEL = 'holdfast:data';
