import { z } from 'zod';
import { confirmationSchema } from './analysis/confirmation.js';
import { customValueSchema } from './analysis/custom.js';
import { judge, type Analysis, type AnalysisConfig, type ArmFigures, type Look, type MetricResult } from './analysis/index.js';
import { Reason } from './reasons.js';
import type { ServiceConfig } from './service-config.js';
import { LATENCY_BOUNDS_MS } from './telemetry.js';

/**
 * Health assessment, pure (cloud-run-release-manager's Diagnose, Kayenta's judge): measurements
 * of the candidate and of its baseline in, a verdict out.
 *
 * Precedence, strongest first:
 *   0. Unhealthy     — most of the candidate's active probes failed in this reading;
 *   1. Unhealthy     — the judge fails the candidate: a critical metric shown worse than its
 *                      baseline, or over an SLO ceiling, at this look's level;
 *   2. Inconclusive  — not enough data (fewer than `slo.minRequests` in an arm, metrics unavailable);
 *   3. Marginal      — looks worse but is not shown yet: the step holds;
 *   4. Healthy       — the judge passes it.
 * Neither inconclusive nor marginal moves a release forward; the progress deadline decides what
 * happens when they last.
 */
const histogramSchema = z.array(z.number().int().min(0)).length(LATENCY_BOUNDS_MS.length + 1);

/** The comparison arm: the baseline twin, or the stable revision, over the same window. */
export const baselineMeasurementsSchema = z.object({
  revision: z.string(),
  requests: z.number().int().min(0),
  errors: z.number().int().min(0),
  p99LatencyMs: z.number().min(0).nullable(),
  latency: histogramSchema.nullable(),
});
export type BaselineMeasurements = z.infer<typeof baselineMeasurementsSchema>;

export const healthMeasurementsSchema = z.object({
  requests: z.number().int().min(0),
  errors: z.number().int().min(0),
  p99LatencyMs: z.number().min(0).nullable(),
  /** The candidate's latency histogram (counts per LATENCY_BOUNDS_MS bin, plus slower), where the source has one. */
  latency: histogramSchema.nullable().optional(),
  /** The baseline's figures; absent when the effect named none or the source could not read them. */
  baseline: baselineMeasurementsSchema.nullable().optional(),
  windowStartAt: z.number(),
  windowEndAt: z.number(),
  /** Cloud Monitoring's (or locally the router's) own counts of the step so far, beside the stream's: read when the effect asked. */
  confirmation: confirmationSchema.nullable().optional(),
  /** The service's custom metrics, as the metric provider answered their queries for each arm. */
  custom: z.array(customValueSchema).max(10).optional(),
  /** Where the figures came from: the request-log stream, Cloud Monitoring, or the local router's counters. */
  source: z.enum(['telemetry', 'monitoring', 'router']).optional(),
});
export type HealthMeasurements = z.infer<typeof healthMeasurementsSchema>;

/** Active probes of the candidate (its checks, on its own URL) run with a measurement: how many, which failed. */
export const probeResultsSchema = z.object({
  total: z.number().int().min(0).max(100),
  failed: z.number().int().min(0).max(100),
  failing: z.array(z.string().max(300)).max(20),
});
export type ProbeResults = z.infer<typeof probeResultsSchema>;

/** What a health source returns: measurements, or the reason it has none (errors are data). */
export const healthReadingSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), measurements: healthMeasurementsSchema }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type HealthReading = z.infer<typeof healthReadingSchema>;

export const VERDICTS = ['healthy', 'marginal', 'unhealthy', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface HealthAssessment {
  verdict: Verdict;
  reasons: Reason[];
  errorRate: number | null;
  /** The judge's whole analysis (every metric's figures); null when there were no measurements. */
  analysis: Analysis | null;
}

export interface HealthPolicy {
  slo: ServiceConfig['slo'];
  analysis: AnalysisConfig;
  /** The baseline served beside the candidate under the same traffic (false in the watch window). */
  concurrent?: boolean;
}

/** Why a failing metric fails, as a reason people already know. */
function failReason(m: MetricResult): Reason {
  if (m.metric === 'error-ceiling') return Reason.ErrorRateBreached;
  if (m.metric === 'latency-ceiling') return Reason.LatencyBreached;
  if (m.metric === 'error-ratio') return Reason.ErrorRatioAboveBaseline;
  if (m.metric.startsWith('latency-')) return Reason.LatencyAboveBaseline;
  return Reason.CustomMetricFailed;
}

const arm = (m: { requests: number; errors: number; latency?: number[] | null; p99LatencyMs: number | null }): ArmFigures => ({ requests: m.requests, errors: m.errors, latency: m.latency ?? null, p99LatencyMs: m.p99LatencyMs });

export function assessHealth(reading: HealthReading, policy: HealthPolicy, look: Look, probes?: ProbeResults): HealthAssessment {
  const errorRate = reading.ok && reading.measurements.requests > 0 ? reading.measurements.errors / reading.measurements.requests : null;
  const analysis = reading.ok
    ? judge({ candidate: arm(reading.measurements), baseline: reading.measurements.baseline ? arm(reading.measurements.baseline) : null, baselineRevision: reading.measurements.baseline?.revision ?? null, slo: policy.slo, config: policy.analysis, look, custom: reading.measurements.custom ?? [], concurrent: policy.concurrent ?? true })
    : null;
  // Probes first: a candidate whose own checks fail (most of them, in one reading) is broken
  // whatever its user traffic says, and however little of it there is.
  if (probes && probes.total > 0 && probes.failed * 2 > probes.total) return { verdict: 'unhealthy', reasons: [Reason.ProbesFailed], errorRate, analysis };
  if (!analysis) return { verdict: 'inconclusive', reasons: [Reason.MetricsUnavailable], errorRate: null, analysis };
  const critical = analysis.metrics.filter((m) => m.critical);
  switch (analysis.verdict) {
    case 'fail': {
      const failing = analysis.metrics.filter((m) => m.verdict === 'fail' && !m.dryRun);
      return { verdict: 'unhealthy', reasons: [...new Set((failing.length ? failing : critical).map(failReason))], errorRate, analysis };
    }
    case 'inconclusive': {
      const latencyMissing = policy.slo.maxP99LatencyMs !== undefined && analysis.metrics.some((m) => m.metric === 'latency-ceiling' && m.verdict === 'inconclusive' && m.samples.candidate >= policy.slo.minRequests);
      return { verdict: 'inconclusive', reasons: [latencyMissing ? Reason.LatencyUnavailable : Reason.TooFewRequests], errorRate, analysis };
    }
    case 'marginal':
      return { verdict: 'marginal', reasons: [Reason.Marginal], errorRate, analysis };
    case 'pass':
      return { verdict: 'healthy', reasons: [Reason.Healthy], errorRate, analysis };
  }
}
