// Import from ~/.ssh/config: a preview of the hosts it defines (with what Holdfast cannot apply), then
// profiles for the ones the user picked. Importing the same file twice adds nothing new.
import { HoldfastError } from '../../shared/contract';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HostProfile, ImportCandidate, ImportPreview, KeepaliveSettings } from '../../shared/model';
import { DEFAULT_KEEPALIVE } from '../../shared/model';
import { expandHome } from '../stores/paths';
import { newProfile } from '../stores/profiles';
import { effectiveRules, type LoadedConfig, loadSshConfig, type Rule } from './load';

export interface PreviewImportOptions {
  /** The config file; `~` is expanded. Default: ~/.ssh/config. */
  path?: string;
  homeDir?: string;
  /** The local user name ssh would log in as when the config names none. Default: the current OS user. */
  localUser?: string;
  existing: readonly HostProfile[];
}

/** What Holdfast reads from a host's config; every other directive is reported as not applied. */
const APPLIED = new Set(['hostname', 'user', 'port', 'identityfile', 'proxyjump', 'serveraliveinterval', 'serveralivecountmax']);

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'root';
  }
}

export async function previewImport(options: PreviewImportOptions): Promise<ImportPreview> {
  const homeDir = options.homeDir ?? os.homedir();
  const sourcePath = path.resolve(expandHome(options.path ?? '~/.ssh/config', homeDir));
  const sshDir = path.join(path.resolve(homeDir), '.ssh');
  if (!sourcePath.startsWith(sshDir + path.sep)) {
    // The path comes from a view, which may be a page on another device: it must not probe the file system.
    throw new HoldfastError({
      code: 'VALIDATION',
      message: `Holdfast imports only ssh config files in ${sshDir}`,
      fields: { path: `Choose a file in ${sshDir}` },
    });
  }
  const localUser = options.localUser ?? currentUser();
  // ssh resolves relative Includes against ~/.ssh in a user's config and /etc/ssh in the system-wide one.
  const systemDir = path.resolve('/etc/ssh');
  const includeBase = path.dirname(sourcePath) === systemDir ? systemDir : path.join(homeDir, '.ssh');

  const exists = await fs.stat(sourcePath).then((s) => s.isFile(), () => false);
  if (!exists) return { sourcePath, candidates: [], warnings: [`No ssh config file at ${sourcePath}`] };

  const config = await loadSshConfig(sourcePath, { homeDir, includeBase });
  const warnings = [...config.warnings];
  const candidates = config.aliases.map((alias) => {
    const candidate = resolveCandidate(config, alias, { homeDir, localUser, warnings });
    return { ...candidate, alreadyImported: isAlreadyImported(candidate, options.existing) };
  });
  return { sourcePath, candidates, warnings };
}

interface Context {
  homeDir: string;
  localUser: string;
  warnings: string[];
}

function first(rules: Rule[], key: string): Rule | undefined {
  return rules.find((r) => r.key === key);
}

/** `%%` and `%h` are what ssh expands in HostName. */
function expandHostName(value: string, alias: string): string {
  return value.replace(/%([%h])/g, (_m, t: string) => (t === '%' ? '%' : alias));
}

function parsePort(rule: Rule | undefined, alias: string, ctx: Context): number | undefined {
  if (!rule) return undefined;
  const port = Number(rule.value);
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  ctx.warnings.push(`${alias}: "Port ${rule.value}" is not a port number; using 22`);
  return undefined;
}

