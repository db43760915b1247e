// The lease keeper as a server runs it (/bin/sh, here): it makes the lease and renews it on every line; when its
// input ends it ends the tmux clients registered with it and removes the lease at once; when the lines stop coming
// while its input stays open (a dead link sshd does not know of) it does the same after LEASE_MISSES seconds.
// A registered pid that is no longer a tmux (reused) is left alone. Waits are for conditions, never fixed times.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../testing';
import { leaseHeldTest, leaseKeeperScript, leaseRegistration, ServerLease } from './lease';

const dir = mkdtempSync(join(tmpdir(), 'hf-lease-'));
// A stand-in tmux client: `sleep` under the name tmux (ps reports it as tmux, as the keeper checks).
symlinkSync(spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim(), join(dir, 'tmux'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function startKeeper(id: string): { keeper: ChildProcess; path: Promise<string> } {
  const keeper = spawn('/bin/sh', ['-c', leaseKeeperScript(id)], { env: { ...process.env, TMPDIR: dir }, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(keeper);
  const path = new Promise<string>((resolve, reject) => {
    let out = '';
    keeper.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^ready (\/[^\n]+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    keeper.once('exit', () => reject(new Error(`the keeper exited before it was ready: ${out}`)));
  });
  return { keeper, path };
}

/** A client the way Holdfast starts one: registered with the lease, then exec'ed (it keeps the shell's pid). */
function startClient(path: string): ChildProcess {
  const client = spawn('/bin/sh', ['-c', `${leaseRegistration(path)}exec ${join(dir, 'tmux')} 600`], { stdio: 'ignore' });
  children.push(client);
  return client;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

describe('the server lease', () => {
  it('ends its registered clients and itself as soon as its input ends (the channel closed)', async () => {
    const { keeper, path } = startKeeper('close-test-01');
    const lease = await path;
    expect(existsSync(lease)).toBe(true);
    const client = startClient(lease);
    await waitFor(() => spawnSync('cat', [`${lease}.clients`], { encoding: 'utf8' }).stdout.trim() === String(client.pid), 'the client registered');
    keeper.stdin!.end();
    await waitFor(() => !alive(client) && !alive(keeper), 'the client and the keeper to end');
    expect(existsSync(lease)).toBe(false);
    expect(existsSync(`${lease}.clients`)).toBe(false);
  });

  it('gives the lease up when heartbeats stop while its input stays open, and leaves a reused pid that is not a tmux alone', async () => {
    const { keeper, path } = startKeeper('silent-test-01');
    const lease = await path;
    const client = startClient(lease);
    // A pid registered that belongs to something else now (it is not a tmux): never killed.
    const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(bystander);
    spawnSync('/bin/sh', ['-c', `echo ${bystander.pid} >> '${lease}.clients'`]);
    // Heartbeats for a while keep it (each one is a renewal)...
    for (let i = 0; i < 3; i++) {
      keeper.stdin!.write('\n');
      await new Promise((r) => setTimeout(r, 1000));
      expect(existsSync(lease)).toBe(true);
    }
    // ...then none, with the input still open: the link went silent.
    await waitFor(() => !existsSync(lease), 'the lease to be given up', 20_000);
    await waitFor(() => !alive(client) && !alive(keeper), 'the client and the keeper to end');
    expect(alive(bystander)).toBe(true);
  }, 30_000);

  it('starts no client once the lease is gone, and a script can test the lease it runs under', () => {
    const gone = join(dir, 'lease-gone');
    const refused = spawnSync('/bin/sh', ['-c', `${leaseRegistration(gone)}exec true`], { encoding: 'utf8' });
    expect(refused.status).toBe(75);
    expect(spawnSync('/bin/sh', ['-c', leaseHeldTest(gone)]).status).not.toBe(0);
    expect(spawnSync('/bin/sh', ['-c', leaseHeldTest(undefined)]).status).toBe(0);
  });
});

describe('ServerLease', () => {
  /** A channel that already holds the keeper's "ready" line: it hands it over while the listener subscribes. */
  function heldChannel(lines: string) {
    const written: string[] = [];
    let disposed = false;
    const channel = {
      onData: (listener: (data: Uint8Array) => void) => {
        listener(new TextEncoder().encode(lines));
        return { dispose() {} };
      },
      onStderr: () => ({ dispose() {} }),
      onClose: () => ({ dispose() {} }),
      write: (data: string | Uint8Array) => void written.push(String(data)),
      pause() {},
      resume() {},
      dispose: () => void (disposed = true),
    };
    return { channel, written, disposed: () => disposed };
  }

  it('takes the path the keeper printed even when it came before anyone listened, then sends heartbeats until disposed', async () => {
    const held = heldChannel('ready /tmp/holdfast-1000/lease-abc\n');
    const lease = new ServerLease(async () => held.channel, { heartbeatMs: 5 });
    expect(await lease.path).toBe('/tmp/holdfast-1000/lease-abc');
    await waitFor(() => held.written.length >= 2, 'heartbeats');
    expect(held.written.every((w) => w === '\n')).toBe(true);
    lease.dispose();
    expect(held.disposed()).toBe(true);
    const sent = held.written.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(held.written.length).toBe(sent);
  });

  it('is no lease (undefined, never a failure) where the keeper cannot run', async () => {
    expect(await new ServerLease(async () => Promise.reject(new Error('channel refused'))).path).toBeUndefined();
    const garbage = heldChannel('x'.repeat(5000));
    const lease = new ServerLease(async () => garbage.channel);
    expect(await lease.path).toBeUndefined();
    lease.dispose();
  });
});
