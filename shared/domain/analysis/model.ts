import { z } from 'zod';

/**
 * One judged metric, stored with every figure behind its verdict so a person can check it:
 * what each arm showed, the effect, the test's statistic and p-value, the level it was tested at,
 * the samples, the verdict and where the figures came from.
 */
export const METRIC_VERDICTS = ['pass', 'marginal', 'fail', 'inconclusive'] as const;
export const metricVerdictSchema = z.enum(METRIC_VERDICTS);
export type MetricVerdict = z.infer<typeof metricVerdictSchema>;

export const metricResultSchema = z.object({
  /** error-ratio, error-ceiling, latency-rank, latency-p50…, latency-ceiling, or a custom metric's name. */
  metric: z.string().max(100),
  /** relative: against the baseline; ceiling: against a fixed line. */
  kind: z.enum(['relative', 'ceiling']),
  verdict: metricVerdictSchema,
  critical: z.boolean(),
  weight: z.number(),
  /** Recorded only: never counted in the score or the verdict (a custom metric's dryRun). */
  dryRun: z.boolean().optional(),
  candidate: z.number().nullable(),
  baseline: z.number().nullable(),
  /** What the test asks the candidate to stay under: the baseline plus the minimum effect, or the line. */
  limit: z.number().nullable(),
  statistic: z.number().nullable(),
  pValue: z.number().nullable(),
  alpha: z.number().nullable(),
  samples: z.object({ candidate: z.number().int().min(0), baseline: z.number().int().min(0).nullable() }),
  detail: z.string().max(300),
});
export type MetricResult = z.infer<typeof metricResultSchema>;

export const analysisSchema = z.object({
  verdict: metricVerdictSchema,
  /** Kayenta's score over the conclusive metrics (pass 1, marginal ½, fail 0, by weight); null when none was. */
  score: z.number().nullable(),
  /** baseline: the relative checks ran; ceilings: only the SLO's lines (no baseline figures). */
  comparedWith: z.enum(['baseline', 'ceilings']),
  baselineRevision: z.string().nullable(),
  /** The level this look was allowed (alpha spent since the previous look), before it is split between the tests. */
  lookAlpha: z.number(),
  minSample: z.number().int(),
  metrics: z.array(metricResultSchema).max(30),
});
export type Analysis = z.infer<typeof analysisSchema>;
