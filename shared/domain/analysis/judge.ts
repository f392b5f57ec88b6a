import type { ServiceConfig } from '../service-config.js';
import type { ArmFigures, CheckInput } from './arms.js';
import type { AnalysisConfig } from './config.js';
import { errorCeiling, errorRatio } from './errors.js';
import { latencyCeiling, latencyQuantiles, latencyRank } from './latency.js';
import type { Analysis, MetricResult, MetricVerdict } from './model.js';
import { lookAlpha, type Look } from './spending.js';
import { customMetric, type CustomValue } from './custom.js';

export interface JudgeInput {
  candidate: ArmFigures;
  /** The baseline's figures over the same window (the twin, or the stable revision); null when there are none. */
  baseline: ArmFigures | null;
  baselineRevision: string | null;
  slo: Pick<ServiceConfig['slo'], 'maxErrorRate' | 'maxP99LatencyMs' | 'minRequests'>;
  config: AnalysisConfig;
  look: Look;
  /** The custom metrics' values, as the metric provider answered them. */
  custom?: readonly CustomValue[];
  /**
   * Whether the baseline served beside the candidate, under the same traffic (false in the watch
   * window, where the previous stable's figures come from before completion).
   */
  concurrent?: boolean;
}

/**
 * Latency depends on the load a version carries: a version alone at 100% after completion is
 * slower than the same code was with half the traffic, whatever its code. Against a baseline from
 * another period, the latency comparisons are recorded but never act (as dry runs); the error
 * ratio, which load does not move, and the SLO's own lines still do.
 */
function sameTrafficOnly(metric: MetricResult, concurrent: boolean): MetricResult {
  if (concurrent || metric.kind !== 'relative' || !metric.metric.startsWith('latency-')) return metric;
  return { ...metric, dryRun: true, detail: `${metric.detail}; baseline from before completion (another load): recorded, never acts`.slice(0, 300) };
}

/**
 * How a look's alpha is shared between the tests it runs (weighted Bonferroni: the shares add up
 * to the look's alpha, so the union bound still holds). The error ratio against the baseline, the
 * regression users feel first, gets the largest share; the rank test the next; each ceiling and
 * each quantile limit one part.
 */
export const ALPHA_SHARES = { errorRatio: 4, errorCeiling: 1, latencyCeiling: 1, latencyRank: 2, quantile: 1 } as const;

function shareTotal(input: JudgeInput): number {
  const { config, slo, baseline } = input;
  const latency = input.candidate.latency !== null;
  let n = ALPHA_SHARES.errorCeiling + (slo.maxP99LatencyMs === undefined ? 0 : ALPHA_SHARES.latencyCeiling);
  if (baseline) {
    n += config.errorRatio.enabled ? ALPHA_SHARES.errorRatio : 0;
    n += config.latency.enabled && latency && baseline.latency ? ALPHA_SHARES.latencyRank + ALPHA_SHARES.quantile * config.latency.quantiles.length : 0;
  }
  return n;
}

/**
 * The judge, pure: per metric a verdict from a statistical test at this look's level, then a
 * score (Kayenta): a failing critical metric fails the analysis; an inconclusive critical one
 * leaves it inconclusive; a marginal critical one holds; otherwise the score over the conclusive
 * metrics decides against the service's pass and marginal thresholds.
 */
export function judge(input: JudgeInput): Analysis {
  const alpha = lookAlpha(1 - input.config.confidence, input.look);
  const total = shareTotal(input);
  const check = (share: number): CheckInput => ({ candidate: input.candidate, baseline: input.baseline, minSample: input.slo.minRequests, alpha: (alpha * share) / total });
  const metrics: MetricResult[] = [
    errorCeiling(check(ALPHA_SHARES.errorCeiling), input.slo.maxErrorRate),
    errorRatio(check(ALPHA_SHARES.errorRatio), input.config.errorRatio),
    latencyCeiling(check(ALPHA_SHARES.latencyCeiling), input.slo.maxP99LatencyMs),
    latencyRank(check(ALPHA_SHARES.latencyRank), input.config.latency),
    ...latencyQuantiles(check(ALPHA_SHARES.quantile), input.config.latency),
    ...input.config.metrics.map((m) => customMetric(check(0), m, input.custom?.find((v) => v.name === m.name))),
  ]
    .filter((m): m is MetricResult => m !== null)
    .map((m) => sameTrafficOnly(m, input.concurrent ?? true));
  const { verdict, score } = combine(metrics, input.config.score);
  return { verdict, score, comparedWith: input.baseline ? 'baseline' : 'ceilings', baselineRevision: input.baseline ? input.baselineRevision : null, lookAlpha: alpha, minSample: input.slo.minRequests, metrics };
}

const CREDIT: Record<MetricVerdict, number> = { pass: 1, marginal: 0.5, fail: 0, inconclusive: 0 };

export function combine(all: readonly MetricResult[], thresholds: AnalysisConfig['score']): { verdict: MetricVerdict; score: number | null } {
  // A dry-run metric is recorded with its verdict and never acts.
  const metrics = all.filter((m) => !m.dryRun);
  const conclusive = metrics.filter((m) => m.verdict !== 'inconclusive');
  const weight = conclusive.reduce((a, m) => a + m.weight, 0);
  const score = weight > 0 ? (100 * conclusive.reduce((a, m) => a + m.weight * CREDIT[m.verdict], 0)) / weight : null;
  const critical = metrics.filter((m) => m.critical);
  if (critical.some((m) => m.verdict === 'fail')) return { verdict: 'fail', score };
  if (score === null || critical.some((m) => m.verdict === 'inconclusive')) return { verdict: 'inconclusive', score };
  if (critical.some((m) => m.verdict === 'marginal')) return { verdict: 'marginal', score };
  return { verdict: score >= thresholds.pass ? 'pass' : score < thresholds.marginal ? 'fail' : 'marginal', score };
}
