// 8. Needs you at rest: what watching a host with 20 tmux sessions costs when nothing happens — bytes a second on
// the SSH connection (both ways, counted by the kernel's TCP statistics for the connection) and core's CPU — beside
// an idle OpenSSH connection with the same keepalive (ServerAliveInterval 3), in the same run.
import { spawn, spawnSync } from 'node:child_process';
import type { BenchConfig } from '../lib/config';
import { sleep, startCore, waitUntil } from '../lib/holdfast';
import { sshArgs } from '../lib/openssh';
import type { Results } from '../lib/results';
import type { BenchServer } from '../lib/server';

const SESSIONS = 20;
const WINDOW_MS = 20_000;

/** Bytes sent plus received on established TCP connections to the server's port (ss -ti). */
function tcpBytes(port: number): number {
  const out = spawnSync('ss', ['-tinH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' }).stdout;
  let total = 0;
  for (const m of out.matchAll(/bytes_(?:sent|received):(\d+)/g)) total += Number(m[1]);
  return total;
}

export async function runWatch(server: BenchServer, config: BenchConfig, results: Results, log: (s: string) => void): Promise<void> {
  const address = server.sshd;
  for (let i = 0; i < SESSIONS; i++) server.newSession(`watch-${i}`);
  const holdfast: number[] = [];
  const cpu: number[] = [];
  const openssh: number[] = [];
  for (let run = 0; run < config.runs; run++) {
    // OpenSSH, idle, with a keepalive like Holdfast's default.
    const ssh = spawn('ssh', sshArgs(address, ['-N', '-o', 'ServerAliveInterval=3']), { stdio: 'ignore' });
    await waitUntil(() => tcpBytes(address.port) > 0, 'the ssh connection', 10_000);
    await sleep(3000);
    const a0 = tcpBytes(address.port);
    await sleep(WINDOW_MS);
    openssh.push(((tcpBytes(address.port) - a0) * 1000) / WINDOW_MS);
    ssh.kill();
    await waitUntil(() => tcpBytes(address.port) === 0, 'the ssh connection to close', 10_000);

    // Holdfast: connected (the session list), so Needs you watches the host; nothing happens in any session.
    const bench = await startCore(address, 'watch');
    try {
      await bench.call('sessions.list', { hostId: bench.hostId });
      await sleep(5000);
      const b0 = tcpBytes(address.port);
      const c0 = process.cpuUsage();
      await sleep(WINDOW_MS);
      const used = process.cpuUsage(c0);
      holdfast.push(((tcpBytes(address.port) - b0) * 1000) / WINDOW_MS);
      cpu.push(((used.user + used.system) / 1000 / WINDOW_MS) * 100);
    } finally {
      bench.dispose();
    }
    log(`watch run ${run + 1}: Holdfast ${holdfast.at(-1)!.toFixed(0)} B/s, core CPU ${cpu.at(-1)!.toFixed(2)} %, OpenSSH idle ${openssh.at(-1)!.toFixed(0)} B/s`);
  }
  const reference = 'watch idle / OpenSSH ssh -N, ServerAliveInterval 3';
  results.add({ name: reference, unit: 'B/s', better: 'lower', values: openssh });
  results.add({ name: `watch idle / Holdfast connected, ${SESSIONS} sessions watched`, unit: 'B/s', better: 'lower', reference, values: holdfast, note: 'both directions, keepalives included' });
  results.add({ name: `watch idle / Holdfast core CPU, ${SESSIONS} sessions watched`, unit: '% of a core', better: 'lower', values: cpu });
  for (let i = 0; i < SESSIONS; i++) server.tmux(`kill-session -t '=watch-${i}' 2>/dev/null; true`);
}
