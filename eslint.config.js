// Lint, and the layering rule: which layer may import which, and which packages each layer may use.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const layers = ['shared', 'core', 'web', 'main', 'preload', 'renderer'];

/** Paths of the other layers a layer may not import. */
function layerPatterns(forbidden) {
  return forbidden.map((layer) => ({
    group: [`**/${layer}/**`, `../${layer}`, `../../${layer}`, `../../../${layer}`],
    message: `This layer may not import app/${layer} (see DEVELOPERS.md: layering).`,
  }));
}

function restrict({ layer, forbiddenLayers, forbiddenPackages = [], node = true }) {
  const paths = [
    ...forbiddenPackages.map((name) => ({ name, message: `'${name}' may not be imported in app/${layer}.` })),
    ...(node ? [] : nodeBuiltins.map((name) => ({ name, message: `app/${layer} runs without Node: no '${name}'.` }))),
  ];
  const packagePatterns = forbiddenPackages.map((name) => ({ group: [`${name}/*`], message: `'${name}' may not be imported in app/${layer}.` }));
  return {
    files: [`app/${layer}/**/*.{ts,tsx}`],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': ['error', { paths, patterns: [...layerPatterns(forbiddenLayers), ...packagePatterns] }],
    },
  };
}

const uiPackages = ['react', 'react-dom', '@xterm/xterm', '@xterm/addon-fit', '@xterm/addon-webgl', '@xterm/addon-unicode11', '@xterm/addon-web-links', '@xterm/addon-search'];
const nodePackages = ['ssh2', 'ws', 'conf', 'electron-store', 'ssh-config'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'test-results/**', 'playwright-report/**', 'bench-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // Scripts and configs run in Node.
    files: ['scripts/**/*.{js,mjs}', 'bench/**/*.{js,mjs}', '*.config.{js,mjs}', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // Playwright fixtures declare their dependencies by destructuring, even when there are none.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  restrict({ layer: 'shared', forbiddenLayers: layers.filter((l) => l !== 'shared'), forbiddenPackages: ['electron', ...nodePackages, ...uiPackages], node: false }),
  restrict({ layer: 'core', forbiddenLayers: ['web', 'main', 'preload', 'renderer'], forbiddenPackages: ['electron', 'electron-store', 'ws', ...uiPackages] }),
  restrict({ layer: 'web', forbiddenLayers: ['main', 'preload', 'renderer'], forbiddenPackages: ['electron', 'electron-store', 'ssh2', ...uiPackages] }),
  restrict({ layer: 'main', forbiddenLayers: ['preload', 'renderer'], forbiddenPackages: ['ssh2', 'ws', ...uiPackages] }),
  restrict({ layer: 'preload', forbiddenLayers: ['core', 'web', 'main', 'renderer'], forbiddenPackages: [...nodePackages, ...uiPackages], node: false }),
  restrict({ layer: 'renderer', forbiddenLayers: ['core', 'web', 'main', 'preload'], forbiddenPackages: ['electron', ...nodePackages], node: false }),
  // Inside the renderer, imports run one way: ui (React) may use api, model and terminal, never the reverse.
  {
    files: ['app/renderer/src/{api,model,terminal}/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...['electron', ...nodePackages].map((name) => ({ name, message: `'${name}' may not be imported in app/renderer.` })), ...nodeBuiltins.map((name) => ({ name, message: `app/renderer runs without Node: no '${name}'.` }))],
          patterns: [
            ...layerPatterns(['core', 'web', 'main', 'preload']),
            { group: ['../ui', '../ui/*', '**/renderer/src/ui/**'], message: 'api, model and terminal may not import ui (see DEVELOPERS.md: layering).' },
            { group: ['react', 'react-dom'], message: 'api, model and terminal are plain TypeScript: React belongs to ui.' },
          ],
        },
      ],
    },
  },
);
