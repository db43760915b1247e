import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../shared/model';
import type { KnownHostEntry } from '../interfaces';
import { createFileBacking } from './jsonFile';
import { KnownHostsStore } from './knownHostsStore';
import { MemorySecretStore } from './memorySecretStore';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-known-'));
  file = path.join(dir, 'known-hosts.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function entry(host: string, port: number, keyType = 'ssh-ed25519', key = `KEY-${host}-${keyType}`): KnownHostEntry {
  return { host, port, keyType, key, addedAt: 1 };
}

describe('KnownHostsStore', () => {
  it('remembers keys across a restart and finds them by host (any case) and port', () => {
    const store = new KnownHostsStore(createFileBacking(file));
    store.add(entry('Server.example.com', 22));
    store.add(entry('server.example.com', 22, 'ecdsa-sha2-nistp256'));
    store.add(entry('server.example.com', 2222));

    const reopened = new KnownHostsStore(createFileBacking(file));
    expect(reopened.find('SERVER.example.com', 22).map((e) => e.keyType)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
    expect(reopened.find('server.example.com', 2222)).toHaveLength(1);
    expect(reopened.find('other', 22)).toEqual([]);
    expect(reopened.list()).toHaveLength(3);
  });

  it('replaces the remembered key of the same type for the same host instead of keeping both', () => {
    const store = new KnownHostsStore(createFileBacking(file));
    store.add(entry('h', 22, 'ssh-ed25519', 'OLD'));
    store.add(entry('h', 22, 'ssh-ed25519', 'NEW'));
    expect(store.find('h', 22).map((e) => e.key)).toEqual(['NEW']);
  });

  it('forgets every key of one host and port, and only those', () => {
    const store = new KnownHostsStore(createFileBacking(file));
    store.add(entry('h', 22));
    store.add(entry('h', 22, 'ssh-rsa'));
    store.add(entry('h', 2222));
    store.remove('H', 22);
    expect(new KnownHostsStore(createFileBacking(file)).list().map((e) => e.port)).toEqual([2222]);
  });

  it('moves a corrupt file aside with its bytes and starts with no remembered keys', () => {
    fs.writeFileSync(file, '{"version":1,"hosts":[');
    const notices: Notice[] = [];
    const store = new KnownHostsStore(createFileBacking(file), { onNotice: (n) => notices.push(n), now: () => 0 });
    expect(store.list()).toEqual([]);
    expect(fs.readFileSync(`${file}.corrupt-1970-01-01T00-00-00.000Z`, 'utf8')).toBe('{"version":1,"hosts":[');
    expect(notices[0]!.message).toContain('remembered host keys');
  });

  it('drops entries that are not host keys but keeps the valid ones', () => {
    fs.writeFileSync(file, JSON.stringify({ version: 1, hosts: [entry('a', 22), { host: 'b', port: 'x' }] }));
    const notices: Notice[] = [];
    const store = new KnownHostsStore(createFileBacking(file), { onNotice: (n) => notices.push(n), now: () => 0 });
    expect(store.list().map((e) => e.host)).toEqual(['a']);
    expect(notices).toHaveLength(1);
  });
});

describe('MemorySecretStore', () => {
  it('keeps secrets for the life of the object only, and says it is not persistent', async () => {
    const secrets = new MemorySecretStore();
    expect(secrets.persistent).toBe(false);
    await secrets.set('password:a', 's3cret');
    expect(await secrets.get('password:a')).toBe('s3cret');
    await secrets.delete('password:a');
    expect(await secrets.get('password:a')).toBeUndefined();
    await secrets.set('password:a', 'x');
    expect(await new MemorySecretStore().get('password:a')).toBeUndefined();
  });
});
