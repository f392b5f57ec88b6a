import { z } from 'zod';
import { analysisSchema, type Analysis, type HistoryEntry, type MetricResult, type Release } from '../domain/index.js';

const recordedHealthSchema = z.object({
  analysis: analysisSchema.nullable().optional(),
  confirmation: z.object({ verdict: z.string(), detail: z.string() }).nullable().optional(),
});
import type { Rows } from './rows.js';

/**
 * The judge's analyses as people read them, in the CLI (`cutover analysis`) and on the page: one
 * row per metric with both arms, the limit, the samples, the test's p-value and the level it was
 * held to, so every verdict can be checked by hand.
 */
const isRate = (m: MetricResult) => m.metric.startsWith('error');
const value = (m: MetricResult, v: number | null): string => (v === null ? '-' : isRate(m) ? `${(v * 100).toFixed(2)}%` : m.metric === 'latency-rank' && v <= 1 ? v.toFixed(2) : `${v}ms`);
const num = (v: number | null): string => (v === null ? '-' : v < 1e-15 ? '<1e-15' : v < 0.0001 ? v.toExponential(1) : v.toFixed(4));

export function metricRows(analysis: Analysis): Rows {
  return {
    headers: ['METRIC', 'KIND', 'VERDICT', 'CANDIDATE', 'BASELINE', 'LIMIT', 'N (C/B)', 'P-VALUE', 'ALPHA', 'DETAIL'],
    rows: analysis.metrics.map((m) => [
      `${m.metric}${m.critical ? '*' : ''}`,
      m.kind,
      m.verdict,
      value(m, m.candidate),
      m.kind === 'ceiling' ? '-' : value(m, m.baseline),
      m.metric === 'latency-rank' ? `P(slower) ${value(m, m.limit)}` : value(m, m.limit),
      `${m.samples.candidate}/${m.samples.baseline ?? '-'}`,
      num(m.pValue),
      num(m.alpha),
      m.detail,
    ]),
  };
}

/** The headline of an analysis: verdict, score, what the candidate was compared with, the look's level. */
export function analysisHeadline(analysis: Analysis): string {
  const score = analysis.score === null ? 'no score' : `score ${Math.round(analysis.score)}`;
  const against = analysis.comparedWith === 'baseline' ? `against baseline ${analysis.baselineRevision ?? '?'}` : 'against the SLO lines only';
  return `${analysis.verdict} (${score}), ${against}; this look's alpha ${num(analysis.lookAlpha)}, minimum sample ${analysis.minSample} per arm`;
}

export interface RecordedAnalysis {
  at: number;
  reason: string;
  trafficPercent: number | null;
  analysis: Analysis;
  confirmation: { verdict: string; detail: string } | null;
}

/** Every analysis a release's history recorded (each decision keeps the health it rested on), newest last. */
export function recordedAnalyses(entries: readonly HistoryEntry[]): RecordedAnalysis[] {
  return entries.flatMap((e) => {
    // History is stored by every version of Cutover: read what a decision kept, never assume it.
    const parsed = recordedHealthSchema.safeParse(e.details?.health);
    if (!parsed.success || !parsed.data.analysis) return [];
    return [{ at: e.at, reason: e.reason, trafficPercent: e.trafficPercent, analysis: parsed.data.analysis, confirmation: parsed.data.confirmation ?? null }];
  });
}

/** The newest analysis: the release's current health, which is newer than any recorded decision. */
export function latestAnalysis(release: Release): RecordedAnalysis | null {
  const h = release.health;
  if (!h?.analysis) return null;
  // The traffic it was measured at is not kept beside it (the release may have moved since).
  return { at: h.at, reason: h.reasons[0] ?? '', trafficPercent: null, analysis: h.analysis, confirmation: h.confirmation ?? null };
}
