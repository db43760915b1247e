// A real OpenSSH sshd for tests: its own host key, config, log and authorized keys in a temp dir, a dedicated
// local user, listening on loopback (or inside a network namespace). Removed again by dispose().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync, chmodSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTools, run } from './tools';

export const TEST_USER = 'holdfast-test';
/** Only ever accepted by the harness's own sshd, which listens on loopback or inside a test namespace. */
export const TEST_PASSWORD = 'hf-Test-pw-7319';

export interface SshdOptions {
  hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa';
  /** Run sshd inside this network namespace (see netns.ts), listening on listenAddress. */
  netns?: string;
  listenAddress?: string;
  port?: number;
  logLevel?: 'INFO' | 'VERBOSE' | 'DEBUG';
  /** Extra sshd_config lines; they come first, so they override the harness's defaults. */
  extraConfig?: string;
}

export interface TestSshd {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** An unencrypted ed25519 key that the server accepts. */
  readonly clientKeyPath: string;
  readonly home: string;
  readonly dir: string;
  readonly authorizedKeysPath: string;
  readonly hostKeyType: string;
  /** As `ssh-keygen -lf` prints it: SHA256:… */
  readonly hostKeyFingerprint: string;
  readonly logPath: string;
  log(): string;
  /** Successful authentications the server has logged so far. */
  acceptedCount(): number;
  /** Number of TCP connections the server has received so far ("Connection from …"). */
  connectionCount(): number;
  /** Stops and starts sshd; `newHostKey` makes a new host key first (of `hostKeyType`, else the same type as before). */
  restart(options?: { newHostKey?: boolean; hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa' }): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Runs a shell command as the test user (e.g. tmux commands) and returns its stdout. */
  runAsUser(command: string): string;
  /**
   * Kills the server-side processes of every live connection to this server (found by its port with `ss`), as if
   * the server had dropped them: the client sees its TCP connection end. Returns how many processes were killed.
   */
  dropConnections(): number;
  /** Established TCP connections to this server right now. */
  liveConnections(): number;
  dispose(): Promise<void>;
}

let userReady = false;

/** Every process below `pid` (children, their children, …), read from /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The ppid is the 2nd field after the parenthesised command name, which may itself hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone while we looked */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of children.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** A process's start time (in clock ticks since boot): with the pid, it names one process even if the pid is reused. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Whether a process still runs (a zombie, dead and waiting to be reaped, does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Kills and waits until none of them runs any more (SIGKILL is delivered, not awaited, by kill(2)). */
async function killAndWait(pids: readonly number[]): Promise<void> {
  killAll(pids);
  for (let i = 0; i < 200 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 10));
  const left = pids.filter(running);
  if (left.length) throw new Error(`sshd session processes did not end: ${left.join(', ')}`);
}

/**
 * sshd session processes of the test user that outlived a run that crashed: their listener is gone, so they were
 * handed to init. Killed once per test process, before the first server starts.
 */
function statusOf(pid: number): { uid: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1) };
}

let uid: number | undefined;
function testUid(): number {
  if (uid === undefined) {
    try {
      uid = Number(run('id', ['-u', TEST_USER]).trim());
    } catch {
      uid = -1;
    }
  }
  return uid;
}

/**
 * A tmux server of the test user that no longer answers (a client gets "server exited unexpectedly") would fail
 * every test after it; it is killed, and the next tmux command starts a fresh one.
 */
function killWedgedTmuxServer(): void {
  const check = spawnSync('runuser', ['-u', TEST_USER, '--', 'env', `HOME=/home/${TEST_USER}`, 'tmux', 'list-sessions'], { encoding: 'utf8', timeout: 10_000 });
  if (!/server exited unexpectedly/.test(`${check.stderr}${check.stdout}`) && check.error === undefined) return;
  spawnSync('pkill', ['-KILL', '-u', TEST_USER, '-f', '^tmux: server'], { stdio: 'ignore' });
}

