import { z } from 'zod';
import { boundedDuration } from '../duration.js';

/**
 * How a service wants its candidates judged (docs/analysis.md has each default and why). The
 * relative checks compare the candidate with a baseline under the same traffic; the SLO's
 * absolute lines stay as ceilings beside them.
 */
/**
 * A custom metric: a PromQL query against Cloud Monitoring's Prometheus API (Managed Service for
 * Prometheus, which also serves Cloud Monitoring's own metrics), templated with `{{revision}}`
 * (the arm being measured), `{{service}}` and `{{window}}` (the measured window, e.g. `90s`), asked
 * once for the candidate and, when judged relative, once for the baseline. Judged `absolute`
 * against `max` (and/or `min`), or `relative`: the candidate's value at most the baseline's ×
 * (1 + `tolerance`) (`higherIsWorse: false` flips the direction). `dryRun` records the verdict and
 * never acts on it (Argo's dry-run).
 */
export const customMetricSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'lower-case letters, digits and "-", at most 41'),
    query: z.string().min(1).max(2_000).refine((q) => q.includes('{{revision}}'), 'the query must select the arm with {{revision}}'),
    judge: z.enum(['absolute', 'relative']),
    max: z.number().optional(),
    min: z.number().optional(),
    tolerance: z.number().min(0).max(100).default(0.2),
    higherIsWorse: z.boolean().default(true),
    weight: z.number().min(0).max(100).default(1),
    critical: z.boolean().default(false),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((m) => m.judge === 'relative' || m.max !== undefined || m.min !== undefined, 'an absolute metric needs max or min');
export type CustomMetric = z.output<typeof customMetricSchema>;

export const analysisConfigSchema = z
  .object({
    /** Confidence per step: the chance of rolling back a candidate no worse than its baseline stays ≤ 1 − confidence. */
    confidence: z.number().min(0.8).max(0.9999).default(0.95),
    /**
     * After each traffic change, the requests of this first stretch are not judged (Spinnaker's
     * warmup, Argo's initialDelay): new instances start cold. Probes, incidents and commands still act.
     */
    warmup: boundedDuration('0s', '1h', 'analysis.warmup').prefault('30s'),
    /**
     * What the candidate is compared with: `twin`, a fresh revision of the stable's image started
     * with the candidate and given the same share (Kayenta's baseline; docs/analysis.md has its
     * cost), or `stable`, the long-running stable revision itself.
     */
    baseline: z.enum(['twin', 'stable']).default('twin'),
    errorRatio: z
      .object({
        enabled: z.boolean().default(true),
        /** The smallest increase in the 5xx ratio worth a rollback, in absolute terms (0.001 = 0.1 point)… */
        minEffect: z.number().min(0).max(0.5).default(0.001),
        /** …or relative to the baseline's own ratio (0.5: half again), whichever is larger. */
        relativeEffect: z.number().min(0).max(10).default(0.5),
        critical: z.boolean().default(true),
        weight: z.number().min(0).max(100).default(1),
      })
      .strict()
      .prefault({}),
    latency: z
      .object({
        enabled: z.boolean().default(true),
        /** Quantile limits: the candidate's share of requests slower than baseline's quantile × (1 + tolerance). */
        quantiles: z.array(z.number().gt(0).lt(1)).max(5).default([0.5, 0.95, 0.99]),
        tolerance: z.number().min(0).max(10).default(0.2),
        /** The rank test fails a candidate only when a random request of it is slower than a baseline one at least this often. */
        minProbabilitySlower: z.number().min(0.5).max(1).default(0.55),
        /** …and only when, at one of `quantiles`, the candidate is at least this many milliseconds slower (estimated within the histogram's bins). */
        minShiftMs: z.number().min(0).max(60_000).default(5),
        critical: z.boolean().default(true),
        weight: z.number().min(0).max(100).default(1),
      })
      .strict()
      .prefault({}),
    /**
     * Advancing on the request-log stream waits for Cloud Monitoring's own counts of the same window
     * to agree (request counts within `tolerance`) and to pass. Off only where no authority can be asked.
     */
    confirmation: z
      .object({ required: z.boolean().default(true), tolerance: z.number().min(0).max(1).default(0.1) })
      .strict()
      .prefault({}),
    metrics: z
      .array(customMetricSchema)
      .max(10)
      .default([])
      .refine((list) => new Set(list.map((m) => m.name)).size === list.length, 'custom metric names must be unique'),
    /** Kayenta's score thresholds: at or above `pass` passes; below `marginal` fails; between holds the step. */
    score: z
      .object({ pass: z.number().min(0).max(100).default(95), marginal: z.number().min(0).max(100).default(75) })
      .strict()
      .refine((s) => s.marginal <= s.pass, 'score.marginal must not exceed score.pass')
      .prefault({}),
  })
  .strict();

export type AnalysisConfig = z.output<typeof analysisConfigSchema>;
export const DEFAULT_ANALYSIS: AnalysisConfig = analysisConfigSchema.parse({});
