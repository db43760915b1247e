// 6. Noticing a dead link and getting back, in a network namespace (10.200.x.x only), old and new side by side in
// one run, with OpenSSH's client as the reference:
//   - a silent link (nftables drops everything, the interface stays up, like a Wi-Fi whose uplink died) →
//     the pane says reconnecting: keepalive 5 s × 3 (the old default), 3 s × 2 (the new default), a key typed
//     into it (the echo probe); OpenSSH with ServerAliveInterval 3 / CountMax 2 → ssh exits.
//   - unblackhole → attached again; link down and up → attached again.
//   - wake on a socket that died silently while "asleep" (the server dropped it while packets were dropped; the
//     network is healthy again at the wake): probe only (the old behaviour) vs probe and a new dial at once.
import { execFileSync, spawn } from 'node:child_process';
import { createNetns, type TestNetns } from '../../test/harness/netns';
import type { KeepaliveSettings, PaneState } from '../../app/shared/model';
import type { SupervisorPolicy } from '../../app/core/supervisor/machine';
import type { BenchConfig } from '../lib/config';
import { openPaneView, sleep, startCore, waitUntil, type BenchCore } from '../lib/holdfast';
import { sshArgs } from '../lib/openssh';
import type { Results } from '../lib/results';
import { startBenchServer, type BenchServer } from '../lib/server';

const OLD_KEEPALIVE: KeepaliveSettings = { intervalSec: 5, countMax: 3 };
const NEW_KEEPALIVE: KeepaliveSettings = { intervalSec: 3, countMax: 2 };
const QUIET_KEEPALIVE: KeepaliveSettings = { intervalSec: 600, countMax: 3 };

/** The local port of our one established connection to `address` (port 2222). */
function clientPortTo(address: string): number {
  const out = execFileSync('ss', ['-tnH', 'state', 'established', `( dst ${address} and dport = :2222 )`], { encoding: 'utf8' });
  const ports = out.split('\n').filter((l) => l.trim()).map((l) => Number(/:(\d+)\s+\S+$/.exec(l.trim())?.[1]));
  if (ports.length !== 1 || !Number.isFinite(ports[0])) throw new Error(`expected one connection to ${address}, found: ${out}`);
  return ports[0]!;
}

interface Watched {
  bench: BenchCore;
  paneId: string;
  /** ms from `since` until the pane reached `want`. */
  until(want: PaneState, since: number, timeoutMs?: number): Promise<number>;
  dispose(): Promise<void>;
}

async function watchedPane(server: BenchServer, ns: TestNetns, session: string, options: { keepalive: KeepaliveSettings; policy?: Partial<SupervisorPolicy> }): Promise<Watched> {
  const bench = await startCore({ host: ns.addr, port: 2222, user: server.sshd.user, clientKeyPath: server.sshd.clientKeyPath }, session, options);
  server.newSession(session);
  const pane = await openPaneView(bench, session, { parse: false });
  const changes: Array<{ state: PaneState; t: number }> = [];
  bench.onEvent((name, payload) => {
    const e = payload as { paneId?: string; state?: PaneState };
    if (name === 'pane.state' && e.paneId === pane.paneId) changes.push({ state: e.state!, t: performance.now() });
  });
  return {
    bench,
    paneId: pane.paneId,
    async until(want, since, timeoutMs = 90_000) {
      await waitUntil(() => changes.some((c) => c.state === want && c.t >= since), `pane ${want}`, timeoutMs, 5);
      return changes.find((c) => c.state === want && c.t >= since)!.t - since;
    },
    async dispose() {
      await pane.dispose();
      bench.dispose();
    },
  };
}

/** OpenSSH's client with the given keepalive on a silent link: ms from the blackhole until it gives up. */
async function openSshDetection(server: BenchServer, ns: TestNetns, keepalive: KeepaliveSettings): Promise<number> {
  const child = spawn('ssh', [...sshArgs({ host: ns.addr, port: 2222, user: server.sshd.user, clientKeyPath: server.sshd.clientKeyPath }, ['-T', '-o', `ServerAliveInterval=${keepalive.intervalSec}`, '-o', `ServerAliveCountMax=${keepalive.countMax}`]), 'echo up; exec sleep 600'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('up') && resolve());
    child.once('exit', (code) => reject(new Error(`ssh exited early (${code})`)));
  });
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  const t0 = performance.now();
  ns.blackhole();
  const ms = (await exited) - t0;
  ns.unblackhole();
  return ms;
}

