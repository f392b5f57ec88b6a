import { z } from 'zod';
import { Reason } from './reasons.js';
import type { ServiceConfig } from './service-config.js';

/**
 * Health assessment, pure (cloud-run-release-manager's Diagnose): measurements in, verdict out.
 *
 * Precedence, strongest first:
 *   0. Unhealthy     — most of the candidate's active probes failed in this reading;
 *   1. Unhealthy     — any SLO breach that the data already proves;
 *   2. Inconclusive  — not enough data (too few requests, metrics unavailable, latency missing);
 *   3. Healthy       — everything measured and inside the SLO.
 * Inconclusive never moves a release forward; the progress deadline decides what happens when it lasts.
 */
export const healthMeasurementsSchema = z.object({
  requests: z.number().int().min(0),
  errors: z.number().int().min(0),
  p99LatencyMs: z.number().min(0).nullable(),
  windowStartAt: z.number(),
  windowEndAt: z.number(),
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

export type Verdict = 'healthy' | 'unhealthy' | 'inconclusive';

export interface HealthAssessment {
  verdict: Verdict;
  reasons: Reason[];
  errorRate: number | null;
}

type Slo = ServiceConfig['slo'];

export function assessHealth(reading: HealthReading, slo: Slo, probes?: ProbeResults): HealthAssessment {
  // Probes first: a candidate whose own checks fail (most of them, in one reading) is broken
  // whatever its user traffic says, and however little of it there is.
  if (probes && probes.total > 0 && probes.failed * 2 > probes.total) {
    const errorRate = reading.ok && reading.measurements.requests > 0 ? reading.measurements.errors / reading.measurements.requests : null;
    return { verdict: 'unhealthy', reasons: [Reason.ProbesFailed], errorRate };
  }
  if (!reading.ok) return { verdict: 'inconclusive', reasons: [Reason.MetricsUnavailable], errorRate: null };
  const { requests, errors, p99LatencyMs } = reading.measurements;
  const errorRate = requests > 0 ? errors / requests : null;
  const enoughRequests = requests >= slo.minRequests;

  const unhealthy: Reason[] = [];
  if (enoughRequests && errorRate !== null && errorRate > slo.maxErrorRate) unhealthy.push(Reason.ErrorRateBreached);
  // Even if every request still missing to reach minRequests succeeded, the rate would breach:
  // waiting for more traffic cannot change the verdict, so react now.
  if (!enoughRequests && errors > slo.maxErrorRate * slo.minRequests) unhealthy.push(Reason.ErrorBudgetExhausted);
  if (enoughRequests && slo.maxP99LatencyMs !== undefined && p99LatencyMs !== null && p99LatencyMs > slo.maxP99LatencyMs) {
    unhealthy.push(Reason.LatencyBreached);
  }
  if (unhealthy.length > 0) return { verdict: 'unhealthy', reasons: unhealthy, errorRate };

  const inconclusive: Reason[] = [];
  if (!enoughRequests) inconclusive.push(Reason.TooFewRequests);
  if (slo.maxP99LatencyMs !== undefined && p99LatencyMs === null) inconclusive.push(Reason.LatencyUnavailable);
  if (inconclusive.length > 0) return { verdict: 'inconclusive', reasons: inconclusive, errorRate };

  return { verdict: 'healthy', reasons: [Reason.Healthy], errorRate };
}
