// Bundles the web host (app/web/main.ts) for Node into out/web/main.js. Packages stay external: they are
// loaded from node_modules at run time (ssh2 has native parts and must not be bundled).
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
// `--out-dir DIR` builds elsewhere (the integration test does, so as not to touch out/).
const outFlag = process.argv.indexOf('--out-dir');
const outDir = outFlag > 0 && process.argv[outFlag + 1] ? process.argv[outFlag + 1] : 'out/web';

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: 'app/web/main.ts',
    outDir,
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
console.log(`build-web: ${outDir}/main.js`);
