// A channel as a Pane sees it: bytes in, bytes out, resize (with a pty), flow control, one close event. With a pty,
// stderr is part of what the user sees; without one (tmux control mode) it is kept apart.
import type { ClientChannel } from 'ssh2';
import { DisposableStore, Emitter, type Event } from '../../shared/lifecycle';
import type { IExecChannel, IPtyChannel } from '../interfaces';
import { listen, swallowErrorsUntilClose } from './listen';

export type ChannelExit = { exitCode?: number; signal?: string };

/** What ssh2 may hold in a paused channel before it stops granting the server window (see the constructor). */
export const PAUSED_BUFFER_BYTES = 64 * 1024;

/**
 * An event that keeps what fires before anyone listens and hands it to the first listener. ssh2 parses every SSH
 * packet of one TCP read at once: the channel's first output (tmux's first reply) can come in the same read as the
 * confirmation that opened it, before whoever opened the channel has had a turn to listen.
 */
class HeldUntilListened<T> {
  private readonly _emitter = new Emitter<T>();
  private _held: T[] | undefined = [];
  private _heldBytes = 0;

  constructor(private readonly _limitBytes: number) {}

  readonly event: Event<T> = (listener) => {
    const subscription = this._emitter.event(listener);
    const held = this._held;
    this._held = undefined;
    for (const value of held ?? []) listener(value);
    return subscription;
  };

  fire(value: T): void {
    if (!this._held) {
      this._emitter.fire(value);
      return;
    }
    const size = value instanceof Uint8Array ? value.length : 1;
    // Bounded: a channel nobody listens to does not grow without end.
    if (this._heldBytes + size <= this._limitBytes) {
      this._held.push(value);
      this._heldBytes += size;
    }
  }

  dispose(): void {
    this._emitter.dispose();
  }
}

/** What a channel keeps of its output until someone listens. */
const HELD_BYTES = 1024 * 1024;

export class SshPtyChannel implements IPtyChannel, IExecChannel {
  private readonly _onData = new HeldUntilListened<Uint8Array>(HELD_BYTES);
  readonly onData = this._onData.event;
  private readonly _onStderr = new HeldUntilListened<Uint8Array>(64 * 1024);
  readonly onStderr = this._onStderr.event;
  private readonly _onClose = new HeldUntilListened<ChannelExit>(1);
  readonly onClose = this._onClose.event;

  private readonly _listeners = new DisposableStore();
  private _exit: ChannelExit = {};
  private _closed = false;
  private _disposed = false;

  constructor(
    private readonly _stream: ClientChannel,
    /** Tells the connection that this channel is gone (for its channel count). */
    private readonly _onGone: (channel: SshPtyChannel) => void,
    options: { separateStderr?: boolean } = {},
  ) {
    // ssh2 keeps reading (and granting the server window) into a paused channel until it holds 2 MiB, on top of the
    // up to 2 MiB in flight. For a pane that is paused because its view is behind, all of that still has to be
    // drawn after a Ctrl-C. A small readable buffer makes ssh2 stop granting window soon after the pause.
    const readable = (_stream as unknown as { _readableState?: { highWaterMark: number } })._readableState;
    if (readable) readable.highWaterMark = PAUSED_BUFFER_BYTES;
    const onData = (chunk: Buffer) => {
      // A copy: the view must not share memory with a buffer ssh2 might reuse.
      if (!this._disposed) this._onData.fire(new Uint8Array(chunk));
    };
    const onStderr = (chunk: Buffer) => {
      if (!this._disposed) this._onStderr.fire(new Uint8Array(chunk));
    };
    this._listeners.add(listen(_stream, 'data', onData));
    this._listeners.add(listen(_stream.stderr, 'data', options.separateStderr ? onStderr : onData));
    this._listeners.add(
      listen(_stream, 'exit', (code: number | null, signal?: string) => {
        this._exit = { exitCode: code ?? undefined, signal: signal ?? undefined };
      }),
    );
    this._listeners.add(listen(_stream, 'close', () => this.markClosed()));
    // Channel errors end in 'close'; without a listener they would crash the process.
    this._listeners.add(listen(_stream, 'error', () => {}));
  }

  get closed(): boolean {
    return this._closed;
  }

  write(data: string | Uint8Array): void {
    if (this._closed || this._disposed) return;
    this._stream.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  resize(cols: number, rows: number): void {
    if (this._closed || this._disposed) return;
    this._stream.setWindow(rows, cols, 0, 0);
  }

  pause(): void {
    if (!this._closed && !this._disposed) this._stream.pause();
  }

  resume(): void {
    if (!this._closed && !this._disposed) this._stream.resume();
  }

  /** The channel ended (the remote side closed it, or the connection died): fire onClose once. */
  markClosed(): void {
    if (this._closed) return;
    this._closed = true;
    this._listeners.dispose();
    this._onGone(this);
    if (!this._disposed) this._onClose.fire(this._exit);
    this._onData.dispose();
    this._onStderr.dispose();
    this._onClose.dispose();
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (!this._closed) {
      // Drain whatever still arrives so the channel can finish closing, even if it was paused.
      this._stream.resume();
      swallowErrorsUntilClose(this._stream);
      this._stream.close();
    }
    this.markClosed();
  }
}