function killOrphanedSessions(): void {
  const orphans: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === 1 && cmdline.startsWith(`sshd: ${TEST_USER}`)) orphans.push(Number(entry), ...descendantsOf(Number(entry)));
      // A tmux client whose ssh session is gone (a control-mode client on a link the test cut): nothing will end it.
      else if (ppid === 1 && /^tmux\0(-u\0)?-C\0/.test(cmdline) && statusOf(Number(entry)).uid === testUid()) orphans.push(Number(entry));
    } catch {
      /* gone while we looked */
    }
  }
  killAll(orphans);
}

export function ensureTestUser(): { home: string } {
  const home = `/home/${TEST_USER}`;
  if (userReady) return { home };
  killOrphanedSessions();
  try {
    killWedgedTmuxServer();
  } catch {
    // No test user yet: nothing of it to kill.
  }
  try {
    run('id', [TEST_USER]);
  } catch {
    run('useradd', ['--create-home', '--shell', '/bin/bash', TEST_USER]);
  }
  // useradd leaves the account locked; sshd (UsePAM no) refuses locked accounts even for keys.
  run('chpasswd', [], { input: `${TEST_USER}:${TEST_PASSWORD}\n` });
  // A test that tries another login shell (fish) and crashed may have left it set.
  run('usermod', ['-s', '/bin/bash', TEST_USER]);
  mkdirSync(home, { recursive: true });
  // A UTF-8 locale so tmux and the shell pass multibyte characters through.
  const profile = join(home, '.bashrc');
  const marker = '# holdfast-test-harness';
  if (!existsSync(profile) || !readFileSync(profile, 'utf8').includes(marker)) {
    appendFileSync(profile, `\n${marker}\nexport LANG=C.UTF-8\nexport LC_ALL=C.UTF-8\n`);
  }
  userReady = true;
  return { home };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function fingerprintOf(pubPath: string): string {
  const out = run('ssh-keygen', ['-lf', pubPath]);
  const match = /(SHA256:\S+)/.exec(out);
  if (!match) throw new Error(`Unexpected ssh-keygen output: ${out}`);
  return match[1]!;
}

export function generateKey(path: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', passphrase = ''): void {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  const args = ['-q', '-t', type, '-N', passphrase, '-f', path, '-C', 'holdfast-test'];
  if (type === 'rsa') args.push('-b', '2048');
  run('ssh-keygen', args);
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  ensureTools();
  const { home } = ensureTestUser();
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'hf-sshd-'));
  chmodSync(dir, 0o755);
  let hostKeyType = options.hostKeyType ?? 'ed25519';
  const hostKeyPath = join(dir, 'host_key');
  const clientKeyPath = join(dir, 'client_key');
  const authorizedKeysPath = join(dir, 'authorized_keys');
  const logPath = join(dir, 'sshd.log');
  const configPath = join(dir, 'sshd_config');
  const host = options.listenAddress ?? '127.0.0.1';
  let port = options.port ?? (options.netns ? 2222 : await freePort());

  generateKey(hostKeyPath, hostKeyType);
  generateKey(clientKeyPath, 'ed25519');
  writeFileSync(authorizedKeysPath, readFileSync(`${clientKeyPath}.pub`));
  chmodSync(authorizedKeysPath, 0o644);
  const writeConfig = () => writeFileSync(
    configPath,
    [
      // First: sshd keeps the first value it reads for an option, so a test's own settings win over the defaults below.
      options.extraConfig ?? '',
      `Port ${port}`,
      `ListenAddress ${host}`,
      `HostKey ${hostKeyPath}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeysPath}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin no',
      `AllowUsers ${TEST_USER}`,
      `LogLevel ${options.logLevel ?? 'VERBOSE'}`,
      'MaxStartups 200:30:400',
      'MaxSessions 200',
      'MaxAuthTries 10',
      'AllowTcpForwarding yes',
      'PermitTTY yes',
      'ClientAliveInterval 0',
      'PrintMotd no',
      'AcceptEnv LANG LC_*',
      '',
    ].join('\n'),
  );
  writeConfig();

  let child: ChildProcess | undefined;
  let fingerprint = fingerprintOf(`${hostKeyPath}.pub`);
  /** Session processes of earlier listeners (stopped or restarted), by pid with their start time; dispose() ends them. */
  const sessionsLeft = new Map<number, string | undefined>();
  const remember = (pids: number[]) => {
    for (const pid of pids) sessionsLeft.set(pid, startTimeOf(pid));
  };

  const listeningLines = () => (existsSync(logPath) ? (readFileSync(logPath, 'utf8').match(/Server listening/g) ?? []).length : 0);
  /** Starts sshd and waits for a new "Server listening" line in its log (no probe connection is made to it). */
  const start = async () => {
    if (child && child.exitCode === null) return;
    const sshdArgs = ['-D', '-f', configPath, '-E', logPath];
    const listeningBefore = listeningLines();
    const proc = options.netns
      ? spawn('ip', ['netns', 'exec', options.netns, '/usr/sbin/sshd', ...sshdArgs], { stdio: 'ignore' })
      : spawn('/usr/sbin/sshd', sshdArgs, { stdio: 'ignore' });
    child = proc;
    for (let i = 0; i < 400; i++) {
      if (listeningLines() > listeningBefore) return;
      if (proc.exitCode !== null) throw new Error(`sshd exited with ${proc.exitCode}: ${readFileSync(logPath, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`sshd did not start listening on ${host}:${port}`);
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    // sshd leaves the per-connection processes running when its listener stops (as a real restart does); they
    // are remembered so that dispose() can end them: a test run leaves nothing behind.
    if (proc.pid !== undefined) remember(descendantsOf(proc.pid));
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
    });
  };

  // The free port was released before sshd could bind it, and something else may have taken it meanwhile.
  for (let tries = 1; ; tries++) {
    try {
      await start();
      break;
    } catch (err) {
      const taken = /Address already in use/.test(String(err));
      if (!taken || options.port !== undefined || options.netns || tries >= 10) throw err;
      port = await freePort();
      writeConfig();
    }
  }

  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const established = (): string[] => {
    const ssArgs = ['-Htnp', 'state', 'established', `( sport = :${port} )`];
    const out = options.netns ? run('ip', ['netns', 'exec', options.netns, 'ss', ...ssArgs]) : run('ss', ssArgs);
    return out.split('\n').filter((line) => line.trim());
  };

  return {
    host,
    port,
    user: TEST_USER,
    password: TEST_PASSWORD,
    clientKeyPath,
    home,
    dir,
    authorizedKeysPath,
    get hostKeyType() {
      return hostKeyType;
    },
    get hostKeyFingerprint() {
      return fingerprint;
    },
    logPath,
    log,
    acceptedCount: () => (log().match(new RegExp(`Accepted \\S+ for ${TEST_USER}`, 'g')) ?? []).length,
    connectionCount: () => (log().match(/Connection from /g) ?? []).length,
    async restart(restartOptions = {}) {
      await stop();
      if (restartOptions.newHostKey) {
        if (restartOptions.hostKeyType) hostKeyType = restartOptions.hostKeyType;
        generateKey(hostKeyPath, hostKeyType);
        fingerprint = fingerprintOf(`${hostKeyPath}.pub`);
      }
      await start();
    },
    stop,
    start,
    runAsUser(command: string) {
      // From the user's home, so that a tmux server started here opens its shells there, as over ssh.
      return run('runuser', ['-u', TEST_USER, '--', 'env', `HOME=${home}`, 'LANG=C.UTF-8', 'bash', '-c', command], { cwd: home });
    },
    liveConnections() {
      return established().filter((line) => line.trim()).length;
    },
    dropConnections() {
      const pids = [...new Set(established().flatMap((line) => [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]))))];
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      return pids.length;
    },
    async dispose() {
      if (child?.pid !== undefined) remember(descendantsOf(child.pid));
      await stop();
      // Only the same processes: a pid remembered earlier may have been reused since.
      await killAndWait([...sessionsLeft].filter(([pid, started]) => started !== undefined && startTimeOf(pid) === started).map(([pid]) => pid));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
