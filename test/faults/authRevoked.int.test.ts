// While the link is down, someone removes our key from authorized_keys. When the link returns, the reconnect is
// refused for good: the host must stop in `failed` (AUTH_FAILED) and stay there — retrying would only knock on
// the server again and again (and, with fail2ban, get the user banned).
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, retryDelayMs } from '../../app/core/supervisor/machine';
import { COUNTER, createFaultRig, maxTick, sleep, waitFor, type FaultRig } from './rig';

/** The waits of attempts 2–4 of an outage, at their longest (full jitter): a storm would show within these. */
const BACKOFF_WINDOW_MS = [2, 3, 4].reduce((sum, attempt) => sum + retryDelayMs(attempt, 1, DEFAULT_POLICY), 0);

let rig: FaultRig;
beforeAll(async () => {
  rig = await createFaultRig();
});
afterAll(async () => {
  rig?.ns.linkUp();
  await rig?.dispose();
});

describe('key removed from authorized_keys during an outage', () => {
  it('goes to failed with AUTH_FAILED once the link is back, and stays there without retrying until the user retries', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'revoked', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');
    const authorizedKeys = readFileSync(rig.server.authorizedKeysPath, 'utf8');

    rig.ns.linkDown();
    await waitFor(() => rig.hostStates(host.id).includes('reconnecting'), 'the host to notice the dead link');
    writeFileSync(rig.server.authorizedKeysPath, '');
    rig.ns.linkUp();

    await waitFor(() => rig.hostStates(host.id).at(-1) === 'failed' || undefined, 'the host to fail', 45_000);
    const failed = rig.events.filter((r) => r.event.name === 'host.status' && r.event.payload.state === 'failed').at(-1);
    expect(failed?.event.payload).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    const failedAt = rig.lastSeq();
    const connections = rig.server.connectionCount();

    // Several backoff periods pass, and the things that restart a waiting reconnect happen: nothing is tried.
    rig.core.notifySystem('resume');
    rig.core.notifySystem('network-change');
    rig.core.notifySystem('online');
    await sleep(BACKOFF_WINDOW_MS);
    expect(rig.server.connectionCount()).toBe(connections);
    expect(rig.events.filter((r) => r.seq >= failedAt && r.event.name === 'host.status')).toEqual([]);
    expect((await rig.view.call('hosts.status', {}))[0]).toMatchObject({ state: 'failed', error: { code: 'AUTH_FAILED' } });
    expect(rig.core.stats.supervisors[0]).toMatchObject({ liveTimers: 0, liveConnections: 0, connectionListeners: 0 });
    expect(rig.paneStateSeq(paneId, 'attached', 1)).toBeUndefined();

    // The user fixes the key and presses Retry: one attempt, and the pane is back.
    writeFileSync(rig.server.authorizedKeysPath, authorizedKeys);
    await rig.view.call('hosts.retryNow', { hostId: host.id });
    await waitFor(() => rig.paneStateSeq(paneId, 'attached', 1), 'the pane to reattach after Retry');
    expect(rig.server.connectionCount()).toBe(connections + 1);
    expect(rig.hostStates(host.id).at(-1)).toBe('connected');
  });
});
