export * from './store.js';
export * from './effects.js';
export * from './builds.js';
export * from './identity.js';
export * from './telemetry.js';
export * from './secrets.js';
export * from './chat.js';
export * from './metrics.js';
export * from './alert-policies.js';
export * from './hooks.js';

import type { HealthSource, Notifier, Scheduler, TrafficRouter, VerificationChecker } from './effects.js';
import type { ReleaseStore } from './store.js';
import type { MetricProvider } from './metrics.js';
import type { HookRunner } from './hooks.js';

/** Everything that touches the world, one adapter per port. */
export interface Ports {
  store: ReleaseStore;
  router: TrafficRouter;
  health: HealthSource;
  verifier: VerificationChecker;
  scheduler: Scheduler;
  notifier: Notifier;
  /** Answers the services' custom PromQL metrics; absent: a service that names any is judged without them (inconclusive). */
  metrics?: MetricProvider;
  /** Runs gate hooks (webhooks, Cloud Run Jobs); absent: a service with gate hooks fails them (nothing can run them). */
  hooks?: HookRunner;
}
