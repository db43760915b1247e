// Stores and prompters for tests: core's own in-memory stores, a profile store, and a scripted prompter.
import { DEFAULT_KEEPALIVE, type HostProfile, type Prompt, type PromptAnswer } from '../../shared/model';
import type { DistributiveOmit, IProfileStore, IPrompter } from '../interfaces';
import { MemorySecretStore } from '../stores/memorySecretStore';

export { MemoryKnownHostsStore } from '../stores/memoryKnownHostsStore';
export { MemorySecretStore } from '../stores/memorySecretStore';
export { MemorySettingsStore } from '../stores/settingsStore';
export { MemoryWorkspaceStore } from '../stores/workspaceStore';

/** A secret store that says it persists, as the OS keychain does (the web host's does not). */
export function keychain(): MemorySecretStore {
  return new MemorySecretStore({ persistent: true });
}

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
