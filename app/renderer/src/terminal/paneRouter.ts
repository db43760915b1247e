// Routes pane.data to the view that owns the pane. Output can arrive before panes.open has returned the
// pane's id to its view; it is held (bounded) until the view claims the pane.
import { toDisposable, type IDisposable } from '../../../shared/lifecycle';

export type PaneSink = (data: Uint8Array) => void;

export class PaneRouter {
  private readonly _sinks = new Map<string, PaneSink>();
  private readonly _held = new Map<string, Uint8Array[]>();
  private _heldBytes = 0;

  constructor(private readonly _maxHeldBytes = 4 * 1024 * 1024) {}

  deliver(paneId: string, data: Uint8Array): void {
    const sink = this._sinks.get(paneId);
    if (sink) {
      sink(data);
      return;
    }
    if (this._heldBytes + data.length > this._maxHeldBytes) return;
    let list = this._held.get(paneId);
    if (!list) this._held.set(paneId, (list = []));
    list.push(data);
    this._heldBytes += data.length;
  }

  /** Claims a pane's output; what arrived before is delivered first, in order. */
  claim(paneId: string, sink: PaneSink): IDisposable {
    this._sinks.set(paneId, sink);
    const held = this._held.get(paneId);
    if (held) {
      this._held.delete(paneId);
      for (const chunk of held) {
        this._heldBytes -= chunk.length;
        sink(chunk);
      }
    }
    return toDisposable(() => {
      if (this._sinks.get(paneId) === sink) this._sinks.delete(paneId);
    });
  }

  /** Drops output held for a pane nobody will claim. */
  forget(paneId: string): void {
    for (const chunk of this._held.get(paneId) ?? []) this._heldBytes -= chunk.length;
    this._held.delete(paneId);
  }
}
