import { z } from 'zod';
import { analysisSchema } from './analysis/model.js';
import { CONFIRMATION_VERDICTS } from './analysis/confirmation.js';
import { healthMeasurementsSchema, probeResultsSchema, VERDICTS } from './health.js';
import { releaseStateSchema } from './release-state.js';
import { releasePromotionSchema } from './pipeline.js';
import { hookRunSchema } from './hooks.js';
import type { ServiceConfig } from './service-config.js';

/**
 * The documents Cutover keeps. They are public API (docs/state.md): users read them straight
 * from Firestore. Every document carries `schemaVersion`; times are epoch milliseconds in the
 * domain and Firestore Timestamps on disk (fields ending in `At`).
 */
export const SCHEMA_VERSION = 1;
/** Release documents: version 2 keeps the phase and its sub-state as one `state` (version 1 documents are migrated on read). */
export const RELEASE_SCHEMA_VERSION = 2;

export const PHASES = [
  'pending',
  'deploying',
  'verifying',
  'shifting',
  'complete',
  'rolling_back',
  'rolled_back',
  'failed',
  'superseded',
] as const;
export const phaseSchema = z.enum(PHASES);
export type Phase = z.infer<typeof phaseSchema>;

export const TERMINAL_PHASES: readonly Phase[] = ['complete', 'rolled_back', 'failed', 'superseded'];
/** Phases in which a release holds its service's single "active" slot. */
export const IN_FLIGHT_PHASES: readonly Phase[] = ['deploying', 'verifying', 'shifting', 'rolling_back'];

export const isTerminal = (phase: Phase): boolean => TERMINAL_PHASES.includes(phase);
export const isInFlight = (phase: Phase): boolean => IN_FLIGHT_PHASES.includes(phase);

export const EFFECT_KINDS = ['deployCandidate', 'setTraffic', 'runVerification', 'measureHealth', 'runHook'] as const;
export const effectKindSchema = z.enum(EFFECT_KINDS);

