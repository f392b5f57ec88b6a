import { z } from 'zod';
import { chatRoutesSchema } from './chat.js';
import { ALERT_POLICY_NAME, SERVICE_NAME_RULE } from './names.js';
import { accessSchema } from './access.js';
import { boundedDuration } from './duration.js';
import { sourceSchema } from './provenance.js';
import { analysisConfigSchema } from './analysis/config.js';
import { deployPoliciesSchema } from './policy/schema.js';
import { TARGET_TRAITS, routerSchema } from './targets.js';
import { hooksSchema } from './hooks.js';
import { promotionSchema } from './pipeline.js';

/**
 * The service config a platform engineer writes in YAML and applies with `cutover services apply`.
 * Durations are written as "30s"/"5m" and held in milliseconds once parsed.
 */
export { SERVICE_NAME_RULE } from './names.js';

/**
 * A check path is a path on the candidate: resolved against the candidate's URL it must keep that
 * origin. `//host/x`, `/\\host` and absolute URLs resolve elsewhere (and would carry the
 * functions' ID token there when the service is private), so they are refused.
 */
export function keepsOrigin(path: string): boolean {
  const base = 'https://candidate.invalid';
  try {
    return path.startsWith('/') && new URL(path, base).origin === base;
  } catch {
    return false;
  }
}

const checkSchema = z.object({
  path: z.string().max(2_000).startsWith('/', 'a check path starts with "/"').refine(keepsOrigin, 'a check path must stay on the candidate (no "//host", "\\" or scheme)'),
  expectStatus: z.number().int().min(100).max(599).default(200),
  timeout: boundedDuration('100ms', '1m', 'check timeout').prefault('5s'),
});

const sloSchema = z.object({
  maxErrorRate: z.number().min(0).max(1).describe('Largest tolerated 5xx / all ratio, e.g. 0.01'),
  minRequests: z.number().int().min(1).max(1_000_000).default(50).describe('The minimum sample per arm: below this many requests in the candidate or its baseline a verdict is Inconclusive'),
  maxP99LatencyMs: z.number().positive().max(600_000).optional(),
  window: boundedDuration('1s', '1h', 'slo.window').prefault('1m'),
});

const stepsSchema = z
  .array(z.number().int().min(1).max(100))
  .min(1)
  .max(20)
  .refine((steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] ?? 0)), 'steps must be strictly increasing')
  .refine((steps) => steps[steps.length - 1] === 100, 'the last step must be 100');

/** A target of a rollout: a region the service also runs in (same service name, same project). */
const TARGET_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const rolloutSchema = z
  .object({
    // Each wave is an object (`regions: [...]`): Firestore, where the config is kept as written, holds no array of arrays.
    waves: z.array(z.object({ regions: z.array(z.string().regex(TARGET_NAME, 'a region name, e.g. europe-west1')).min(1).max(10) }).strict()).min(1).max(10),
    soak: boundedDuration('0s', '24h', 'rollout.soak').prefault('10m').describe('How long a completed wave serves before the next wave starts'),
  })
  .strict()
  .refine((r) => new Set(r.waves.flatMap((w) => w.regions)).size === r.waves.flatMap((w) => w.regions).length, 'a region appears in one wave only')
  .refine((r) => r.waves.flatMap((w) => w.regions).length <= 20, 'at most 20 regions in all');

