// One authenticated SSH connection (through its jump hops): exec, pty channels, a probe, and one close event.
import type { Client, ClientChannel } from 'ssh2';
import { HoldfastError } from '../../shared/contract';
import { DisposableStore, Emitter } from '../../shared/lifecycle';
import type { ExecResult, IExecChannel, IPtyChannel, ISshConnection, PtyOptions } from '../interfaces';
import { describeTarget, type ErrorTarget } from './errors';
import { sha256Fingerprint } from './fingerprint';
import { ServerLease } from './lease';
import { listen, swallowErrorsUntilClose } from './listen';
import { SshPtyChannel } from './ptyChannel';

export type CloseReason = 'keepalive' | 'closed' | 'error' | 'disposed';

/** A connected ssh2 client whose connect-time listeners are still attached until its owner adopts it. */
export interface HopLink {
  readonly client: Client;
  readonly target: ErrorTarget;
  /** The host key the hop presented and that was verified. */
  readonly hostKey?: Buffer;
  /** Removes the connect-time guard listeners; reports what happened since authentication succeeded. */
  adopt(): { error?: Error; closed: boolean };
}

const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
/** How long a graceful disconnect may take before the socket is destroyed. */
const END_GRACE_MS = 2_000;

type ErrorWithLevel = Error & { level?: string };

export class SshConnection implements ISshConnection {
  private readonly _onDidClose = new Emitter<{ reason: CloseReason; message?: string }>();
  readonly onDidClose = this._onDidClose.event;

  private readonly _listeners = new DisposableStore();
  private readonly _ptys = new Set<SshPtyChannel>();
  private readonly _execs = new Set<ClientChannel>();
  private readonly _closedClients = new Set<Client>();
  private _lastError: ErrorWithLevel | undefined;
  private _closed = false;
  private _roundTripMs: number | undefined;
  private _lease: ServerLease | undefined;

  /** `links` in connection order: the first hop first, the target last. */
  constructor(
    readonly hostId: string,
    private readonly _links: readonly HopLink[],
  ) {
    const early: Array<{ link: HopLink; closed: boolean }> = [];
    for (const link of _links) {
      const { client } = link;
      this._listeners.add(
        listen(client, 'error', (err: ErrorWithLevel) => {
          if (client === this._client) this._lastError = err;
        }),
      );
      this._listeners.add(listen(client, 'close', () => this._clientClosed(client)));
      const seen = link.adopt();
      if (seen.error && client === this._client) this._lastError = seen.error;
      early.push({ link, closed: seen.closed });
    }
    for (const { link, closed } of early) if (closed) queueMicrotask(() => this._clientClosed(link.client));
  }

  private get _client(): Client {
    return this._links[this._links.length - 1]!.client;
  }

  private get _where(): string {
    return describeTarget(this._links[this._links.length - 1]!.target);
  }

  /** Channels open right now (ptys and running commands), for leak tests. */
  get openChannels(): number {
    return this._ptys.size + this._execs.size;
  }

  get isClosed(): boolean {
    return this._closed;
  }

  /** The verified host key of the server at the end of the chain (SHA256:…), which names that machine. */
  get hostKeyFingerprint(): string | undefined {
    const key = this._links[this._links.length - 1]!.hostKey;
    return key ? sha256Fingerprint(key) : undefined;
  }

  get roundTripMs(): number | undefined {
    return this._roundTripMs;
  }

  exec(command: string, options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    if (this._closed) return Promise.reject(this._closedError());
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    return new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      let channel: ClientChannel | undefined;
      const listeners = new DisposableStore();
      const finish = (result: ExecResult | HoldfastError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        listeners.dispose();
        if (channel) this._execs.delete(channel);
        if (result instanceof HoldfastError) reject(result);
        else resolve(result);
      };
      const timer = setTimeout(() => {
        if (channel) {
          swallowErrorsUntilClose(channel);
          channel.resume();
          channel.close();
        }
        finish(new HoldfastError({ code: 'TIMEOUT', message: `"${command}" did not finish within ${timeoutMs} ms on ${this._where}` }));
      }, timeoutMs);

      this._client.exec(command, (err, stream) => {
        if (err) return finish(this._channelError(err));
        if (settled) {
          // Timed out before the channel opened: close it at once.
          swallowErrorsUntilClose(stream);
          stream.close();
          return;
        }
        channel = stream;
        this._execs.add(stream);
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | null = null;
        let signal: string | undefined;
        listeners.add(listen(stream, 'data', (chunk: Buffer) => stdout.push(chunk)));
        listeners.add(listen(stream.stderr, 'data', (chunk: Buffer) => stderr.push(chunk)));
        listeners.add(listen(stream, 'error', () => {}));
        listeners.add(
          listen(stream, 'exit', (c: number | null, s?: string) => {
            code = c;
            signal = s ?? undefined;
          }),
        );
        listeners.add(
          listen(stream, 'close', () => {
            if (this._closed && code === null && signal === undefined) return finish(this._closedError());
            finish({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
          }),
        );
      });
    });
  }

