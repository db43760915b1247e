// The hops in front of a host: its ProxyJump list (OpenSSH syntax) and its jump host profile's own chain.
import { HoldfastError } from '../../shared/contract';
import type { AuthMethod, HostProfile, KeepaliveSettings } from '../../shared/model';
import type { IProfileStore } from '../interfaces';

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** One host to connect to, in order: every jump host, then the target. */
export interface Hop {
  host: string;
  port: number;
  user: string;
  hostId?: string;
  privateKeyPath?: string;
  authOrder?: AuthMethod[];
  keepalive: KeepaliveSettings;
}

/** Parses OpenSSH's ProxyJump value: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated; "none" is empty. */
export function parseProxyJump(value: string | undefined): JumpSpec[] {
  const text = value?.trim();
  if (!text || text.toLowerCase() === 'none') return [];
  return text.split(',').map((part) => parseJump(part.trim(), text));
}

function parseJump(part: string, whole: string): JumpSpec {
  let rest = part.startsWith('ssh://') ? part.slice('ssh://'.length) : part;
  const bad = () =>
    new HoldfastError({ code: 'VALIDATION', message: `"${part}" in ProxyJump "${whole}" is not [user@]host[:port]`, fields: { proxyJump: `"${part}" is not [user@]host[:port]` } });
  if (!rest) throw bad();
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!user) throw bad();
  }
  let host = rest;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  if (!host || /[\s/]/.test(host)) throw bad();
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw bad();
  }
  return { user, host, port };
}

function hopOf(profile: HostProfile): Hop {
  return {
    host: profile.host,
    port: profile.port,
    user: profile.user,
    hostId: profile.id,
    privateKeyPath: profile.privateKeyPath,
    authOrder: profile.authOrder,
    keepalive: profile.keepalive,
  };
}

/**
 * Every hop to reach `profile`, ending with the profile itself. A profile's ProxyJump hops come first, then its
 * jump host's own chain and the jump host (see HostProfileInput.proxyJump). A ProxyJump hop whose name is a
 * profile's name (an ssh_config alias) uses that profile; any other hop uses the target's user, key and
 * keepalives. A jump host chain that comes back to a profile already in it is a VALIDATION error.
 */
export function resolveHops(profile: HostProfile, profiles: IProfileStore): Hop[] {
  return [...chainBefore(profile, profiles, [profile.id], profile), hopOf(profile)];
}

function chainBefore(profile: HostProfile, profiles: IProfileStore, visiting: string[], target: HostProfile): Hop[] {
  const hops: Hop[] = [];
  for (const jump of parseProxyJump(profile.proxyJump)) {
    const alias = profiles.list().find((p) => p.name === jump.host);
    if (alias) {
      const user = jump.user ?? alias.user;
      const port = jump.port ?? alias.port;
      const hop = { ...hopOf(alias), user, port };
      // Another user or port is another account: the alias profile's remembered password is not for it.
      if (user !== alias.user || port !== alias.port) delete hop.hostId;
      hops.push(hop);
    } else {
      hops.push({
        host: jump.host,
        port: jump.port ?? 22,
        user: jump.user ?? target.user,
        privateKeyPath: target.privateKeyPath,
        authOrder: target.authOrder,
        keepalive: target.keepalive,
      });
    }
  }
  if (profile.jumpHostId !== undefined) {
    if (visiting.includes(profile.jumpHostId)) {
      const names = [...visiting, profile.jumpHostId].map((id) => profiles.get(id)?.name ?? id);
      throw new HoldfastError({ code: 'VALIDATION', message: `Jump hosts form a loop: ${names.join(' → ')}`, fields: { jumpHostId: 'This jump host leads back to this host' } });
    }
    const jumpHost = profiles.get(profile.jumpHostId);
    if (!jumpHost) {
      throw new HoldfastError({ code: 'VALIDATION', message: `The jump host of ${profile.name} no longer exists`, fields: { jumpHostId: 'Choose another jump host' } });
    }
    hops.push(...chainBefore(jumpHost, profiles, [...visiting, jumpHost.id], target), hopOf(jumpHost));
  }
  return hops;
}
