// Bundles the web host (app/web/main.ts) for Node into out/web/main.js.
import { bundleForNode } from './lib/bundle-node.mjs';

// `--out-dir DIR` builds elsewhere (the integration test does, so as not to touch out/).
const outFlag = process.argv.indexOf('--out-dir');
const outDir = outFlag > 0 && process.argv[outFlag + 1] ? process.argv[outFlag + 1] : 'out/web';

await bundleForNode({ entry: 'app/web/main.ts', outDir });
console.log(`build-web: ${outDir}/main.js`);
