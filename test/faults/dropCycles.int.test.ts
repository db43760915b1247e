// Many drop-and-return cycles: the server side of our TCP connection is destroyed (`ss -K` in the server's
// namespace: the kernel resets it, as a NAT box or a restarting router would), Holdfast reconnects and reattaches,
// again and again. Afterwards exactly what there was before must be left: one connection, one channel, no
// timers, listeners or sockets left over, and memory about flat.
//
// FAULT_CYCLES sets the count (default 100: about 20 s here, a cycle being one reset, one reconnect and one
// reattach); the attach-race scenario runs a fifth as many rounds. FAULT_LINK_CYCLES sets the slower link flaps.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { COUNTER, useFaultRig, maxTick, waitFor, openSocketCount, type FaultRig } from './rig';
import { traceTimers } from '../harness/timerTrace';

const CYCLES = Number(process.env.FAULT_CYCLES ?? 100);
/** Where each pending timer was made: a leak names its maker. */
const timers = traceTimers();
/** Link flaps are slower (keepalive detection, then the network watcher's poll): a few of them, for that path. */
const LINK_CYCLES = Number(process.env.FAULT_LINK_CYCLES ?? 4);
/** Generous: a leak of one ssh2 client, its socket and buffers per cycle is far above this over the cycles. */
const HEAP_SLACK_BYTES = 12 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let rig: FaultRig;
const useRig = () => useFaultRig((r) => (rig = r!));

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Kills our connection's TCP socket on the server's side of the link. */
function resetConnection(): void {
  rig.ns.exec('ss', ['-K', '-tn', 'state', 'established', `( sport = :${rig.server.port} )`]);
}

/**
 * Opens a pane, runs one warm-up cycle (whatever is created once — lazy modules, caches — is there before the
 * baseline), then `cycles` more, and checks that what is left is exactly what there was.
 * `drop` cuts the connection and returns once the pane saw it; each cycle then waits for the reattach.
 */
