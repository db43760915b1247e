// OpenSSH's own client against the bench's sshd: the reference in every row.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerAddress } from './holdfast';

export function sshArgs(server: ServerAddress, extra: string[] = []): string[] {
  return [
    '-F', '/dev/null',
    '-i', server.clientKeyPath,
    '-p', String(server.port),
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    ...extra,
    `${server.user}@${server.host}`,
  ];
}

/** Runs `ssh host command` with stdout to /dev/null; resolves with the wall time in ms. */
export function timeSsh(server: ServerAddress, command: string, extra: string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const devnull = openSync('/dev/null', 'w');
    const started = performance.now();
    const child = spawn('ssh', [...sshArgs(server, ['-T', ...extra]), command], { stdio: ['ignore', devnull, 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      closeSync(devnull);
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`ssh exited ${code}: ${stderr}`));
    });
  });
}

/** The bundle runs from out/bench; the driver stays in the source tree (scripts/bench.mjs runs from the root). */
const PTY_DRIVER = join(process.env.HOLDFAST_ROOT ?? process.cwd(), 'bench/lib/ptydriver.py');

/**
 * Runs OpenSSH's client in a pty (python's pty module) with `mode` and returns what the driver measured.
 * See ptydriver.py for the modes.
 */
export function runPtyDriver<T>(server: ServerAddress, remoteCommand: string, mode: Record<string, unknown>, extra: string[] = []): T {
  const args = [...sshArgs(server, ['-tt', ...extra]), remoteCommand];
  const result = spawnSync('python3', [PTY_DRIVER, JSON.stringify({ ...mode, argv: ['ssh', ...args] })], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`ptydriver failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}
