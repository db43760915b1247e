// `npm run web [-- flags]`: builds if out/ is missing or older than the sources, then runs the web host
// (out/web/main.js) with the flags passed through (--host, --port, --data-dir, --static-dir).
// `--no-build` skips the freshness check.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

const OUTPUTS = ['out/web/main.js', 'out/renderer/index.html', 'out/main/index.js', 'out/preload/index.cjs'];
const INPUTS = ['app', 'electron.vite.config.ts', 'package.json', 'package-lock.json', 'scripts/build-web.mjs', 'tsconfig.base.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why a build is needed, or undefined when out/ is complete and newer than every source. */
export function staleReason() {
  const missing = OUTPUTS.find((output) => !existsSync(join(root, output)));
  if (missing) return `${missing} is missing`;
  const oldestOutput = Math.min(...OUTPUTS.map((output) => statSync(join(root, output)).mtimeMs));
  const newestInput = Math.max(...INPUTS.map((input) => newestMtime(join(root, input))));
  return newestInput > oldestOutput ? 'sources changed since the last build' : undefined;
}

function run(args) {
  // Build output goes to stderr: stdout carries only the web host's URL line, which tests parse.
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    console.error(`holdfast: build failed (${args.join(' ')})`);
    process.exit(result.status ?? 1);
  }
}

/** `npm run build`: electron-vite build, then the web host bundle. */
export function ensureBuilt() {
  const reason = staleReason();
  if (!reason) return;
  console.error(`holdfast: building (${reason})…`);
  run([join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
  run([join(root, 'scripts/build-web.mjs')]);
}

/** Runs `command args` in the foreground, forwarding termination signals, and exits with its status. */
export function runForeground(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; a signal sent to this process alone is
  // passed on. Either way this process waits for the child to finish shutting down.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
}

export function runWebHost(args) {
  const skipBuild = args.includes('--no-build');
  if (!skipBuild) ensureBuilt();
  runForeground(process.execPath, [join(root, 'out/web/main.js'), ...args.filter((a) => a !== '--no-build')]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWebHost(process.argv.slice(2));
}
