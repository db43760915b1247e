// `npm run bench`: bundles the benchmark (bench/main.ts, Node) and its browser page (bench/web, served by the web
// host) with Vite into out/bench, then runs it. Environment: see bench/lib/config.ts (BENCH_SCALE=small for a
// quick pass). Needs root (the harness starts its own sshd, a test user and network namespaces).
import { spawnSync } from 'node:child_process';
import { build } from 'vite';
import { bundleForNode, root } from './lib/bundle-node.mjs';

await bundleForNode({ entry: 'bench/main.ts', outDir: 'out/bench' });

await build({
  configFile: false,
  root: `${root}bench/web`,
  base: './',
  logLevel: 'warn',
  build: { outDir: `${root}out/bench/web`, emptyOutDir: true, target: 'es2022', minify: false, reportCompressedSize: false },
});

const result = spawnSync(process.execPath, ['--expose-gc', `${root}out/bench/main.js`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, HOLDFAST_ROOT: root },
});
process.exit(result.status ?? 1);
