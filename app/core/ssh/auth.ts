// Client authentication as OpenSSH does it: agent keys, then key files, then keyboard-interactive, then
// password (or the profile's own order), asking the user through IPrompter. Every re-ask is bounded, a
// remembered secret that turns out wrong is forgotten, and an unattended reconnect never asks anyone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyAuthMethod, AuthHandlerMiddleware, NextAuthHandler, ParsedKey } from 'ssh2';
import { utils } from './ssh2';
import { HoldfastError } from '../../shared/contract';
import type { AuthMethod } from '../../shared/model';
import type { IPrompter, ISecretStore } from '../interfaces';

/** OpenSSH's NumberOfPasswordPrompts: how often one secret is asked for before giving up on it. */
export const MAX_SECRET_PROMPTS = 3;

export const DEFAULT_AUTH_ORDER: readonly AuthMethod[] = ['agent', 'publickey', 'keyboard-interactive', 'password'];
const DEFAULT_KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface AuthTarget {
  host: string;
  port: number;
  user: string;
  /** The profile behind this hop; secrets are remembered per profile, so a hop without one remembers nothing. */
  hostId?: string;
  privateKeyPath?: string;
  authOrder?: readonly AuthMethod[];
}

export interface AuthContext {
  secrets: ISecretStore;
  prompter: IPrompter;
  agentSocket?: string;
  homeDir: string;
  unattended?: boolean;
  signal?: AbortSignal;
}

type Step =
  | { kind: 'agent' }
  | { kind: 'key'; path: string }
  | { kind: 'keyboard-interactive' }
  | { kind: 'password' };

type Attempt =
  | { kind: 'none' }
  | { kind: 'agent' }
  | { kind: 'key'; path: string }
  | { kind: 'keyboard-interactive'; answered: boolean }
  | { kind: 'password'; fromStore: boolean };

const sshMethodOf: Record<Step['kind'], string> = {
  agent: 'publickey',
  key: 'publickey',
  'keyboard-interactive': 'keyboard-interactive',
  password: 'password',
};

export function expandHome(path: string, homeDir: string): string {
  if (path === '~') return homeDir;
  if (path.startsWith('~/')) return join(homeDir, path.slice(2));
  return path;
}

export function passwordKey(hostId: string): string {
  return `password:${hostId}`;
}

export function passphraseKey(keyPath: string): string {
  return `passphrase:${keyPath}`;
}

/** One authentication run for one hop. `handler` goes to ssh2's `authHandler`. */
export class Authenticator {
  private readonly _queue: Step[];
  private _last: Attempt | undefined;
  private _serverMethods: string[] | undefined;
  private _passwordPrompts = 0;
  private _passwordFailures = 0;
  private _storedPasswordTried = false;
  private _kbdAttempts = 0;
  private _cancelled = false;
  /** A password typed in this run, kept once the server accepts it. */
  private _pendingPassword: { value: string; remember: boolean } | undefined;
  private readonly _rejected: string[] = [];
  private readonly _notes: string[] = [];
  private _fatal: HoldfastError | undefined;

  constructor(
    private readonly _target: AuthTarget,
    private readonly _ctx: AuthContext,
  ) {
    this._queue = this._plan();
  }

