import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          setupFiles: ['server/src/testing/setup.ts'],
          include: ['shared/src/**/*.test.ts', 'server/src/**/*.test.ts', 'client/src/**/*.test.ts', 'test/infra/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: ['test/support/staleConnection.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Browsers and media workers are heavy on two cores: one file at a time.
          fileParallelism: false,
        },
      },
      {
        // Run by test/netns/run.sh inside a network namespace with induced packet loss.
        test: {
          name: 'netns',
          include: ['test/netns/**/*.test.ts'],
          setupFiles: ['test/support/staleConnection.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
