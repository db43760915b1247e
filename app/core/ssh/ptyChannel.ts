// A pty channel as a Pane sees it: bytes in, bytes out, resize, flow control, one close event.
import type { ClientChannel } from 'ssh2';
import { DisposableStore, Emitter } from '../../shared/lifecycle';
import type { IPtyChannel } from '../interfaces';
import { listen, swallowErrorsUntilClose } from './listen';

export type ChannelExit = { exitCode?: number; signal?: string };

export class SshPtyChannel implements IPtyChannel {
  private readonly _onData = new Emitter<Uint8Array>();
  readonly onData = this._onData.event;
  private readonly _onClose = new Emitter<ChannelExit>();
  readonly onClose = this._onClose.event;

  private readonly _listeners = new DisposableStore();
  private _exit: ChannelExit = {};
  private _closed = false;
  private _disposed = false;

  constructor(
    private readonly _stream: ClientChannel,
    /** Tells the connection that this channel is gone (for its channel count). */
    private readonly _onGone: (channel: SshPtyChannel) => void,
  ) {
    const onData = (chunk: Buffer) => {
      // A copy: the view must not share memory with a buffer ssh2 might reuse.
      if (!this._disposed) this._onData.fire(new Uint8Array(chunk));
    };
    this._listeners.add(listen(_stream, 'data', onData));
    this._listeners.add(listen(_stream.stderr, 'data', onData));
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
