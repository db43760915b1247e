// Builds the Electron shell: main (app/main) and preload (app/preload) for Electron's Node, and the renderer
// (app/renderer) for Chromium. out/renderer uses relative asset paths, so the same files are served by
// Electron's app:// protocol and by the web host.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // Packages load from node_modules at run time; ssh2 and its optional native cpu-features above all.
      externalizeDeps: { include: ['ssh2', 'cpu-features'] },
      lib: { entry: resolve(root, 'app/main/index.ts') },
      sourcemap: true,
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      lib: { entry: resolve(root, 'app/preload/index.ts') },
      // A sandboxed preload is a classic script: CommonJS, everything but `electron` bundled in.
      externalizeDeps: false,
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(root, 'app/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      sourcemap: true,
      // The same files go to a phone over Wi-Fi (the companion): minified, they are less than half the bytes.
      minify: true,
      // The terminal (xterm.js) is one chunk of about 800 kB; its size is measured where it matters (bench case
      // firstload: the bytes a phone downloads), so Vite's generic 500 kB warning only adds noise to every build.
      chunkSizeWarningLimit: 1500,
      rolldownOptions: { input: resolve(root, 'app/renderer/index.html') },
    },
  },
});
