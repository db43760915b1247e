// Opens an ISshConnection for a profile: each hop of its jump chain in turn (host key check, authentication),
// the next hop carried over the previous one's direct-tcpip channel, keepalives from the profile.
import { lookup } from 'node:dns/promises';
import { createConnection, isIP, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { Client } from './ssh2';
import { HoldfastError } from '../../shared/contract';
import { DisposableStore } from '../../shared/lifecycle';
import type { HostProfile } from '../../shared/model';
import type { ConnectOptions, IConnector, IKnownHostsStore, IProfileStore, IPrompter, ISecretStore, ISshConnection } from '../interfaces';
import { Authenticator } from './auth';
import { SshConnection, type HopLink } from './connection';
import { cancelledError, describeTarget, mapConnectError, timeoutError } from './errors';
import { HostKeyVerifier } from './hostKeyVerifier';
import { listen, swallowErrorsUntilClose } from './listen';
import { resolveHops, type Hop } from './proxyJump';

export const DEFAULT_READY_TIMEOUT_MS = 20_000;

export interface SshConnectorOptions {
  profiles: IProfileStore;
  secrets: ISecretStore;
  prompter: IPrompter;
  knownHosts: IKnownHostsStore;
  /** Keys accepted once, trusted until the app stops (memory only). */
  sessionKnownHosts?: IKnownHostsStore;
  /** OpenSSH known_hosts files to trust, read only. Default: defaultKnownHostsFiles(). */
  knownHostsFiles?: string[];
  /** ssh-agent socket. Default: defaultAgentSocket(); an empty string turns the agent off. */
  agentSocket?: string;
  homeDir?: string;
  /** Resolves a host name (the first hop's; jump hosts resolve the next hops themselves). Default: the OS resolver. */
  lookup?: (host: string) => Promise<{ address: string }>;
}

/** ssh2's host key algorithms, in its default order; those for key types the user already trusts go first. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
const ALGORITHMS_FOR_KEY_TYPE: Record<string, readonly string[]> = { 'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] };

export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] | undefined {
  const preferred = knownTypes.flatMap((t) => ALGORITHMS_FOR_KEY_TYPE[t] ?? [t]).filter((a) => (HOST_KEY_ALGORITHMS as readonly string[]).includes(a));
  if (preferred.length === 0) return undefined;
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}

/**
 * The connect timeout of one hop. It stops while a prompt waits for the user (a person reading a fingerprint is
 * not a dead server) and starts afresh once they answered.
 */
class Deadline {
  private _timer: NodeJS.Timeout | undefined;
  private _paused = 0;
  private _done = false;

  constructor(
    private readonly _ms: number,
    private readonly _onExpire: () => void,
  ) {
    this._arm();
  }

  pause(): void {
    this._paused++;
    clearTimeout(this._timer);
  }

  resume(): void {
    if (--this._paused === 0) this._arm();
  }

  clear(): void {
    this._done = true;
    clearTimeout(this._timer);
  }

  private _arm(): void {
    clearTimeout(this._timer);
    if (this._done || this._ms <= 0) return;
    this._timer = setTimeout(() => {
      this._done = true;
      this._onExpire();
    }, this._ms);
  }
}

function pausingPrompter(prompter: IPrompter, deadline: Deadline): IPrompter {
  return {
    async ask(prompt, signal) {
      deadline.pause();
      try {
        return await prompter.ask(prompt, signal);
      } finally {
        deadline.resume();
      }
    },
  };
}

export class SshConnector implements IConnector {
  private readonly _homeDir: string;
  private readonly _knownHostsFiles: string[];

  constructor(private readonly _options: SshConnectorOptions) {
    this._homeDir = _options.homeDir ?? homedir();
    this._knownHostsFiles = _options.knownHostsFiles ?? defaultKnownHostsFiles(this._homeDir);
  }

  /**
   * Whether the profile's first hop answers a TCP connect now (no handshake, nothing sent): what a supervisor waiting
   * out a backoff watches to learn that a server that was down is back. False on any failure, within `timeoutMs`.
   */
  portAnswers(profile: HostProfile, timeoutMs = 1000): Promise<boolean> {
    let hop: Hop;
    try {
      hop = resolveHops(profile, this._options.profiles)[0]!;
    } catch {
      return Promise.resolve(false);
    }
    const lookUp = this._options.lookup ?? defaultLookup;
    return new Promise<boolean>((resolve) => {
      let done = false;
      let socket: Socket | undefined;
      const finish = (answers: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket?.destroy();
        resolve(answers);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const dial = (address: string) => {
        if (done) return;
        socket = createConnection({ host: address, port: hop.port });
        socket.once('connect', () => finish(true));
        socket.once('error', () => finish(false));
      };
      if (isIP(hop.host)) dial(hop.host);
      else lookUp(hop.host).then((found) => dial(found.address), () => finish(false));
    });
  }

  async connect(profile: HostProfile, options: ConnectOptions = {}): Promise<ISshConnection> {
    const hops = resolveHops(profile, this._options.profiles);
    const links: HopLink[] = [];
    try {
      for (const hop of hops) {
        const previous = links[links.length - 1];
        const sock = previous ? await this._forward(previous, hop, options) : undefined;
        links.push(await this._connectHop(hop, sock, options));
      }
    } catch (err) {
      for (const link of links.reverse()) {
        link.adopt();
        swallowErrorsUntilClose(link.client);
        link.client.destroy();
      }
      throw err;
    }
    return new SshConnection(profile.id, links);
  }

  /** Opens a direct-tcpip channel from the previous hop to this one: the socket this hop's SSH runs over. */
  private _forward(previous: HopLink, hop: Hop, options: ConnectOptions): Promise<ClientChannel> {
    const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err: HoldfastError | undefined, stream?: ClientChannel) => {
        if (settled) {
          if (stream) {
            swallowErrorsUntilClose(stream);
            stream.close();
          }
          return;
        }
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(stream!);
      };
      const onAbort = () => settle(cancelledError(hop));
      const timer = setTimeout(() => settle(timeoutError(hop, timeoutMs)), timeoutMs);
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort);
      previous.client.forwardOut('127.0.0.1', 0, hop.host, hop.port, (err, stream) => {
        if (err) return settle(mapConnectError(Object.assign(err, { level: 'jump' }), hop));
        settle(undefined, stream);
      });
    });
  }

  private _connectHop(hop: Hop, sock: ClientChannel | undefined, options: ConnectOptions): Promise<HopLink> {
    const target = { host: hop.host, port: hop.port, user: hop.user };
    if (options.signal?.aborted) return Promise.reject(cancelledError(target));
    const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

    return new Promise<HopLink>((resolve, reject) => {
      const client = new Client();
      const listeners = new DisposableStore();
      let settled = false;
      let hostKeyError: HoldfastError | undefined;
      let authStarted = false;
      let trustedKey: Buffer | undefined;
      /** The host key is with the verifier (perhaps a person reading its fingerprint). */
      let keyCheckPending = false;
      // After success, until the connection adopts the client, remember what happens to it.
      const seen: { error?: Error; closed: boolean } = { closed: false };

      // Ends with this hop's attempt, however it ends: a prompt still open for it (a host key, a password) is
      // withdrawn, and an answer given later finds nothing to act on.
      const hopAbort = new AbortController();
      const hopSignal = options.signal ? AbortSignal.any([options.signal, hopAbort.signal]) : hopAbort.signal;
      const fail = (err: HoldfastError) => {
        if (settled) return;
        settled = true;
        deadline.clear();
        listeners.dispose();
        hopAbort.abort();
        if (!seen.closed) {
          swallowErrorsUntilClose(client);
          client.destroy();
        }
        if (sock) sock.destroy();
        reject(err);
      };
      const deadline = new Deadline(readyTimeoutMs, () => fail(timeoutError(target, readyTimeoutMs)));
      const prompter = pausingPrompter(this._options.prompter, deadline);
      const verifier = new HostKeyVerifier({
        store: this._options.knownHosts,
        sessionStore: this._options.sessionKnownHosts,
        prompter,
        knownHostsFiles: this._knownHostsFiles,
      });
      const authenticator = new Authenticator(
        { host: hop.host, port: hop.port, user: hop.user, hostId: hop.hostId, privateKeyPath: hop.privateKeyPath, authOrder: hop.authOrder },
        {
          secrets: this._options.secrets,
          prompter,
          agentSocket: this._options.agentSocket ?? defaultAgentSocket(),
          homeDir: this._homeDir,
          unattended: options.unattended,
          signal: hopSignal,
        },
      );

      const onAbort = () => fail(cancelledError(target));
      options.signal?.addEventListener('abort', onAbort);
      listeners.add({ dispose: () => options.signal?.removeEventListener('abort', onAbort) });

      listeners.add(
        listen(client, 'ready', () => {
          if (settled) return;
          settled = true;
          deadline.clear();
          listeners.dispose();
          // Until SshConnection adopts the client, a late error or close must neither crash nor be lost.
          const guard = new DisposableStore();
          guard.add(listen(client, 'error', (err: Error) => (seen.error = err)));
          guard.add(listen(client, 'close', () => (seen.closed = true)));
          authenticator.succeeded().catch(() => {});
          resolve({
            client,
            target,
            ...(trustedKey ? { hostKey: trustedKey } : {}),
            adopt: () => {
              guard.dispose();
              return seen;
            },
          });
        }),
      );
      listeners.add(
        listen(client, 'error', (err: Error & { level?: string }) => {
          // ssh2 reports a failing agent or a key that cannot sign, then carries on with the next method.
          if (err.level === 'agent') return;
          if (err.level === 'client-authentication' && !/All configured authentication methods failed/.test(err.message)) return;
          if (hostKeyError) return fail(hostKeyError);
          if (authStarted && (err.level === 'client-authentication' || /authentication/i.test(err.message))) return fail(authenticator.failure());
          fail(mapConnectError(err, target));
        }),
      );
      listeners.add(
        listen(client, 'close', () => {
          seen.closed = true;
          if (hostKeyError) return fail(hostKeyError);
          if (authStarted) return fail(authenticator.failure());
          const message = keyCheckPending
            ? `${describeTarget(target)} closed the connection while its host key was being checked: the server allows only so long to log in (LoginGraceTime). Connect again to see the key once more.`
            : `${describeTarget(target)} closed the connection before the SSH handshake finished`;
          fail(new HoldfastError({ code: 'NETWORK', message }));
        }),
      );

      const serverHostKey = preferredHostKeyAlgorithms(verifier.knownKeyTypes(hop.host, hop.port));
      const config: ConnectConfig = {
        host: hop.host,
        port: hop.port,
        username: hop.user,
        sock,
        // Our own Deadline replaces ssh2's readyTimeout, which would also run while the user reads a prompt.
        readyTimeout: 0,
        keepaliveInterval: hop.keepalive.intervalSec * 1000,
        keepaliveCountMax: hop.keepalive.countMax,
        algorithms: serverHostKey ? { serverHostKey: serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } : undefined,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          // A re-key presenting the key we already trusted needs no second look.
          if (trustedKey?.equals(key)) return verify(true);
          keyCheckPending = true;
          verifier.verify({ host: hop.host, port: hop.port, hostId: hop.hostId }, key, { unattended: options.unattended, signal: hopSignal }).then(
            () => {
              keyCheckPending = false;
              // The server may have hung up while the user read the fingerprint (LoginGraceTime): ssh2's protocol
              // object is gone then, and answering it would throw inside ssh2.
              if (hopAbort.signal.aborted) return;
              trustedKey = Buffer.from(key);
              verify(true);
            },
            (err: unknown) => {
              keyCheckPending = false;
              if (hopAbort.signal.aborted) return;
              hostKeyError = HoldfastError.from(err);
              verify(false);
            },
          );
        },
        authHandler: (methodsLeft, partialSuccess, next) => {
          authStarted = true;
          authenticator.handler(methodsLeft, partialSuccess, next);
        },
      };
      const start = (address: string) => {
        if (settled) return;
        try {
          client.connect({ ...config, host: address });
        } catch (err) {
          fail(mapConnectError(err, target));
        }
      };
      // The name is resolved here rather than inside ssh2, so that a lookup that fails (or hangs on a broken
      // resolver) is one more cause the deadline and the abort signal cover, and tests can give their own resolver.
      if (sock) start(hop.host);
      else (this._options.lookup ?? defaultLookup)(hop.host).then((found) => start(found.address), (err: unknown) => fail(mapConnectError(err, target)));
    });
  }
}

/**
 * The files OpenSSH reads by default (UserKnownHostsFile, then GlobalKnownHostsFile): the user's own and the
 * machine's, where administrators put the keys of their servers. Missing files are fine.
 */
export function defaultKnownHostsFiles(homeDir: string): string[] {
  return [
    join(homeDir, '.ssh', 'known_hosts'),
    join(homeDir, '.ssh', 'known_hosts2'),
    '/etc/ssh/ssh_known_hosts',
    '/etc/ssh/ssh_known_hosts2',
  ];
}

function defaultLookup(host: string): Promise<{ address: string }> {
  return lookup(host);
}

/** Where the user's agent is: $SSH_AUTH_SOCK, else on Windows PuTTY's Pageant (which ssh2 speaks as 'pageant'). */
export function defaultAgentSocket(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  if (platform === 'win32') return 'pageant';
  return undefined;
}
