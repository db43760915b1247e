// Lifetimes that cannot leak, after xterm.js's src/common/Lifecycle.ts and Event.ts.
// Every subscription returns an IDisposable; owners collect them in a DisposableStore.

export interface IDisposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

export class DisposableStore implements IDisposable {
  private readonly _items = new Set<IDisposable>();
  private _disposed = false;

  get isDisposed(): boolean {
    return this._disposed;
  }

  get size(): number {
    return this._items.size;
  }

  add<T extends IDisposable>(item: T): T {
    if (this._disposed) {
      // Adding to a dead store would leak the item; dispose it at once instead.
      item.dispose();
      return item;
    }
    this._items.add(item);
    return item;
  }

  delete(item: IDisposable): void {
    if (this._items.delete(item)) item.dispose();
  }

  clear(): void {
    const items = [...this._items];
    this._items.clear();
    for (const item of items) item.dispose();
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this.clear();
  }
}

export abstract class Disposable implements IDisposable {
  protected readonly _store = new DisposableStore();

  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  dispose(): void {
    this._store.dispose();
  }
}

/** Holds at most one disposable; setting a new value disposes the old one (e.g. the ssh client of a host). */
export class MutableDisposable<T extends IDisposable> implements IDisposable {
  private _value: T | undefined;
  private _disposed = false;

  get value(): T | undefined {
    return this._value;
  }

  set value(next: T | undefined) {
    if (this._disposed) {
      next?.dispose();
      return;
    }
    if (next === this._value) return;
    const old = this._value;
    this._value = next;
    old?.dispose();
  }

  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    this._disposed = true;
    const old = this._value;
    this._value = undefined;
    old?.dispose();
  }
}

export type Event<T> = (listener: (e: T) => void) => IDisposable;

export class Emitter<T> implements IDisposable {
  private readonly _listeners = new Set<(e: T) => void>();
  private _disposed = false;

  readonly event: Event<T> = (listener) => {
    if (this._disposed) return toDisposable(() => {});
    // Wrap so that subscribing the same function twice yields two independent subscriptions.
    const wrapped = (e: T) => listener(e);
    this._listeners.add(wrapped);
    return toDisposable(() => this._listeners.delete(wrapped));
  };

  get listenerCount(): number {
    return this._listeners.size;
  }

  fire(e: T): void {
    for (const listener of [...this._listeners]) {
      try {
        listener(e);
      } catch (err) {
        // One failing listener must not starve the others of the event.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  dispose(): void {
    this._disposed = true;
    this._listeners.clear();
  }
}
