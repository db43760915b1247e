// The preload: exposes the contract as window.holdfast over IPC, and nothing else. It runs sandboxed, so it
// imports only `electron` and types; the main process validates every call and checks the sender.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandInput, CommandName, CommandOutput, CommandResult, EventName, EventPayload, IHoldfastApi } from '../shared/contract';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/ipc';
import type { IDisposable } from '../shared/lifecycle';

type AnyListener = (payload: unknown) => void;
const listeners = new Map<string, Set<AnyListener>>();

// One IPC listener for all events, dispatched by name: many panes listening add no IPC listeners.
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of [...(listeners.get(name) ?? [])]) {
    try {
      listener(payload);
    } catch (err) {
      console.error(err);
    }
  }
});

const api: IHoldfastApi = {
  async call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    const result = (await ipcRenderer.invoke(IPC_CALL_CHANNEL, name, input)) as CommandResult<CommandOutput<K>>;
    // contextBridge keeps only the message of a thrown Error, so the error crosses as plain data.
    if (!result.ok) throw result.error;
    return result.value;
  },

  listen<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): IDisposable {
    const wrapped: AnyListener = (payload) => listener(payload as EventPayload<K>);
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(wrapped);
    let disposed = false;
    return {
      dispose() {
        if (disposed) return;
        disposed = true;
        set.delete(wrapped);
      },
    };
  },
};

contextBridge.exposeInMainWorld('holdfast', api);
