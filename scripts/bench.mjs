// `npm run bench`: bundles the benchmark (bench/main.ts, Node) and its browser page (bench/web, served by the web
// host) with Vite into out/bench, then runs it. Environment: see bench/lib/config.ts (BENCH_SCALE=small for a
// quick pass). Needs root (the harness starts its own sshd, a test user and network namespaces).
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: 'bench/main.ts',
    outDir: 'out/bench',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    copyPublicDir: false,
    reportCompressedSize: false,
    rolldownOptions: {
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { format: 'es', entryFileNames: 'main.js' },
    },
  },
  ssr: { target: 'node' },
});

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
