import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['app/**/*.test.ts', 'app/**/*.test.tsx', 'test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          // Real sshd and tmux, started by the harness in test/harness.
          include: ['app/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Fault tests change network namespaces and the shared tmux server: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
