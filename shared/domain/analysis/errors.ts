import type { AnalysisConfig } from './config.js';
import type { CheckInput } from './arms.js';
import type { MetricResult } from './model.js';
import { rate, rateAboveBaseline, rateAboveLine } from './proportions.js';

/**
 * The 5xx ratio against the baseline: fail when a one-sided test shows the candidate's ratio above
 * the baseline's by more than the minimum effect; marginal when it looks so but is not shown yet;
 * pass otherwise. Below the minimum sample in either arm it is inconclusive.
 */
export function errorRatio(input: CheckInput, config: AnalysisConfig['errorRatio']): MetricResult | null {
  const { candidate, baseline, minSample, alpha } = input;
  if (!config.enabled || !baseline) return null;
  const c = { n: candidate.requests, x: candidate.errors };
  const b = { n: baseline.requests, x: baseline.errors };
  const cRate = rate(c);
  const bRate = rate(b);
  const margin = Math.max(config.minEffect, config.relativeEffect * (bRate ?? 0));
  const base = { metric: 'error-ratio', kind: 'relative' as const, critical: config.critical, weight: config.weight, candidate: cRate, baseline: bRate, limit: bRate === null ? null : bRate + margin, alpha, samples: { candidate: c.n, baseline: b.n } };
  if (c.n < minSample || b.n < minSample) return { ...base, verdict: 'inconclusive', statistic: null, pValue: null, detail: `fewer than ${minSample} requests in an arm` };
  const test = rateAboveBaseline(c, b, margin);
  const effect = (cRate ?? 0) - (bRate ?? 0);
  const verdict = test.pValue < alpha ? 'fail' : effect > margin ? 'marginal' : 'pass';
  return { ...base, verdict, statistic: test.statistic, pValue: test.pValue, detail: `${pct(cRate)} vs baseline ${pct(bRate)}; allowed +${pct(margin)}` };
}

/**
 * The SLO's line on the 5xx ratio, a hard ceiling: fail when an exact binomial test shows the
 * candidate above it. When the baseline is above it too (its own rate, over the minimum sample),
 * under the same traffic, the cause is shared (a dependency, the load) and rolling back would
 * restore nothing: the step holds instead. A hold is the safe side of a wrong call, so the
 * baseline's rate is read as it is, not tested.
 */
export function errorCeiling(input: CheckInput, maxErrorRate: number): MetricResult {
  const { candidate, baseline, minSample, alpha } = input;
  const c = { n: candidate.requests, x: candidate.errors };
  const base = { metric: 'error-ceiling', kind: 'ceiling' as const, critical: true, weight: 1, candidate: rate(c), baseline: baseline ? rate({ n: baseline.requests, x: baseline.errors }) : null, limit: maxErrorRate, alpha, samples: { candidate: c.n, baseline: baseline?.requests ?? null } };
  if (c.n < minSample) return { ...base, verdict: 'inconclusive', statistic: null, pValue: null, detail: `fewer than ${minSample} requests` };
  const test = rateAboveLine(c, maxErrorRate);
  const over = test.pValue < alpha;
  const shared = over && baseline !== null && baseline.requests >= minSample && baseline.errors / baseline.requests > maxErrorRate;
  const verdict = shared ? 'marginal' : over ? 'fail' : test.statistic > maxErrorRate ? 'marginal' : 'pass';
  const detail = shared ? `${pct(base.candidate)} and baseline ${pct(base.baseline)} both over the ${pct(maxErrorRate)} line: a shared cause, holding` : `${pct(base.candidate)} against the ${pct(maxErrorRate)} line`;
  return { ...base, verdict, statistic: test.statistic, pValue: test.pValue, detail };
}

export const pct = (r: number | null): string => (r === null ? 'n/a' : `${(r * 100).toFixed(2)}%`);