function resolveCandidate(config: LoadedConfig, alias: string, ctx: Context): Omit<ImportCandidate, 'alreadyImported'> {
  const rules = effectiveRules(config, alias);
  const unsupported: string[] = [];

  const hostNameRule = first(rules, 'hostname');
  const host = hostNameRule ? expandHostName(hostNameRule.value, alias) : alias;
  const user = first(rules, 'user')?.value ?? ctx.localUser;
  const port = parsePort(first(rules, 'port'), alias, ctx) ?? 22;

  const identityFiles = rules.filter((r) => r.key === 'identityfile');
  let privateKeyPath: string | undefined;
  if (identityFiles[0]) {
    privateKeyPath = expandIdentityFile(identityFiles[0].value, { alias, host, port, user }, ctx);
    // Holdfast tries one key file per profile (plus the agent); ssh would also try these.
    for (const extra of identityFiles.slice(1)) unsupported.push(`${extra.param} ${extra.value}`);
  }

  // ProxyJump and ProxyCommand exclude each other in ssh; whichever comes first wins.
  const jumpRule = first(rules, 'proxyjump');
  const commandRule = first(rules, 'proxycommand');
  let proxyJump: string | undefined;
  if (jumpRule && (!commandRule || rules.indexOf(jumpRule) < rules.indexOf(commandRule))) {
    proxyJump = resolveProxyJump(config, jumpRule.value, ctx);
  }

  const keepalive = readKeepalive(rules, alias, unsupported, ctx);

  for (const rule of rules) {
    if (APPLIED.has(rule.key)) continue;
    if (rule.key === 'proxycommand' && proxyJump !== undefined) continue;
    unsupported.push(`${rule.param} ${rule.value}`);
  }

  return { alias, host, port, user, privateKeyPath, proxyJump, keepalive, unsupported };
}

function readKeepalive(rules: Rule[], alias: string, unsupported: string[], ctx: Context): KeepaliveSettings | undefined {
  const intervalRule = first(rules, 'serveraliveinterval');
  const countRule = first(rules, 'serveralivecountmax');
  if (!intervalRule && !countRule) return undefined;
  const interval = intervalRule ? Number(intervalRule.value) : DEFAULT_KEEPALIVE.intervalSec;
  const count = countRule ? Number(countRule.value) : 3; // ssh's own default for ServerAliveCountMax
  // 0 turns keepalives off in ssh; Holdfast needs them to notice a dead link, so it keeps its default.
  if (!Number.isInteger(interval) || interval < 1) {
    if (intervalRule) unsupported.push(`${intervalRule.param} ${intervalRule.value}`);
    return undefined;
  }
  if (!Number.isInteger(count) || count < 1) {
    if (countRule) unsupported.push(`${countRule.param} ${countRule.value}`);
    return undefined;
  }
  const clamped = { intervalSec: Math.min(interval, 3600), countMax: Math.min(count, 100) };
  if (clamped.intervalSec !== interval || clamped.countMax !== count) {
    ctx.warnings.push(`${alias}: keepalive limited to every ${clamped.intervalSec} s, ${clamped.countMax} tries`);
  }
  return clamped;
}

/** IdentityFile with `~`, `${ENV}` and the simple `%` tokens ssh expands. Unknown tokens are kept and reported. */
function expandIdentityFile(value: string, target: { alias: string; host: string; port: number; user: string }, ctx: Context): string {
  const tokens: Record<string, string> = {
    '%': '%',
    d: ctx.homeDir,
    u: ctx.localUser,
    h: target.host,
    r: target.user,
    p: String(target.port),
    n: target.alias,
    l: os.hostname(),
    L: os.hostname().split('.')[0] ?? '',
    i: String(process.getuid?.() ?? ''),
  };
  const unknown: string[] = [];
  let expanded = value.replace(/%(.)/g, (match, t: string) => {
    const replacement = tokens[t];
    if (replacement === undefined) unknown.push(match);
    return replacement ?? match;
  });
  expanded = expanded.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => process.env[name] ?? match);
  if (unknown.length > 0) ctx.warnings.push(`${target.alias}: IdentityFile ${value}: Holdfast does not expand ${unknown.join(', ')}`);
  return expandHome(expanded, ctx.homeDir);
}

/**
 * ProxyJump hops, each resolved through the config as ssh would (its HostName, User, Port, and the `Host *`
 * defaults), written as `user@host:port` so the connector needs no ssh_config of its own.
 */
