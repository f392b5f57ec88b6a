import { pct } from './errors.js';
import type { Analysis, MetricResult } from './model.js';

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v} ms`);
const p = (v: number | null): string => (v === null ? '' : v < 0.0001 ? ', p < 0.0001' : `, p = ${v.toFixed(4)}`);

/** One metric's figures in a line a person can check: the two arms, the limit, the test. */
export function describeMetric(m: MetricResult): string {
  const isError = m.metric.startsWith('error');
  const value = isError ? pct : ms;
  const counted = (r: number | null, n: number | null): string => (isError && r !== null && n !== null ? ` (${Math.round(r * n)}/${n})` : '');
  const against = m.kind === 'ceiling' ? `line ${value(m.limit)}` : `baseline ${value(m.baseline)}${counted(m.baseline, m.samples.baseline)}`;
  const n = `n = ${m.samples.candidate}${m.samples.baseline === null ? '' : `/${m.samples.baseline}`}`;
  return `${m.metric} ${m.verdict}: ${value(m.candidate)}${counted(m.candidate, m.samples.candidate)} vs ${against} (${n}${p(m.pValue)})`;
}

/** The metrics that decided the verdict: those that failed, else those holding, else the error ratio. */
export function decisive(analysis: Analysis): MetricResult[] {
  for (const verdict of ['fail', 'marginal', 'inconclusive'] as const) {
    const hit = analysis.metrics.filter((m) => m.verdict === verdict && (m.critical || verdict === 'fail'));
    if (hit.length) return hit;
  }
  const ratio = analysis.metrics.find((m) => m.metric === 'error-ratio') ?? analysis.metrics.find((m) => m.metric === 'error-ceiling');
  return ratio ? [ratio] : [];
}

/** The analysis in a sentence: the deciding metrics' figures and the score. */
export function describeAnalysis(analysis: Analysis): string {
  const lines = decisive(analysis).slice(0, 3).map(describeMetric);
  const score = analysis.score === null ? '' : `; score ${Math.round(analysis.score)}`;
  return `${lines.join('; ')}${score}`;
}
