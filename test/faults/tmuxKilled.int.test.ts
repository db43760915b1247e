// The tmux server on the host is killed while the link is fine: the session is really gone. The pane must say so
// (not spin reconnecting), and Recreate must start the session again with its start command and attach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultRig, waitFor, type FaultRig } from './rig';

let rig: FaultRig;
beforeAll(async () => {
  rig = await createFaultRig();
});
afterAll(async () => {
  await rig?.dispose();
});

/** Prints a marker with a fresh number each time it starts, then keeps a shell. */
const START = 'echo started-$(( $(date +%s%N) % 100000 ))-ok; exec bash';

describe('tmux server killed', () => {
  it('turns the pane to session-gone, and recreate starts the session again with its start command and attaches', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'gone', create: { startCommand: START }, cols: 80, rows: 24 });
    const first = await waitFor(() => /started-(\d+)-ok/.exec(rig.paneText(paneId))?.[1], 'the start command to run');
    const acceptedBefore = rig.server.acceptedCount();

    rig.tmux('tmux kill-server');
    await waitFor(() => rig.paneStates(paneId).includes('session-gone'), 'the pane to report the session gone');
    const gone = rig.events.find((r) => r.event.name === 'pane.state' && r.event.payload.state === 'session-gone');
    expect(gone?.event.payload).toMatchObject({ error: { code: 'SESSION_GONE' } });
    expect(rig.paneStates(paneId)).not.toContain('reconnecting');
    // The link was fine all along: the host stays connected on the same connection.
    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
    expect((await rig.view.call('panes.list', {}))[0]).toMatchObject({ state: 'session-gone' });

    const goneAt = rig.lastSeq();
    const info = await rig.view.call('panes.recreate', { paneId });
    expect(info.state).toBe('attached');
    const second = await waitFor(() => /started-(\d+)-ok/.exec(rig.paneText(paneId, goneAt))?.[1], 'the start command to run again');
    expect(second).not.toBe(first);
    expect(rig.tmux("tmux list-panes -t '=gone:' -F '#{pane_start_command}'")).toContain('echo started-');

    rig.view.write(paneId, 'echo again-$((40+2))\r');
    await waitFor(() => rig.paneText(paneId, goneAt).includes('again-42'), 'typed input to reach the recreated session');
    expect(rig.server.acceptedCount()).toBe(acceptedBefore);
    expect(rig.liveSshConnections()).toBe(1);
  });
});
