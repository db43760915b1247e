// One tmux control-mode client over an exec channel: parses the stream (protocol.ts), matches command replies to
// requests in order, and hands pane output and notifications on. Commands come from the one builder (tmux.ts) and
// go as one line; a group (several commands joined by ` ; `) gets one reply per command, and after a command fails
// tmux runs none of the rest of its line (control-mode-verified.md 1b/1c), so those settle as skipped.
//
// Reply bodies are data. The one exception is tmux 3.3a's: a `refresh-client -A %N:pause|continue` writes the
// `%pause`/`%continue` it causes inside its own reply (control-mode-verified.md 1d); those lines are taken out of the
// replies of such commands, and of no other (a captured line of history may read `%pause %3`).
import { HoldfastError } from '../../../shared/contract';
import { Disposable, Emitter } from '../../../shared/lifecycle';
import type { IExecChannel } from '../../interfaces';
import { leaseRegistration } from '../../ssh/lease';
import { controlLine, TmuxCommand, tmuxExec, target, tmux } from '../tmux';
import { ControlParser, type ControlEvent } from './protocol';

/**
 * The command line that attaches a control-mode client to a session over an exec channel (no pty: `-C` once).
 * `pause-after` makes tmux pause a pane this client has fallen behind on instead of blocking it (tmux ≥ 3.2: older
 * ones refuse the flag, which is how Holdfast falls back to classic); `ignore-size` keeps the client's size out of
 * the windows' sizes.
 */
export function controlAttachCommand(sessionId: string, options: { pauseAfterSec: number; ignoreSize?: boolean; lease?: string }): string {
  const flags = [`pause-after=${Math.floor(options.pauseAfterSec)}`, ...(options.ignoreSize ? ['ignore-size'] : [])];
  // With the connection's lease (ssh/lease.ts) the client ends with the connection: tmux 3.3a keeps a control client
  // whose input closed attached, holding output back for it, and a `tmux kill-server` then wedges the server.
  return tmuxExec(tmux.attachSession(target.session(sessionId), flags), { control: true, prelude: leaseRegistration(options.lease) });
}

export interface ControlReply {
  ok: boolean;
  body: Uint8Array;
}

export type ControlNotification = Exclude<ControlEvent, { type: 'block' } | { type: 'output' }>;

interface PendingGroup {
  size: number;
  /** Which of its commands are `refresh-client -A` (their replies carry the %pause/%continue they cause). */
  flow: boolean[];
  replies: (ControlReply | undefined)[];
  /** Run as the last reply is read, before anything after it in the stream (the resolve runs later). */
  onDone?: () => void;
  resolve(replies: (ControlReply | undefined)[]): void;
  reject(err: Error): void;
}

const decoder = new TextDecoder();

/** A reply's body as text (UTF-8; tmux runs with -u). */
export function replyText(reply: ControlReply | undefined): string {
  return reply ? decoder.decode(reply.body) : '';
}

export class ControlClient extends Disposable {
  private readonly _onOutput = this._register(new Emitter<{ pane: string; bytes: Uint8Array; ageMs?: number }>());
  readonly onOutput = this._onOutput.event;
  private readonly _onNotification = this._register(new Emitter<ControlNotification>());
  readonly onNotification = this._onNotification.event;
  private readonly _onDidExit = this._register(new Emitter<{ reason?: string; stderr: string; exitCode?: number }>());
  /** The client ended: `%exit`, or the channel closed (the link, or tmux went). Fires once. */
  readonly onDidExit = this._onDidExit.event;

  private readonly _parser = new ControlParser();
  private readonly _pending: PendingGroup[] = [];
  private _attached = false;
  private _exited = false;
  private _exitReason: string | undefined;
  private _stderr = '';
  private readonly _ready: Promise<void>;
  private _resolveReady!: () => void;
  private _rejectReady!: (err: Error) => void;

