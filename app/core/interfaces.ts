// The seams inside core. Each real part sits behind one of these, so that the service, the supervisor and the
// panes can be put together (and tested) without knowing which implementation they have.
import type { Event, IDisposable } from '../shared/lifecycle';
import type { CompanionListen, CompanionOptions, Device, HostProfile, Pairing, Prompt, PromptAnswer } from '../shared/model';

// ---------- stores ----------

/** Host profiles. The web host keeps them with `conf` in its data dir; Electron with electron-store. */
export interface IProfileStore {
  list(): HostProfile[];
  get(id: string): HostProfile | undefined;
  put(profile: HostProfile): void;
  delete(id: string): void;
}

/**
 * Remembered secrets (passwords, passphrases). Electron encrypts with safeStorage; the web host keeps them
 * in memory only. Keys look like `password:<hostId>` or `passphrase:<keyPath>`.
 */
export interface ISecretStore {
  /** True when secrets survive a restart. */
  readonly persistent: boolean;
  get(key: string): Promise<string | undefined>;
  /** Remembers a secret the user asked to remember. */
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Keeps a secret the user typed without asking to remember it, in memory only, until the app stops, so that
   * automatic reconnects after a drop need not ask again. Stores without a session layer ignore it.
   */
  keepForSession?(key: string, value: string): Promise<void>;
}

/** A host key Holdfast itself was told to remember (beside ~/.ssh/known_hosts, which it only reads). */
export interface KnownHostEntry {
  host: string;
  port: number;
  keyType: string;
  /** base64 of the public key blob, as in known_hosts. */
  key: string;
  addedAt: number;
}

export interface IKnownHostsStore {
  list(): KnownHostEntry[];
  find(host: string, port: number): KnownHostEntry[];
  add(entry: KnownHostEntry): void;
  remove(host: string, port: number): void;
}

// ---------- prompts ----------

/** Asks the user something (host key, password, passphrase, one-time code). Core never imports UI. */
export interface IPrompter {
  /** Resolves with the answer; resolves `{ kind: 'cancel' }` if the signal aborts first. */
  ask(prompt: DistributiveOmit<Prompt, 'promptId'>, signal?: AbortSignal): Promise<PromptAnswer>;
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

// ---------- ssh ----------

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** An interactive channel with a pty: the raw byte stream a Pane is attached to. */
export interface IPtyChannel extends IDisposable {
  readonly onData: Event<Uint8Array>;
  /** The remote side closed (tmux detached or exited, or the connection died). */
  readonly onClose: Event<{ exitCode?: number; signal?: string }>;
  write(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Flow control: stop reading the channel so the server slows down; `resume` reads again. */
  pause(): void;
  resume(): void;
}

/** A channel running a command without a pty: its stdout as bytes, its stderr apart (for errors). */
export interface IExecChannel extends IDisposable {
  readonly onData: Event<Uint8Array>;
  readonly onStderr: Event<Uint8Array>;
  readonly onClose: Event<{ exitCode?: number; signal?: string }>;
  write(data: string | Uint8Array): void;
  /** Flow control: stop reading the channel so the server slows down; `resume` reads again. */
  pause(): void;
  resume(): void;
}

export interface PtyOptions {
  command: string;
  cols: number;
  rows: number;
  term?: string;
}

/** One authenticated SSH connection to a host (through its jump chain). Many channels share it. */
export interface ISshConnection extends IDisposable {
  readonly hostId: string;
  /** The connection ended: socket closed, keepalive timeout, or dispose(). Fires once. */
  readonly onDidClose: Event<{ reason: 'keepalive' | 'closed' | 'error' | 'disposed'; message?: string }>;
  exec(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  openPty(options: PtyOptions): Promise<IPtyChannel>;
  /** Runs a long-lived command without a pty (tmux control mode), streaming its output. */
  openExec(command: string): Promise<IExecChannel>;
  /** A round trip to the server with a short timeout: false if it did not answer (used after a wake). */
  probe(timeoutMs: number): Promise<boolean>;
  /** The last round trip measured (by a probe), in ms; undefined before the first. */
  readonly roundTripMs?: number;
  /** The host key this connection verified (SHA256:…), when known: the same machine behind two profiles has one. */
  readonly hostKeyFingerprint?: string;
  /**
   * The path of the connection's lease on the server (ssh/lease.ts): every long-lived process Holdfast starts there
   * checks it and ends once it is gone. Undefined (or absent) where there is none.
   */
  lease?(): Promise<string | undefined>;
}

/** Opens connections for a profile: host key check, authentication (with prompts), jump hosts, keepalives. */
export interface IConnector {
  /** Rejects with a HoldfastError (CONNECTION_REFUSED, HOST_NOT_FOUND, TIMEOUT, AUTH_FAILED, HOST_KEY_*…). */
  connect(profile: HostProfile, options: ConnectOptions): Promise<ISshConnection>;
  /** Whether the profile's first hop answers a TCP connect now (no handshake): how a server's return is noticed. */
  portAnswers?(profile: HostProfile): Promise<boolean>;
}

export interface ConnectOptions {
  signal?: AbortSignal;
  /**
   * True for automatic reconnects: nothing may ask the user about a host key (a changed or unknown key is a
   * failure), and a password or passphrase is taken from the secret store or the attempt fails.
   */
  unattended?: boolean;
  /** Overrides for tests and fault scenarios. */
  readyTimeoutMs?: number;
}

// ---------- time ----------

/** Time as the supervisor's driver sees it; tests pass a fake. */
export interface IClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): IDisposable;
}

export const systemClock: IClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(handle) };
  },
};

/** Pairing devices: implemented by the shell's companion server (app/web/companion.ts), used by core's handlers. */
export interface ICompanion {
  options(): CompanionOptions;
  devices(): Device[];
  pair(request: { listen: CompanionListen; viewOnly: boolean; address?: string }): Promise<Pairing>;
  revoke(deviceId: string): boolean;
  /** Fires when a device is paired or revoked. */
  readonly onDidChange: Event<void>;
}

