// The harness itself, proven against OpenSSH's own client: if these fail, every other integration test is moot.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, type TestNetns } from './netns';
import { startSshd, type TestSshd } from './sshd';
import { waitFor } from './wait';

function sshRun(server: TestSshd, command: string, extra: string[] = []): string {
  return execFileSync(
    'ssh',
    [
      ...extra,
      '-i', server.clientKeyPath,
      '-o', 'IdentitiesOnly=yes',
      '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=5',
      '-p', String(server.port),
      `${server.user}@${server.host}`,
      command,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

describe('test sshd on loopback', () => {
  let server: TestSshd;
  beforeAll(async () => {
    server = await startSshd();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('accepts the client key and runs tmux as the test user', () => {
    expect(sshRun(server, 'whoami').trim()).toBe(server.user);
    expect(sshRun(server, 'tmux -V')).toMatch(/^tmux \d/);
    expect(server.acceptedCount()).toBeGreaterThanOrEqual(1);
  });

  it('presents a new host key after a restart with newHostKey', async () => {
    const before = server.hostKeyFingerprint;
    await server.restart({ newHostKey: true });
    expect(server.hostKeyFingerprint).not.toBe(before);
    const scanned = execFileSync('sh', ['-c', `ssh-keyscan -p ${server.port} 127.0.0.1 2>/dev/null | ssh-keygen -lf -`], { encoding: 'utf8' });
    expect(scanned).toContain(server.hostKeyFingerprint);
  });
});

/** Processes whose command line starts with `marker` (the remote `exec -a`, not the local ssh that asked for it). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').startsWith(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('test sshd teardown', () => {
  it('leaves no session process behind, also from a listener it restarted, and counts no connection of its own', async () => {
    const server = await startSshd();
    expect(server.connectionCount()).toBe(0);
    const marker = `hf-left-${randomBytes(4).toString('hex')}`;
    const ssh = (n: number) =>
      spawn('ssh', ['-i', server.clientKeyPath, '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
        '-p', String(server.port), `${server.user}@${server.host}`, `exec -a ${marker}-${n} sleep 600`], { stdio: 'ignore' });
    const clients = [ssh(1)];
    await waitFor(() => processesWith(`${marker}-1`).length === 1, 'the first session to run');
    await server.restart();
    clients.push(ssh(2));
    await waitFor(() => processesWith(`${marker}-2`).length === 1, 'the second session to run');
    await server.dispose();
    for (const c of clients) c.kill();
    expect(processesWith(marker)).toEqual([]);
  });
});

describe('test namespaces', () => {
  let outer: TestNetns;
  let inner: TestNetns;
  let target: TestSshd;
  beforeAll(async () => {
    outer = createNetns();
    inner = createNetns({ parent: outer });
    target = await startSshd({ netns: inner.name, listenAddress: inner.addr });
  });
  afterAll(async () => {
    await target?.dispose();
    inner?.dispose();
    outer?.dispose();
  });

  it('a namespace behind another is unreachable from the root namespace but reachable from its parent', () => {
    expect(() => sshRun(target, 'true', ['-o', 'ConnectTimeout=2'])).toThrow();
    const fromParent = outer.exec('bash', ['-c', `exec 3<>/dev/tcp/${inner.addr}/${target.port} && head -c 7 <&3`]);
    expect(fromParent).toBe('SSH-2.0');
  });
});
