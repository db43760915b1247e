import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { DEFAULT_KEEPALIVE, HostProfile, HostProfileInput } from '../../shared/model';
import { createFileBacking } from './jsonFile';
import { ProfileStore } from './profileStore';
import { newProfile, updateProfile, validateProfileInput } from './profiles';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-home-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const form = (input: HostProfileInput) => HostProfileInput.parse(input);

async function validationFields(promise: Promise<void>): Promise<Record<string, string> | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(HoldfastError);
    expect((err as HoldfastError).code).toBe('VALIDATION');
    return (err as HoldfastError).fields;
  }
}

describe('newProfile / updateProfile', () => {
  it('turns form input into a valid profile with defaults and without the password', () => {
    const p = newProfile(form({ name: 'web', host: 'web.example.com', user: 'deploy', password: 'pw', rememberPassword: true }), 42);
    expect(HostProfile.parse(p)).toEqual(p);
    expect(p).toMatchObject({ name: 'web', host: 'web.example.com', port: 22, user: 'deploy', hasPassword: false, tags: [] });
    expect(p.keepalive).toEqual(DEFAULT_KEEPALIVE);
    expect(p.createdAt).toBe(42);
    expect(JSON.stringify(p)).not.toContain('pw');
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(newProfile(form({ name: 'x', host: 'h', user: 'u' }), 0).id).not.toBe(p.id);
  });

  it('treats empty optional fields as none', () => {
    const p = newProfile(form({ name: 'x', host: 'h', user: 'u', privateKeyPath: '  ', proxyJump: '' }), 0);
    expect(p.privateKeyPath).toBeUndefined();
    expect(p.proxyJump).toBeUndefined();
  });

  it('keeps id, creation time, password flag and origin when editing, and clears fields the form left empty', () => {
    const existing: HostProfile = {
      ...newProfile(form({ name: 'a', host: 'h', user: 'u', privateKeyPath: '~/.ssh/id', tags: ['t'], keepalive: { intervalSec: 9, countMax: 2 } }), 1),
      hasPassword: true,
      importedFrom: 'a',
    };
    const edited = updateProfile(existing, form({ id: existing.id, name: 'b', host: 'h2', port: '2200', user: 'u' }), 5);
    expect(edited).toMatchObject({ id: existing.id, name: 'b', host: 'h2', port: 2200, createdAt: 1, updatedAt: 5, hasPassword: true, importedFrom: 'a' });
    expect(edited.privateKeyPath).toBeUndefined();
    expect(edited.tags).toEqual(['t']);
    expect(edited.keepalive).toEqual({ intervalSec: 9, countMax: 2 });
  });
});

describe('validateProfileInput', () => {
  it('fails a key path with no file behind it, naming the expanded path in the field message', async () => {
    const fields = await validationFields(
      validateProfileInput(form({ name: 'a', host: 'h', user: 'u', privateKeyPath: '~/.ssh/missing_key' }), { profiles: [], homeDir: home }),
    );
    expect(fields).toEqual({ privateKeyPath: `No file at ${path.join(home, '.ssh/missing_key')}` });
  });

  it('fails a key path that is a folder', async () => {
    fs.mkdirSync(path.join(home, '.ssh'));
    const fields = await validationFields(
      validateProfileInput(form({ name: 'a', host: 'h', user: 'u', privateKeyPath: '~/.ssh' }), { profiles: [], homeDir: home }),
    );
    expect(fields?.privateKeyPath).toMatch(/is not a file/);
  });

  it('accepts a private key, encrypted or not, with ~ expanded', async () => {
    fs.mkdirSync(path.join(home, '.ssh'));
    const plain = path.join(home, '.ssh', 'id_ed25519');
    const encrypted = path.join(home, '.ssh', 'id_encrypted');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plain]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret words', '-f', encrypted]);
    for (const key of ['~/.ssh/id_ed25519', '~/.ssh/id_encrypted']) {
      await expect(validateProfileInput(form({ name: 'a', host: 'h', user: 'u', privateKeyPath: key }), { profiles: [], homeDir: home })).resolves.toBeUndefined();
    }
  });

  it('refuses a file that is not a private key, and says which problem it has', async () => {
    fs.mkdirSync(path.join(home, '.ssh'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(home, '.ssh', 'id_ed25519')]);
    fs.writeFileSync(path.join(home, 'notes.txt'), 'just some text\n');
    const check = (key: string) => validationFields(validateProfileInput(form({ name: 'a', host: 'h', user: 'u', privateKeyPath: key }), { profiles: [], homeDir: home }));
    expect((await check('~/.ssh/id_ed25519.pub'))?.privateKeyPath).toMatch(/is a public key; choose the private key/);
    expect((await check('~/notes.txt'))?.privateKeyPath).toMatch(/is not a private key Holdfast can read/);
  });

  it('requires the jump host to exist, and reads the profiles from a store as well as from a list', async () => {
    const store = new ProfileStore(createFileBacking(path.join(home, 'profiles.json')));
    const bastion = newProfile(form({ name: 'bastion', host: 'b', user: 'u' }), 0);
    store.put(bastion);
    await expect(validateProfileInput(form({ name: 'a', host: 'h', user: 'u', jumpHostId: bastion.id }), { profiles: store })).resolves.toBeUndefined();
    const fields = await validationFields(validateProfileInput(form({ name: 'a', host: 'h', user: 'u', jumpHostId: 'gone' }), { profiles: store }));
    expect(Object.keys(fields ?? {})).toEqual(['jumpHostId']);
  });

  it('rejects a jump host chain that leads back to the host being edited', async () => {
    const a = newProfile(form({ name: 'a', host: 'a', user: 'u' }), 0);
    const b = { ...newProfile(form({ name: 'b', host: 'b', user: 'u' }), 0), jumpHostId: a.id };
    const c = { ...newProfile(form({ name: 'c', host: 'c', user: 'u' }), 0), jumpHostId: b.id };
    const profiles = [a, b, c];
    // Editing a so that it jumps through c: a → c → b → a.
    const loop = await validationFields(validateProfileInput(form({ id: a.id, name: 'a', host: 'a', user: 'u', jumpHostId: c.id }), { profiles }));
    expect(loop?.jumpHostId).toMatch(/leads back/);
    const self = await validationFields(validateProfileInput(form({ id: a.id, name: 'a', host: 'a', user: 'u', jumpHostId: a.id }), { profiles }));
    expect(self?.jumpHostId).toMatch(/own jump host/);
    // A new host may jump through c: no loop.
    await expect(validateProfileInput(form({ name: 'd', host: 'd', user: 'u', jumpHostId: c.id }), { profiles })).resolves.toBeUndefined();
  });

  it('reports every bad field at once', async () => {
    const fields = await validationFields(
      validateProfileInput(form({ name: 'a', host: 'h', user: 'u', privateKeyPath: '/nonexistent/key', jumpHostId: 'gone' }), { profiles: [], homeDir: home }),
    );
    expect(Object.keys(fields ?? {}).sort()).toEqual(['jumpHostId', 'privateKeyPath']);
  });
});
