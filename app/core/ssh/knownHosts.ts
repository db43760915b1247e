// known_hosts as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain or hashed host lists, wildcards,
// negation, non-default ports as "[host]:port", and @revoked / @cert-authority markers. Read-only: Holdfast
// never writes the user's file.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { matchWildcard } from '../wildcard';
import { keyTypeOfBlob, sha256Fingerprint } from './fingerprint';

export type KnownHostsMarker = 'revoked' | 'cert-authority';

export type KnownHostsHosts =
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }
  | { kind: 'patterns'; patterns: string[] };

export interface KnownHostsEntry {
  marker: KnownHostsMarker | undefined;
  hosts: KnownHostsHosts;
  keyType: string;
  keyBlob: Buffer;
  /** Where the line came from (a file path, or "Holdfast" for its own store), for messages. */
  source: string;
  /** 1-based line number in `source`, 0 when not from a file. */
  line: number;
}

export interface KnownKey {
  keyType: string;
  fingerprint: string;
  source: string;
  line: number;
}

export type HostKeyCheck =
  | { kind: 'match' }
  | { kind: 'revoked' }
  | { kind: 'mismatch'; known: KnownKey[] }
  /** No key of this type is known, but keys of other types are: a downgrade, or a man in the middle. */
  | { kind: 'other-types'; known: KnownKey[] }
  | { kind: 'unknown' };

/** Parses known_hosts text. Comments, blank lines and lines that do not parse are skipped, never fatal. */
export function parseKnownHosts(text: string, source = 'known_hosts'): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const entry = parseLine(lines[i]!, source, i + 1);
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseLine(raw: string, source: string, line: number): KnownHostsEntry | undefined {
  const text = raw.trim();
  if (!text || text.startsWith('#')) return undefined;
  const fields = text.split(/\s+/);
  let marker: KnownHostsMarker | undefined;
  if (fields[0]!.startsWith('@')) {
    const name = fields.shift()!;
    if (name === '@revoked') marker = 'revoked';
    else if (name === '@cert-authority') marker = 'cert-authority';
    else return undefined; // An unknown marker: OpenSSH ignores the line, and so do we.
  }
  const [hostField, keyType, keyBase64] = fields;
  if (!hostField || !keyType || !keyBase64) return undefined;
  const hosts = parseHosts(hostField);
  if (!hosts) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return undefined;
  const keyBlob = Buffer.from(keyBase64, 'base64');
  // The blob names its own type; a line whose two types disagree is corrupt.
  if (keyTypeOfBlob(keyBlob) !== keyType) return undefined;
  return { marker, hosts, keyType, keyBlob, source, line };
}

function parseHosts(field: string): KnownHostsHosts | undefined {
  if (field.startsWith('|')) {
    const parts = field.split('|');
    // "|1|salt|hash": parts = ['', '1', salt, hash]
    if (parts.length !== 4 || parts[1] !== '1') return undefined;
    const salt = Buffer.from(parts[2]!, 'base64');
    const hash = Buffer.from(parts[3]!, 'base64');
    if (salt.length !== 20 || hash.length !== 20) return undefined;
    return { kind: 'hashed', salt, hash };
  }
  const patterns = field.split(',').filter((p) => p.length > 0);
  if (patterns.length === 0) return undefined;
  return { kind: 'patterns', patterns };
}

/** How a host appears in known_hosts: the bare name for port 22, "[name]:port" otherwise. */
export function hostKeyName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` exactly one; case-insensitive for host names. */
export function matchHostPattern(text: string, pattern: string): boolean {
  return matchWildcard(text, pattern, { caseInsensitive: true });
}

/** Whether an entry's host field names this host. A matching negated pattern excludes the host outright. */
export function hostsMatch(hosts: KnownHostsHosts, host: string, port: number): boolean {
  const name = hostKeyName(host, port);
  if (hosts.kind === 'hashed') {
    const digest = createHmac('sha1', hosts.salt).update(name).digest();
    return timingSafeEqual(digest, hosts.hash);
  }
  let matched = false;
  for (const pattern of hosts.patterns) {
    const negated = pattern.startsWith('!');
    if (matchHostPattern(name, negated ? pattern.slice(1) : pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * Checks a presented host key against the entries, as ssh's check_host_key does: a revoked key is refused
 * whatever else matches; a known key of the same type that differs is a mismatch; keys known only for other
 * types make it 'other-types' (OpenSSH asks in that case, with a warning).
 */
export function check(entries: readonly KnownHostsEntry[], host: string, port: number, keyType: string, keyBlob: Buffer): HostKeyCheck {
  const forHost = entries.filter((e) => hostsMatch(e.hosts, host, port));
  const sameKey = (e: KnownHostsEntry) => e.keyBlob.equals(keyBlob);
  if (forHost.some((e) => e.marker === 'revoked' && sameKey(e))) return { kind: 'revoked' };
  const plain = forHost.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.keyType === keyType && sameKey(e))) return { kind: 'match' };
  const sameType = plain.filter((e) => e.keyType === keyType);
  const known = (list: readonly KnownHostsEntry[]): KnownKey[] =>
    list.map((e) => ({ keyType: e.keyType, fingerprint: sha256Fingerprint(e.keyBlob), source: e.source, line: e.line }));
  if (sameType.length > 0) return { kind: 'mismatch', known: known(sameType) };
  // OpenSSH asks here too, but warns that another key is already known: the user must not take it for a first visit.
  if (plain.length > 0) return { kind: 'other-types', known: known(plain) };
  return { kind: 'unknown' };
}

/** Key types known (not revoked) for a host, so the handshake can prefer a type the user already trusts. */
export function knownKeyTypes(entries: readonly KnownHostsEntry[], host: string, port: number): string[] {
  const types = new Set<string>();
  for (const e of entries) if (e.marker === undefined && hostsMatch(e.hosts, host, port)) types.add(e.keyType);
  return [...types];
}
