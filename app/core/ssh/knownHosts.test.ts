import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Fingerprint } from './fingerprint';
import { check, hostsMatch, knownKeyTypes, matchHostPattern, parseKnownHosts } from './knownHosts';

const dir = mkdtempSync(join(tmpdir(), 'hf-kh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Key {
  type: string;
  base64: string;
  blob: Buffer;
}
let counter = 0;
function generate(type: 'ed25519' | 'rsa' | 'ecdsa'): Key {
  const path = join(dir, `key${counter++}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path], { stdio: 'ignore' });
  const [keyType, base64] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/);
  return { type: keyType!, base64: base64!, blob: Buffer.from(base64!, 'base64') };
}

let a: Key; // ed25519 of host A
let b: Key; // ed25519 of another host
let rsa: Key;
let ca: Key;
beforeAll(() => {
  a = generate('ed25519');
  b = generate('ed25519');
  rsa = generate('rsa');
  ca = generate('ecdsa');
});

const line = (hosts: string, k: Key, comment = '') => `${hosts} ${k.type} ${k.base64}${comment ? ` ${comment}` : ''}`;

describe('known_hosts parsing', () => {
  it('skips comments, blank lines, unknown markers and garbage without losing the good lines', () => {
    const text = [
      '# a comment',
      '',
      '   ',
      'just-one-field',
      'host ssh-ed25519 not*base64',
      `host ssh-rsa ${a.base64}`, // type and blob disagree
      '|1|tooshort|x ssh-ed25519 AAAA',
      `@unknown host ${a.type} ${a.base64}`,
      line('good.example', a, 'comment words here'),
      `@cert-authority *.example ${ca.type} ${ca.base64}`,
      `@revoked bad.example ${b.type} ${b.base64}`,
    ].join('\r\n');
    const entries = parseKnownHosts(text, '/x/known_hosts');
    expect(entries.map((e) => [e.marker, e.line])).toEqual([
      [undefined, 9],
      ['cert-authority', 10],
      ['revoked', 11],
    ]);
    expect(entries[0]!.source).toBe('/x/known_hosts');
  });
});

describe('host matching', () => {
  it('matches wildcards the way OpenSSH does', () => {
    expect(matchHostPattern('web1.example.com', '*.example.com')).toBe(true);
    expect(matchHostPattern('example.com', '*.example.com')).toBe(false);
    expect(matchHostPattern('web1.example.com', 'web?.example.com')).toBe(true);
    expect(matchHostPattern('web10.example.com', 'web?.example.com')).toBe(false);
    expect(matchHostPattern('WEB1.Example.com', 'web1.example.COM')).toBe(true);
    expect(matchHostPattern('abcabcd', '*abcd')).toBe(true);
    expect(matchHostPattern('anything', '*')).toBe(true);
  });

  it('needs "[host]:port" for a non-default port and the bare name for port 22', () => {
    const entries = parseKnownHosts([line('plain.example', a), line('[odd.example]:2222', b)].join('\n'));
    expect(check(entries, 'plain.example', 22, a.type, a.blob)).toEqual({ kind: 'match' });
    expect(check(entries, 'plain.example', 2222, a.type, a.blob)).toEqual({ kind: 'unknown' });
    expect(check(entries, 'odd.example', 2222, b.type, b.blob)).toEqual({ kind: 'match' });
    expect(check(entries, 'odd.example', 22, b.type, b.blob)).toEqual({ kind: 'unknown' });
  });

  it('lets a negated pattern exclude a host that a wildcard on the same line would include', () => {
    const entries = parseKnownHosts(line('*.example.com,!evil.example.com,10.0.0.?', a));
    const hosts = entries[0]!.hosts;
    expect(hostsMatch(hosts, 'web.example.com', 22)).toBe(true);
    expect(hostsMatch(hosts, 'evil.example.com', 22)).toBe(false);
    expect(hostsMatch(hosts, '10.0.0.7', 22)).toBe(true);
    expect(hostsMatch(hosts, '10.0.0.77', 22)).toBe(false);
  });

  it('agrees with ssh-keygen -F on which hosts a plain file names', () => {
    const file = join(dir, 'plain_hosts');
    writeFileSync(file, [line('*.example.com,!evil.example.com', a), line('[db.example.org]:2200,alias', b)].join('\n') + '\n');
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    for (const [host, port] of [
      ['web.example.com', 22],
      ['evil.example.com', 22],
      ['db.example.org', 2200],
      ['db.example.org', 22],
      ['alias', 22],
      ['other', 22],
    ] as const) {
      const name = port === 22 ? host : `[${host}]:${port}`;
      const keygen = keygenFinds(file, name);
      const ours = entries.some((e) => hostsMatch(e.hosts, host, port));
      expect({ name, ours }).toEqual({ name, ours: keygen });
    }
  });
});

function keygenFinds(file: string, name: string): boolean {
  try {
    return execFileSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false; // exit status 1: not found
  }
}

describe('hashed entries (ssh-keygen -H)', () => {
  let entries: ReturnType<typeof parseKnownHosts>;
  beforeAll(() => {
    const file = join(dir, 'hashed_hosts');
    writeFileSync(file, [line('hashed.example', a), line('[hashed.example]:2022', b), line('10.1.2.3', rsa)].join('\n') + '\n');
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('hashed.example');
    expect(text.split('\n').filter((l) => l.startsWith('|1|'))).toHaveLength(3);
    entries = parseKnownHosts(text);
  });

  it('matches a hashed host name and its hashed [host]:port form', () => {
    expect(entries).toHaveLength(3);
    expect(check(entries, 'hashed.example', 22, a.type, a.blob)).toEqual({ kind: 'match' });
    expect(check(entries, 'HASHED.example', 22, a.type, a.blob)).toEqual({ kind: 'match' });
    expect(check(entries, 'hashed.example', 2022, b.type, b.blob)).toEqual({ kind: 'match' });
    expect(check(entries, '10.1.2.3', 22, rsa.type, rsa.blob)).toEqual({ kind: 'match' });
  });

  it('reports a different key of the same type under a hashed name as a mismatch', () => {
    const result = check(entries, 'hashed.example', 22, b.type, b.blob);
    expect(result).toEqual({ kind: 'mismatch', known: [{ keyType: a.type, fingerprint: sha256Fingerprint(a.blob), source: 'known_hosts', line: 1 }] });
  });

  it('does not match other names or ports', () => {
    expect(check(entries, 'hashed.example.net', 22, a.type, a.blob)).toEqual({ kind: 'unknown' });
    expect(check(entries, 'hashed.example', 2023, b.type, b.blob)).toEqual({ kind: 'unknown' });
  });
});

describe('check', () => {
  it('refuses a revoked key even when a plain line also lists it', () => {
    const entries = parseKnownHosts([line('srv', a), `@revoked * ${a.type} ${a.base64}`].join('\n'));
    expect(check(entries, 'srv', 22, a.type, a.blob)).toEqual({ kind: 'revoked' });
  });

  it('ignores @cert-authority lines for plain key matching', () => {
    const entries = parseKnownHosts(`@cert-authority srv ${ca.type} ${ca.base64}`);
    expect(check(entries, 'srv', 22, ca.type, ca.blob)).toEqual({ kind: 'unknown' });
    expect(knownKeyTypes(entries, 'srv', 22)).toEqual([]);
  });

  it('treats a key of a type not yet known for the host as neither changed nor a first visit, naming the keys it knows', () => {
    const entries = parseKnownHosts(line('srv', rsa), 'f');
    expect(check(entries, 'srv', 22, a.type, a.blob)).toEqual({
      kind: 'other-types',
      known: [{ keyType: 'ssh-rsa', fingerprint: sha256Fingerprint(rsa.blob), source: 'f', line: 1 }],
    });
    expect(knownKeyTypes(entries, 'srv', 22)).toEqual(['ssh-rsa']);
  });

  it('lists every known key of the presented type when the key changed', () => {
    const entries = parseKnownHosts([line('srv', a), line('srv,other', b), line('srv', rsa)].join('\n'), 'f');
    const result = check(entries, 'srv', 22, a.type, generate('ed25519').blob);
    expect(result.kind).toBe('mismatch');
    if (result.kind === 'mismatch') expect(result.known.map((k) => k.line)).toEqual([1, 2]);
  });
});
