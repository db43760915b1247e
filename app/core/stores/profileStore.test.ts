import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostProfile, Notice } from '../../shared/model';
import { createConfBacking } from './confBacking';
import { createFileBacking, type IJsonBacking } from './jsonFile';
import { ProfileStore } from './profileStore';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-profiles-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function profile(id: string, overrides: Partial<HostProfile> = {}): HostProfile {
  return {
    id,
    name: `host ${id}`,
    host: `${id}.example.com`,
    port: 22,
    user: 'alice',
    hasPassword: false,
    keepalive: { intervalSec: 5, countMax: 3 },
    tags: [],
    createdAt: 1000,
    updatedAt: 1000,
    ...overrides,
  };
}

// Both backings must behave the same: the web host uses conf, tests and KnownHosts the plain file backing.
const backings: Array<[string, (d: string) => IJsonBacking]> = [
  ['conf', (d) => createConfBacking({ cwd: d, configName: 'profiles' })],
  ['file', (d) => createFileBacking(path.join(d, 'profiles.json'))],
];

describe.each(backings)('ProfileStore over the %s backing', (_name, makeBacking) => {
  it('starts empty when there is no file yet, and creates none until something is saved', () => {
    const backing = makeBacking(dir);
    const store = new ProfileStore(backing);
    expect(store.list()).toEqual([]);
    expect(fs.existsSync(backing.path)).toBe(false);
  });

  it('keeps profiles across a restart: put, replace, delete, then reopen', () => {
    const first = new ProfileStore(makeBacking(dir));
    first.put(profile('a'));
    first.put(profile('b', { jumpHostId: 'a', proxyJump: 'ops@hop:2222', authOrder: ['agent', 'password'], tags: ['prod'] }));
    first.put(profile('c'));
    first.put(profile('a', { name: 'renamed', updatedAt: 2000 }));
    first.delete('c');

    const reopened = new ProfileStore(makeBacking(dir));
    expect(reopened.list()).toEqual([
      profile('a', { name: 'renamed', updatedAt: 2000 }),
      profile('b', { jumpHostId: 'a', proxyJump: 'ops@hop:2222', authOrder: ['agent', 'password'], tags: ['prod'] }),
    ]);
    expect(reopened.get('b')?.jumpHostId).toBe('a');
    expect(reopened.get('c')).toBeUndefined();
  });

  it('never writes a password into the profile file, even if one is handed in', () => {
    const backing = makeBacking(dir);
    const store = new ProfileStore(backing);
    store.put({ ...profile('a'), password: 'hunter2' } as HostProfile);
    expect(fs.readFileSync(backing.path, 'utf8')).not.toContain('hunter2');
    expect(store.get('a')).not.toHaveProperty('password');
  });

  it('hands out copies, so changing a returned profile does not change the store', () => {
    const store = new ProfileStore(makeBacking(dir));
    store.put(profile('a'));
    store.get('a')!.tags.push('changed');
    store.list()[0]!.name = 'changed';
    expect(store.get('a')).toEqual(profile('a'));
  });

  it('writes by replacing the file (temp file then rename), never by rewriting it in place', () => {
    const backing = makeBacking(dir);
    const store = new ProfileStore(backing);
    store.put(profile('a'));
    const before = fs.readFileSync(backing.path, 'utf8');
    // A hard link keeps pointing at the old inode: an in-place write would change what it reads.
    const link = path.join(dir, 'old-link');
    fs.linkSync(backing.path, link);

    store.put(profile('b'));

    expect(fs.readFileSync(link, 'utf8')).toBe(before);
    expect(fs.statSync(backing.path).ino).not.toBe(fs.statSync(link).ino);
    expect(new ProfileStore(makeBacking(dir)).list().map((p) => p.id)).toEqual(['a', 'b']);
    expect(fs.readdirSync(dir).sort()).toEqual(['old-link', 'profiles.json']);
  });

  it('moves a file that is not JSON aside with its bytes intact, says so, and starts empty', () => {
    const backing = makeBacking(dir);
    const garbage = Buffer.from('{"version":1,"profiles":[{"id":"a",\u0000 truncated', 'utf8');
    fs.writeFileSync(backing.path, garbage);
    const notices: Notice[] = [];
    const now = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

    const store = new ProfileStore(backing, { onNotice: (n) => notices.push(n), now: () => now });

    const aside = `${backing.path}.corrupt-2025-01-02T03-04-05.678Z`;
    expect(fs.readFileSync(aside)).toEqual(garbage);
    expect(fs.existsSync(backing.path)).toBe(false);
    expect(store.list()).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.level).toBe('warning');
    expect(notices[0]!.message).toContain('not valid JSON');
    expect(notices[0]!.message).toContain(aside);

    // The store keeps working, and the aside copy is left alone.
    store.put(profile('a'));
    expect(new ProfileStore(makeBacking(dir)).list().map((p) => p.id)).toEqual(['a']);
    expect(fs.readFileSync(aside)).toEqual(garbage);
  });

  it('moves a JSON file of the wrong shape aside and starts empty', () => {
    const backing = makeBacking(dir);
    const wrongShape = JSON.stringify([profile('a')]);
    fs.writeFileSync(backing.path, wrongShape);
    const notices: Notice[] = [];

    const store = new ProfileStore(backing, { onNotice: (n) => notices.push(n), now: () => 0 });

    expect(store.list()).toEqual([]);
    expect(fs.readFileSync(`${backing.path}.corrupt-1970-01-01T00-00-00.000Z`, 'utf8')).toBe(wrongShape);
    expect(notices.map((n) => n.message)).toEqual([expect.stringContaining('does not hold a "profiles" list')]);
  });

  it('keeps the profiles that still validate, drops the others from the live file, and keeps the original aside', () => {
    const backing = makeBacking(dir);
    const original = JSON.stringify({
      version: 1,
      profiles: [profile('good1'), { id: 'bad', name: 'no host or port' }, profile('good2'), 'nonsense'],
    });
    fs.writeFileSync(backing.path, original);
    const notices: Notice[] = [];

    const store = new ProfileStore(backing, { onNotice: (n) => notices.push(n), now: () => 0 });

    expect(store.list().map((p) => p.id)).toEqual(['good1', 'good2']);
    expect(fs.readFileSync(`${backing.path}.corrupt-1970-01-01T00-00-00.000Z`, 'utf8')).toBe(original);
    expect(new ProfileStore(makeBacking(dir)).list().map((p) => p.id)).toEqual(['good1', 'good2']);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toMatch(/2 of 4 host profiles .* could not be read and were left out \(“no host or port” and others without a name\)/);
  });

  it('does not overwrite an earlier aside copy when the file is corrupt again at the same moment', () => {
    const backing = makeBacking(dir);
    fs.writeFileSync(backing.path, 'first');
    new ProfileStore(backing, { now: () => 0 });
    fs.writeFileSync(backing.path, 'second');
    new ProfileStore(backing, { now: () => 0 });
    const base = `${backing.path}.corrupt-1970-01-01T00-00-00.000Z`;
    expect(fs.readFileSync(base, 'utf8')).toBe('first');
    expect(fs.readFileSync(`${base}-2`, 'utf8')).toBe('second');
  });
});

