// The SSH server dies (listener and every session process killed, as in a crash or a hard restart) and comes back
// with the same host key. The tmux server lives on; Holdfast must get back to it without asking anything.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COUNTER, useFaultRig, maxTick, sleep, waitFor, type FaultRig } from './rig';

let rig: FaultRig;
const useRig = () => useFaultRig((r) => (rig = r!));

/** Every process below `pid`, children first in the list. */
function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  const children = out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** The listener and the processes serving our connection all go, as in a crash. */
async function crashSshd(): Promise<void> {
  const listener = Number(readFileSync(join(rig.server.dir, 'sshd.pid'), 'utf8').trim());
  const sessions = descendants(listener);
  expect(sessions.length).toBeGreaterThan(0);
  await rig.server.stop();
  for (const pid of sessions) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone with its parent */
    }
  }
}

describe('sshd killed and restarted with the same host key', () => {
  useRig();
  it('reattaches the pane by itself, unattended, over one new connection', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'restart', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');
    const promptsBefore = rig.events.filter((r) => r.event.name === 'prompt.show').length;
    const acceptedBefore = rig.server.acceptedCount();

    await crashSshd();

    await waitFor(() => rig.paneStates(paneId).includes('reconnecting'), 'the pane to see the connection end');
    // While the server is down, attempts are refused and the supervisor backs off (it does not give up).
    await waitFor(
      () => rig.events.some((r) => r.event.name === 'host.status' && r.event.payload.state === 'reconnecting' && r.event.payload.error?.code === 'CONNECTION_REFUSED'),
      'a refused reconnect attempt',
    );
    expect(rig.hostStates(host.id)).not.toContain('failed');
    const seenBefore = maxTick(rig.paneText(paneId));

    await rig.server.start();
    const reattachedAt = await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach by itself', 45_000);
    await waitFor(() => maxTick(rig.paneText(paneId, reattachedAt)) > seenBefore, 'newer ticks after the reattach');

    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
    // Same key, remembered: the unattended reconnect asked nothing.
    expect(rig.events.filter((r) => r.event.name === 'prompt.show')).toHaveLength(promptsBefore);
    expect(rig.server.acceptedCount()).toBe(acceptedBefore + 1);
    expect(rig.liveSshConnections()).toBe(1);
    expect(rig.core.stats.supervisors[0]).toMatchObject({ liveConnections: 1, connectionListeners: 1, liveTimers: 0 });
  });
});

describe('sshd down for longer than the backoff had grown to', () => {
  useRig();
  it('is back as soon as the server answers again, without waiting out the backoff', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'long-restart', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');
    await crashSshd();
    // Down long enough for the next try to be 8 s or more away.
    const waiting = await waitFor(
      () => {
        const status = rig.events.filter((r) => r.event.name === 'host.status').at(-1)?.event.payload as { state: string; nextRetryAt?: number } | undefined;
        return status?.state === 'reconnecting' && status.nextRetryAt !== undefined && status.nextRetryAt - Date.now() >= 8000 ? status : undefined;
      },
      'the backoff to grow past 8 s',
      60_000,
    );
    await rig.server.start();
    const back = await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach', 30_000);
    const backAt = Date.now();
    // Before the backoff's own try: the server was noticed by its port answering (a TCP connect a second).
    expect(backAt).toBeLessThan(waiting.nextRetryAt!);
    expect(rig.events.find((r) => r.seq === back)).toBeDefined();
    expect(rig.core.stats.supervisors[0]).toMatchObject({ liveConnections: 1, liveTimers: 0 });
  }, 120_000);
});

describe('sshd killed and restarted with a new host key', () => {
  useRig();

  it('stops in failed with HOST_KEY_CHANGED, asks nothing while unattended, and does not retry', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'rekeyed', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');
    const promptsBefore = rig.events.filter((r) => r.event.name === 'prompt.show').length;

    await crashSshd();
    await waitFor(() => rig.paneStates(paneId).includes('reconnecting'), 'the pane to see the connection end');
    await rig.server.restart({ newHostKey: true });
    await waitFor(() => rig.hostStates(host.id).at(-1) === 'failed' || undefined, 'the host to fail on the changed key', 45_000);
    expect((await rig.view.call('hosts.status', {}))[0]).toMatchObject({ state: 'failed', error: { code: 'HOST_KEY_CHANGED' } });
    // An unattended reconnect never asks about a host key, and never authenticates to a server it cannot trust.
    expect(rig.events.filter((r) => r.event.name === 'prompt.show')).toHaveLength(promptsBefore);
    const accepted = rig.server.acceptedCount();
    const connections = rig.server.connectionCount();
    rig.core.notifySystem('resume');
    await sleep(2500);
    expect(rig.server.connectionCount()).toBe(connections);
    expect(rig.server.acceptedCount()).toBe(accepted);
    expect(rig.hostStates(host.id).at(-1)).toBe('failed');
    expect(rig.paneStateSeq(paneId, 'attached', 1)).toBeUndefined();
  });
});
