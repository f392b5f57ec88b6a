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
}

/** How many statistical tests a look runs: the look's alpha is split evenly between them (Bonferroni). */
function testCount(input: JudgeInput): number {
  const { config, slo, baseline } = input;
  const latency = input.candidate.latency !== null;
  let n = 1 + (slo.maxP99LatencyMs === undefined ? 0 : 1);
  if (baseline) n += (config.errorRatio.enabled ? 1 : 0) + (config.latency.enabled && latency && baseline.latency ? 1 + config.latency.quantiles.length : 0);
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
  const check: CheckInput = { candidate: input.candidate, baseline: input.baseline, minSample: input.slo.minRequests, alpha: alpha / testCount(input) };
  const metrics: MetricResult[] = [
    errorCeiling(check, input.slo.maxErrorRate),
    errorRatio(check, input.config.errorRatio),
    latencyCeiling(check, input.slo.maxP99LatencyMs),
    latencyRank(check, input.config.latency),
    ...latencyQuantiles(check, input.config.latency),
    ...input.config.metrics.map((m) => customMetric(check, m, input.custom?.find((v) => v.name === m.name))),
  ].filter((m): m is MetricResult => m !== null);
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