export const serviceConfigSchema = z
  .object({
    apiVersion: z.literal('cutover/v1').default('cutover/v1'),
    name: z.string().regex(SERVICE_NAME_RULE, 'lower-case letters, digits and "-", starting with a letter, at most 63'),
    project: z.string().min(1),
    region: z.string().min(1),
    router: routerSchema,
    steps: stepsSchema.default([10, 50, 100]),
    bakeTime: boundedDuration('1s', '24h', 'bakeTime').prefault('5m'),
    healthInterval: boundedDuration('250ms', '1h', 'healthInterval').prefault('30s'),
    verification: z
      .object({
        checks: z.array(checkSchema).max(20).default([]),
        /** The service requires authentication: checks carry a Google ID token for the service URL. */
        private: z.boolean().default(false),
      })
      .default({ checks: [], private: false }),
    slo: sloSchema,
    analysis: analysisConfigSchema.prefault({}).describe('How candidates are judged against their baseline (docs/analysis.md)'),
    progressDeadline: boundedDuration('10s', '168h', 'progressDeadline').prefault('30m'),
    onInconclusiveDeadline: z.enum(['rollback', 'pause']).default('rollback'),
    rollbackTriggers: z
      .object({
        /** Alert policies by resource name (projects/P/alertPolicies/ID): an incident of one of these, verified with Cloud Monitoring, rolls back. */
        alertPolicies: z.array(z.string().max(512).regex(ALERT_POLICY_NAME, 'an alert policy resource name: projects/PROJECT/alertPolicies/ID (a display name is anyone\'s to copy)')).max(20).default([]),
      })
      .default({ alertPolicies: [] }),
    watchWindow: boundedDuration('0s', '168h', 'watchWindow').prefault('30m'),
    concurrency: z.enum(['supersede', 'queue']).default('supersede'),
    requireApproval: z.boolean().default(false).describe('Hold before the 100% step until `cutover approve`'),
    policies: deployPoliciesSchema.default([]).describe('Deploy policies of this service: when releases may start and advance (docs/api.md)'),
    source: sourceSchema.optional().describe('The builds this service trusts; with none, no build releases'),
    access: accessSchema.default({ operators: [], approvers: [], owners: [] }),
    notifications: chatRoutesSchema.default([]).describe('Google Chat and Slack incoming webhooks, each with the release events it gets'),
    rollout: rolloutSchema.optional().describe('Release to several regions in waves: each wave completes and soaks before the next starts; a breach anywhere rolls back every region that took traffic'),
    promotion: promotionSchema.optional().describe('A stage of a pipeline: the builds that completed and soaked in the stage before (`from`) are promoted here, automatically or on approval'),
    hooks: hooksSchema.default([]).describe('Webhooks called with a Google ID token: after-deploy (a gate: smoke tests at 0%), after-complete and on-rollback (told)'),
  })
  .strict()
  .refine((c) => c.promotion?.from !== c.name, { message: 'a stage cannot promote from itself', path: ['promotion', 'from'] })
  .refine((c) => !c.rollout || TARGET_TRAITS[c.router.kind].regional, {
    message: 'rollout.waves needs a target that runs a service per region (cloud-run); a global load balancer (gke-lb) shares one URL map across regions',
    path: ['rollout'],
  })
  // In a rollout each region's release runs the gates. A contract step run as one region completes
  // would drop what the regions still on the old version need, and a re-verification of one region
  // is not the rollout's: both wait for hooks run once for the whole rollout.
  .refine((c) => !c.rollout || !c.hooks.some((h) => h.at === 'after-complete' && (h.barrier || h.verify)), {
    message: 'with rollout.waves, an after-complete barrier or re-verification would run per region, while other regions still serve the old version: not supported yet',
    path: ['hooks'],
  });

export type ServiceConfig = z.output<typeof serviceConfigSchema>;

/** The regions of a service released in waves, wave by wave (none for a one-region service). */
export function wavesOf(config: ServiceConfig): string[][] {
  return config.rollout?.waves.map((w) => w.regions) ?? [];
}
export type ServiceConfigInput = z.input<typeof serviceConfigSchema>;

export class ServiceConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid service config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ServiceConfigError';
  }
}

/** Turns zod issues into "field.path: problem" lines a person can act on. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    return `${where}: ${issue.message}`;
  });
}

export function parseServiceConfig(input: unknown): ServiceConfig {
  const result = serviceConfigSchema.safeParse(input);
  if (!result.success) throw new ServiceConfigError(describeIssues(result.error));
  return result.data;
}
