import { z } from 'zod';
import { analysisSchema } from '../analysis/model.js';
import { CONFIRMATION_VERDICTS } from '../analysis/confirmation.js';
import { healthMeasurementsSchema, probeResultsSchema, VERDICTS } from '../health.js';
import { checkResultSchema, effectKindSchema, phaseSchema } from '../model.js';

/**
 * The release document as version 1 wrote it: a phase beside the flags and timestamps that stood
 * for its sub-states. Kept to read what version 1 left in a database (migrate.ts); never written. A
 * copy of the field list on purpose, not version 2's: version 2's fields may change, what version 1
 * wrote does not.
 */
export const releaseV1Schema = z.object({
  schemaVersion: z.literal(1),
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
  phase: phaseSchema,
  paused: z.boolean(),
  /** Waiting for the active release of the service to finish (concurrency queue or supersede). */
  queued: z.boolean(),
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
  awaitingApproval: z.boolean(),
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
      /** The effect was accepted and is still in progress (a revision not ready yet): asking again is not a retry. */
      pending: z.boolean().default(false),
    })
    .nullable(),
  rollbackCause: z.string().nullable(),
  /** When the rollback was decided (breach seen, incident received, command): time to restore counts from here. */
  rollbackStartedAt: z.number().nullable().optional(),
  /**
   * When the breach began, where an authority reports it (an incident's `started_at`), kept within
   * the release's life and never after the decision. Time to restore counts from here when known.
   */
  breachStartedAt: z.number().nullable().optional(),
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
  completedAt: z.number().nullable(),
  /** End of the watch window after completion, during which an incident or `rollback` still rolls back. */
  watchUntil: z.number().nullable(),
  /** Sequence number of the newest history entry. */
  historySeq: z.number().int().min(0),
  /** Count of step effects issued so far; makes every effect id (and so its result's event id) unique. */
  effectSeq: z.number().int().min(0),
});
export type ReleaseV1 = z.infer<typeof releaseV1Schema>;
