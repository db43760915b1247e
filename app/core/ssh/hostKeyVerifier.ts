// Decides whether to trust the key a server presents, before anything else is sent to it. ~/.ssh/known_hosts is
// only read; keys the user accepts in Holdfast go to Holdfast's own store. The connector runs this inside ssh2's
// hostVerifier callback, so a refusal ends the handshake before any password or key signature leaves.
import { readFileSync } from 'node:fs';
import { HoldfastError } from '../../shared/contract';
import type { IKnownHostsStore, IPrompter } from '../interfaces';
import { describeTarget } from './errors';
import { keyTypeOfBlob, sha256Fingerprint } from './fingerprint';
import { check, hostKeyName, knownKeyTypes, parseKnownHosts, type KnownHostsEntry, type KnownKey } from './knownHosts';

export const HOLDFAST_STORE_SOURCE = "Holdfast's known hosts";
export const SESSION_STORE_SOURCE = 'keys accepted once in this session';

export interface HostKeyTarget {
  host: string;
  port: number;
  /** The profile behind this host, if any (jump hops from ProxyJump have none). */
  hostId?: string;
}

export interface HostKeyVerifierOptions {
  store: IKnownHostsStore;
  /** Keys accepted once (without "remember"): trusted until the app stops, so reconnects need not ask. */
  sessionStore?: IKnownHostsStore;
  prompter: IPrompter;
  /** OpenSSH known_hosts files to read (never written). Missing files are fine. */
  knownHostsFiles: readonly string[];
  /** For tests: how a file is read; undefined when it does not exist. */
  readFile?: (path: string) => string | undefined;
}

export interface VerifyOptions {
  /** Automatic reconnects never ask: an unknown key is a failure. */
  unattended?: boolean;
  signal?: AbortSignal;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export class HostKeyVerifier {
  private readonly _readFile: (path: string) => string | undefined;

  constructor(private readonly _options: HostKeyVerifierOptions) {
    this._readFile = _options.readFile ?? readIfExists;
  }

  /** Every entry that could speak for this host: the user's files (read afresh each time) and Holdfast's store. */
  entriesFor(host: string, port: number): KnownHostsEntry[] {
    const entries: KnownHostsEntry[] = [];
    for (const file of this._options.knownHostsFiles) {
      const text = this._readFile(file);
      if (text !== undefined) entries.push(...parseKnownHosts(text, file));
    }
    const stores: Array<[IKnownHostsStore, string]> = [[this._options.store, HOLDFAST_STORE_SOURCE]];
    if (this._options.sessionStore) stores.push([this._options.sessionStore, SESSION_STORE_SOURCE]);
    for (const [store, source] of stores) for (const stored of store.find(host, port)) {
      const keyBlob = Buffer.from(stored.key, 'base64');
      entries.push({
        marker: undefined,
        hosts: { kind: 'patterns', patterns: [hostKeyName(stored.host, stored.port)] },
        keyType: stored.keyType,
        keyBlob,
        source,
        line: 0,
      });
    }
    return entries;
  }

  /** Key types already trusted for the host, to be preferred in the handshake (as OpenSSH orders HostKeyAlgorithms). */
  knownKeyTypes(host: string, port: number): string[] {
    return knownKeyTypes(this.entriesFor(host, port), host, port);
  }

  /** Resolves when the key is trusted; rejects with HOST_KEY_REVOKED, HOST_KEY_CHANGED or HOST_KEY_REJECTED. */
  async verify(target: HostKeyTarget, keyBlob: Buffer, options: VerifyOptions = {}): Promise<void> {
    const where = describeTarget(target);
    const keyType = keyTypeOfBlob(keyBlob);
    if (!keyType) throw new HoldfastError({ code: 'HOST_KEY_REJECTED', message: `${where} presented a host key Holdfast cannot read` });
    const fingerprint = sha256Fingerprint(keyBlob);
    const result = check(this.entriesFor(target.host, target.port), target.host, target.port, keyType, keyBlob);

    switch (result.kind) {
      case 'match':
        return;
      case 'revoked':
        throw new HoldfastError({
          code: 'HOST_KEY_REVOKED',
          message: `The host key of ${where} (${keyType} ${fingerprint}) is marked @revoked in known_hosts; Holdfast will not connect with it.`,
        });
      case 'mismatch':
        throw changedError(where, target.host, keyType, fingerprint, result.known);
      case 'other-types':
      case 'unknown':
        break;
    }
    const otherKeys = result.kind === 'other-types' ? result.known.map((k) => ({ keyType: k.keyType, fingerprint: k.fingerprint, source: k.source })) : undefined;

    if (options.unattended) {
      throw new HoldfastError({
        code: 'HOST_KEY_REJECTED',
        message: otherKeys
          ? `${where} presented a ${keyType} host key (${fingerprint}), but Holdfast knows its ${otherKeys.map((k) => k.keyType).join(', ')} key instead; an automatic reconnect does not accept that.`
          : `The host key of ${where} (${keyType} ${fingerprint}) is not known, and an automatic reconnect does not ask.`,
        hint: 'Connect by hand once to check and accept the key.',
      });
    }

    const answer = await this._options.prompter.ask(
      { kind: 'host-key', hostId: target.hostId, host: target.host, port: target.port, keyType, fingerprint, ...(otherKeys ? { otherKeys } : {}) },
      options.signal,
    );
    if (answer.kind !== 'host-key') {
      throw new HoldfastError({ code: 'HOST_KEY_REJECTED', message: `The host key of ${where} (${keyType} ${fingerprint}) was not accepted.` });
    }
    const accepted = { host: target.host, port: target.port, keyType, key: keyBlob.toString('base64'), addedAt: Date.now() };
    if (answer.remember) this._options.store.add(accepted);
    else this._options.sessionStore?.add(accepted);
  }
}

function changedError(where: string, host: string, keyType: string, fingerprint: string, known: KnownKey[]): HoldfastError {
  const was = known.map((k) => `${k.keyType} ${k.fingerprint} (in ${k.source}${k.line ? `, line ${k.line}` : ''})`).join('; ');
  const inFiles = [...new Set(known.filter((k) => k.source !== HOLDFAST_STORE_SOURCE && k.source !== SESSION_STORE_SOURCE).map((k) => k.source))];
  const inStore = known.some((k) => k.source === HOLDFAST_STORE_SOURCE || k.source === SESSION_STORE_SOURCE);
  const steps: string[] = [];
  if (inStore) steps.push('choose "Replace stored key" and accept the new key when Holdfast asks on the next connect');
  if (inFiles.length) steps.push(`remove the old key from ${inFiles.join(', ')} (e.g. \`ssh-keygen -R ${host}\`); Holdfast never edits that file`);
  return new HoldfastError({
    code: 'HOST_KEY_CHANGED',
    message:
      `The host key of ${where} has changed. It was ${was}; the server now presents ${keyType} ${fingerprint}. ` +
      'Someone could be intercepting the connection, or the server was reinstalled. Nothing was sent to the server.',
    hint: `Replacing the key takes an explicit confirmation: if you know why it changed, ${steps.join(', then ')}.`,
  });
}
