import { defineConfig } from 'vitest/config';

/**
 * The suites StrykerJS runs against each mutant of the statechart, the migration and the waves
 * (npm run mutate:waves): few and fast, so every mutant runs all of them. Stryker's per-test
 * coverage missed the golden transcripts' kills of these modules (a planted mutant the waves
 * golden fails on was reported as survived), so this run does not rely on it.
 */
export default defineConfig({
  test: {
    include: [
      'test/unit/decide-waves.golden.test.ts',
      'test/unit/rollout.test.ts',
      'test/unit/waves.property.test.ts',
      'test/unit/release-state.test.ts',
      'test/unit/release-state-labels.test.ts',
      'test/unit/pause-resume.test.ts',
      'test/unit/release-migration.unit.test.ts',
      'test/unit/wave-views.test.ts',
      'test/unit/transitions.test.ts',
    ],
    env: { METADATA_SERVER_DETECTION: 'none', PROPERTY_RUNS: '25' },
  },
});
