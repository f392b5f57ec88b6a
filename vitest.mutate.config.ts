import { defineConfig } from 'vitest/config';

/**
 * The suites StrykerJS runs against each mutant (npm run mutate): the pure core's table, property,
 * flow and edge tests, in-memory only. The property test runs 25 of its 300 runs here (300 per
 * mutant would take hours).
 */
export default defineConfig({
  test: {
    include: [
      'test/unit/decide.test.ts',
      'test/unit/decide.property.test.ts',
      'test/unit/decide.golden.test.ts',
      'test/unit/release-flow.test.ts',
      'test/unit/health.test.ts',
      'test/unit/transitions.test.ts',
      'test/unit/service-config.test.ts',
      'test/unit/fake-store.contract.test.ts',
      'test/unit/dora.test.ts',
      'test/unit/delivery.test.ts',
      'test/unit/chat.test.ts',
      'test/unit/incident-onset.test.ts',
      'test/unit/analysis/*.test.ts',
      'test/unit/timeline.test.ts',
      'test/unit/decide-holds.golden.test.ts',
      'test/unit/decide-gke.golden.test.ts',
      'test/unit/steering.test.ts',
      'test/unit/runtime-budget.test.ts',
      'test/unit/telemetry.test.ts',
      'test/unit/load-balancer-health.test.ts',
      'test/unit/release-state.test.ts',
      'test/unit/pause-resume.test.ts',
      'test/unit/release-migration.unit.test.ts',
      'test/unit/decide-waves.golden.test.ts',
      'test/unit/waves.property.test.ts',
      'test/unit/on-command.test.ts',
      'test/unit/deploy-policy.test.ts',
      'test/unit/deploy-policy-commands.test.ts',
      'test/unit/rollout.test.ts',
      'test/unit/lifecycle.test.ts',
      'test/unit/gates.test.ts',
      'test/unit/gate-hooks.test.ts',
      'test/unit/hook-results.test.ts',
      'test/unit/on-upstream.test.ts',
      'test/unit/decide-hooks.golden.test.ts',
      'test/unit/decide-pipeline.golden.test.ts',
      'test/unit/pipeline.property.test.ts',
    ],
    env: { METADATA_SERVER_DETECTION: 'none', PROPERTY_RUNS: '25' },
  },
});
