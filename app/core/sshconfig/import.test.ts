import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE, HostProfile, ImportPreview } from '../../shared/model';
import { applyImport, previewImport } from './import';

let home: string;
let ssh: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-sshcfg-'));
  ssh = path.join(home, '.ssh');
  fs.mkdirSync(ssh);
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function write(relative: string, content: string): string {
  const file = path.join(ssh, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

async function preview(existing: HostProfile[] = [], configPath?: string): Promise<ImportPreview> {
  const result = await previewImport({ homeDir: home, localUser: 'me', existing, path: configPath });
  // What the bridge would check on the way out.
  return ImportPreview.parse(result);
}

function byAlias(result: ImportPreview, alias: string) {
  const found = result.candidates.find((c) => c.alias === alias);
  if (!found) throw new Error(`no candidate ${alias}; have ${result.candidates.map((c) => c.alias).join(', ')}`);
  return found;
}

describe('previewImport', () => {
  it('reads HostName, User, Port, IdentityFile and defaults the rest as ssh does', async () => {
    write(
      'config',
      `Host web
  HostName web.example.com
  User deploy
  Port 2222
  IdentityFile ~/.ssh/id_web

Host bare
`,
    );
    const result = await preview();
    expect(result.sourcePath).toBe(path.join(ssh, 'config'));
    expect(result.warnings).toEqual([]);
    expect(byAlias(result, 'web')).toEqual({
      alias: 'web',
      host: 'web.example.com',
      port: 2222,
      user: 'deploy',
      privateKeyPath: path.join(ssh, 'id_web'),
      proxyJump: undefined,
      keepalive: undefined,
      alreadyImported: false,
      unsupported: [],
    });
    expect(byAlias(result, 'bare')).toMatchObject({ host: 'bare', port: 22, user: 'me' });
  });

  it('copes with tabs, Key=Value, Key = Value, comments, blank lines, keyword case and quoted values', async () => {
    write(
      'config',
      `# my servers
\tHost\tspaced   # trailing comment
\tHostName=10.0.0.5
   user = alice

PORT   2200
  identityfile "~/.ssh/key with space"
host quoted
  User "bob"
`,
    );
    const result = await preview();
    expect(byAlias(result, 'spaced')).toMatchObject({
      host: '10.0.0.5',
      user: 'alice',
      port: 2200,
      privateKeyPath: path.join(ssh, 'key with space'),
    });
    expect(byAlias(result, 'quoted').user).toBe('bob');
  });

  it('gives one candidate per plain alias, and none for wildcard or negated patterns', async () => {
    write(
      'config',
      `Host alpha beta *.corp !gamma
  User shared
Host *
  Port 2022
Host db?? !db00
  User db
Host *.internal
  User internal
`,
    );
    const result = await preview();
    expect(result.candidates.map((c) => c.alias)).toEqual(['alpha', 'beta']);
    expect(byAlias(result, 'beta')).toMatchObject({ user: 'shared', port: 2022, host: 'beta' });
  });

  it('applies Host * and other matching wildcard blocks with the first value winning', async () => {
    write(
      'config',
      `Host web
  User early

Host *.example.com web
  User ignored-because-later
  Port 2201

Host * !secret
  Port 9999
  ServerAliveInterval 10
  ServerAliveCountMax 4

Host secret
  HostName %h.example.com
`,
    );
    const result = await preview();
    expect(byAlias(result, 'web')).toMatchObject({ user: 'early', port: 2201, keepalive: { intervalSec: 10, countMax: 4 } });
    // The negated pattern keeps Host * * !secret from applying to secret.
    expect(byAlias(result, 'secret')).toMatchObject({ host: 'secret.example.com', port: 22, keepalive: undefined });
  });

  it('follows Include with relative paths, globs and nesting, in glob order, under the enclosing Host', async () => {
    write(
      'config',
      `Include conf.d/*.conf
Host outer
  Include scoped
Host *
  User fallback
`,
    );
    write('conf.d/20-second.conf', 'Include nested/deeper\nHost second\n  HostName two.example.com\n');
    write('conf.d/10-first.conf', 'Host first\n  HostName one.example.com\n');
    write('conf.d/ignored.txt', 'Host notincluded\n');
    write('conf.d/.hidden.conf', 'Host hidden\n');
    write('nested/deeper', 'Host deep\n  Port 2300\n');
    // Directives in an Include inside "Host outer" apply only to outer.
    write('scoped', 'User scoped-user\n');

    const result = await preview();
    expect(result.warnings).toEqual([]);
    expect(result.candidates.map((c) => c.alias)).toEqual(['first', 'deep', 'second', 'outer']);
    expect(byAlias(result, 'first')).toMatchObject({ host: 'one.example.com', user: 'fallback' });
    expect(byAlias(result, 'deep').port).toBe(2300);
    expect(byAlias(result, 'outer').user).toBe('scoped-user');
    expect(byAlias(result, 'second').user).toBe('fallback');
  });

  it('resolves Include against ~/.ssh even when the config is in a folder below it, and accepts ~ and absolute paths', async () => {
    write('from-ssh-dir', 'Host relative\n');
    const other = path.join(home, 'elsewhere');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'abs'), 'Host absolute\n');
    write('nested/config', `Include from-ssh-dir\nInclude ~/elsewhere/abs\nInclude ${path.join(other, 'ab?')}\n`);
    const result = await preview([], '~/.ssh/nested/config');
    expect(result.candidates.map((c) => c.alias)).toEqual(['relative', 'absolute']);
  });

  it('reads no file outside ~/.ssh, so a page cannot probe the file system through it', async () => {
    fs.writeFileSync(path.join(home, 'config'), 'Host outside\n');
    for (const probe of ['/etc/passwd', '~/config', '~/.ssh/../config', path.join(home, '.ssh-other', 'config'), '~/.ssh']) {
      await expect(preview([], probe)).rejects.toMatchObject({ code: 'VALIDATION', message: `Holdfast imports only ssh config files in ${ssh}` });
    }
  });

  it('survives Include loops and reports them', async () => {
    write('config', 'Include a\nHost top\n');
    write('a', 'Include b\nHost froma\n');
    write('b', 'Include a\nInclude config\nHost fromb\n');
    const result = await preview();
    expect(result.candidates.map((c) => c.alias)).toEqual(['fromb', 'froma', 'top']);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings.every((w) => w.includes('loop'))).toBe(true);
  });

  it('warns about an Include that matches nothing and keeps going', async () => {
    write('config', 'Include missing.conf conf.d/*\nHost after\n');
    const result = await preview();
    expect(result.candidates.map((c) => c.alias)).toEqual(['after']);
    expect(result.warnings).toEqual([
      expect.stringContaining('Include missing.conf'),
      expect.stringContaining('Include conf.d/*'),
    ]);
  });

  it('keeps going past an Include whose glob has a backwards class ([z-a])', async () => {
    write('config', 'Host before\nInclude [z-a]\nHost after\n');
    const result = await preview();
    expect(result.candidates.map((c) => c.alias)).toEqual(['before', 'after']);
    expect(result.warnings).toEqual([expect.stringContaining('Include [z-a]')]);
  });

  it('gives an empty preview with a warning when the config file does not exist', async () => {
    const result = await preview();
    expect(result.candidates).toEqual([]);
    expect(result.warnings).toEqual([`No ssh config file at ${path.join(ssh, 'config')}`]);
  });

  it('resolves each ProxyJump hop through the config, keeping a chain a,b,c in order', async () => {
    write(
      'config',
      `Host bastion
  HostName bastion.example.com
  User ops
  Port 2222
Host target
  ProxyJump bastion,jump@mid.example.com:2200,ssh://[fd00::1]:22,plainhop
Host single
  ProxyJump bastion
Host direct
  ProxyJump none
Host *
  User everyone
`,
    );
    const result = await preview();
    expect(byAlias(result, 'target').proxyJump).toBe('ops@bastion.example.com:2222,jump@mid.example.com:2200,everyone@[fd00::1]:22,everyone@plainhop:22');
    expect(byAlias(result, 'single').proxyJump).toBe('ops@bastion.example.com:2222');
    expect(byAlias(result, 'direct').proxyJump).toBeUndefined();
  });

  it('lists the directives Holdfast does not apply instead of dropping them', async () => {
    write(
      'config',
      `Host tunnel
  HostName t.example.com
  LocalForward 8080 localhost:80
  LocalForward 8443 localhost:443
  ForwardAgent yes
  IdentityFile ~/.ssh/first
  IdentityFile ~/.ssh/second
Host viaCommand
  ProxyCommand ssh -W %h:%p bastion
  ProxyJump ignored-by-ssh-too
Host *
  ControlMaster auto
  ForwardAgent no
`,
    );
    const result = await preview();
    expect(byAlias(result, 'tunnel').unsupported).toEqual([
      'IdentityFile ~/.ssh/second',
      'LocalForward 8080 localhost:80',
      'LocalForward 8443 localhost:443',
      'ForwardAgent yes',
      'ControlMaster auto',
    ]);
    expect(byAlias(result, 'tunnel').privateKeyPath).toBe(path.join(ssh, 'first'));
    const viaCommand = byAlias(result, 'viaCommand');
    expect(viaCommand.proxyJump).toBeUndefined();
    expect(viaCommand.unsupported).toEqual(['ProxyCommand ssh -W %h:%p bastion', 'ControlMaster auto', 'ForwardAgent no']);
  });

  it('warns that Match blocks are not evaluated rather than applying them', async () => {
    write('config', 'Host box\nMatch host box exec "true"\n  User matched\nMatch all\n  Port 2024\n');
    const result = await preview();
    expect(byAlias(result, 'box')).toMatchObject({ user: 'me', port: 2024 });
    expect(result.warnings).toEqual([expect.stringContaining('Match')]);
  });

  it('expands the simple % tokens and ${VAR} in IdentityFile', async () => {
    write('config', 'Host tok\n  HostName real.example.com\n  User remote\n  IdentityFile %d/.ssh/%h-%r-%u-%n-%p%%\n');
    const result = await preview();
    expect(byAlias(result, 'tok').privateKeyPath).toBe(`${home}/.ssh/real.example.com-remote-me-tok-22%`);
  });

  it('marks hosts already imported, by alias or by the same name, host, port and user', async () => {
    write('config', 'Host one\n  HostName h1\nHost two\n  HostName h2\nHost three\n');
    const existing: HostProfile[] = [
      profileFor({ importedFrom: 'one', name: 'renamed', host: 'changed' }),
      profileFor({ name: 'two', host: 'h2', port: 22, user: 'me' }),
    ];
    const result = await preview(existing);
    expect(result.candidates.map((c) => [c.alias, c.alreadyImported])).toEqual([
      ['one', true],
      ['two', true],
      ['three', false],
    ]);
  });
});