describe('ProfileStore and unreadable files', () => {
  it('moves aside a settings path that cannot be read as a file (a folder in its place)', () => {
    const backing = createFileBacking(path.join(dir, 'profiles.json'));
    fs.mkdirSync(backing.path);
    fs.writeFileSync(path.join(backing.path, 'inside'), 'kept');
    const notices: Notice[] = [];

    const store = new ProfileStore(backing, { onNotice: (n) => notices.push(n), now: () => 0 });

    expect(notices.map((n) => n.message)).toEqual([expect.stringContaining('could not be read')]);
    expect(fs.readFileSync(path.join(`${backing.path}.corrupt-1970-01-01T00-00-00.000Z`, 'inside'), 'utf8')).toBe('kept');
    store.put(profile('a'));
    expect(new ProfileStore(backing).list().map((p) => p.id)).toEqual(['a']);
  });

  it('refuses to save over a broken file it could not move aside, and says so', () => {
    // A name so long that "<name>.corrupt-<timestamp>" exceeds the file system's limit: neither a rename
    // nor a copy can create the aside file, whoever runs the test.
    const backing = createFileBacking(path.join(dir, `${'p'.repeat(240)}.json`));
    fs.writeFileSync(backing.path, 'not json');
    const notices: Notice[] = [];

    const store = new ProfileStore(backing, { onNotice: (n) => notices.push(n), now: () => 0 });

    expect(notices.map((n) => n.level)).toEqual(['error']);
    expect(notices[0]!.message).toContain('will not save changes');
    expect(store.list()).toEqual([]);
    expect(() => store.put(profile('a'))).toThrow(/will not overwrite/);
    expect(fs.readFileSync(backing.path, 'utf8')).toBe('not json');
  });
});