async function soak(label: string, cycles: number, drop: (paneId: string, from: number) => Promise<void>): Promise<void> {
  expect(cycles).toBeGreaterThan(0);
  const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
  const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'cycles', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
  await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');

  // The record is emptied every cycle (the soak must not measure the test's own memory), so what must never
  // happen is counted as it goes.
  const hostStatesSeen = new Set<string>();
  const cycle = async (n: number) => {
    const from = rig.lastSeq();
    await drop(paneId, from);
    await waitFor(() => paneStateSince(paneId, 'reconnecting', from), `cycle ${n}: the pane to see the drop`);
    await waitFor(() => paneStateSince(paneId, 'attached', from), `cycle ${n}: the pane to reattach`, 30_000).catch((err: unknown) => {
      // Say where it stood: what the pane and the host went through since the drop.
      const since = rig.events.filter((r) => r.seq >= from).map((r) => `${r.event.name}:${JSON.stringify(r.event.payload).slice(0, 160)}`);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${since.join('\n')}`);
    });
    for (const state of rig.hostStates(host.id)) hostStatesSeen.add(state);
    rig.events.length = 0;
  };
  await cycle(0);
  await waitFor(() => rig.liveSshConnections() === 1 || undefined, 'the dropped socket to be gone');
  const baseline = {
    sockets: openSocketCount(),
    resources: resourceCounts(),
    heap: heapAfterGc(),
    listeners: rig.core.stats.eventListeners,
    accepted: rig.server.acceptedCount(),
    attempts: rig.core.stats.supervisors[0]!.attemptsMade,
  };

  for (let n = 1; n <= cycles; n++) await cycle(n);

  // At least one authenticated connection per drop, and never one the supervisor did not ask for: an attempt it
  // restarts (a handshake slower than a second when the network watcher fires) may have got as far as that.
  const accepted = rig.server.acceptedCount() - baseline.accepted;
  const attempts = rig.core.stats.supervisors[0]!.attemptsMade - baseline.attempts;
  console.log(`${label}: ${accepted} authenticated connections, ${attempts} attempts for ${cycles} drops`);
  expect(accepted).toBeGreaterThanOrEqual(cycles);
  expect(accepted).toBeLessThanOrEqual(attempts);
  expect(hostStatesSeen).toContain('reconnecting');
  expect(hostStatesSeen).not.toContain('failed');
  // Three channels: the pane's, the one Needs you watches the host's tmux through, and the lease (each connection).
  await waitFor(() => rig.core.stats.supervisors[0]?.openChannels === 3 || undefined, 'the pane, the watcher and the lease on the new connection');
  const [supervisor] = rig.core.stats.supervisors;
  expect(supervisor).toMatchObject({ liveTimers: 0, liveConnections: 1, connectionListeners: 1, waiters: 0, openChannels: 3 });
  expect(rig.core.stats).toMatchObject({ hosts: 1, panes: 1, eventListeners: baseline.listeners });
  // Old sockets close on their own time (RST handling, the graceful-end timer): give them that, then count.
  await waitFor(() => rig.liveSshConnections() === 1 || undefined, 'one live connection');
  await waitFor(() => openSocketCount() === baseline.sockets || undefined, `open sockets back to ${baseline.sockets} (now ${openSocketCount()})`, 10_000);
  await waitFor(
    // No kind more than at the start (a timer that happened to be pending then may not be now: that is no leak).
    () => Object.entries(resourceCounts()).every(([kind, n]) => n <= (baseline.resources[kind] ?? 0)) || undefined,
    `active resources back to at most ${JSON.stringify(baseline.resources)} (now ${JSON.stringify(resourceCounts())}); timers pending:\n${timers.pending().join('\n')}`,
    10_000,
  );
  const heapGrowth = heapAfterGc() - baseline.heap;
  console.log(`${label}: ${cycles} cycles, heap growth ${(heapGrowth / 1024).toFixed(0)} KiB, sockets ${baseline.sockets}`);
  expect(heapGrowth).toBeLessThan(HEAP_SLACK_BYTES);

  // And the pane still works.
  const from = rig.lastSeq();
  await waitFor(() => maxTick(rig.paneText(paneId, from)) >= 0, 'output after the last cycle');
}

function paneStateSince(paneId: string, state: string, from: number): boolean {
  return rig.events.some((r) => r.seq >= from && r.event.name === 'pane.state' && r.event.payload.paneId === paneId && r.event.payload.state === state);
}

describe(`${CYCLES} drop-and-return cycles (connection reset)`, () => {
  useRig();
  it('ends with one live connection, three channels (the pane, the watcher, the lease), no leaked timers, listeners or sockets, memory about flat, one connection per reconnect', async () => {
    await soak('reset cycles', CYCLES, async () => resetConnection());
  }, 60_000 + CYCLES * 2_000);
});

describe(`${LINK_CYCLES} link down-and-up cycles (keepalive 1 s × 2)`, () => {
  useRig();
  it('ends with one live connection, three channels (the pane, the watcher, the lease), no leaked timers, listeners or sockets, one connection per reconnect', async () => {
    await soak('link cycles', LINK_CYCLES, async (paneId, from) => {
      rig.ns.linkDown();
      try {
        await waitFor(() => paneStateSince(paneId, 'reconnecting', from), 'the pane to notice the dead link');
      } finally {
        rig.ns.linkUp();
      }
    });
  }, 60_000 + LINK_CYCLES * 30_000);
});

describe('drops while the pane is attaching again', () => {
  useRig();
  it('survives a drop in every reattach, between the new connection and the attach, and ends attached on one connection', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId } = await rig.view.open({ hostId: host.id, sessionName: 'attaching', create: { startCommand: COUNTER }, cols: 80, rows: 24 });
    await waitFor(() => maxTick(rig.paneText(paneId)) >= 1, 'the counter to tick in the pane');
    const rounds = Math.max(1, Math.round(CYCLES / 5));
    let armed = 0;
    // The moment core hands the new connection to the panes, the link dies again: the attach runs into it.
    const listener = rig.core.onEvent((e) => {
      if (armed > 0 && e.name === 'pane.state' && e.payload.paneId === paneId && e.payload.state === 'attaching') {
        armed--;
        resetConnection();
      }
    });
    try {
      for (let n = 0; n < rounds; n++) {
        const from = rig.lastSeq();
        armed = 1;
        resetConnection();
        await waitFor(
          () => armed === 0 && rig.events.some((r) => r.seq >= from && r.event.name === 'pane.state' && r.event.payload.paneId === paneId && r.event.payload.state === 'attached'),
          `round ${n}: the pane to get through a drop during its attach`,
        );
      }
    } finally {
      listener.dispose();
    }
    const states = rig.paneStates(paneId);
    // Each round really hit an attach: it went from attaching back to reconnecting before it got through.
    const interrupted = states.filter((s, i) => s === 'attaching' && states[i + 1] === 'reconnecting').length;
    expect(interrupted).toBeGreaterThanOrEqual(rounds);
    expect(states.at(-1)).toBe('attached');
    expect(states).not.toContain('failed');
    expect(states).not.toContain('session-gone');
    await waitFor(() => rig.liveSshConnections() === 1 || undefined, 'one live connection');
    // The pane's channel and the Needs you watcher's.
    await waitFor(() => rig.core.stats.supervisors.find((s) => s.liveConnections > 0)?.openChannels === 3 || undefined, 'the pane, the watcher and the lease on the last connection');
    const supervisor = rig.core.stats.supervisors.find((s) => s.liveConnections > 0);
    expect(supervisor).toMatchObject({ liveTimers: 0, liveConnections: 1, connectionListeners: 1, openChannels: 3 });
    const from = rig.lastSeq();
    await waitFor(() => maxTick(rig.paneText(paneId, from)) >= 0, 'output after the last round');
  }, 60_000 + Math.max(1, Math.round(CYCLES / 5)) * 5_000);
});
