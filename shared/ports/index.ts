export * from './store.js';
export * from './effects.js';
export * from './builds.js';
export * from './identity.js';
export * from './telemetry.js';
export * from './secrets.js';
export * from './chat.js';

import type { HealthSource, Notifier, Scheduler, TrafficRouter, VerificationChecker } from './effects.js';
import type { ReleaseStore } from './store.js';

/** Everything that touches the world, one adapter per port. */
export interface Ports {
  store: ReleaseStore;
  router: TrafficRouter;
  health: HealthSource;
  verifier: VerificationChecker;
  scheduler: Scheduler;
  notifier: Notifier;
}
