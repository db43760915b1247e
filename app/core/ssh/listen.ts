// Subscriptions to Node event emitters (ssh2 clients, channels, sockets) as disposables, so that an owner can
// drop every listener it attached and leak tests find none left over.
import type { EventEmitter } from 'node:events';
import { toDisposable, type IDisposable } from '../../shared/lifecycle';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's listener signature is untyped
type Listener = (...args: any[]) => void;

export function listen(emitter: EventEmitter, event: string, listener: Listener): IDisposable {
  emitter.on(event, listener);
  return toDisposable(() => emitter.removeListener(event, listener));
}

/**
 * Keeps a late 'error' from an emitter we are done with from crashing the process, and removes itself once
 * the emitter has closed. Not added when the emitter is already closed, so nothing stays behind.
 */
export function swallowErrorsUntilClose(emitter: EventEmitter, closeEvent = 'close'): void {
  const ignore = () => {};
  const done = () => {
    emitter.removeListener('error', ignore);
    emitter.removeListener(closeEvent, done);
  };
  emitter.on('error', ignore);
  emitter.on(closeEvent, done);
}
