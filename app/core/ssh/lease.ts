// Nothing of Holdfast stays running on a server after its connection ends, however it ended. Closing a channel ends
// what runs in it only if the server learns of it: a laptop that sleeps, a Wi-Fi that drops or a cable pulled leaves
// sshd waiting on a socket that will never speak again, and whatever Holdfast started there (a control-mode client,
// the Needs-you watch loop) keeps running, and keeps tmux's output for a client that is gone.
//
// So each connection holds a lease on the server: a file that one small keeper process renews whenever Holdfast
// sends it a heartbeat (a line, every HEARTBEAT_MS). When the heartbeats stop (the link is dead) or its channel
// closes (Holdfast quit, was killed, or dropped the connection), the keeper ends the tmux clients registered with
// the lease (their pids, written beside it as they start), removes the file and exits; the watch loop checks the
// file once a second and ends when it is gone. Nothing is installed: the keeper is a POSIX shell loop, and the files
// live in a directory of the user's own.
import { randomBytes } from 'node:crypto';
import type { IExecChannel } from '../interfaces';
import { posixCommand, shellQuote } from '../tmux/shell';

/** How often Holdfast renews the lease. */
export const HEARTBEAT_MS = 2000;
/**
 * How many one-second checks in a row may see no renewal before the keeper gives the lease up: with heartbeats every
 * 2 s, a dead link is noticed 6–7 s after its last heartbeat, and everything of the connection ends within a second
 * of that.
 */
export const LEASE_MISSES = 6;

/** Where a user's leases live on the server: a directory only they can enter. */
export const LEASE_DIR = '"${TMPDIR:-/tmp}/holdfast-$(id -u)"';

/** The keeper: prints "ready" once the lease exists, renews it on every line it reads, gives it up as above. */
export function leaseKeeperScript(id: string): string {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) throw new Error('A lease id is 8–64 letters, digits, - or _');
  return [
    'umask 077',
    `d=${LEASE_DIR}`,
    'mkdir -p "$d" && chmod 700 "$d" || exit 1',
    `L="$d/lease-${id}"`,
    'echo 0 > "$L" && : > "$L.clients" || exit 1',
    // Ends the lease: the registered tmux clients (only while their pid is still a tmux: pids are reused), then the files.
    'end() { rm -f "$L"; for p in $(cat "$L.clients" 2>/dev/null); do case "$(ps -o comm= -p "$p" 2>/dev/null)" in *tmux*) kill "$p" 2>/dev/null;; esac; done; rm -f "$L.clients"; }',
    // The watchdog: a lease not renewed for LEASE_MISSES checks in a row is given up, and the keeper with it.
    `( lv=; m=0; while sleep 1; do v=; read -r v < "$L" 2>/dev/null || exit 0; if [ "$v" = "$lv" ]; then m=$((m+1)); else lv=$v; m=0; fi; if [ $m -ge ${LEASE_MISSES} ]; then end; kill $$ 2>/dev/null; exit 0; fi; done ) &`,
    'w=$!',
    'printf \'ready %s\\n\' "$L"',
    'n=0',
    'while IFS= read -r _; do n=$((n+1)); echo $n > "$L"; done',
    // The channel closed (Holdfast quit, or was killed, or let the connection go): the lease ends at once.
    'kill $w 2>/dev/null',
    'end',
  ].join('\n');
}

/**
 * A test for a script that runs for as long as its connection holds its lease: true while the lease file is there.
 * `path` undefined (a server where the lease could not be made) makes every check pass.
 */
export function leaseHeldTest(path: string | undefined): string {
  return path === undefined ? 'true' : `[ -e ${shellQuote(path)} ]`;
}

/**
 * What a script runs before it `exec`s a tmux client that must end with the lease: nothing starts once the lease is
 * gone, and the pid (which the client keeps after exec) is registered for the keeper to end.
 */
export function leaseRegistration(path: string | undefined): string {
  if (path === undefined) return '';
  const q = shellQuote(path);
  return `[ -e ${q} ] || { echo 'Holdfast: this connection is ending' >&2; exit 75; }; echo $$ >> ${shellQuote(`${path}.clients`)}; `;
}

/** Opens the keeper's channel (an exec channel without a pty) on a connection. */
export type OpenKeeper = (command: string) => Promise<IExecChannel>;

/** The connection's side: starts the keeper, sends the heartbeats, ends the lease when disposed. */
export class ServerLease {
  private readonly _path: Promise<string | undefined>;
  private _channel: IExecChannel | undefined;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _disposed = false;

  constructor(open: OpenKeeper, options: { heartbeatMs?: number } = {}) {
    const id = randomBytes(12).toString('base64url');
    // A lease that cannot be made is no lease (nothing waits on it); it never fails what asked for it.
    this._path = this._start(open, id, options.heartbeatMs ?? HEARTBEAT_MS).catch(() => undefined);
  }

  /** The lease file on the server, once it exists; undefined where it could not be made (no lease: nothing waits on it). */
  get path(): Promise<string | undefined> {
    return this._path;
  }

  private async _start(open: OpenKeeper, id: string, heartbeatMs: number): Promise<string | undefined> {
    let channel: IExecChannel;
    try {
      channel = await open(posixCommand(leaseKeeperScript(id)));
    } catch {
      return undefined;
    }
    if (this._disposed) {
      channel.dispose();
      return undefined;
    }
    this._channel = channel;
    const path = await new Promise<string | undefined>((resolve) => {
      let text = '';
      let settled = false;
      const decoder = new TextDecoder();
      const listeners: { dispose(): void }[] = [];
      const settle = (value: string | undefined) => {
        if (settled) return;
        settled = true;
        // A channel may hand over what it already holds while we subscribe: let go once both listeners exist.
        queueMicrotask(() => listeners.forEach((l) => l.dispose()));
        resolve(value);
      };
      listeners.push(
        channel.onData((bytes) => {
          text += decoder.decode(bytes, { stream: true });
          const m = /^ready (\/[^\n]+)\n/.exec(text);
          if (m) settle(m[1]);
          else if (text.length > 4096) settle(undefined);
        }),
      );
      listeners.push(channel.onClose(() => settle(undefined)));
    });
    if (path === undefined || this._disposed) return undefined;
    this._timer = setInterval(() => channel.write('\n'), heartbeatMs);
    this._timer.unref?.();
    return path;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (this._timer) clearInterval(this._timer);
    this._channel?.dispose();
  }
}
