import { binomialUpperTail } from './stats.js';
import type { AnalysisConfig } from './config.js';
import { enough, quantileBound, quantileEstimate, slowerThan, type CheckInput } from './arms.js';
import { candidateLarger, sum } from './mann-whitney.js';
import type { MetricResult } from './model.js';

type LatencyConfig = AnalysisConfig['latency'];

function samples(input: CheckInput): { c: number[]; b: number[] | null; nc: number; nb: number | null } {
  const c = input.candidate.latency ?? [];
  const b = input.baseline?.latency ?? null;
  return { c, b, nc: sum(c), nb: b ? sum(b) : null };
}

/**
 * The rank test (Mann–Whitney U, as Kayenta's judge): fail when the candidate's latencies are
 * shown larger than the baseline's, a random candidate request is slower than a random baseline
 * one at least `minProbabilitySlower` of the time, and at one of the judged quantiles the candidate
 * is at least `minShiftMs` slower (estimated within the bins, at a quantile both arms have at least
 * TAIL_REQUESTS requests beyond). Over many requests the test shows
 * shifts of a fraction of a millisecond — a process just started beside a warm one — that no user
 * sees; the two effect sizes keep it to shifts that matter.
 */
export function latencyRank(input: CheckInput, config: LatencyConfig): MetricResult | null {
  const { c, b, nc, nb } = samples(input);
  if (!config.enabled || !b || nb === null) return null;
  const base = { metric: 'latency-rank', kind: 'relative' as const, critical: config.critical, weight: config.weight, candidate: quantileBound(c, 0.5), baseline: quantileBound(b, 0.5), limit: config.minProbabilitySlower, alpha: input.alpha, samples: { candidate: nc, baseline: nb } };
  const test = enough(nc, input.minSample) && enough(nb, input.minSample) ? candidateLarger(c, b) : null;
  if (!test) return { ...base, verdict: 'inconclusive', statistic: null, pValue: null, detail: `fewer than ${input.minSample} latencies in an arm` };
  const judged = placeableQuantiles(config.quantiles, Math.min(nc, nb));
  const shift = largestShift(c, b, judged);
  const slower = test.probabilityLarger >= config.minProbabilitySlower && shift >= config.minShiftMs;
  const verdict = slower && test.pValue < input.alpha ? 'fail' : slower ? 'marginal' : 'pass';
  return { ...base, verdict, statistic: test.statistic, pValue: test.pValue, detail: `a candidate request is slower than a baseline one ${(test.probabilityLarger * 100).toFixed(1)}% of the time (U = ${test.u}); ${shift.toFixed(1)} ms slower at its slowest of p${judged.map((q) => q * 100).join('/p')}` };
}

/**
 * A quantile's shift counts only when each arm has at least this many requests beyond it: the p99 of
 * 21 requests is its slowest one, and a single slow request of a process just started is no shift.
 */
export const TAIL_REQUESTS = 5;

/** The judged quantiles both arms hold enough requests beyond; the median when none is. */
export function placeableQuantiles(quantiles: readonly number[], n: number): number[] {
  // the tolerance keeps 25 × (1 − 0.8) = 4.999… at five
  const placeable = quantiles.filter((q) => n * (1 - q) >= TAIL_REQUESTS - 1e-9);
  return placeable.length > 0 ? placeable : [0.5];
}

/** How much slower the candidate is at the judged quantile where it is slowest (0 when it is nowhere slower). */
function largestShift(c: readonly number[], b: readonly number[], quantiles: readonly number[]): number {
  return Math.max(0, ...quantiles.map((q) => (quantileEstimate(c, q) ?? 0) - (quantileEstimate(b, q) ?? 0)));
}

/**
 * Quantile limits: for each q, the limit is the baseline's q-quantile × (1 + tolerance). The
 * candidate's q-quantile is above the limit exactly when more than 1 − q of its requests are
 * slower than it, so an exact binomial test of that share against 1 − q decides: fail when shown,
 * marginal when the share is over but not shown yet.
 */
