// The laptop wakes on a link that died silently while it slept (nftables drops everything: no RST, no ICMP).
// Keepalives are set long (60 s × 3), so only the wake's round-trip probe can find out in time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../app/core/supervisor/machine';
import { COUNTER, createFaultRig, maxTick, sleep, waitFor, type FaultRig } from './rig';

const KEEPALIVE = { intervalSec: 60, countMax: 3 };
/** The probe's own timeout, the driver's guard beyond it (driver.ts), and room for a loaded machine. */
const PROBE_WINDOW_MS = DEFAULT_POLICY.probeTimeoutMs + 1000 + 1500;

let rig: FaultRig;
beforeAll(async () => {
  rig = await createFaultRig();
});
afterAll(async () => {
  rig?.ns.unblackhole();
  await rig?.dispose();
});

describe('wake on a silently dead link', () => {
  it('probes on resume and reconnects after the probe timeout, long before keepalives could notice, then reattaches', async () => {
    // Keepalives cannot fire within this test's fault windows; a regression here would make the test meaningless.
    expect(KEEPALIVE.intervalSec * 1000).toBeGreaterThan(4 * PROBE_WINDOW_MS);
    const host = await rig.addHost(KEEPALIVE);
    const { paneId } = await rig.core.handle('panes.open', { hostId: host.id, sessionName: 'wake', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');

    // A wake on a healthy link: the probe is answered and the connection kept.
    const healthyFrom = rig.lastSeq();
    const accepted = rig.server.acceptedCount();
    rig.core.notifySystem('resume');
    await sleep(PROBE_WINDOW_MS);
    expect(rig.events.filter((r) => r.seq >= healthyFrom && (r.event.name === 'host.status' || r.event.name === 'pane.state'))).toEqual([]);
    expect(rig.server.acceptedCount()).toBe(accepted);
    expect(rig.core.stats.supervisors[0]).toMatchObject({ liveTimers: 0, liveConnections: 1 });

    rig.ns.blackhole();
    // Without a wake nothing notices: the dead link looks like a quiet one.
    await sleep(PROBE_WINDOW_MS);
    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
    expect(rig.paneStates(paneId).at(-1)).toBe('attached');

    const resumedAt = rig.lastSeq();
    rig.core.notifySystem('resume');
    // The probe is out; the connection is not dropped before it had its chance to answer.
    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
    await sleep(PROBE_WINDOW_MS);
    const afterResume = rig.events.filter((r) => r.seq >= resumedAt);
    const hostAfter = afterResume.flatMap((r) => (r.event.name === 'host.status' ? [r.event.payload.state] : []));
    const paneAfter = afterResume.flatMap((r) => (r.event.name === 'pane.state' ? [r.event.payload.state] : []));
    expect(hostAfter[0]).toBe('reconnecting');
    expect(paneAfter[0]).toBe('reconnecting');
    expect(hostAfter).not.toContain('connected');

    const seenBefore = maxTick(rig.paneText(paneId));
    rig.ns.unblackhole();
    // The attempt already in flight gets through on its next SYN retransmission.
    const reattachedAt = await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach', 45_000);
    await waitFor(() => maxTick(rig.paneText(paneId, reattachedAt)) > seenBefore, 'newer ticks after the reattach');
    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
    expect(rig.liveSshConnections()).toBe(1);
  });
});