  openPty(options: PtyOptions): Promise<IPtyChannel> {
    if (this._closed) return Promise.reject(this._closedError());
    return new Promise<IPtyChannel>((resolve, reject) => {
      const pty = { term: options.term ?? 'xterm-256color', cols: options.cols, rows: options.rows, width: 0, height: 0 };
      this._client.exec(options.command, { pty }, (err, stream) => {
        if (err) return reject(this._channelError(err));
        if (this._closed) {
          swallowErrorsUntilClose(stream);
          stream.close();
          return reject(this._closedError());
        }
        const channel = new SshPtyChannel(stream, (gone) => this._ptys.delete(gone));
        this._ptys.add(channel);
        resolve(channel);
      });
    });
  }

  openExec(command: string): Promise<IExecChannel> {
    if (this._closed) return Promise.reject(this._closedError());
    return new Promise<IExecChannel>((resolve, reject) => {
      this._client.exec(command, (err, stream) => {
        if (err) return reject(this._channelError(err));
        if (this._closed) {
          swallowErrorsUntilClose(stream);
          stream.close();
          return reject(this._closedError());
        }
        const channel = new SshPtyChannel(stream, (gone) => this._ptys.delete(gone), { separateStderr: true });
        this._ptys.add(channel);
        resolve(channel);
      });
    });
  }

  probe(timeoutMs: number): Promise<boolean> {
    if (this._closed) return Promise.resolve(false);
    // ssh2 keeps no public ping; its own keepalive sends keepalive@openssh.com (want-reply) and queues a callback
    // in `_callbacks`, answered in order by REQUEST_SUCCESS/FAILURE. Either reply proves the server is there.
    const internals = this._client as unknown as { _protocol?: { ping?: () => void }; _callbacks?: Array<(...args: unknown[]) => void> };
    const protocol = internals._protocol;
    const callbacks = internals._callbacks;
    if (!protocol || typeof protocol.ping !== 'function' || !Array.isArray(callbacks)) {
      return this.exec('true', { timeoutMs }).then(
        () => true,
        () => false,
      );
    }
    const started = performance.now();
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (ok) this._roundTripMs = performance.now() - started;
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      // On disconnect ssh2 calls pending callbacks with an Error; a reply passes a boolean.
      callbacks.push((first: unknown) => finish(!(first instanceof Error)));
      protocol.ping!();
    });
  }

  /**
   * The connection's lease on the server (lease.ts): what Holdfast starts there checks it and ends with it. Made on
   * first use; undefined where it cannot be made.
   */
  lease(): Promise<string | undefined> {
    if (this._closed) return Promise.resolve(undefined);
    this._lease ??= new ServerLease((command) => this.openExec(command));
    return this._lease.path;
  }

  dispose(): void {
    this._close('disposed');
  }

  private _clientClosed(client: Client): void {
    this._closedClients.add(client);
    if (this._closed) return;
    const err = this._lastError;
    if (client !== this._client) {
      // A jump host went away: the hop it carried is gone with it.
      this._close('error', `Jump host ${describeTarget(this._links.find((l) => l.client === client)!.target)} closed the connection`);
      return;
    }
    if (err?.level === 'client-timeout') this._close('keepalive', `${this._where} stopped answering keepalives`);
    else if (err) this._close('error', `Connection to ${this._where} failed: ${err.message}`);
    else this._close('closed', `${this._where} closed the connection`);
  }

  private _close(reason: CloseReason, message?: string): void {
    if (this._closed) return;
    this._closed = true;
    this._lease?.dispose();
    this._listeners.dispose();
    for (const pty of [...this._ptys]) pty.markClosed();
    this._ptys.clear();
    // Close the target first, then each hop from the inside out.
    for (const { client } of [...this._links].reverse()) {
      if (this._closedClients.has(client)) continue;
      swallowErrorsUntilClose(client);
      const timer = setTimeout(() => client.destroy(), END_GRACE_MS);
      timer.unref();
      client.once('close', () => clearTimeout(timer));
      client.end();
    }
    this._onDidClose.fire({ reason, message });
    this._onDidClose.dispose();
  }

  private _closedError(): HoldfastError {
    return new HoldfastError({ code: 'NETWORK', message: `The connection to ${this._where} is closed` });
  }

  private _channelError(err: Error): HoldfastError {
    if (this._closed) return this._closedError();
    return new HoldfastError({ code: 'NETWORK', message: `Could not open a channel on ${this._where}: ${err.message}` });
  }
}
