import { defineConfig } from 'vitest/config';

/**
 * The suites StrykerJS runs against each mutant of the pipeline and gate-hook modules
 * (npm run mutate:pipeline): few and fast, so every mutant runs all of them.
 */
export default defineConfig({
  test: {
    include: [
      'test/unit/gates.test.ts',
      'test/unit/on-upstream.test.ts',
      'test/unit/notify-chat.test.ts',
      'test/unit/decide-pipeline.golden.test.ts',
      'test/unit/decide-hooks.golden.test.ts',
      'test/unit/pipeline.property.test.ts',
      'test/unit/promote-stages.test.ts',
      'test/unit/gate-hooks.test.ts',
      'test/unit/hook-results.test.ts',
      'test/unit/pipeline-view.test.ts',
      'test/unit/apply-config.test.ts',
      'test/unit/service-config.test.ts',
      'test/unit/release-state.test.ts',
    ],
    env: { METADATA_SERVER_DETECTION: 'none', PROPERTY_RUNS: '25' },
  },
});
