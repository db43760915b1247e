// Jump chains and dead links, in network namespaces: the target sits in a namespace reachable only through the
// jump host's namespace.
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, type TestNetns } from '../../../test/harness/netns';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import { HoldfastError } from '../../shared/contract';
import type { SshConnection } from './connection';
import { SshConnector } from './connector';
import { MemoryKnownHostsStore, MemoryProfiles, ScriptedPrompter, makeProfile, keychain } from '../testing';

let outer: TestNetns;
let inner: TestNetns;
let jumpSshd: TestSshd;
let targetSshd: TestSshd;

beforeAll(async () => {
  outer = createNetns();
  inner = createNetns({ parent: outer });
  jumpSshd = await startSshd({ netns: outer.name, listenAddress: outer.addr });
  targetSshd = await startSshd({ netns: inner.name, listenAddress: inner.addr });
  // ProxyJump hops without a profile use the target's key: let the jump host accept it too.
  appendFileSync(jumpSshd.authorizedKeysPath, readFileSync(`${targetSshd.clientKeyPath}.pub`));
});
afterAll(async () => {
  await targetSshd?.dispose();
  await jumpSshd?.dispose();
  inner?.dispose();
  outer?.dispose();
});

function setup(profiles: MemoryProfiles) {
  const trusted = new Set([jumpSshd.hostKeyFingerprint, targetSshd.hostKeyFingerprint]);
  const prompter = new ScriptedPrompter((p) => (p.kind === 'host-key' && trusted.has(p.fingerprint) ? { kind: 'host-key', remember: false } : { kind: 'cancel' }));
  const connector = new SshConnector({
    profiles,
    secrets: keychain(),
    prompter,
    knownHosts: new MemoryKnownHostsStore(),
    knownHostsFiles: [],
    agentSocket: '',
    homeDir: '/nonexistent-home',
  });
  return { connector, prompter };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Gave up waiting for ${what}`);
}

describe('jump hosts', () => {
  it('reaches a host only reachable through its jump host profile, checking both host keys', async () => {
    const jump = makeProfile({ name: 'bastion', host: outer.addr, port: jumpSshd.port, user: jumpSshd.user, privateKeyPath: jumpSshd.clientKeyPath });
    const target = makeProfile({ host: inner.addr, port: targetSshd.port, user: targetSshd.user, privateKeyPath: targetSshd.clientKeyPath, jumpHostId: jump.id });
    const { connector, prompter } = setup(new MemoryProfiles([jump, target]));
    const jumpDisconnectsBefore = (jumpSshd.log().match(/Disconnected from|Received disconnect/g) ?? []).length;

    const conn = (await connector.connect(target, { readyTimeoutMs: 10_000 })) as SshConnection;
    const closes: string[] = [];
    conn.onDidClose((e) => closes.push(e.reason));
    expect(prompter.asked.map((p) => (p.kind === 'host-key' ? `${p.host}:${p.port}` : p.kind))).toEqual([
      `${outer.addr}:${jumpSshd.port}`,
      `${inner.addr}:${targetSshd.port}`,
    ]);
    // The target saw the connection come from the jump host's side of its link, not from us.
    const seen = (await conn.exec('echo $SSH_CONNECTION')).stdout.trim().split(' ');
    expect(seen[0]).toBe(inner.parentAddr);
    expect(seen[2]).toBe(inner.addr);
    expect(targetSshd.log()).toContain(`Connection from ${inner.parentAddr}`);
    expect(jumpSshd.log()).toMatch(/Accepted publickey/);

    conn.dispose();
    expect(closes).toEqual(['disposed']);
    await waitFor(() => (jumpSshd.log().match(/Disconnected from|Received disconnect/g) ?? []).length > jumpDisconnectsBefore, 'the jump host to see the disconnect');
  });

  it('follows a ProxyJump hop with no profile, using the target user and key', async () => {
    const target = makeProfile({
      host: inner.addr,
      port: targetSshd.port,
      user: targetSshd.user,
      privateKeyPath: targetSshd.clientKeyPath,
      proxyJump: `${jumpSshd.user}@${outer.addr}:${jumpSshd.port}`,
    });
    const { connector } = setup(new MemoryProfiles([target]));
    const conn = await connector.connect(target, { readyTimeoutMs: 10_000 });
    try {
      expect((await conn.exec('echo $SSH_CONNECTION')).stdout.split(' ')[0]).toBe(inner.parentAddr);
    } finally {
      conn.dispose();
    }
  });

  it('reports a target port the jump host cannot connect to as CONNECTION_REFUSED for that target', async () => {
    const jump = makeProfile({ host: outer.addr, port: jumpSshd.port, user: jumpSshd.user, privateKeyPath: jumpSshd.clientKeyPath });
    const target = makeProfile({ host: inner.addr, port: 2999, user: targetSshd.user, privateKeyPath: targetSshd.clientKeyPath, jumpHostId: jump.id });
    const { connector } = setup(new MemoryProfiles([jump, target]));
    const err = await connector.connect(target, { readyTimeoutMs: 10_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HoldfastError);
    expect((err as HoldfastError).code).toBe('CONNECTION_REFUSED');
    expect((err as HoldfastError).message).toContain(`${inner.addr}:2999`);
  });

  it('refuses a jump host chain that loops back on itself', async () => {
    const a = makeProfile({ host: outer.addr, port: jumpSshd.port, user: 'u' });
    const b = makeProfile({ host: inner.addr, port: targetSshd.port, user: 'u', jumpHostId: a.id });
    a.jumpHostId = b.id;
    const { connector, prompter } = setup(new MemoryProfiles([a, b]));
    const err = await connector.connect(b).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as HoldfastError).code).toBe('VALIDATION');
    expect(prompter.asked).toEqual([]);
  });
});

describe('a link that goes silent', () => {
  it('fails a probe and then closes with reason "keepalive"', async () => {
    const host = makeProfile({ host: outer.addr, port: jumpSshd.port, user: jumpSshd.user, privateKeyPath: jumpSshd.clientKeyPath, keepalive: { intervalSec: 1, countMax: 2 } });
    const { connector } = setup(new MemoryProfiles([host]));
    const conn = await connector.connect(host, { readyTimeoutMs: 10_000 });
    const closes: Array<{ reason: string }> = [];
    const closed = new Promise<void>((resolve) =>
      conn.onDidClose((e) => {
        closes.push(e);
        resolve();
      }),
    );
    try {
      expect(await conn.probe(2_000)).toBe(true);
      outer.blackhole();
      expect(await conn.probe(300)).toBe(false);
      await closed;
      expect(closes.map((c) => c.reason)).toEqual(['keepalive']);
    } finally {
      outer.unblackhole();
      conn.dispose();
    }
    expect(closes).toHaveLength(1);
  });
});
