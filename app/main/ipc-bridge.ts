// The contract over Electron IPC, written against the few members of ipcMain and webContents it uses, so that it
// runs (and is tested) without Electron. Each window's page is a client of core (HoldfastCore.connect), the same
// as a page of the web host: calls come in on one channel and answer with a CommandResult; notifications and pane
// subscriptions are one-way; events and the output of subscribed panes go out to that window only. A reload says
// hello again and replaces the window's client (core keeps the old one's panes for the reload to take back); a
// destroyed window's client goes. Anything from a frame that is not our renderer is refused before it runs.
import { checkEvent, isPaneIdLike, routeCall, routeNotification } from '../shared/bridge';
import type { CommandResult, IClientConnection, IHoldfastCore } from '../shared/contract';
import {
  IPC_CALL_CHANNEL as CALL_CHANNEL,
  IPC_DATA_CHANNEL as DATA_CHANNEL,
  IPC_EVENT_CHANNEL as EVENT_CHANNEL,
  IPC_HELLO_CHANNEL as HELLO_CHANNEL,
  IPC_NOTIFY_CHANNEL as NOTIFY_CHANNEL,
  IPC_SUB_CHANNEL as SUB_CHANNEL,
  IPC_UNSUB_CHANNEL as UNSUB_CHANNEL,
} from '../shared/ipc';
import type { IDisposable } from '../shared/lifecycle';

export { CALL_CHANNEL, DATA_CHANNEL, EVENT_CHANNEL, HELLO_CHANNEL, NOTIFY_CHANNEL, SUB_CHANNEL, UNSUB_CHANNEL };

/** The part of Electron's WebContents the bridge uses. */
export interface IWebContentsLike {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): void;
}

/** The part of Electron's IpcMainEvent and IpcMainInvokeEvent the bridge reads. */
export interface IIpcEventLike {
  readonly senderFrame: { readonly url: string } | null;
  readonly sender: IWebContentsLike;
}

type InvokeListener = (event: IIpcEventLike, ...args: unknown[]) => Promise<unknown>;
type SendListener = (event: IIpcEventLike, ...args: unknown[]) => void;

/** The part of Electron's ipcMain the bridge uses. */
export interface IIpcMainLike {
  handle(channel: string, listener: InvokeListener): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: SendListener): void;
  removeListener(channel: string, listener: SendListener): void;
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

export interface IpcBridge extends IDisposable {
  /** Windows with a live client. */
  readonly clientCount: number;
}

export function registerIpcBridge(ipc: IIpcMainLike, core: IHoldfastCore, trustedOrigin: string): IpcBridge {
  /** Each window's current client, by webContents id. */
  const clients = new Map<number, IClientConnection>();

  const trusted = (event: IIpcEventLike, what: string): boolean => {
    if (isTrustedSender(event.senderFrame?.url, trustedOrigin)) return true;
    console.warn(`holdfast: refused ${what} from an untrusted frame: ${event.senderFrame?.url ?? '(gone)'}`);
    return false;
  };

  /** The window's client; a page that spoke before its hello (it should not) gets one then. */
  const clientOf = (contents: IWebContentsLike): IClientConnection => clients.get(contents.id) ?? connect(contents);

  const connect = (contents: IWebContentsLike): IClientConnection => {
    const id = contents.id;
    const previous = clients.get(id);
    const isNewWindow = previous === undefined;
    // A reload: the old page is gone. Its client goes the way every client goes (core keeps its panes for a while).
    previous?.dispose();
    const client = core.connect(
      {
        event: (name, payload) => {
          const event = checkEvent(name, payload);
          if (!event) {
            console.warn(`holdfast: dropped an event that does not match its schema: ${String(name)}`);
            return;
          }
          if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event.name, event.payload);
        },
        paneData: (paneId, data) => {
          if (!contents.isDestroyed()) contents.send(DATA_CHANNEL, paneId, data);
        },
        // On the same channel, so that it arrives in order with the output.
        paneSize: (paneId, size) => {
          if (!contents.isDestroyed()) contents.send(DATA_CHANNEL, paneId, { cols: size.cols, rows: size.rows });
        },
      },
      { kind: 'window' },
    );
    clients.set(id, client);
    if (isNewWindow) {
      contents.once('destroyed', () => {
        clients.get(id)?.dispose();
        clients.delete(id);
      });
    }
    return client;
  };

  const onHello: SendListener = (event) => {
    if (trusted(event, 'a hello')) connect(event.sender);
  };
  const onNotify: SendListener = (event, name, input) => {
    if (!trusted(event, 'a notification')) return;
    const routed = routeNotification(clientOf(event.sender), name, input);
    if (routed === false) console.warn(`holdfast: dropped a notification that does not fit the contract: ${String(name).slice(0, 100)}`);
    else if (routed !== true) console.warn(`holdfast: ${String(name)} failed: ${routed.failed instanceof Error ? routed.failed.message : String(routed.failed)}`);
  };
  const onSub: SendListener = (event, paneId) => {
    if (trusted(event, 'a subscription') && isPaneIdLike(paneId)) clientOf(event.sender).subscribePane(paneId);
  };
  const onUnsub: SendListener = (event, paneId) => {
    if (trusted(event, 'a subscription') && isPaneIdLike(paneId)) clientOf(event.sender).unsubscribePane(paneId);
  };

  ipc.handle(CALL_CHANNEL, async (event, name, input): Promise<CommandResult<unknown>> => {
    if (!trusted(event, 'a call')) return { ok: false, error: { code: 'INTERNAL', message: 'Refused: the caller is not the Holdfast window.' } };
    return routeCall(clientOf(event.sender), name, input);
  });
  ipc.on(HELLO_CHANNEL, onHello);
  ipc.on(NOTIFY_CHANNEL, onNotify);
  ipc.on(SUB_CHANNEL, onSub);
  ipc.on(UNSUB_CHANNEL, onUnsub);

  return {
    get clientCount() {
      return clients.size;
    },
    dispose() {
      ipc.removeHandler(CALL_CHANNEL);
      ipc.removeListener(HELLO_CHANNEL, onHello);
      ipc.removeListener(NOTIFY_CHANNEL, onNotify);
      ipc.removeListener(SUB_CHANNEL, onSub);
      ipc.removeListener(UNSUB_CHANNEL, onUnsub);
      for (const client of clients.values()) client.dispose();
      clients.clear();
    },
  };
}
