// Type-checks each layer with its own tsconfig, so that a layer's lib and types rules hold (no DOM in core, no Node in the renderer).
import { spawnSync } from 'node:child_process';

const projects = [
  'app/shared/tsconfig.json',
  'app/core/tsconfig.json',
  'app/web/tsconfig.json',
  'app/main/tsconfig.json',
  'app/preload/tsconfig.json',
  'app/renderer/tsconfig.json',
  'tsconfig.test.json',
];
let failed = 0;
for (const project of projects) {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`typecheck: ${project} failed`);
  }
}
if (failed) process.exit(1);
console.log(`typecheck: ${projects.length} projects clean`);
