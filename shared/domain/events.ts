import { z } from 'zod';
import { healthReadingSchema, probeResultsSchema } from './health.js';
import { effectKindSchema } from './model.js';

/**
 * Events are everything that can change a release: inputs from the world (builds, incidents,
 * ticks, commands) and the results of effects Cutover ran. Each carries an id used for
 * exactly-once handling: a redelivered id is a no-op.
 */
export const BUILD_STATUSES = [
  'STATUS_UNKNOWN',
  'PENDING',
  'QUEUED',
  'WORKING',
  'SUCCESS',
  'FAILURE',
  'INTERNAL_ERROR',
  'TIMEOUT',
  'CANCELLED',
  'EXPIRED',
] as const;
export const buildStatusSchema = z.enum(BUILD_STATUSES);
export type BuildStatus = z.infer<typeof buildStatusSchema>;
export const FAILED_BUILD_STATUSES: readonly BuildStatus[] = ['FAILURE', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCELLED', 'EXPIRED'];

export const COMMANDS = ['promote', 'approve', 'pause', 'resume', 'abort', 'rollback'] as const;
export const commandNameSchema = z.enum(COMMANDS);
export type CommandName = z.infer<typeof commandNameSchema>;

const effectResultBase = { releaseId: z.string(), effectId: z.string() };

export const eventBodySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('build'),
    buildId: z.string().min(1),
    status: buildStatusSchema,
    commit: z.string().nullable(),
    image: z.string().nullable(),
    /** When the build was created, from the Cloud Build API (lead time starts here). */
    createdAt: z.number().nullable().optional(),
  }),
  z.object({
    kind: z.literal('incident'),
    incidentId: z.string(),
    state: z.enum(['open', 'closed']),
    policyName: z.string().nullable(),
    summary: z.string().nullable(),
    /** When the incident began, as Cloud Monitoring reports it (`started_at`): the breach's onset. */
    startedAt: z.number().nullable().optional(),
  }),
  z.object({ kind: z.literal('tick'), releaseId: z.string() }),
  /**
   * Something happened to a release of the stage before this service (it completed, rolled back,
   * was revoked): look at it. A pointer, not a claim: decide reads that release in the same
   * transaction and acts on what it says; the build id only finds this stage's release of it.
   */
  z.object({ kind: z.literal('upstream'), upstreamReleaseId: z.string().min(1).max(256), buildId: z.string().min(1).max(256) }),
  z.object({
    kind: z.literal('command'),
    releaseId: z.string(),
    command: commandNameSchema,
    actor: z.string().min(1),
    why: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('override'),
    releaseId: z.string(),
    /** The deploy policy this one release may pass. */
    policy: z.string().min(1).max(63),
    actor: z.string().min(1),
    why: z.string().min(1).max(500),
  }),
  z.object({ kind: z.literal('candidateDeployed'), ...effectResultBase, revision: z.string(), url: z.string().nullable(), stableRevision: z.string().nullable(), baselineRevision: z.string().nullable().optional() }),
  z.object({ kind: z.literal('candidatePending'), ...effectResultBase, revision: z.string(), status: z.string() }),
  z.object({ kind: z.literal('trafficSet'), ...effectResultBase, observedPercent: z.number().min(0).max(100) }),
  z.object({
    kind: z.literal('verificationCompleted'),
    ...effectResultBase,
    results: z.array(
      z.object({
        path: z.string(),
        status: z.number().int().nullable(),
        ok: z.boolean(),
        durationMs: z.number(),
        error: z.string().nullable(),
      }),
    ),
  }),
  /** A gate hook's run: passed, failed, or (a job) started and still running as `execution`. */
  z.object({ kind: z.literal('hookRan'), ...effectResultBase, status: z.enum(['passed', 'failed', 'running']), execution: z.string().max(512).nullable(), detail: z.string().max(2000) }),
  z.object({ kind: z.literal('healthMeasured'), ...effectResultBase, reading: healthReadingSchema, probes: probeResultsSchema.optional() }),
  z.object({
    kind: z.literal('effectFailed'),
    ...effectResultBase,
    effectKind: effectKindSchema,
    permanent: z.boolean(),
    error: z.string(),
  }),
]);
export type EventBody = z.infer<typeof eventBodySchema>;

export const releaseEventSchema = z.object({
  /** Unique per delivery source (Pub/Sub message id, effect id, command id); the dedup key. */
  id: z.string().min(1),
  service: z.string().min(1),
  /** When Cutover received it (epoch ms). */
  at: z.number(),
  body: eventBodySchema,
});
export type ReleaseEvent = z.infer<typeof releaseEventSchema>;

export type EventOf<K extends EventBody['kind']> = Extract<EventBody, { kind: K }>;

/** A release's id is derived from its build, so every status message for a build finds it. */
export function releaseIdForBuild(service: string, buildId: string): string {
  return `${service}-${buildId}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 200);
}
