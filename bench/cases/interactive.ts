// 2. Keystroke echo latency, 3. Ctrl-C during a flood, 4. attach time: Holdfast core (through the contract)
// against OpenSSH's client in a pty, on the same tmux server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from '../lib/config';
import { openPaneView, sleep, startCore, waitUntil, type BenchCore } from '../lib/holdfast';
import { runPtyDriver, sshArgs } from '../lib/openssh';
import type { Results } from '../lib/results';
import type { BenchServer } from '../lib/server';
import { percentile, summarize } from '../lib/stats';
import { settle } from './throughput';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/** Holdfast: ms from the pane.input of one key until the output batch carrying its echo reaches the view. */
export async function holdfastEcho(bench: BenchCore, session: string, keys: number): Promise<number[]> {
  const pane = await openPaneView(bench, session);
  await settle(pane.view);
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    if (i && i % 50 === 0) {
      bench.write(pane.paneId, '\x15');
      await settle(pane.view, 100);
    }
    const ch = ALPHABET[i % 26]!;
    let resolve!: (t: number) => void;
    const echoed = new Promise<number>((r) => (resolve = r));
    const sub = bench.tap((paneId, data) => {
      if (paneId === pane.paneId && Buffer.from(data).includes(ch)) resolve(performance.now());
    });
    const t0 = performance.now();
    bench.write(pane.paneId, ch);
    samples.push((await echoed) - t0);
    sub.dispose();
  }
  bench.write(pane.paneId, '\x15');
  await pane.dispose();
  return samples;
}

export const CTRL_C_FLOOD = 'base64 /dev/urandom\r';
const FLOOD_MS = 1000;
const QUIET_MS = 1000;

/** Holdfast: ms from the pane.input of '\x03' during a flood until the view parsed its last byte (then quiet). */
export async function holdfastCtrlC(bench: BenchCore, session: string): Promise<{ ms: number; bytesAfter: number }> {
  const pane = await openPaneView(bench, session);
  await settle(pane.view);
  bench.write(pane.paneId, CTRL_C_FLOOD);
  await sleep(FLOOD_MS);
  const before = pane.view.received;
  const t0 = performance.now();
  bench.write(pane.paneId, '\x03');
  await waitUntil(() => performance.now() - Math.max(pane.view.lastDataAt, t0) >= QUIET_MS && pane.view.parsed === pane.view.received, 'the flood to stop', 60_000, 10);
  const result = { ms: Math.max(0, pane.view.lastParsedAt - t0), bytesAfter: pane.view.received - before };
  await pane.dispose();
  return result;
}

export async function runInteractive(server: BenchServer, config: BenchConfig, results: Results, log: (s: string) => void, which: Set<string>): Promise<void> {
  const addr = server.sshd;
  if (which.has('echo')) {
    log(`echo: ${config.keys} keys`);
    server.newSession('echo');
    const openssh = runPtyDriver<{ samples: number[] }>(addr, 'tmux attach -t echo', { mode: 'echo', keys: config.keys }).samples;
    const classic = await startCore(addr, 'bench', { tmuxMode: 'classic' });
    const holdfast = await holdfastEcho(classic, 'echo', config.keys);
    classic.dispose();
    const control = await startCore(addr, 'bench', { tmuxMode: 'control' });
    const viaControl = await holdfastEcho(control, 'echo', config.keys);
    control.dispose();
    addLatency(results, 'echo', openssh, holdfast, viaControl);
  }
  if (which.has('ctrlc')) {
    log(`ctrl-c: ${config.runs} runs`);
    server.newSession('cc');
    const openssh: number[] = [];
    for (let i = 0; i < config.runs; i++) {
      openssh.push(runPtyDriver<{ ms: number }>(addr, 'tmux attach -t cc', { mode: 'ctrlc', input: CTRL_C_FLOOD, floodMs: FLOOD_MS, quietMs: QUIET_MS }).ms);
    }
    const ref = 'Ctrl-C in a flood, until output stops / OpenSSH ssh -tt';
    results.add({ name: ref, unit: 'ms', values: openssh, better: 'lower' });
    for (const mode of ['classic', 'control'] as const) {
      const bench = await startCore(addr, 'bench', { tmuxMode: mode });
      const holdfast: number[] = [];
      for (let i = 0; i < config.runs; i++) holdfast.push((await holdfastCtrlC(bench, 'cc')).ms);
      bench.dispose();
      results.add({
        name: `Ctrl-C in a flood, until output stops / Holdfast core → xterm headless, ${mode === 'classic' ? 'classic attach' : 'control mode'}`,
        unit: 'ms',
        values: holdfast,
        better: 'lower',
        reference: ref,
        target: { text: '≤ 2× OpenSSH', met: summarize(holdfast).median <= 2 * summarize(openssh).median },
      });
    }
  }
  if (which.has('attach')) {
    log(`attach: ${config.runs} runs`);
    server.newSession('at1');
    server.newSession('at2');
    const o1: number[] = [];
    const o2: number[] = [];
    const h1: number[] = [];
    const h2: number[] = [];
    const c1: number[] = [];
    const c2: number[] = [];
    for (let i = 0; i < config.runs; i++) {
      o1.push(runPtyDriver<{ ms: number }>(addr, 'tmux attach -t at1', { mode: 'first-byte' }).ms);
      const dir = mkdtempSync(join(tmpdir(), 'hf-bench-mux-'));
      const master = join(dir, 'ctl');
      spawnSync('ssh', [...sshArgs(addr, ['-M', '-S', master, '-f', '-N'])], { stdio: 'ignore' });
      o2.push(runPtyDriver<{ ms: number }>(addr, 'tmux attach -t at2', { mode: 'first-byte' }, ['-S', master]).ms);
      spawnSync('ssh', [...sshArgs(addr, ['-S', master, '-O', 'exit'])], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });

      const bench = await startCore(addr, 'bench', { tmuxMode: 'classic' });
      h1.push(await firstByte(bench, 'at1'));
      h2.push(await firstByte(bench, 'at2'));
      bench.dispose();
      const control = await startCore(addr, 'bench', { tmuxMode: 'control' });
      c1.push(await firstByte(control, 'at1'));
      c2.push(await firstByte(control, 'at2'));
      control.dispose();
      await sleep(200);
    }
    const r1 = 'attach, first session (handshake) / OpenSSH ssh -tt';
    const r2 = 'attach, second session (open connection) / OpenSSH ssh -tt (ControlMaster)';
    results.add({ name: r1, unit: 'ms', values: o1, better: 'lower' });
    results.add({ name: r2, unit: 'ms', values: o2, better: 'lower' });
    for (const [mode, first, second] of [['classic attach', h1, h2], ['control mode', c1, c2]] as const) {
      results.add({ name: `attach, first session (handshake) / Holdfast core, ${mode}`, unit: 'ms', values: [...first], better: 'lower', reference: r1 });
      results.add({
        name: `attach, second session (open connection) / Holdfast core, ${mode}`,
        unit: 'ms',
        values: [...second],
        better: 'lower',
        reference: r2,
        target: { text: '< ⅓ of the first', met: summarize([...second]).median < summarize([...first]).median / 3 },
      });
    }
  }
}

