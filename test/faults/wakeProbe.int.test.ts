// The laptop wakes on a link that died silently while it slept (nftables drops everything: no RST, no ICMP).
// Keepalives are set long (60 s × 3), so only the wake can find out in time: it probes the old connection and
// dials a new one at the same time, and keeps whichever answers first.
// The wake comes two ways: from the shell (Electron's powerMonitor, `notifySystem('resume')`), and from core's own
// clock-jump detector, driven here by a core whose clock can jump forward as a sleep makes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IClock } from '../../app/core/interfaces';
import { createWebCore } from '../../app/core/compose';
import { TestClient } from '../../app/core/testing';
import { COUNTER, createFaultRig, maxTick, sleep, waitFor, type FaultRig } from './rig';

const KEEPALIVE = { intervalSec: 60, countMax: 3 };

/** The real clock, which a test can move forward at once, as a sleep does: timers keep real time, `now` jumps. */
class JumpingClock implements IClock {
  private _offset = 0;
  now(): number {
    return Date.now() + this._offset;
  }
  setTimeout(fn: () => void, ms: number) {
    const handle = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(handle) };
  }
  jump(ms: number): void {
    this._offset += ms;
  }
}

let rig: FaultRig;
beforeAll(async () => {
  rig = await createFaultRig();
});
afterAll(async () => {
  rig?.ns.unblackhole();
  await rig?.dispose();
});

describe('wake on a silently dead link', () => {
  it('on a healthy link, keeps one connection and the pane attached whichever side of the race won', async () => {
    const host = await rig.addHost(KEEPALIVE);
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'wake-healthy', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');

    rig.core.notifySystem('resume');
    // The race is over once nothing is in flight and the probe's guard is gone.
    await waitFor(() => {
      const s = rig.core.stats.supervisors[0]!;
      return !s.attemptInFlight && s.liveTimers === 0 && s.liveConnections === 1;
    }, 'the wake to settle');
    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
    expect(rig.hostStates(host.id)).not.toContain('reconnecting');
    await waitFor(() => rig.paneStates(paneId).at(-1) === 'attached', 'the pane to be attached');
    await waitFor(() => rig.liveSshConnections() === 1, 'one live connection (the loser of the race closed)');
    const from = rig.lastSeq();
    await waitFor(() => maxTick(rig.paneText(paneId, from)) >= 0, 'output after the wake');
    await rig.view.call('panes.close', { paneId });
  });

  it('notifySystem(resume): the dial made beside the probe gets through once the link is back, and the pane reattaches', async () => {
    const host = await rig.addHost(KEEPALIVE);
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'wake', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');

    rig.ns.blackhole();
    try {
      // Without a wake (or a key typed) nothing notices for a while: the dead link looks like a quiet one. Keepalives
      // could not have fired yet (60 s), so this window proves nothing else is watching.
      await sleep(2000);
      expect(rig.hostStates(host.id).at(-1)).toBe('connected');
      expect(rig.paneStates(paneId).at(-1)).toBe('attached');

      const resumedAt = rig.lastSeq();
      rig.core.notifySystem('resume');
      await waitFor(() => rig.events.some((r) => r.seq >= resumedAt && r.event.name === 'pane.state' && r.event.payload.paneId === paneId && r.event.payload.state === 'reconnecting'), 'the probe to fail and the pane to wait for the reconnect');
      const hostAfter = rig.events.filter((r) => r.seq >= resumedAt).flatMap((r) => (r.event.name === 'host.status' && r.event.payload.hostId === host.id ? [r.event.payload.state] : []));
      expect(hostAfter[0]).toBe('reconnecting');
    } finally {
      rig.ns.unblackhole();
    }
    const seenBefore = maxTick(rig.paneText(paneId));
    // The attempt already in flight gets through on its next SYN retransmission.
    const reattachedAt = await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach', 45_000);
    await waitFor(() => maxTick(rig.paneText(paneId, reattachedAt)) > seenBefore, 'newer ticks after the reattach');
    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
    await waitFor(() => rig.liveSshConnections() === 1, 'one live connection');
    await rig.view.call('panes.close', { paneId });
  });

  it("the clock-jump detector in core notices the sleep by itself and starts the same race", async () => {
    const clock = new JumpingClock();
    const dataDir = mkdtempSync(join(tmpdir(), 'hf-faults-jump-'));
    // This core watches the system itself (wake detector, network watcher), on the clock the test can jump.
    const core = createWebCore({ dataDir, version: 'test', homeDir: dataDir, knownHostsFiles: [], clock });
    const view = new TestClient(core);
    const states = (paneId: string) => view.paneStates(paneId);
    try {
      const host = await view.call('hosts.save', { name: 'jump', host: rig.ns.addr, port: rig.server.port, user: rig.server.user, privateKeyPath: rig.server.clientKeyPath, keepalive: KEEPALIVE });
      const { paneId } = await view.open({ hostId: host.id, sessionName: 'wake-jump', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
      rig.ns.blackhole();
      // The machine "slept" a minute: the detector's next tick is a minute late.
      clock.jump(60_000);
      await waitFor(() => states(paneId).includes('reconnecting'), 'the detector to notice the jump and the probe to fail');
      rig.ns.unblackhole();
      await waitFor(() => states(paneId).filter((s) => s === 'attached').length >= 2, 'the pane to reattach', 45_000);
    } finally {
      rig.ns.unblackhole();
      core.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