  constructor(private readonly _channel: IExecChannel) {
    super();
    this._ready = new Promise<void>((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    this._ready.catch(() => {});
    this._register(_channel.onData((chunk) => this._onData(chunk)));
    this._register(
      _channel.onStderr((chunk) => {
        if (this._stderr.length < 4096) this._stderr += decoder.decode(chunk);
      }),
    );
    this._register(_channel.onClose((e) => this._exit(this._exitReason, e.exitCode)));
  }

  /** Resolves once tmux has answered the attach; rejects (with tmux's own words) if the client ended first. */
  get ready(): Promise<void> {
    return this._ready;
  }

  get exited(): boolean {
    return this._exited;
  }

  /** What tmux printed on stderr (why an attach failed). */
  get stderr(): string {
    return this._stderr.trim();
  }

  /** Runs one command; resolves with its reply (`ok` false for `%error`). */
  async command(command: TmuxCommand): Promise<ControlReply> {
    const [reply] = await this.group([command]);
    return reply ?? { ok: false, body: new Uint8Array(0) };
  }

  /**
   * Runs commands as one line (tmux runs them in one pass, with no pane output between them). One reply per command;
   * those after a failed one come back undefined (tmux did not run them).
   */
  group(commands: readonly TmuxCommand[], options: { onDone?: () => void } = {}): Promise<(ControlReply | undefined)[]> {
    let line: string;
    try {
      // Never empty (an empty line detaches the client) and never with a line break (it would split the line).
      line = controlLine(commands);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this._exited || this._store.isDisposed) return Promise.reject(this._goneError());
    return new Promise((resolve, reject) => {
      this._pending.push({ size: commands.length, flow: commands.map((c) => c.isFlowControl), replies: [], ...(options.onDone ? { onDone: options.onDone } : {}), resolve, reject });
      this._channel.write(`${line}\n`);
    });
  }

  /** Sends a command whose reply nobody waits for (keys); a failure is ignored. */
  send(command: TmuxCommand): void {
    void this.group([command]).catch(() => {});
  }

  /** Stop or start reading the channel (every pane of the client). */
  pause(): void {
    this._channel.pause();
  }

  resume(): void {
    this._channel.resume();
  }

  private _onData(chunk: Uint8Array): void {
    for (const event of this._parser.push(chunk)) {
      if (this._exited) return;
      switch (event.type) {
        case 'output':
          this._onOutput.fire(event);
          break;
        case 'block':
          this._onBlock(event);
          break;
        case 'exit':
          this._exitReason = event.reason;
          this._exit(event.reason);
          return;
        case 'unknown':
          // Login-shell noise or a newer notification: nothing to act on.
          break;
        default:
          this._onNotification.fire(event);
      }
    }
  }

  private _onBlock(block: Extract<ControlEvent, { type: 'block' }>): void {
    if (!this._attached) {
      // The first reply is the attach-session that started this client.
      this._attached = true;
      if (block.error) {
        this._exit(new TextDecoder().decode(block.body));
        return;
      }
      this._resolveReady();
      return;
    }
    // Blocks with flags 0 are not ours (hooks, another client's commands).
    if ((block.flags & 1) === 0) return;
    const group = this._pending[0];
    if (!group) return;
    const body = group.flow[group.replies.length] ? this._takeFlowLines(block.body) : block.body;
    group.replies.push({ ok: !block.error, body });
    if (block.error || group.replies.length === group.size) {
      this._pending.shift();
      while (group.replies.length < group.size) group.replies.push(undefined);
      group.onDone?.();
      group.resolve(group.replies);
    }
  }

  /** The `%pause`/`%continue` lines of a `refresh-client -A` reply, as the notifications they are; the rest is the body. */
  private _takeFlowLines(body: Uint8Array): Uint8Array {
    const kept: string[] = [];
    for (const line of decoder.decode(body).split('\n')) {
      const flow = /^%(pause|continue) (%\d+)$/.exec(line);
      if (flow) this._onNotification.fire({ type: flow[1] as 'pause' | 'continue', pane: flow[2]! });
      else if (line !== '') kept.push(line);
    }
    return new TextEncoder().encode(kept.join('\n'));
  }

  private _goneError(): HoldfastError {
    return new HoldfastError({ code: 'NETWORK', message: `The tmux control client ended${this._exitReason ? `: ${this._exitReason}` : ''}.` });
  }

  private _exit(reason?: string, exitCode?: number): void {
    if (this._exited) return;
    this._exited = true;
    this._exitReason = reason;
    const error = this._goneError();
    for (const group of this._pending.splice(0)) group.reject(error);
    if (!this._attached) this._rejectReady(new Error(this.stderr || reason || `tmux exited${exitCode !== undefined ? ` with status ${exitCode}` : ''} before attaching`));
    this._onDidExit.fire({ ...(reason !== undefined ? { reason } : {}), stderr: this.stderr, ...(exitCode !== undefined ? { exitCode } : {}) });
  }

  /**
   * Ends the client: it asks tmux to detach it first. tmux 3.3a keeps a control client whose stdin closed attached
   * (control-mode-verified.md 10c), and such a client can hold a program's output back; a live one detaches cleanly.
   */
  override dispose(): void {
    if (this._store.isDisposed) return;
    if (this._attached && !this._exited) this._channel.write(`${controlLine(tmux.detachClient())}\n`);
    this._exit('disposed');
    this._channel.dispose();
    super.dispose();
  }
}
