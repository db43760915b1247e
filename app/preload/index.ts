// The preload: exposes the contract as window.holdfast over IPC, and nothing else. It runs sandboxed, so it
// imports only `electron` and types; the main process validates everything and checks the sender. Saying hello
// makes this page a client of core (a reload says it again and replaces the old page's client).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  CommandInput,
  CommandName,
  CommandOutput,
  CommandResult,
  EventName,
  EventPayload,
  IHoldfastApi,
  NotificationInput,
  NotificationName,
} from '../shared/contract';
import { IPC_CALL_CHANNEL, IPC_DATA_CHANNEL, IPC_EVENT_CHANNEL, IPC_HELLO_CHANNEL, IPC_NOTIFY_CHANNEL, IPC_SUB_CHANNEL, IPC_UNSUB_CHANNEL } from '../shared/ipc';
import type { PaneSize } from '../shared/geometry';
import type { IDisposable } from '../shared/lifecycle';

type AnyListener = (payload: unknown) => void;
/** A pane's output, or a tmux pane's new size in order with it. */
type DataListener = (data: Uint8Array | PaneSize) => void;
const listeners = new Map<string, Set<AnyListener>>();
const paneListeners = new Map<string, Set<DataListener>>();

function callEach<T>(set: Set<(value: T) => void> | undefined, value: T): void {
  for (const listener of [...(set ?? [])]) {
    try {
      listener(value);
    } catch (err) {
      console.error(err);
    }
  }
}

// One IPC listener for all events and one for all pane output, dispatched here: many panes add no IPC listeners.
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (typeof name === 'string') callEach(listeners.get(name), payload);
});
ipcRenderer.on(IPC_DATA_CHANNEL, (_event: IpcRendererEvent, paneId: unknown, data: unknown) => {
  if (typeof paneId !== 'string') return;
  if (data instanceof Uint8Array || isSize(data)) callEach(paneListeners.get(paneId), data);
});

/** A size as main sends it (the preload imports no code of ours: the same check as shared/geometry.ts). */
function isSize(value: unknown): value is PaneSize {
  if (typeof value !== 'object' || value === null) return false;
  const { cols, rows } = value as Record<string, unknown>;
  return Number.isInteger(cols) && Number.isInteger(rows) && (cols as number) >= 1 && (rows as number) >= 1 && (cols as number) <= 1000 && (rows as number) <= 1000;
}
ipcRenderer.send(IPC_HELLO_CHANNEL);

function once(fn: () => void): IDisposable {
  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      fn();
    },
  };
}

const api: IHoldfastApi = {
  async call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    const result = (await ipcRenderer.invoke(IPC_CALL_CHANNEL, name, input)) as CommandResult<CommandOutput<K>>;
    // contextBridge keeps only the message of a thrown Error, so the error crosses as plain data.
    if (!result.ok) throw result.error;
    return result.value;
  },

  notify<K extends NotificationName>(name: K, input: NotificationInput<K>): void {
    ipcRenderer.send(IPC_NOTIFY_CHANNEL, name, input);
  },

  listen<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): IDisposable {
    const wrapped: AnyListener = (payload) => listener(payload as EventPayload<K>);
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(wrapped);
    return once(() => set.delete(wrapped));
  },

  subscribePane(paneId: string, onData: (data: Uint8Array) => void, onSize?: (size: PaneSize) => void): IDisposable {
    const wrapped: DataListener = (data) => (data instanceof Uint8Array ? onData(data) : onSize?.(data));
    let set = paneListeners.get(paneId);
    if (!set) paneListeners.set(paneId, (set = new Set()));
    set.add(wrapped);
    // Every subscription starts from the screen as it is (core sends it again; a listener already there redraws).
    ipcRenderer.send(IPC_SUB_CHANNEL, paneId);
    return once(() => {
      set.delete(wrapped);
      if (set.size === 0 && paneListeners.get(paneId) === set) {
        paneListeners.delete(paneId);
        ipcRenderer.send(IPC_UNSUB_CHANNEL, paneId);
      }
    });
  },
};

contextBridge.exposeInMainWorld('holdfast', api);
