// Fakes of Holdfast's own seams for the ssh tests (never of ssh2): in-memory stores and a scripted prompter.
import { DEFAULT_KEEPALIVE, type HostProfile, type Prompt, type PromptAnswer } from '../../shared/model';
import type { DistributiveOmit, IKnownHostsStore, IProfileStore, IPrompter, ISecretStore, KnownHostEntry } from '../interfaces';

export type AskedPrompt = DistributiveOmit<Prompt, 'promptId'>;

/** Answers prompts from a script (function of the prompt) and records every prompt it was shown. */
export class ScriptedPrompter implements IPrompter {
  readonly asked: AskedPrompt[] = [];
  constructor(private readonly _answer: (prompt: AskedPrompt, index: number) => PromptAnswer | Promise<PromptAnswer>) {}

  async ask(prompt: AskedPrompt): Promise<PromptAnswer> {
    this.asked.push(prompt);
    return this._answer(prompt, this.asked.length - 1);
  }

  kinds(): string[] {
    return this.asked.map((p) => p.kind);
  }
}

/** A prompter that must not be asked: it records the prompt and cancels. */
export function silentPrompter(): ScriptedPrompter {
  return new ScriptedPrompter(() => ({ kind: 'cancel' }));
}

export class MemorySecrets implements ISecretStore {
  readonly values = new Map<string, string>();
  constructor(readonly persistent = true) {}
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

export class MemoryKnownHosts implements IKnownHostsStore {
  readonly entries: KnownHostEntry[] = [];
  list() {
    return [...this.entries];
  }
  find(host: string, port: number) {
    return this.entries.filter((e) => e.host === host && e.port === port);
  }
  add(entry: KnownHostEntry) {
    this.entries.push(entry);
  }
  remove(host: string, port: number) {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.host === host && this.entries[i]!.port === port) this.entries.splice(i, 1);
  }
}

export class MemoryProfiles implements IProfileStore {
  readonly byId = new Map<string, HostProfile>();
  constructor(profiles: HostProfile[] = []) {
    for (const p of profiles) this.byId.set(p.id, p);
  }
  list() {
    return [...this.byId.values()];
  }
  get(id: string) {
    return this.byId.get(id);
  }
  put(profile: HostProfile) {
    this.byId.set(profile.id, profile);
  }
  delete(id: string) {
    this.byId.delete(id);
  }
}

let nextId = 1;
export function makeProfile(fields: Partial<HostProfile> & Pick<HostProfile, 'host' | 'port' | 'user'>): HostProfile {
  const id = fields.id ?? `host-${nextId++}`;
  return {
    id,
    name: fields.name ?? id,
    hasPassword: false,
    keepalive: DEFAULT_KEEPALIVE,
    tags: [],
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  };
}
