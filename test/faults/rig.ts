// The rig every fault test stands on: a real sshd in its own network namespace (reachable from the root namespace
// only over a veth pair that the test can cut), a tmux server of its own, and HoldfastCore as the web host runs it,
// with every event it emits recorded in order.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreEvent, HoldfastCore } from '../../app/core/service';
import { createWebCore } from '../../app/core/compose';
import { TestClient } from '../../app/core/testing';
import type { HostProfile, HostState, KeepaliveSettings, PaneState, TmuxMode } from '../../app/shared/model';
import { createNetns, type TestNetns } from '../harness/netns';
import { startSshd, type TestSshd } from '../harness/sshd';

export interface Recorded {
  /** Position in the stream of all events: orders across kinds. */
  seq: number;
  event: CoreEvent;
}

export interface FaultRig {
  readonly ns: TestNetns;
  readonly server: TestSshd;
  readonly core: HoldfastCore;
  /** The view the tests act through: it holds the panes it opens, acknowledges their output and accepts host keys. */
  readonly view: TestClient;
  /** Every event the view got, in order, numbered in one sequence with the panes' output. */
  readonly events: Recorded[];
  /** Runs a tmux command line as the test user against this rig's own tmux server, e.g. `tmux ls`. */
  tmux(commandLine: string): string;
  /** Saves a profile for the namespaced sshd with the given keepalive (and tmux mode: auto by default). */
  addHost(keepalive: KeepaliveSettings, tmuxMode?: TmuxMode): Promise<HostProfile>;
  paneStates(paneId: string): PaneState[];
  paneMessages(paneId: string): string[];
  hostStates(hostId: string): HostState[];
  /** The pane's output from record `fromSeq` on, as text. */
  paneText(paneId: string, fromSeq?: number): string;
  /** Seq of the `n`th (0-based) pane.state event with this state. */
  paneStateSeq(paneId: string, state: PaneState, n: number): number | undefined;
  /** Our established TCP connections to the namespaced sshd (the client's view: the server may hold dead ones). */
  liveSshConnections(): number;
  lastSeq(): number;
  dispose(): Promise<void>;
}

export { waitFor } from '../harness/wait';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The largest N among "tick-N" lines in `text`, or -1. */
export function maxTick(text: string): number {
  let max = -1;
  for (const m of text.matchAll(/tick-(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** A start command that counts once a second, forever: proof that the session kept running. */
export const COUNTER = 'i=0; while :; do echo tick-$i; i=$((i+1)); sleep 1; done';

/**
 * Each scenario (describe) on a rig of its own, since a host left over from another would hold a connection of
 * its own. `set` receives the rig before the tests run, and undefined once it is disposed.
 */
export function useFaultRig(set: (rig: FaultRig | undefined) => void): void {
  let rig: FaultRig | undefined;
  beforeAll(async () => {
    rig = await createFaultRig();
    set(rig);
  });
  afterAll(async () => {
    await rig?.dispose();
    set((rig = undefined));
  });
}

export async function createFaultRig(): Promise<FaultRig> {
  const ns = createNetns();
  const cleanups: Array<() => void | Promise<void>> = [() => ns.dispose()];
  const dispose = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        /* keep cleaning up */
      }
    }
  };
  try {
    // While the link is down its connected route is gone, and without this the default route would carry our
    // SYNs off the machine: a route of last resort keeps them here ("no route to host", as on a laptop offline).
    const subnet = `${ns.addr.replace(/\.\d+$/, '.0')}/30`;
    execFileSync('ip', ['route', 'add', 'unreachable', subnet, 'metric', '4000']);
    cleanups.push(() => void execFileSync('ip', ['route', 'del', 'unreachable', subnet, 'metric', '4000']));
    // tmux's socket lives in a directory of this rig's own, so other suites' `tmux kill-server` cannot reach it.
    const tmuxDir = mkdtempSync(join(tmpdir(), 'hf-faults-tmux-'));
    chmodSync(tmuxDir, 0o1777);
    cleanups.push(() => rmSync(tmuxDir, { recursive: true, force: true }));
    const server = await startSshd({ netns: ns.name, listenAddress: ns.addr, extraConfig: `SetEnv TMUX_TMPDIR=${tmuxDir}` });
    const tmux = (commandLine: string) => server.runAsUser(`export TMUX_TMPDIR=${tmuxDir}; ${commandLine}`);
    cleanups.push(() => server.dispose());
    cleanups.push(() => void tmux('tmux kill-server 2>/dev/null; true'));

    const dataDir = mkdtempSync(join(tmpdir(), 'hf-faults-core-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const core = createWebCore({ dataDir, version: 'test', homeDir: dataDir, knownHostsFiles: [] });
    cleanups.push(() => core.dispose());

    // A view as a page is one: it acknowledges output once drawn (flow control never holds a pane back) and accepts
    // the host key as a user clicking Accept would, remembering it (reconnects are unattended).
    const view = new TestClient(core);
    cleanups.push(() => view.dispose());
    const events: Recorded[] = [];
    view.onRecord((r) => {
      if (r.kind === 'event') events.push({ seq: r.seq, event: r.event });
    });

    const paneStateEvents = (paneId: string) =>
      events.filter((r) => r.event.name === 'pane.state' && r.event.payload.paneId === paneId) as Array<Recorded & { event: Extract<CoreEvent, { name: 'pane.state' }> }>;

    return {
      ns,
      server,
      core,
      view,
      events,
      tmux,
      addHost: (keepalive, tmuxMode) =>
        view.call('hosts.save', { name: 'faults', host: ns.addr, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath, keepalive, ...(tmuxMode ? { tmuxMode } : {}) }),
      paneStates: (paneId) => paneStateEvents(paneId).map((r) => r.event.payload.state),
      paneMessages: (paneId) => paneStateEvents(paneId).flatMap((r) => (r.event.payload.message ? [r.event.payload.message] : [])),
      hostStates: (hostId) =>
        events.flatMap((r) => (r.event.name === 'host.status' && r.event.payload.hostId === hostId ? [r.event.payload.state] : [])),
      paneText: (paneId, fromSeq = 0) => view.text(paneId, fromSeq),
      paneStateSeq: (paneId, state, n) => paneStateEvents(paneId).filter((r) => r.event.payload.state === state)[n]?.seq,
      liveSshConnections() {
        const out = execFileSync('ss', ['-tnH', 'state', 'established', `( dst ${ns.addr} and dport = :${server.port} )`], { encoding: 'utf8' });
        return out.split('\n').filter((l) => l.trim() !== '').length;
      },
      lastSeq: () => view.seq,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Counts this process's open sockets (from /proc/self/fd): a leak test's view of what the OS holds for us. */
export function openSocketCount(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) count++;
    } catch {
      /* closed while we looked */
    }
  }
  return count;
}