function resolveProxyJump(config: LoadedConfig, value: string, ctx: Context): string | undefined {
  if (value.trim().toLowerCase() === 'none') return undefined;
  return value
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
    .map((hop) => {
      const parsed = parseHop(hop);
      const rules = effectiveRules(config, parsed.host);
      const hostNameRule = first(rules, 'hostname');
      const host = hostNameRule ? expandHostName(hostNameRule.value, parsed.host) : parsed.host;
      const user = parsed.user ?? first(rules, 'user')?.value ?? ctx.localUser;
      const port = parsed.port ?? parsePort(first(rules, 'port'), parsed.host, ctx) ?? 22;
      return formatAddress(user, host, port);
    })
    .join(',');
}

function parseHop(hop: string): { user?: string; host: string; port?: number } {
  let rest = hop.replace(/^ssh:\/\//i, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] ? Number(bracketed[2]) : undefined;
  } else {
    const withPort = /^([^:]+):(\d+)$/.exec(rest);
    if (withPort) {
      host = withPort[1]!;
      port = Number(withPort[2]);
    }
  }
  return { user: user || undefined, host, port };
}

/** `user@host:port`, with an IPv6 address in brackets. */
export function formatAddress(user: string, host: string, port: number): string {
  return `${user}@${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function isAlreadyImported(candidate: Pick<ImportCandidate, 'alias' | 'host' | 'port' | 'user'>, existing: readonly HostProfile[]): boolean {
  return existing.some(
    (p) =>
      p.importedFrom === candidate.alias ||
      (p.name === candidate.alias && p.host === candidate.host && p.port === candidate.port && p.user === candidate.user),
  );
}

/**
 * New profiles for the candidates that are not imported yet (checked again here, not taken from the
 * candidate's flag), named after their alias. ProxyJump hops that are also profiles are linked to them, so a
 * hop uses its own key and keepalive: a single hop becomes the jump host (`jumpHostId`, which like ssh also
 * follows that host's own jumps); in a chain each such hop is written as the profile's name, which the
 * connector looks up.
 */
export function applyImport(candidates: readonly ImportCandidate[], existing: readonly HostProfile[], now: number): HostProfile[] {
  const created: HostProfile[] = [];
  for (const candidate of candidates) {
    if (isAlreadyImported(candidate, [...existing, ...created])) continue;
    created.push({
      ...newProfile(
        {
          name: candidate.alias,
          host: candidate.host,
          port: candidate.port,
          user: candidate.user,
          privateKeyPath: candidate.privateKeyPath,
          proxyJump: candidate.proxyJump,
          keepalive: candidate.keepalive,
        },
        now,
      ),
      importedFrom: candidate.alias,
    });
  }

  const all = [...created, ...existing];
  const byId = new Map(all.map((p) => [p.id, p]));
  const profileAt = (address: string, self: HostProfile) =>
    all.find((p) => p.id !== self.id && formatAddress(p.user, p.host, p.port) === address);
  for (const profile of created) {
    if (!profile.proxyJump) continue;
    const hops = profile.proxyJump.split(',');
    if (hops.length === 1) {
      const hop = profileAt(hops[0]!, profile);
      if (hop && !leadsTo(hop.id, profile.id, byId)) {
        profile.jumpHostId = hop.id;
        profile.proxyJump = undefined;
      }
      continue;
    }
    profile.proxyJump = hops
      .map((address) => {
        const hop = profileAt(address, profile);
        return hop && usableAsHopName(hop.name, all) ? hop.name : address;
      })
      .join(',');
  }
  return created;
}

/** A name the connector can find as a ProxyJump hop: one token, and no other profile has it. */
function usableAsHopName(name: string, profiles: readonly HostProfile[]): boolean {
  return /^[^\s@:,/[\]]+$/.test(name) && profiles.filter((p) => p.name === name).length === 1;
}

function leadsTo(from: string, target: string, byId: Map<string, HostProfile>): boolean {
  const seen = new Set<string>();
  for (let id: string | undefined = from; id !== undefined && !seen.has(id); id = byId.get(id)?.jumpHostId) {
    if (id === target) return true;
    seen.add(id);
  }
  return false;
}