export function latencyQuantiles(input: CheckInput, config: LatencyConfig): MetricResult[] {
  const { c, b, nc, nb } = samples(input);
  if (!config.enabled || !b || nb === null) return [];
  return config.quantiles.map((q) => {
    const name = `latency-p${Math.round(q * 1000) / 10}`;
    const baseBound = quantileBound(b, q);
    const limit = baseBound === null ? null : baseBound * (1 + config.tolerance);
    const base = { metric: name, kind: 'relative' as const, critical: config.critical, weight: config.weight, candidate: quantileBound(c, q), baseline: baseBound, limit, alpha: input.alpha, samples: { candidate: nc, baseline: nb } };
    if (limit === null || !enough(nc, input.minSample) || !enough(nb, input.minSample)) return { ...base, verdict: 'inconclusive' as const, statistic: null, pValue: null, detail: `fewer than ${input.minSample} latencies in an arm` };
    const slowC = slowerThan(c, limit);
    const pValue = binomialUpperTail(slowC, nc, 1 - q);
    const verdict = pValue < input.alpha ? 'fail' : slowC / nc > 1 - q ? 'marginal' : 'pass';
    return { ...base, verdict, statistic: slowC / nc, pValue, detail: `${share(slowC, nc)} of candidate requests over ${limit} ms (baseline's p${q * 100} × ${1 + config.tolerance}); ${share(slowerThan(b, limit), nb)} of baseline's` };
  });
}

/**
 * The SLO's p99 line, a ceiling: fail when an exact binomial test shows more than 1% of the
 * candidate's requests slower than it (held instead when the baseline is over it too).
 */
export function latencyCeiling(input: CheckInput, maxP99LatencyMs: number | undefined): MetricResult | null {
  const { c, b, nc, nb } = samples(input);
  if (maxP99LatencyMs === undefined) return null;
  if (input.candidate.latency === null) return reportedCeiling(input, maxP99LatencyMs);
  const base = { metric: 'latency-ceiling', kind: 'ceiling' as const, critical: true, weight: 1, candidate: quantileBound(c, 0.99), baseline: b ? quantileBound(b, 0.99) : null, limit: maxP99LatencyMs, alpha: input.alpha, samples: { candidate: nc, baseline: nb } };
  if (!enough(nc, input.minSample)) return { ...base, verdict: 'inconclusive', statistic: null, pValue: null, detail: `fewer than ${input.minSample} latencies` };
  const slow = slowerThan(c, maxP99LatencyMs);
  const pValue = binomialUpperTail(slow, nc, 0.01);
  const over = pValue < input.alpha;
  const shared = over && b !== null && nb !== null && enough(nb, input.minSample) && slowerThan(b, maxP99LatencyMs) / nb > 0.01;
  const verdict = shared ? 'marginal' : over ? 'fail' : slow / nc > 0.01 ? 'marginal' : 'pass';
  return { ...base, verdict, statistic: slow / nc, pValue, detail: `${share(slow, nc)} of requests over ${maxP99LatencyMs} ms (at most 1% allowed)${shared ? '; baseline too: a shared cause, holding' : ''}` };
}

/**
 * The p99 line against a p99 the source computed itself (Cloud Monitoring's percentile aligner):
 * there is no distribution to test, so the figure is compared as it is, with the minimum sample.
 */
function reportedCeiling(input: CheckInput, maxP99LatencyMs: number): MetricResult {
  const p99 = input.candidate.p99LatencyMs ?? null;
  const n = input.candidate.requests;
  const base = { metric: 'latency-ceiling', kind: 'ceiling' as const, critical: true, weight: 1, candidate: p99, baseline: input.baseline?.p99LatencyMs ?? null, limit: maxP99LatencyMs, alpha: null, statistic: p99, pValue: null, samples: { candidate: n, baseline: input.baseline?.requests ?? null } };
  if (n < input.minSample) return { ...base, verdict: 'inconclusive', detail: `fewer than ${input.minSample} requests` };
  if (p99 === null) return { ...base, verdict: 'inconclusive', detail: 'the source reported no latency' };
  return { ...base, verdict: p99 > maxP99LatencyMs ? 'fail' : 'pass', detail: `p99 ${p99} ms as the source reports it, against ${maxP99LatencyMs} ms` };
}

const share = (x: number, n: number): string => `${((x / n) * 100).toFixed(2)}%`;
