// A link that goes silent while awake (a Wi-Fi whose uplink died: packets dropped, the interface still up). Two
// ways to notice: a key typed that gets no echo (the user is waiting right now), and the keepalives.
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE } from '../../app/shared/model';
import { COUNTER, maxTick, useFaultRig, waitFor, type FaultRig } from './rig';

let rig: FaultRig;
const useRig = () => useFaultRig((r) => (rig = r!));

describe('a key typed into a silent link', () => {
  useRig();
  it('gets the link probed at once, and the pane reconnects long before keepalives (60 s × 3 here) could notice', async () => {
    const host = await rig.addHost({ intervalSec: 60, countMax: 3 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'echo', create: { startCommand: 'bash' }, cols: 80, rows: 24 });
    rig.view.write(paneId, 'echo ready-$((20+22))\r');
    await waitFor(() => rig.paneText(paneId).includes('ready-42'), 'the shell to answer');

    rig.ns.blackhole();
    try {
      const from = rig.lastSeq();
      rig.view.write(paneId, 'x');
      // Only the missing echo can have started this: the keepalives would need three minutes.
      await waitFor(() => rig.paneStateSeq(paneId, 'reconnecting', 0) !== undefined, 'the pane to notice the dead link', 30_000);
      expect(rig.events.filter((r) => r.seq >= from && r.event.name === 'host.status').map((r) => r.event.payload)).toContainEqual(
        expect.objectContaining({ hostId: host.id, state: 'reconnecting' }),
      );
    } finally {
      rig.ns.unblackhole();
    }
    await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach', 45_000);
    await waitFor(() => rig.liveSshConnections() === 1, 'one live connection');
  });
});

describe('a silent link nobody types into', () => {
  useRig();
  it('is noticed by the default keepalive (3 s × 2) and the pane reattaches once the link is back', async () => {
    expect(DEFAULT_KEEPALIVE).toEqual({ intervalSec: 3, countMax: 2 });
    const host = await rig.addHost(DEFAULT_KEEPALIVE);
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'quiet', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');
    rig.ns.blackhole();
    try {
      await waitFor(() => rig.paneStateSeq(paneId, 'reconnecting', 0) !== undefined, 'the keepalive to give up', 30_000);
      const lost = rig.events.find((r) => r.event.name === 'host.status' && r.event.payload.hostId === host.id && r.event.payload.state === 'reconnecting');
      expect(lost).toBeDefined();
    } finally {
      rig.ns.unblackhole();
    }
    const reattachedAt = await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach', 45_000);
    await waitFor(() => maxTick(rig.paneText(paneId, reattachedAt)) >= 0, 'the counter after the reattach');
  });
});