function profileFor(overrides: Partial<HostProfile>): HostProfile {
  return {
    id: `id-${Math.random()}`,
    name: 'x',
    host: 'x',
    port: 22,
    user: 'me',
    hasPassword: false,
    keepalive: { intervalSec: 5, countMax: 3 },
    tags: [],
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

describe('applyImport', () => {
  const config = `Host bastion
  HostName bastion.example.com
  User ops
  ServerAliveInterval 15
Host app
  HostName app.internal
  ProxyJump bastion
  IdentityFile ~/.ssh/app_key
Host chain
  ProxyJump bastion,app
Host chain2
  ProxyJump bastion,other.example.com
`;

  it('creates profiles named after their alias, and importing twice adds no duplicates', async () => {
    write('config', config);
    const first = applyImport((await preview()).candidates, [], 1000);
    expect(first.map((p) => p.name)).toEqual(['bastion', 'app', 'chain', 'chain2']);
    for (const p of first) expect(HostProfile.parse(p)).toEqual(p);
    expect(first[0]).toMatchObject({ importedFrom: 'bastion', host: 'bastion.example.com', user: 'ops', keepalive: { intervalSec: 15, countMax: 3 }, createdAt: 1000, hasPassword: false });
    expect(first[1]!.keepalive).toEqual(DEFAULT_KEEPALIVE);

    const again = await preview(first);
    expect(again.candidates.every((c) => c.alreadyImported)).toBe(true);
    expect(applyImport(again.candidates, first, 2000)).toEqual([]);
  });

  it('does not trust the alreadyImported flag it is handed, nor duplicates within one request', async () => {
    write('config', config);
    const { candidates } = await preview();
    const existing = applyImport(candidates.slice(0, 1), [], 0);
    const forged = candidates.map((c) => ({ ...c, alreadyImported: false }));
    const created = applyImport([...forged, ...forged], existing, 0);
    expect(created.map((p) => p.name)).toEqual(['app', 'chain', 'chain2']);
  });

  it('links ProxyJump hops that are profiles: one hop becomes the jump host, chain hops name the profile', async () => {
    write('config', config);
    const created = applyImport((await preview()).candidates, [], 0);
    const [bastion, app, chain, chain2] = created;
    expect(app).toMatchObject({ jumpHostId: bastion!.id, proxyJump: undefined });
    expect(chain).toMatchObject({ jumpHostId: undefined, proxyJump: 'bastion,app' });
    expect(chain2).toMatchObject({ jumpHostId: undefined, proxyJump: 'bastion,me@other.example.com:22' });
  });

  it('links a hop to a profile that already existed before the import', async () => {
    write('config', config);
    const { candidates } = await preview();
    const existingBastion = applyImport(candidates.filter((c) => c.alias === 'bastion'), [], 0);
    const created = applyImport(candidates, existingBastion, 0);
    expect(created.find((p) => p.name === 'app')?.jumpHostId).toBe(existingBastion[0]!.id);
  });

  it('does not make jump hosts that point at each other', async () => {
    write('config', 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
    const [a, b] = applyImport((await preview()).candidates, [], 0);
    expect(a!.jumpHostId).toBe(b!.id);
    expect(b!.jumpHostId).toBeUndefined();
    expect(b!.proxyJump).toBe('me@a:22');
  });
});
