import type { ReleaseFacts } from './dora.js';
import type { ServiceConfig } from './service-config.js';
import type { RouterConfig } from './targets.js';
import type { HookPoint } from './hooks.js';

/**
 * Effects are data: decide() returns them and a runtime executes them after the new state is
 * committed. Step effects (the first four) report back as events carrying `effectId`;
 * `notify` and `scheduleCheck` are fire-and-forget.
 */
export interface RouterTarget {
  kind: ServiceConfig['router']['kind'];
  project: string;
  region: string;
  /** The routed service's name (config.router.target or the Cutover service name). */
  service: string;
  /** The service's whole `router` block, when it says more than the kind and name (GKE: cluster, colours, URL map rule). */
  settings?: RouterConfig;
}

interface StepEffectBase {
  effectId: string;
  releaseId: string;
  service: string;
  router: RouterTarget;
  attempt: number;
}

export interface DeployCandidate extends StepEffectBase {
  kind: 'deployCandidate';
  image: string;
  /** Deterministic, so a retried deploy finds the revision it already made. */
  revisionName: string;
  /**
   * The baseline twin to start beside the candidate: a fresh revision of the stable's image and
   * template under this name (Kayenta's baseline: started cold together, fed the same share). Null
   * when the service compares against the stable revision itself.
   */
  baselineRevisionName: string | null;
}

export interface SetTraffic extends StepEffectBase {
  kind: 'setTraffic';
  candidateRevision: string | null;
  stableRevision: string | null;
  candidatePercent: number;
  /** The baseline twin and its share (the candidate's, at most what stable keeps); 0 and untagged once done. */
  baselineRevision: string | null;
  baselinePercent: number;
}

export interface RunVerification extends StepEffectBase {
  kind: 'runVerification';
  candidateUrl: string | null;
  checks: ServiceConfig['verification']['checks'];
  /** Send a Google ID token (the service is not public). */
  private: boolean;
  /** Sent with every check: behind a load balancer, the cohort header that reaches the candidate colour. */
  headers?: Record<string, string>;
  /** The service's after-deploy hooks (smoke tests), called beside the checks; a failing one fails verification. */
  hooks?: { name: string; url: string; timeout: number }[];
}

export interface MeasureHealth extends StepEffectBase {
  kind: 'measureHealth';
  candidateRevision: string | null;
  windowStartAt: number;
  windowEndAt: number;
  /**
   * What the candidate is compared with: the stable revision over the same window while traffic is
   * split, or, in the watch window, the previous stable over its last hour before completion.
   */
  baseline: { revision: string; windowStartAt: number; windowEndAt: number } | null;
  /**
   * Set when this reading could advance the step: read the authority's own counts of the step from
   * here (as far as it can see) beside the stream's, so the advance rests on figures no workload wrote.
   */
  confirmSince: number | null;
  /** The service's custom metrics, their queries rendered for the candidate and (when relative) the baseline. */
  metrics: { name: string; candidate: string; baseline: string | null }[];
  /** Active probing: the service's checks, run against the candidate's own URL with each measurement (null: none). */
  probe: { candidateUrl: string; checks: ServiceConfig['verification']['checks']; private: boolean; headers?: Record<string, string> } | null;
}

/** One run of a gate hook: call the webhook, or start the job (or ask about the execution already started). */
export interface RunHook extends StepEffectBase {
  kind: 'runHook';
  /** The run's key in `hookRuns` (a per-step hook's carries the step). */
  key: string;
  hook: { name: string; at: HookPoint; url: string | null; job: string | null; timeout: number; barrier: boolean };
  /** The execution a previous attempt started: asked about, never started twice. */
  execution: string | null;
  image: string | null;
  candidateUrl: string | null;
  stepIndex: number | null;
  trafficPercent: number;
}

export type StepEffect = DeployCandidate | SetTraffic | RunVerification | MeasureHealth | RunHook;

export const NOTIFICATION_TYPES = [
  'release.started',
  'release.queued',
  'release.held',
  'release.step_reached',
  'release.verified',
  'release.awaiting_approval',
  'release.completed',
  'release.rolling_back',
  'release.rollback_impossible',
  'release.rolled_back',
  'release.failed',
  'release.superseded',
  'release.revoked',
  'release.hook_failed',
  'release.paused',
  'release.resumed',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface Notify {
  kind: 'notify';
  type: NotificationType;
  releaseId: string;
  service: string;
  phase: string;
  reason: string;
  message: string;
  trafficPercent: number;
  at: number;
  /** Why the release is rolling back or rolled back (its rollbackCause), when it is. */
  cause?: string;
  /** On the notifications that complete or end a release: its delivery facts (the four keys' inputs, for BigQuery). */
  delivery?: ReleaseFacts;
}

export interface ScheduleCheck {
  kind: 'scheduleCheck';
  releaseId: string;
  service: string;
  at: number;
}

export type Effect = StepEffect | Notify | ScheduleCheck;

export const isStepEffect = (effect: Effect): effect is StepEffect =>
  effect.kind !== 'notify' && effect.kind !== 'scheduleCheck';

