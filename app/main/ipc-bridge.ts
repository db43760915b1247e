// The contract over Electron IPC, written against the few members of ipcMain and webContents it uses, so that
// it runs (and is tested) without Electron. Calls come in on one channel and answer with a CommandResult;
// events go out on another. A call from any frame but our own renderer is refused before anything runs.
import { checkEvent, routeCall } from '../shared/bridge';
import type { CommandResult, EventName, IHoldfastHandlers } from '../shared/contract';
import { IPC_CALL_CHANNEL as CALL_CHANNEL, IPC_EVENT_CHANNEL as EVENT_CHANNEL } from '../shared/ipc';
import { toDisposable, type Event, type IDisposable } from '../shared/lifecycle';

export { CALL_CHANNEL, EVENT_CHANNEL };

/** The part of Electron's IpcMainInvokeEvent the bridge reads. */
export interface IInvokeEventLike {
  readonly senderFrame: { readonly url: string } | null;
}

/** The part of Electron's ipcMain the bridge uses. */
export interface IIpcMainLike {
  handle(channel: string, listener: (event: IInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The part of Electron's WebContents events are sent to. */
export interface IEventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/**
 * "scheme://host" of a URL. (WHATWG gives the opaque origin "null" for custom schemes like app://, so the
 * origin is built by hand; comparing it keeps a page from another host or scheme out.)
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') return undefined;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}

/** True when the frame that sent a message shows our renderer, and not some page it navigated to. */
export function isTrustedSender(frameUrl: string | undefined, trustedOrigin: string): boolean {
  if (!frameUrl) return false;
  const origin = originOf(frameUrl);
  return origin !== undefined && origin === trustedOrigin;
}

export function registerIpcBridge(ipc: IIpcMainLike, handlers: IHoldfastHandlers, trustedOrigin: string): IDisposable {
  ipc.handle(CALL_CHANNEL, async (event, name, input): Promise<CommandResult<unknown>> => {
    if (!isTrustedSender(event.senderFrame?.url, trustedOrigin)) {
      console.warn(`holdfast: refused a call from an untrusted frame: ${event.senderFrame?.url ?? '(gone)'}`);
      return { ok: false, error: { code: 'INTERNAL', message: 'Refused: the caller is not the Holdfast window.' } };
    }
    return routeCall(handlers, name, input);
  });
  return toDisposable(() => ipc.removeHandler(CALL_CHANNEL));
}

/** Forwards core's events, each checked against its schema, to whichever window `target()` returns now. */
export function forwardEvents(onEvent: Event<{ name: EventName; payload: unknown }>, target: () => IEventTargetLike | undefined): IDisposable {
  return onEvent(({ name, payload }) => {
    const event = checkEvent(name, payload);
    if (!event) {
      console.warn(`holdfast: dropped an event that does not match its schema: ${String(name)}`);
      return;
    }
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event.name, event.payload);
  });
}
