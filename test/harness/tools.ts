// Makes sure the real programs the tests talk to are installed: OpenSSH's server and client, tmux, nftables.
// On a fresh machine where we are root with apt-get, it installs them; elsewhere it stops with the list.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const REQUIRED: Array<{ bin: string; pkg: string }> = [
  { bin: '/usr/sbin/sshd', pkg: 'openssh-server' },
  { bin: '/usr/bin/ssh', pkg: 'openssh-client' },
  { bin: '/usr/bin/ssh-keygen', pkg: 'openssh-client' },
  { bin: '/usr/bin/tmux', pkg: 'tmux' },
  { bin: '/usr/sbin/ip', pkg: 'iproute2' },
  { bin: '/usr/sbin/nft', pkg: 'nftables' },
  // A login shell that is not POSIX, which remote command lines must survive.
  { bin: '/usr/bin/fish', pkg: 'fish' },
];

let checked = false;

export function missingPackages(extra: Array<{ bin: string; pkg: string }> = []): string[] {
  return [...new Set([...REQUIRED, ...extra].filter((t) => !existsSync(t.bin)).map((t) => t.pkg))];
}

export function ensureTools(extra: Array<{ bin: string; pkg: string }> = []): void {
  if (checked && extra.length === 0) return;
  let missing = missingPackages(extra);
  if (missing.length > 0 && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'ignore', env });
    missing = missingPackages(extra);
  }
  if (missing.length > 0) {
    throw new Error(`The integration tests need these Debian packages: ${missing.join(' ')} (install them with: apt-get install ${missing.join(' ')})`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('The integration tests start their own sshd and create a test user, which needs root.');
  }
  checked = true;
}

export function run(cmd: string, args: string[], options: { input?: string; cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input: options.input, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
}
