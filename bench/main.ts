// `npm run bench`: Holdfast against OpenSSH's own client, against the same sshd in the same run. Prints a table
// (median, min, max of each case's runs, and the ratio to the OpenSSH row it is compared with) and writes the
// run as JSON to bench-results/. Sizes and repetitions: see lib/config.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { readConfig } from './lib/config';
import { Results } from './lib/results';
import { startBenchServer } from './lib/server';
import { formatTable } from './lib/table';
import { runInteractive } from './cases/interactive';
import { runMemory, runMemoryWorker } from './cases/memory';
import { runNetwork } from './cases/network';
import { runThroughput } from './cases/throughput';
import { runWatch } from './cases/watch';

function machine() {
  let sshVersion = '';
  let tmuxVersion = '';
  try {
    sshVersion = execFileSync('ssh', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    sshVersion = String((err as { stderr?: string }).stderr ?? '').trim();
  }
  try {
    tmuxVersion = execFileSync('tmux', ['-V'], { encoding: 'utf8' }).trim();
  } catch {
    /* reported as empty */
  }
  if (!sshVersion) sshVersion = execFileSync('sh', ['-c', 'ssh -V 2>&1'], { encoding: 'utf8' }).trim();
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    openssh: sshVersion,
    tmux: tmuxVersion,
  };
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = (s: string) => console.error(`bench: ${s}`);
  const results = new Results();
  const started = new Date();
  const info = machine();
  log(`${config.scale} run, ${config.runs} runs per case, cases: ${[...config.cases].join(', ')}`);
  const server = await startBenchServer();
  try {
    if (config.cases.has('throughput')) await guarded('throughput', log, results, () => runThroughput(server, config, results, log));
    for (const name of ['echo', 'ctrlc', 'attach']) {
      if (config.cases.has(name)) await guarded(name, log, results, () => runInteractive(server, config, results, log, new Set([name])));
    }
    if (config.cases.has('memory')) await guarded('memory', log, results, () => runMemory(server, config, results, log));
    if (config.cases.has('watch')) await guarded('watch', log, results, () => runWatch(server, config, results, log));
    if (config.cases.has('browser')) await guarded('browser', log, results, async () => {
        // Loaded only here: Playwright must not sit in the memory worker, whose RSS is core's figure.
        const { runBrowser } = await import('./cases/browser');
        await runBrowser(server, config, results, log);
      });
  } finally {
    await server.dispose();
  }
  if (config.cases.has('firstload')) await guarded('firstload', log, results, async () => {
      const { runFirstLoad } = await import('./cases/firstLoad');
      await runFirstLoad(config, results, log);
    });
  if (config.cases.has('network')) await guarded('network', log, results, () => runNetwork(config, results, log));
  const table = formatTable(results);
  console.log(`\nHoldfast benchmark — ${started.toISOString()} — ${info.nproc} cpu (${info.cpu}), ${info.memoryGiB} GiB, node ${info.node}, ${info.openssh}, ${info.tmux}`);
  console.log(`command: ${process.env.HOLDFAST_BENCH_COMMAND ?? 'npm run bench'}${config.scale === 'small' ? ' (BENCH_SCALE=small)' : ''}\n`);
  console.log(table);
  for (const note of results.notes) console.log(`note: ${note}`);
  const dir = join(process.env.HOLDFAST_ROOT ?? process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ date: started.toISOString(), machine: info, config: { ...config, cases: [...config.cases] }, rows: results.rows.map((r) => ({ ...r, ratio: results.ratio(r) })), notes: results.notes }, null, 2));
  console.log(`\nresults: ${file}`);
}

/** A case that fails is reported in the notes; the others still run. */
async function guarded(name: string, log: (s: string) => void, results: Results, fn: () => Promise<void>): Promise<void> {
  const t = performance.now();
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`${name} failed: ${message}`);
    results.notes.push(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  log(`${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const entry = process.argv[2] === 'worker' ? () => runMemoryWorker(JSON.parse(process.argv[3]!)).then((r) => console.log(JSON.stringify(r))) : main;

entry().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
