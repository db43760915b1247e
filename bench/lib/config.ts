// Sizes and repetitions, from the environment, so that a small run can share the machine with others:
//   BENCH_SCALE=small   a quick pass (10 MB floods, 100 keys, 2 runs)
//   BENCH_RUNS=N        runs per case (default 5, small 2)
//   BENCH_CASES=a,b     only these cases: throughput, echo, ctrlc, attach, memory, browser, network, watch, firstload
//   BENCH_MB=N          throughput size in MB; BENCH_FLOOD_MB=N the slow-view flood; BENCH_KEYS=N echo keys
export interface BenchConfig {
  scale: 'small' | 'full';
  runs: number;
  cases: Set<string>;
  throughputBytes: number;
  floodBytes: number;
  keys: number;
  scrollbackPanes: number;
  scrollbackLines: number;
  networkRuns: number;
}

export const ALL_CASES = ['throughput', 'echo', 'ctrlc', 'attach', 'memory', 'browser', 'network', 'watch', 'firstload'] as const;

function intEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

export function readConfig(): BenchConfig {
  const scale = process.env.BENCH_SCALE === 'small' ? 'small' : 'full';
  const small = scale === 'small';
  const cases = new Set((process.env.BENCH_CASES ?? ALL_CASES.join(',')).split(',').map((c) => c.trim()).filter(Boolean));
  for (const c of cases) if (!(ALL_CASES as readonly string[]).includes(c)) throw new Error(`Unknown case "${c}" (known: ${ALL_CASES.join(', ')})`);
  return {
    scale,
    runs: intEnv('BENCH_RUNS') ?? (small ? 2 : 5),
    cases,
    throughputBytes: Math.round((intEnv('BENCH_MB') ?? (small ? 10 : 100)) * 1e6),
    floodBytes: Math.round((intEnv('BENCH_FLOOD_MB') ?? (small ? 100 : 1000)) * 1e6),
    keys: intEnv('BENCH_KEYS') ?? (small ? 100 : 500),
    scrollbackPanes: small ? 4 : 20,
    scrollbackLines: 10_000,
    networkRuns: intEnv('BENCH_NET_RUNS') ?? (small ? 1 : 3),
  };
}