export async function runNetwork(config: BenchConfig, results: Results, log: (s: string) => void): Promise<void> {
  let ns: TestNetns | undefined;
  let server: BenchServer | undefined;
  try {
    ns = createNetns();
    server = await startBenchServer({ netns: ns.name, listenAddress: ns.addr, port: 2222 });
    const detection = { old: [] as number[], new: [] as number[], echo: [] as number[], openssh: [] as number[] };
    const recover: number[] = [];
    const linkUp: number[] = [];
    const wake = { probeOnly: [] as number[], race: [] as number[] };

    for (let i = 0; i < config.networkRuns; i++) {
      const run = `run ${i + 1}/${config.networkRuns}`;
      for (const [which, keepalive] of [['old', OLD_KEEPALIVE], ['new', NEW_KEEPALIVE]] as const) {
        log(`network: ${run}: silent link, keepalive ${keepalive.intervalSec} s × ${keepalive.countMax}`);
        const pane = await watchedPane(server, ns, `net-${which}`, { keepalive });
        await sleep(500);
        let t0 = performance.now();
        ns.blackhole();
        detection[which].push(await pane.until('reconnecting', t0));
        if (which === 'new') {
          t0 = performance.now();
          ns.unblackhole();
          recover.push(await pane.until('attached', t0));
          await sleep(1000);
          log(`network: ${run}: link down, up`);
          t0 = performance.now();
          ns.linkDown();
          await pane.until('reconnecting', t0);
          await sleep(2000);
          t0 = performance.now();
          ns.linkUp();
          linkUp.push(await pane.until('attached', t0));
        } else ns.unblackhole();
        await pane.dispose();
      }

      log(`network: ${run}: silent link, a key typed (keepalives out of the way)`);
      const typed = await watchedPane(server, ns, 'net-echo', { keepalive: QUIET_KEEPALIVE });
      await sleep(500);
      const t0 = performance.now();
      ns.blackhole();
      typed.bench.write(typed.paneId, 'x');
      detection.echo.push(await typed.until('reconnecting', t0));
      ns.unblackhole();
      await typed.dispose();

      log(`network: ${run}: OpenSSH, ServerAliveInterval 3 / CountMax 2`);
      detection.openssh.push(await openSshDetection(server, ns, NEW_KEEPALIVE));

      for (const [which, dialOnWake] of [['probeOnly', false], ['race', true]] as const) {
        log(`network: ${run}: wake on a socket that died silently while asleep (${which === 'race' ? 'probe and dial' : 'probe only'})`);
        const pane = await watchedPane(server, ns, `net-wake-${which}`, { keepalive: QUIET_KEEPALIVE, policy: { dialOnWake } });
        await sleep(500);
        // "Asleep": the connection's state was lost on the way (a NAT forgot it). Its packets vanish without a reset;
        // the network itself is fine, so a new connection gets through at once.
        const port = clientPortTo(ns.addr);
        ns.dropConnection(port);
        await sleep(200);
        const woke = performance.now();
        pane.bench.core.notifySystem('resume');
        wake[which].push(await pane.until('attached', woke));
        ns.undropConnections();
        await pane.dispose();
      }
    }

    results.add({ name: 'network: silent link → reconnecting, keepalive 5 s × 3 (old default)', unit: 'ms', values: detection.old, better: 'lower', note: 'ssh2 gives up (countMax + 1) × interval after the last answer: 15–20 s' });
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Infinity;
    results.add({
      name: 'network: silent link → reconnecting, keepalive 3 s × 2 (new default)',
      unit: 'ms',
      values: detection.new,
      better: 'lower',
      reference: 'network: OpenSSH ServerAliveInterval 3 / CountMax 2 → ssh exits',
      target: { text: '< 10 s', met: median(detection.new) < 10_000 },
    });
    results.add({
      name: 'network: silent link + a key typed → reconnecting (echo probe)',
      unit: 'ms',
      values: detection.echo,
      better: 'lower',
      target: { text: '< 3 s', met: median(detection.echo) < 3_000 },
      note: 'keepalive 600 s, so only the missing echo can notice: 1.2 s overdue + 1.5 s probe',
    });
    results.add({ name: 'network: OpenSSH ServerAliveInterval 3 / CountMax 2 → ssh exits', unit: 'ms', values: detection.openssh, better: 'lower', note: 'the reference: OpenSSH with the same keepalive as the new default' });
    results.add({ name: 'network: unblackhole → attached again', unit: 'ms', values: recover, better: 'lower', note: 'includes the backoff wait the outage had reached' });
    results.add({ name: 'network: link up → attached again', unit: 'ms', values: linkUp, better: 'lower', note: 'link down on the host side of the veth; the network watcher (2 s poll) sees the address come back' });
    results.add({ name: 'network: wake on a dead socket → attached (probe only, the old way)', unit: 'ms', values: wake.probeOnly, better: 'lower', note: 'waits for the 2 s probe to time out before dialling' });
    results.add({
      name: 'network: wake on a dead socket → attached (probe and dial at once)',
      unit: 'ms',
      values: wake.race,
      better: 'lower',
      reference: 'network: wake on a dead socket → attached (probe only, the old way)',
      target: { text: '< 1 s', met: median(wake.race) < 1_000 },
    });
  } finally {
    await server?.dispose();
    ns?.dispose();
  }
}
