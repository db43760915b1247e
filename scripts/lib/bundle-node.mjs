// Bundles a TypeScript entry for Node with Vite into OUTDIR/main.js. Packages stay external: they are loaded
// from node_modules at run time (ssh2 has native parts and must not be bundled).
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export async function bundleForNode({ entry, outDir }) {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: entry,
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
}