export const checkResultSchema = z.object({
  path: z.string(),
  status: z.number().int().nullable(),
  ok: z.boolean(),
  durationMs: z.number().min(0),
  error: z.string().nullable(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const releaseSchema = z.object({
  schemaVersion: z.literal(RELEASE_SCHEMA_VERSION),
  id: z.string(),
  service: z.string(),
  build: z.object({
    id: z.string(),
    status: z.string(),
    commit: z.string().nullable(),
    image: z.string().nullable(),
    /** When Cloud Build created the build (from its API); the start of lead time. Absent in documents written before it was kept. */
    createdAt: z.number().nullable().optional(),
  }),
  /** The phase and the sub-state inside it (release-state.ts): one value, so no impossible combination can be stored. */
  state: releaseStateSchema,
  candidate: z.object({ revision: z.string().nullable(), url: z.string().nullable() }),
  /** The revision traffic returns to on rollback; null means "whatever the router serves as stable now". */
  stableRevision: z.string().nullable(),
  /** The baseline twin (a fresh revision of the stable's image beside the candidate), when the service runs one. */
  baselineRevision: z.string().nullable().optional(),
  /** Index into the service's steps while shifting; null before. */
  stepIndex: z.number().int().nullable(),
  traffic: z.object({
    desiredPercent: z.number().min(0).max(100),
    observedPercent: z.number().min(0).max(100).nullable(),
    observedAt: z.number().nullable(),
  }),
  /**
   * Held by a deploy policy in force: pending, it does not start deploying; in flight, it takes no
   * more traffic. Health is still judged and a breach still rolls back. Absent: not held.
   */
  hold: z
    .object({ policy: z.string(), scope: z.enum(['platform', 'service']), action: z.enum(['start', 'advance']), since: z.number(), until: z.number().nullable(), overrideRole: z.string() })
    .nullable()
    .optional(),
  /** The deploy policies people let this release past: who, why, when (the audit trail is its history). */
  overrides: z.array(z.object({ policy: z.string(), actor: z.string(), why: z.string(), at: z.number() })).max(20).optional(),
  verification: z
    .object({ passed: z.boolean(), results: z.array(checkResultSchema).max(20), at: z.number() })
    .nullable(),
  health: z
    .object({
      verdict: z.enum(VERDICTS),
      reasons: z.array(z.string()).max(10),
      errorRate: z.number().nullable(),
      measurements: healthMeasurementsSchema.nullable(),
      probes: probeResultsSchema.optional(),
      error: z.string().nullable(),
      thresholds: z.object({
        maxErrorRate: z.number(),
        minRequests: z.number(),
        maxP99LatencyMs: z.number().nullable(),
        windowMs: z.number(),
      }),
      /** The judge's analysis behind the verdict: every metric's figures, test and level (absent before the judge). */
      analysis: analysisSchema.nullable().optional(),
      /** Whether the authority's own counts confirmed the stream, when this reading could advance the step. */
      confirmation: z.object({ verdict: z.enum(CONFIRMATION_VERDICTS), detail: z.string().max(500), analysis: analysisSchema.nullable() }).nullable().optional(),
      at: z.number(),
    })
    .nullable(),
  /** The one effect this release is waiting on; at most one at a time. */
  inFlight: z
    .object({
      effectId: z.string(),
      kind: effectKindSchema,
      /** The traffic percent a setTraffic effect aims for; null for other kinds. */
      target: z.number().nullable(),
      attempt: z.number().int().min(1),
      issuedAt: z.number(),
      /** When the effect is considered lost (or, after a transient failure, due for retry). */
      deadlineAt: z.number(),
      lastError: z.string().nullable(),
      /** `issued`, or `accepted`: the world took it and it is still in progress (a revision not ready yet), so asking again is not a retry. */
      progress: z.enum(['issued', 'accepted']),
    })
    .nullable(),
  lastDecision: z.object({
    reason: z.string(),
    message: z.string(),
    eventKind: z.string(),
    eventId: z.string(),
    actor: z.string().nullable(),
    at: z.number(),
  }),
  /** When a tick should next look at this release; null when it waits on nothing time-based. */
  nextCheckAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  phaseStartedAt: z.number(),
  stepStartedAt: z.number().nullable(),
  /** Last time the release made progress (phase or step change); the progress deadline counts from here. */
  progressAt: z.number(),
  /** When it completed (null if it never did); kept after a rollback of the completed release, for the delivery figures. */
  completedAt: z.number().nullable(),
  /** Sequence number of the newest history entry. */
  historySeq: z.number().int().min(0),
  /** Count of step effects issued so far; makes every effect id (and so its result's event id) unique. */
  effectSeq: z.number().int().min(0),
  /** Of a release in several regions: the region this one releases to, as part of the rollout `{id before @}` (absent otherwise). */
  target: z.string().optional(),
  /** Of a release in several regions: the wave it is in, and when the completed wave's soak ends (absent otherwise). */
  rollout: z.object({ wave: z.number().int().min(0), soakUntil: z.number().nullable() }).optional(),
  /** Of a build promoted from the stage before (`promotion` in the config): where from, when it may start, whether it was revoked (absent otherwise). */
  promotion: releasePromotionSchema.optional(),
  /** The gate hooks it ran (pre-deploy, per-step, before-promotion, a barrier): each run's status, execution and detail (absent: none ran). */
  hookRuns: z.array(hookRunSchema).max(64).optional(),
  /** The barrier hook it started, and when: from then on a rollback Cutover would start by itself is held for a person (absent: none). */
  barrier: z.strictObject({ hook: z.string(), at: z.number() }).optional(),
});
export type Release = z.infer<typeof releaseSchema>;

export const incidentSchema = z.object({
  incidentId: z.string(),
  state: z.enum(['open', 'closed']),
  policyName: z.string().nullable(),
  summary: z.string().nullable(),
  at: z.number(),
});

export const serviceStateSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  name: z.string(),
  /** The config as applied (durations as written, e.g. "5m"); parsed with serviceConfigSchema on load. */
  config: z.record(z.string(), z.unknown()),
  /** Copy of config.rollbackTriggers.alertPolicies, top level so incidents can be matched by query. */
  alertPolicies: z.array(z.string()),
  /** Copy of config.promotion.from, top level so the stage before can find the stages it promotes to by query (absent: none). */
  promotesFrom: z.string().nullable().optional(),
  stableRevision: z.string().nullable(),
  activeReleaseId: z.string().nullable(),
  queuedReleaseId: z.string().nullable(),
  lastCompletedReleaseId: z.string().nullable(),
  lastIncident: incidentSchema.nullable(),
  /** Of a service released in waves: each region's own stable and releases (the top-level pointers are the rollout's). */
  targets: z.record(z.string(), z.object({ stableRevision: z.string().nullable(), activeReleaseId: z.string().nullable(), lastCompletedReleaseId: z.string().nullable() })).optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const historyEntrySchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  seq: z.number().int().min(1),
  releaseId: z.string(),
  at: z.number(),
  eventId: z.string(),
  eventKind: z.string(),
  actor: z.string().nullable(),
  fromPhase: phaseSchema.nullable(),
  toPhase: phaseSchema,
  reason: z.string(),
  message: z.string(),
  trafficPercent: z.number().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** Service document as stored; the domain works on ServiceState, whose config is parsed. */
export type ServiceDoc = z.infer<typeof serviceStateSchema>;
export type ServiceState = Omit<ServiceDoc, 'config'> & { config: ServiceConfig };
