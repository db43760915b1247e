// From the Add host / Edit host form to a stored HostProfile, and the checks the zod schema cannot make.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { z } from 'zod';
import { HoldfastError } from '../../shared/contract';
import { DEFAULT_KEEPALIVE, type HostProfile, type HostProfileInput } from '../../shared/model';
import type { IProfileStore } from '../interfaces';
import { privateKeyProblem } from '../ssh/keyFile';
import { expandHome } from './paths';

export type ProfileInput = z.output<typeof HostProfileInput>;

/** Empty optional text fields mean "none". */
function optionalText(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * A new profile from form input. The password in the input is not part of the profile: the service keeps it
 * in the secret store and sets `hasPassword` itself.
 */
export function newProfile(input: ProfileInput, now: number): HostProfile {
  return {
    id: randomUUID(),
    name: input.name,
    host: input.host,
    port: input.port,
    user: input.user,
    privateKeyPath: optionalText(input.privateKeyPath),
    hasPassword: false,
    jumpHostId: optionalText(input.jumpHostId),
    proxyJump: optionalText(input.proxyJump),
    authOrder: input.authOrder,
    keepalive: input.keepalive ?? { ...DEFAULT_KEEPALIVE },
    tags: input.tags ?? [],
    ...(input.theme ? { theme: input.theme } : {}),
    ...(input.tmuxMode ? { tmuxMode: input.tmuxMode } : {}),
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * An edited profile. Optional connection fields left out of the input are cleared (the form sends what it
 * shows); `keepalive` and `tags` left out keep their values. Id, creation time, `hasPassword` and
 * `importedFrom` stay as they were.
 */
export function updateProfile(existing: HostProfile, input: ProfileInput, now: number): HostProfile {
  return {
    ...newProfile(input, now),
    id: existing.id,
    hasPassword: existing.hasPassword,
    keepalive: input.keepalive ?? existing.keepalive,
    tags: input.tags ?? existing.tags,
    importedFrom: existing.importedFrom,
    createdAt: existing.createdAt,
  };
}

/**
 * Checks that need the file system or the other profiles: the key file exists and can be read, and the jump
 * host exists and does not lead back to this host. Throws a VALIDATION HoldfastError with per-field messages.
 */
export async function validateProfileInput(
  input: ProfileInput,
  context: { profiles: Pick<IProfileStore, 'list'> | readonly HostProfile[]; homeDir?: string },
): Promise<void> {
  const fields: Record<string, string> = {};

  const keyPath = optionalText(input.privateKeyPath);
  if (keyPath) {
    const problem = await keyFileProblem(expandHome(keyPath, context.homeDir));
    if (problem) fields.privateKeyPath = problem;
  }

  const jumpHostId = optionalText(input.jumpHostId);
  if (jumpHostId) {
    const profiles = Array.isArray(context.profiles) ? context.profiles : (context.profiles as Pick<IProfileStore, 'list'>).list();
    const problem = jumpHostProblem(input.id, jumpHostId, profiles);
    if (problem) fields.jumpHostId = problem;
  }

  if (Object.keys(fields).length > 0) {
    throw new HoldfastError({ code: 'VALIDATION', message: 'Some fields need attention', fields });
  }
}

async function keyFileProblem(file: string): Promise<string | undefined> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    return `No file at ${file}`;
  }
  if (!stat.isFile()) return `${file} is not a file`;
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch {
    return `Holdfast cannot read ${file}`;
  }
  return privateKeyProblem(data, file);
}

function jumpHostProblem(selfId: string | undefined, jumpHostId: string, profiles: readonly HostProfile[]): string | undefined {
  if (selfId !== undefined && jumpHostId === selfId) return 'A host cannot be its own jump host';
  const byId = new Map(profiles.map((p) => [p.id, p]));
  if (!byId.has(jumpHostId)) return 'The jump host no longer exists';
  // Follow the chain of jump hosts; reaching this host again, or any host twice, is a loop.
  const seen = new Set<string>();
  let current: string | undefined = jumpHostId;
  while (current !== undefined) {
    if (current === selfId) return 'This jump host leads back to this host';
    if (seen.has(current)) return 'The jump host chain loops';
    seen.add(current);
    current = byId.get(current)?.jumpHostId;
  }
  return undefined;
}
