import { z } from 'zod';
import type { CheckInput } from './arms.js';
import type { CustomMetric } from './config.js';
import type { MetricResult } from './model.js';

/** What the metric provider answered for one custom metric: a value per arm, or why there is none. */
export const customValueSchema = z.object({
  name: z.string().max(41),
  candidate: z.number().nullable(),
  baseline: z.number().nullable(),
  error: z.string().max(300).nullable(),
});
export type CustomValue = z.infer<typeof customValueSchema>;

/** A label value spliced into PromQL: revision and service names are [a-z0-9-], but quote-escape regardless. */
const labelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The query for one arm: `{{revision}}`, `{{service}}` and `{{window}}` (whole seconds, e.g. `90s`). */
export function renderQuery(template: string, vars: { revision: string; service: string; windowMs: number }): string {
  const window = `${Math.max(1, Math.round(vars.windowMs / 1000))}s`;
  return template.replaceAll('{{revision}}', labelValue(vars.revision)).replaceAll('{{service}}', labelValue(vars.service)).replaceAll('{{window}}', window);
}

/**
 * One custom metric's verdict. A query answers one value per arm, with no distribution to test:
 * the statistics belong in the query (a rate over the window, a ratio of sums). Absolute: the
 * candidate's value against `max`/`min`. Relative: against the baseline's × (1 ± `tolerance`).
 * Below the minimum sample of requests, or without a value, it is inconclusive.
 */
export function customMetric(input: CheckInput, metric: CustomMetric, value: CustomValue | undefined): MetricResult {
  const relative = metric.judge === 'relative';
  const base = {
    metric: metric.name,
    kind: relative ? ('relative' as const) : ('ceiling' as const),
    critical: metric.critical,
    weight: metric.weight,
    dryRun: metric.dryRun,
    candidate: value?.candidate ?? null,
    baseline: value?.baseline ?? null,
    statistic: null,
    pValue: null,
    alpha: null,
    samples: { candidate: input.candidate.requests, baseline: input.baseline?.requests ?? null },
  };
  const c = value?.candidate ?? null;
  if (value?.error || c === null) return { ...base, limit: null, verdict: 'inconclusive', detail: value?.error ?? 'the query returned no value for the candidate' };
  if (input.candidate.requests < input.minSample) return { ...base, limit: null, verdict: 'inconclusive', detail: `fewer than ${input.minSample} requests` };
  if (!relative) {
    const over = metric.max !== undefined && c > metric.max;
    const under = metric.min !== undefined && c < metric.min;
    const limit = over || metric.min === undefined ? (metric.max ?? null) : metric.min;
    return { ...base, limit, verdict: over || under ? 'fail' : 'pass', detail: `${c} against ${[metric.min !== undefined ? `min ${metric.min}` : '', metric.max !== undefined ? `max ${metric.max}` : ''].filter(Boolean).join(', ')}` };
  }
  const b = value?.baseline ?? null;
  if (b === null) return { ...base, limit: null, verdict: 'inconclusive', detail: 'the query returned no value for the baseline' };
  const limit = metric.higherIsWorse ? b * (1 + metric.tolerance) : b * (1 - metric.tolerance);
  const worse = metric.higherIsWorse ? c > limit : c < limit;
  return { ...base, limit, verdict: worse ? 'fail' : 'pass', detail: `${c} vs baseline ${b} (${metric.higherIsWorse ? 'at most' : 'at least'} ${limit})` };
}
