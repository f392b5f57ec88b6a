import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files share the emulators but use distinct database ids / projects,
    // so files may run in parallel; two cores make more threads pointless.
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
    env: { METADATA_SERVER_DETECTION: 'none' },
    // CI runs files and tests in a random order (the seed is printed), so an order dependency shows.
    sequence: { shuffle: process.env.CI === 'true' },
  },
});
