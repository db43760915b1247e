// Test hosts in network namespaces, joined by veth pairs with 10.200.x.y/30 addresses that only exist here.
// There is no netem in this kernel: faults are a link taken down, or nftables dropping everything in the namespace.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { ensureTools } from './tools';

export interface TestNetns {
  readonly name: string;
  /** The address on the parent side of the veth pair (root namespace, or the parent namespace). */
  readonly parentAddr: string;
  /** The address inside this namespace. */
  readonly addr: string;
  readonly parent: TestNetns | undefined;
  /** Takes the parent side of the link down: packets stop in both directions. */
  linkDown(): void;
  linkUp(): void;
  /** Drops every packet in and out of the namespace's link, silently (no RST, no ICMP), like a dead Wi-Fi. */
  blackhole(): void;
  unblackhole(): void;
  /**
   * Silently drops every packet of the TCP connection whose client side uses `clientPort`, and only those: that
   * connection is dead without a word (as when a NAT forgets it), while new connections get through.
   */
  dropConnection(clientPort: number): void;
  /** Undoes every dropConnection. */
  undropConnections(): void;
  /** Runs a command inside the namespace. */
  exec(cmd: string, args: string[]): string;
  dispose(): void;
}

const PREFIX = 'hft';
let counter = 0;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inNs(ns: string | undefined, cmd: string, args: string[]): string {
  return ns ? sh('ip', ['netns', 'exec', ns, cmd, ...args]) : sh(cmd, args);
}

function usedSubnets(): Set<number> {
  const used = new Set<number>();
  const names = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  for (const n of names) {
    const m = /^hft\d+-(\d+)$/.exec(n);
    if (m) used.add(Number(m[1]));
  }
  return used;
}

/** Creates a namespace joined to the root namespace, or to `parent` only (reachable from root only through it). */
let cleanedUp = false;

export function createNetns(options: { parent?: TestNetns } = {}): TestNetns {
  ensureTools();
  if (!cleanedUp) {
    cleanedUp = true;
    removeStaleNamespaces();
  }
  const used = usedSubnets();
  let subnet = (process.pid * 7 + counter++) % 250;
  for (let i = 0; i < 250 && used.has(subnet); i++) subnet = (subnet + 1) % 250;
  const name = `${PREFIX}${process.pid % 100000}-${subnet}`;
  // veth names are at most 15 characters.
  const outer = `hfo${subnet}x${process.pid % 1000}`;
  const inner = `hfi${subnet}x${process.pid % 1000}`;
  const parentAddr = `10.200.${subnet}.1`;
  const addr = `10.200.${subnet}.2`;
  const parentNs = options.parent?.name;

  sh('ip', ['netns', 'add', name]);
  try {
    inNs(parentNs, 'ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    inNs(parentNs, 'ip', ['link', 'set', inner, 'netns', name]);
    inNs(parentNs, 'ip', ['addr', 'add', `${parentAddr}/30`, 'dev', outer]);
    inNs(parentNs, 'ip', ['link', 'set', outer, 'up']);
    inNs(name, 'ip', ['addr', 'add', `${addr}/30`, 'dev', inner]);
    inNs(name, 'ip', ['link', 'set', inner, 'up']);
    inNs(name, 'ip', ['link', 'set', 'lo', 'up']);
  } catch (err) {
    try {
      sh('ip', ['netns', 'del', name]);
    } catch {
      /* already gone */
    }
    throw err;
  }

  let blackholed = false;
  let dropping = false;
  const self: TestNetns = {
    name,
    parentAddr,
    addr,
    parent: options.parent,
    linkDown: () => void inNs(parentNs, 'ip', ['link', 'set', outer, 'down']),
    linkUp: () => void inNs(parentNs, 'ip', ['link', 'set', outer, 'up']),
    blackhole() {
      if (blackholed) return;
      inNs(name, 'nft', ['add', 'table', 'inet', 'hfblackhole']);
      inNs(name, 'nft', ['add', 'chain', 'inet', 'hfblackhole', 'in', '{ type filter hook input priority -10 ; policy drop ; }']);
      inNs(name, 'nft', ['add', 'chain', 'inet', 'hfblackhole', 'out', '{ type filter hook output priority -10 ; policy drop ; }']);
      // Loopback inside the namespace keeps working; only the link to the outside goes silent.
      inNs(name, 'nft', ['add', 'rule', 'inet', 'hfblackhole', 'in', 'iifname', 'lo', 'accept']);
      inNs(name, 'nft', ['add', 'rule', 'inet', 'hfblackhole', 'out', 'oifname', 'lo', 'accept']);
      blackholed = true;
    },
    unblackhole() {
      if (!blackholed) return;
      inNs(name, 'nft', ['delete', 'table', 'inet', 'hfblackhole']);
      blackholed = false;
    },
    dropConnection(clientPort) {
      if (!dropping) {
        inNs(name, 'nft', ['add', 'table', 'inet', 'hfdrop']);
        inNs(name, 'nft', ['add', 'chain', 'inet', 'hfdrop', 'in', '{ type filter hook input priority -10 ; policy accept ; }']);
        inNs(name, 'nft', ['add', 'chain', 'inet', 'hfdrop', 'out', '{ type filter hook output priority -10 ; policy accept ; }']);
        dropping = true;
      }
      inNs(name, 'nft', ['add', 'rule', 'inet', 'hfdrop', 'in', 'tcp', 'sport', String(clientPort), 'drop']);
      inNs(name, 'nft', ['add', 'rule', 'inet', 'hfdrop', 'out', 'tcp', 'dport', String(clientPort), 'drop']);
    },
    undropConnections() {
      if (!dropping) return;
      inNs(name, 'nft', ['delete', 'table', 'inet', 'hfdrop']);
      dropping = false;
    },
    exec: (cmd, args) => inNs(name, cmd, args),
    dispose() {
      try {
        inNs(parentNs, 'ip', ['link', 'del', outer]);
      } catch {
        /* removed with its namespace */
      }
      try {
        sh('ip', ['netns', 'del', name]);
      } catch {
        /* already gone */
      }
    },
  };
  return self;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes what a test run that crashed left behind: its namespaces (named after a process that is gone) and the
 * routes of last resort the fault rig adds for 10.200.x.0/30 subnets that no longer have a link.
 */
export function removeStaleNamespaces(): void {
  const names = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  for (const n of names) {
    if (!n.startsWith(PREFIX)) continue;
    const pid = Number(/^hft(\d+)-/.exec(n)?.[1]);
    // Names carry the pid modulo 100000: a live process with that pid may still own it.
    if (!Number.isFinite(pid) || pid === process.pid % 100000 || processAlive(pid)) continue;
    try {
      sh('ip', ['netns', 'del', n]);
    } catch {
      /* ignore */
    }
  }
  const linked = new Set(sh('ip', ['-o', 'addr', 'show']).match(/10\.200\.\d+\.\d+/g)?.map((a) => a.replace(/\.\d+$/, '.0')) ?? []);
  for (const line of sh('ip', ['route', 'show', 'type', 'unreachable']).split('\n')) {
    const m = /^unreachable (10\.200\.\d+\.0)\/30 metric 4000/.exec(line.trim());
    if (!m || linked.has(m[1]!)) continue;
    try {
      sh('ip', ['route', 'del', 'unreachable', `${m[1]}/30`, 'metric', '4000']);
    } catch {
      /* ignore */
    }
  }
}
