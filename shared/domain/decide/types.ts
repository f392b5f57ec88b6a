import type { PlatformDeployPolicy } from '../policy/schema.js';
import type { Effect } from '../effects.js';
import type { ReleaseEvent } from '../events.js';
import type { HistoryEntry, Release, ServiceState } from '../model.js';
import type { Reason } from '../reasons.js';

/** Timing policy for effects; part of the context so tests and deployments choose it. */
export interface EffectPolicy {
  /** An issued effect with no result after this long is considered lost and re-issued. */
  effectTimeoutMs: number;
  /** The same for deploys, which wait for the new revision to become ready (minutes on Cloud Run). */
  deployTimeoutMs: number;
  /** How soon a deploy whose revision is not ready yet is asked about again (its own request, by a timer). */
  deployPollMs: number;
  /** Attempts before a failing step effect gives up (a rollback never gives up). */
  maxEffectAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_EFFECT_POLICY: EffectPolicy = {
  effectTimeoutMs: 60_000,
  deployTimeoutMs: 360_000,
  deployPollMs: 5_000,
  maxEffectAttempts: 5,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
};

export interface DecideContext {
  now: number;
  policy: EffectPolicy;
  /** The platform's deploy policies (each names the services it covers); a service's own are in its config. */
  deployPolicies?: readonly PlatformDeployPolicy[];
}

/** What decide() sees: the service and the releases the event can touch (its own, active, queued, last completed). */
export interface World {
  service: ServiceState;
  releases: Release[];
  /** Releases of the stage before (a pipeline), read as facts: the one an `upstream` event names, and those its pending promotions came from. */
  upstream?: Release[];
}

export interface Outcome {
  status: 'applied' | 'ignored' | 'rejected';
  reason: Reason;
  message: string;
}

export interface Decision {
  outcome: Outcome;
  /** Next service state, or null when unchanged. */
  service: ServiceState | null;
  /** Releases that changed (created or updated). */
  releases: Release[];
  history: HistoryEntry[];
  effects: Effect[];
}

export type { ReleaseEvent };
