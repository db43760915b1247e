// The link to the server goes away for 30 s (the veth pair taken down: nothing gets through either way), then
// comes back. Holdfast must notice, wait it out, reconnect and reattach by itself, with the session having run on.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_RESET } from '../../app/core/pane/terminalReset';
import { DEFAULT_POLICY, retryDelayMs } from '../../app/core/supervisor/machine';
import { externalAddresses } from '../../app/core/supervisor/networkWatcher';
import { COUNTER, createFaultRig, maxTick, sleep, waitFor, type FaultRig } from './rig';

/** The outage the spec names. Done for real: this is the one long test of the suite. */
const OUTAGE_MS = 30_000;
const TYPED = 'echo typed-during-the-outage';

let rig: FaultRig;
beforeAll(async () => {
  rig = await createFaultRig();
});
afterAll(async () => {
  await rig?.dispose();
});

/** How many attempts an outage of `ms` allows at most: the first at once, then the shortest jittered waits. */
function maxAttemptsWithin(ms: number): number {
  let attempts = 1;
  for (let waited = retryDelayMs(2, 0, DEFAULT_POLICY); waited <= ms; waited += retryDelayMs(attempts + 1, 0, DEFAULT_POLICY)) attempts++;
  return attempts;
}

/** Consecutive repeats folded: a discard notice re-sends the state the pane is already in. */
function changes<T>(states: T[]): T[] {
  return states.filter((s, i) => i === 0 || states[i - 1] !== s);
}

describe('link down for 30 s, then up (classic attach)', () => {
  it(
    'reattaches every pane by itself over one new connection, shows the counter that ran on, resets the view first, and drops keys typed meanwhile',
    async () => {
      const host = await rig.addHost({ intervalSec: 1, countMax: 2 }, 'classic');
      const { paneId } = await rig.view.open({
        hostId: host.id,
        sessionName: 'link',
        create: { startCommand: COUNTER },
        cols: 100,
        rows: 30,
      });
      // A second pane on the same host: every pane comes back, over the one connection.
      const other = await rig.view.open({ hostId: host.id, sessionName: 'link-b', create: { startCommand: 'bash' }, cols: 80, rows: 24 });
      await waitFor(() => maxTick(rig.paneText(paneId)) >= 2, 'the counter to tick in the pane');
      expect(rig.liveSshConnections()).toBe(1);
      const acceptedBefore = rig.server.acceptedCount();
      const connectionsBefore = rig.server.connectionCount();

      const attemptsBefore = rig.core.stats.supervisors[0]!.attemptsMade;
      rig.ns.linkDown();
      const downAt = Date.now();
      const seenBeforeOutage = maxTick(rig.paneText(paneId));
      await waitFor(() => rig.paneStates(paneId).includes('reconnecting'), 'the pane to notice the dead link (keepalive 1 s × 2)');
      expect(rig.hostStates(host.id)).toContain('reconnecting');

      rig.view.write(paneId, `${TYPED}\r`);
      expect(rig.paneMessages(paneId)).toContain('Input discarded while reconnecting');

      // Other address changes on this machine (other suites' namespaces, here) also restart the backoff, by
      // design (NetworkChanged counts the outage afresh): count them to bound the attempts below.
      let addresses = externalAddresses(networkInterfaces()).join(' ');
      let addressChanges = 0;
      while (Date.now() - downAt < OUTAGE_MS) {
        await sleep(250);
        const now = externalAddresses(networkInterfaces()).join(' ');
        if (now !== addresses) addressChanges++;
        addresses = now;
      }
      // The session ran on without us: its own screen, read on the server, is past anything the pane showed.
      const onServerDuringOutage = maxTick(rig.tmux("tmux capture-pane -p -t '=link:'"));
      expect(onServerDuringOutage).toBeGreaterThan(seenBeforeOutage);
      expect(rig.paneStateSeq(paneId, 'attached', 1)).toBeUndefined();
      rig.ns.linkUp();

      const reattachedAt = await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach by itself', 60_000);
      await waitFor(() => maxTick(rig.paneText(paneId, reattachedAt)) >= onServerDuringOutage, 'the newest ticks in the pane after the reattach');

      expect(changes(rig.paneStates(paneId))).toEqual(['attaching', 'attached', 'reconnecting', 'attaching', 'attached']);
      await waitFor(() => rig.paneStateSeq(other.paneId, 'attached', 1), 'the second pane to reattach');
      expect(changes(rig.paneStates(other.paneId))).toEqual(['attaching', 'attached', 'reconnecting', 'attaching', 'attached']);
      // The two panes' channels and the Needs you watcher's.
      await waitFor(() => rig.core.stats.supervisors[0]?.openChannels === 4 || undefined, 'both panes, the watcher and the lease on the new connection');
      expect(rig.core.stats.supervisors[0]).toMatchObject({ liveTimers: 0, liveConnections: 1, connectionListeners: 1, openChannels: 4 });
      // Backoff held during the outage: no more attempts than its shortest waits allow (afresh after each address
      // change), plus one for the link's return (the network watcher restarts the wait) and the one that got through.
      const attempts = rig.core.stats.supervisors[0]!.attemptsMade - attemptsBefore;
      console.log(`linkDown: ${attempts} connection attempts over the outage, ${addressChanges} other address changes`);
      expect(attempts).toBeLessThanOrEqual((addressChanges + 1) * maxAttemptsWithin(OUTAGE_MS + 10_000) + 2);
      expect(rig.hostStates(host.id)).not.toContain('failed');
      expect(rig.hostStates(host.id).at(-1)).toBe('connected');
      // The first bytes after the reattach put the view back to defaults, before tmux redraws.
      const afterReattach = rig.paneText(paneId, reattachedAt);
      expect(afterReattach.startsWith(TERMINAL_RESET)).toBe(true);
      expect(maxTick(afterReattach)).toBeGreaterThan(seenBeforeOutage);

      // One live connection from us, made by one of the supervisor's own attempts. (An attempt stuck on the dead
      // link is restarted when the link returns; the old one's retransmitted SYN may still reach the server, so
      // the server may count more connections than the one that stayed, never more than the attempts.)
      const accepted = rig.server.acceptedCount() - acceptedBefore;
      expect(accepted).toBeGreaterThanOrEqual(1);
      expect(accepted).toBeLessThanOrEqual(attempts);
      expect(rig.server.connectionCount() - connectionsBefore).toBeLessThanOrEqual(attempts);
      await waitFor(() => rig.liveSshConnections() === 1, 'one live connection from us');

      // The keys typed into the dead link never reached the server (the pty would have echoed them on screen).
      const history = rig.tmux("tmux capture-pane -p -S - -t '=link:'");
      expect(history).toContain('tick-');
      expect(history).not.toContain('typed-during');
      // And the pane works again.
      rig.view.write(paneId, 'x');
      expect(rig.paneMessages(paneId).filter((m) => m.startsWith('Input discarded'))).toHaveLength(1);
    },
    OUTAGE_MS + 90_000,
  );
});