/** ms from panes.open until the pane's first output byte (the session drawn). */
async function firstByte(bench: BenchCore, session: string): Promise<number> {
  const seen: Array<{ paneId: string; t: number }> = [];
  const sub = bench.tap((paneId) => seen.push({ paneId, t: performance.now() }));
  const t0 = performance.now();
  const info = await bench.call('panes.open', { hostId: bench.hostId, sessionName: session, cols: 120, rows: 40 });
  const paneId = info.paneId;
  bench.client.subscribePane(paneId);
  await waitUntil(() => seen.some((s) => s.paneId === paneId), 'the first output', 20_000, 1);
  const first = seen.find((s) => s.paneId === paneId)!.t;
  sub.dispose();
  return first - t0;
}

function addLatency(results: Results, what: string, openssh: number[], holdfast: number[], viaControl?: number[]): void {
  const o = [...openssh].sort((a, b) => a - b);
  const h = [...holdfast].sort((a, b) => a - b);
  const ref50 = `${what} p50 / OpenSSH ssh -tt in a pty`;
  const ref99 = `${what} p99 / OpenSSH ssh -tt in a pty`;
  const p = (s: number[], q: number) => [percentile(s, q)];
  results.add({ name: ref50, unit: 'ms', values: p(o, 50), better: 'lower', note: `${o.length} keys; min/max are of all keys` });
  results.rows.at(-1)!.summary.min = o[0]!;
  results.rows.at(-1)!.summary.max = o.at(-1)!;
  results.add({ name: ref99, unit: 'ms', values: p(o, 99), better: 'lower' });
  const h50 = percentile(h, 50);
  const h99 = percentile(h, 99);
  results.add({ name: `${what} p50 / Holdfast core, classic attach`, unit: 'ms', values: [h50], better: 'lower', reference: ref50, target: { text: '≤ OpenSSH + 2 ms', met: h50 <= percentile(o, 50) + 2 } });
  results.rows.at(-1)!.summary.min = h[0]!;
  results.rows.at(-1)!.summary.max = h.at(-1)!;
  results.add({ name: `${what} p99 / Holdfast core, classic attach`, unit: 'ms', values: [h99], better: 'lower', reference: ref99, target: { text: '≤ OpenSSH + 8 ms', met: h99 <= percentile(o, 99) + 8 } });
  results.notes.push(`${what}: keys slower than 5 ms: OpenSSH ${slowKeys(o)}, Holdfast core ${slowKeys(h)} (a frame's wait shows as a cluster at 10–16 ms)`);
  if (viaControl) {
    const c = [...viaControl].sort((a, b) => a - b);
    const c50 = percentile(c, 50);
    const c99 = percentile(c, 99);
    const classic50 = `${what} p50 / Holdfast core, classic attach`;
    const classic99 = `${what} p99 / Holdfast core, classic attach`;
    results.add({ name: `${what} p50 / Holdfast core, control mode`, unit: 'ms', values: [c50], better: 'lower', reference: classic50, target: { text: '≤ classic + 2 ms', met: c50 <= h50 + 2 } });
    results.add({ name: `${what} p99 / Holdfast core, control mode`, unit: 'ms', values: [c99], better: 'lower', reference: classic99, target: { text: '≤ classic + 8 ms', met: c99 <= h99 + 8 } });
    results.notes.push(`${what}, control mode: keys slower than 5 ms: ${slowKeys(c)}`);
  }
}

/** How many of the keys took more than 5 ms, and more than 10 ms. */
export function slowKeys(samples: readonly number[]): string {
  return `${samples.filter((s) => s > 5).length} (> 10 ms: ${samples.filter((s) => s > 10).length}) of ${samples.length}`;
}
export { addLatency };
