// getApi(): the contract, whichever bridge carries it: the Electron preload's window.holdfast, else the web
// host's WebSocket. The UI cannot tell them apart, except that only the socket can be lost.
import {
  HoldfastError,
  type CommandInput,
  type CommandName,
  type EventName,
  type EventPayload,
  type IHoldfastApi,
  type NotificationInput,
  type NotificationName,
} from '../../../shared/contract';
import type { Event, IDisposable } from '../../../shared/lifecycle';
import { CREDENTIAL_KEY, WsHoldfastClient, addressWithoutToken, credentialFor, domSocketFactory, socketUrl } from './wsClient';

export interface IConnection {
  readonly api: IHoldfastApi;
  /** Fires when the bridge is gone for good (the web host's socket closed). */
  readonly onDidDisconnect: Event<string>;
}

let connection: IConnection | undefined;

/** The preload rejects with plain HoldfastErrorData (contextBridge drops Error properties); make them errors. */
class PreloadApi implements IHoldfastApi {
  constructor(private readonly _inner: IHoldfastApi) {}

  async call<K extends CommandName>(name: K, input: CommandInput<K>) {
    try {
      return await this._inner.call(name, input);
    } catch (err) {
      throw HoldfastError.from(err);
    }
  }

  notify<K extends NotificationName>(name: K, input: NotificationInput<K>): void {
    this._inner.notify(name, input);
  }

  listen<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): IDisposable {
    return this._inner.listen(name, listener);
  }

  subscribePane(paneId: string, onData: (data: Uint8Array) => void): IDisposable {
    return this._inner.subscribePane(paneId, onData);
  }
}

export function getConnection(): IConnection {
  if (connection) return connection;
  if (window.holdfast) {
    connection = { api: new PreloadApi(window.holdfast), onDidDisconnect: () => ({ dispose() {} }) };
  } else {
    const credential = credentialFor(window.location, readStorage(CREDENTIAL_KEY));
    if (credential) writeStorage(CREDENTIAL_KEY, JSON.stringify(credential));
    const client = new WsHoldfastClient(domSocketFactory(socketUrl(window.location, credential)));
    connection = { api: client, onDidDisconnect: client.onDidClose };
    const clean = addressWithoutToken(window.location.href);
    if (clean !== undefined) window.history.replaceState(window.history.state, '', clean);
  }
  return connection;
}

export function getApi(): IHoldfastApi {
  return getConnection().api;
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // No storage (a locked-down browser): this load works, a reload needs the address again.
  }
}
