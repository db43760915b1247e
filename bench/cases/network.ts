// 6. Issue 4's figures, in a network namespace (10.200.x.x only) with the default keepalive (5 s × 3):
// blackhole → the pane says reconnecting; link up → attached again; wake (notifySystem('resume')) after the
// server dropped the connection during "sleep" → attached again.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, type TestNetns } from '../../test/harness/netns';
import type { PaneState } from '../../app/shared/model';
import type { BenchConfig } from '../lib/config';
import { openPaneView, sleep, startCore, waitUntil } from '../lib/holdfast';
import type { Results } from '../lib/results';
import { startBenchServer, type BenchServer } from '../lib/server';

/** Every process below `pid` (the bench's own sshd), deepest first. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) {
      walk(child);
      out.push(child);
    }
  };
  walk(pid);
  return out;
}

export async function runNetwork(config: BenchConfig, results: Results, log: (s: string) => void): Promise<void> {
  let ns: TestNetns | undefined;
  let server: BenchServer | undefined;
  try {
    ns = createNetns();
    server = await startBenchServer({ netns: ns.name, listenAddress: ns.addr, port: 2222 });
    server.newSession('net');
    const bench = await startCore({ host: ns.addr, port: 2222, user: server.sshd.user, clientKeyPath: server.sshd.clientKeyPath });
    const pane = await openPaneView(bench, 'net', { parse: false });
    let state: PaneState = 'attached';
    const changes: Array<{ state: PaneState; t: number }> = [];
    bench.core.onEvent((e) => {
      if (e.name === 'pane.state' && e.payload.paneId === pane.paneId) {
        state = e.payload.state;
        changes.push({ state, t: performance.now() });
      }
    });
    const until = async (want: PaneState, since: number, timeoutMs: number) => {
      await waitUntil(() => changes.some((c) => c.state === want && c.t >= since), `pane ${want}`, timeoutMs, 5);
      return changes.find((c) => c.state === want && c.t >= since)!.t - since;
    };
    const detect: number[] = [];
    const recover: number[] = [];
    const linkUp: number[] = [];
    const wake: number[] = [];
    const pidFile = join(server.sshd.dir, 'sshd.pid');
    for (let i = 0; i < config.networkRuns; i++) {
      log(`network: run ${i + 1}/${config.networkRuns}: blackhole`);
      let t0 = performance.now();
      ns.blackhole();
      detect.push(await until('reconnecting', t0, 90_000));
      t0 = performance.now();
      ns.unblackhole();
      recover.push(await until('attached', t0, 90_000));
      await sleep(1000);

      log(`network: run ${i + 1}/${config.networkRuns}: link down, up`);
      t0 = performance.now();
      ns.linkDown();
      await until('reconnecting', t0, 90_000);
      await sleep(2000);
      t0 = performance.now();
      ns.linkUp();
      linkUp.push(await until('attached', t0, 90_000));
      await sleep(1000);

      log(`network: run ${i + 1}/${config.networkRuns}: sleep, server drops the connection, wake`);
      ns.blackhole();
      await sleep(500);
      const listener = Number(readFileSync(pidFile, 'utf8').trim());
      for (const pid of descendants(listener)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await sleep(1000);
      ns.unblackhole();
      t0 = performance.now();
      bench.core.notifySystem('resume');
      wake.push(await until('attached', t0, 90_000));
      if (!changes.some((c) => c.state === 'reconnecting' && c.t >= t0 - 2000)) log('network: wake found the pane attached without a reconnect');
      await sleep(1000);
    }
    void state;
    await pane.dispose();
    bench.dispose();
    const keepalive = 'keepalive 5 s × 3 (the default)';
    results.add({ name: 'network: blackhole → pane reconnecting (detection)', unit: 'ms', values: detect, better: 'lower', note: `${keepalive}; OpenSSH with ServerAliveInterval 5, CountMax 3 would take 15–20 s` });
    results.add({ name: 'network: unblackhole → attached again', unit: 'ms', values: recover, better: 'lower', note: 'includes the backoff wait the outage had reached' });
    results.add({ name: 'network: link up → attached again', unit: 'ms', values: linkUp, better: 'lower', note: 'link down on the host side of the veth; the network watcher (2 s poll) sees the address come back' });
    results.add({ name: 'network: wake → attached again', unit: 'ms', values: wake, better: 'lower', note: 'the server dropped the connection while blackholed ("asleep"); notifySystem(\'resume\') probes, reconnects, reattaches' });
  } finally {
    await server?.dispose();
    ns?.dispose();
  }
}