  /** The user cancelled a prompt, so a failure is theirs to know about, not a fault to retry. */
  get cancelled(): boolean {
    return this._cancelled;
  }

  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partialSuccess, next: NextAuthHandler) => {
    if (methodsLeft) this._serverMethods = methodsLeft;
    this._next(methodsLeft ?? undefined).then(
      (method) => next((method ?? false) as AnyAuthMethod),
      (err: unknown) => {
        this._fatal = HoldfastError.from(err);
        next(false as unknown as AnyAuthMethod);
      },
    );
  };

  /** Authentication succeeded: keep the password, remembered if the user asked, else for this session only. */
  async succeeded(): Promise<void> {
    const { hostId } = this._target;
    const pending = this._pendingPassword;
    this._pendingPassword = undefined;
    if (!pending || !hostId) return;
    if (pending.remember) await this._ctx.secrets.set(passwordKey(hostId), pending.value);
    else await this._ctx.secrets.keepForSession?.(passwordKey(hostId), pending.value);
  }

  /** Why authentication ended without success, as the error the connector rejects with. */
  failure(): HoldfastError {
    if (this._fatal) return this._fatal;
    const who = `${this._target.user}@${this._target.host}`;
    if (this._cancelled) return new HoldfastError({ code: 'CANCELLED', message: `Signing in as ${who} was cancelled` });
    const rejected = this._rejected.length ? `server rejected ${this._rejected.join(', ')}` : 'no usable authentication method';
    const accepts = this._serverMethods?.length ? ` (the server accepts: ${this._serverMethods.join(', ')})` : '';
    // A key that could not be used at all is most likely why: it leads, rather than hiding at the end.
    const keyNotes = this._notes.filter((n) => n.startsWith('key '));
    const otherNotes = this._notes.filter((n) => !n.startsWith('key '));
    const lead = keyNotes.length ? `${keyNotes.map((n) => `The ${n}`).join('. ')}. ` : '';
    const notes = otherNotes.length ? `. ${otherNotes.join('; ')}` : '';
    return new HoldfastError({ code: 'AUTH_FAILED', message: `${lead}Authentication failed for ${who}: ${rejected}${accepts}${notes}` });
  }

  private _plan(): Step[] {
    const order = this._target.authOrder?.length ? this._target.authOrder : DEFAULT_AUTH_ORDER;
    const steps: Step[] = [];
    for (const method of new Set(order)) {
      switch (method) {
        case 'agent':
          if (this._ctx.agentSocket) steps.push({ kind: 'agent' });
          break;
        case 'publickey':
          for (const path of this._keyFiles()) steps.push({ kind: 'key', path });
          break;
        case 'keyboard-interactive':
          steps.push({ kind: 'keyboard-interactive' });
          break;
        case 'password':
          steps.push({ kind: 'password' });
          break;
      }
    }
    return steps;
  }

  private _keyFiles(): string[] {
    const { privateKeyPath } = this._target;
    if (privateKeyPath) return [expandHome(privateKeyPath, this._ctx.homeDir)];
    return DEFAULT_KEY_FILES.map((name) => join(this._ctx.homeDir, '.ssh', name)).filter((path) => existsSync(path));
  }

  private async _next(methodsLeft: string[] | undefined): Promise<AnyAuthMethod | undefined> {
    this._recordFailure();
    const username = this._target.user;
    // Ask with "none" first, as OpenSSH does: it learns which methods the server takes before asking the user.
    if (!this._last) {
      this._last = { kind: 'none' };
      return { type: 'none', username };
    }
    for (;;) {
      if (this._ctx.signal?.aborted) return undefined;
      const step = this._queue.shift();
      if (!step) return undefined;
      if (methodsLeft && !methodsLeft.includes(sshMethodOf[step.kind])) continue;
      const method = await this._attempt(step, username);
      if (method) return method;
    }
  }

  /** The previous attempt failed (the handler is only called again after a failure): account for it. */
  private _recordFailure(): void {
    const last = this._last;
    if (!last) return;
    switch (last.kind) {
      case 'agent':
        this._rejected.push('the agent keys');
        break;
      case 'key':
        this._rejected.push(`key ${last.path}`);
        break;
      case 'keyboard-interactive':
        if (!this._rejected.includes('keyboard-interactive')) this._rejected.push('keyboard-interactive');
        if (last.answered && !this._ctx.unattended && this._kbdAttempts < MAX_SECRET_PROMPTS) {
          this._queue.unshift({ kind: 'keyboard-interactive' });
        }
        break;
      case 'password':
        this._passwordFailures++;
        this._pendingPassword = undefined;
        if (last.fromStore && this._target.hostId) void this._ctx.secrets.delete(passwordKey(this._target.hostId));
        if (!this._rejected.includes('the password')) this._rejected.push('the password');
        if (!this._ctx.unattended && this._passwordPrompts < MAX_SECRET_PROMPTS) this._queue.unshift({ kind: 'password' });
        break;
    }
    this._last = { kind: 'none' }; // until the next attempt is chosen
  }

  private async _attempt(step: Step, username: string): Promise<AnyAuthMethod | undefined> {
    switch (step.kind) {
      case 'agent':
        this._last = { kind: 'agent' };
        return { type: 'agent', username, agent: this._ctx.agentSocket! };
      case 'key': {
        const key = await this._loadKey(step.path);
        if (!key) return undefined;
        this._last = { kind: 'key', path: step.path };
        return { type: 'publickey', username, key };
      }
      case 'keyboard-interactive': {
        if (this._ctx.unattended) {
          this._note('keyboard-interactive needs a person, and an automatic reconnect does not ask');
          return undefined;
        }
        this._kbdAttempts++;
        const attempt: Attempt = { kind: 'keyboard-interactive', answered: false };
        this._last = attempt;
        return {
          type: 'keyboard-interactive',
          username,
          prompt: (name, instructions, _lang, prompts, finish) => {
            this._ctx.prompter
              .ask(
                {
                  kind: 'keyboard-interactive',
                  hostId: this._target.hostId,
                  host: this._target.host,
                  port: this._target.port,
                  user: username,
                  name,
                  instructions,
                  prompts: prompts.map((p) => ({ prompt: p.prompt, echo: p.echo === true })),
                },
                this._ctx.signal,
              )
              .then(
                (answer) => {
                  if (answer.kind === 'keyboard-interactive') {
                    attempt.answered = true;
                    finish(answer.responses);
                  } else {
                    this._cancelled = true;
                    finish([]);
                  }
                },
                () => {
                  this._cancelled = true;
                  finish([]);
                },
              );
          },
        };
      }
      case 'password': {
        const password = await this._password();
        if (password === undefined) return undefined;
        return { type: 'password', username, password };
      }
    }
  }

  private async _password(): Promise<string | undefined> {
    const { hostId } = this._target;
    if (!this._storedPasswordTried && hostId) {
      this._storedPasswordTried = true;
      const stored = await this._ctx.secrets.get(passwordKey(hostId));
      if (stored !== undefined) {
        this._last = { kind: 'password', fromStore: true };
        return stored;
      }
    }
    if (this._ctx.unattended) {
      this._note('no remembered password, and an automatic reconnect does not ask');
      return undefined;
    }
    if (this._passwordPrompts >= MAX_SECRET_PROMPTS) return undefined;
    this._passwordPrompts++;
    const answer = await this._ctx.prompter.ask(
      {
        kind: 'password',
        hostId,
        host: this._target.host,
        port: this._target.port,
        user: this._target.user,
        retry: this._passwordFailures > 0 ? true : undefined,
        canRemember: this._canRemember(),
      },
      this._ctx.signal,
    );
    if (answer.kind !== 'secret') {
      this._cancelled = true;
      return undefined;
    }
    this._pendingPassword = { value: answer.value, remember: answer.remember && this._canRemember() };
    this._last = { kind: 'password', fromStore: false };
    return answer.value;
  }

  private _canRemember(): boolean {
    // The web host's store is memory-only: remembering there lasts until it stops (AppInfo.secretsPersist says which).
    return this._target.hostId !== undefined;
  }

  /** Reads and, if needed, decrypts a key file, asking for its passphrase. Undefined skips the key. */
  private async _loadKey(path: string): Promise<ParsedKey | undefined> {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      this._note(`key ${path} could not be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      return undefined;
    }
    const plain = parse(data);
    if (!(plain instanceof Error)) return plain;
    if (!/passphrase/i.test(plain.message)) {
      this._note(`key ${path} is not a private key Holdfast can use (${plain.message})`);
      return undefined;
    }

    const storeKey = passphraseKey(path);
    const stored = await this._ctx.secrets.get(storeKey);
    if (stored !== undefined) {
      const key = parse(data, stored);
      if (!(key instanceof Error)) return key;
      await this._ctx.secrets.delete(storeKey);
    }
    if (this._ctx.unattended) {
      this._note(`key ${path} is encrypted, has no remembered passphrase, and an automatic reconnect does not ask`);
      return undefined;
    }
    let wrong = stored !== undefined;
    for (let i = 0; i < MAX_SECRET_PROMPTS; i++) {
      const answer = await this._ctx.prompter.ask(
        {
          kind: 'passphrase',
          hostId: this._target.hostId,
          host: this._target.host,
          port: this._target.port,
          user: this._target.user,
          keyPath: path,
          retry: wrong ? true : undefined,
          canRemember: true,
        },
        this._ctx.signal,
      );
      if (answer.kind !== 'secret') {
        // OpenSSH skips a key whose passphrase prompt is left empty; cancelling does the same here.
        this._note(`key ${path} was skipped (passphrase not given)`);
        return undefined;
      }
      const key = parse(data, answer.value);
      if (!(key instanceof Error)) {
        if (answer.remember) await this._ctx.secrets.set(storeKey, answer.value);
        else await this._ctx.secrets.keepForSession?.(storeKey, answer.value);
        return key;
      }
      wrong = true;
    }
    this._note(`wrong passphrase for ${path} (${MAX_SECRET_PROMPTS} tries)`);
    return undefined;
  }

  private _note(note: string): void {
    if (!this._notes.includes(note)) this._notes.push(note);
  }
}

function parse(data: Buffer, passphrase?: string): ParsedKey | Error {
  const result = utils.parseKey(data, passphrase);
  const key = Array.isArray(result) ? (result[0] as ParsedKey | undefined) : result;
  if (!key) return new Error('no key in file');
  if (!(key instanceof Error) && !key.isPrivateKey()) return new Error('not a private key');
  return key;
}
