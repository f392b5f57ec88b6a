import { describe, expect, it } from 'vitest';
import { assessHealth, parseServiceConfig, Reason, type HealthReading } from '../../shared/domain/index.js';
import { serviceConfigInput } from '../support/fixtures.js';

const config = parseServiceConfig(serviceConfigInput({ slo: { maxErrorRate: 0.05, minRequests: 100, maxP99LatencyMs: 500, window: '1m' } }));
/** The second of ten 30 s looks in a 5-minute bake. */
const look = { elapsedMs: 60_000, previousElapsedMs: 30_000, bakeMs: 300_000, horizonMs: 1_800_000 };
const reading = (requests: number, errors: number, p99: number | null = 100, baseline: [number, number] | null = null): HealthReading => ({
  ok: true,
  measurements: {
    requests, errors, p99LatencyMs: p99, windowStartAt: 0, windowEndAt: 60_000,
    baseline: baseline ? { revision: 'stable-1', requests: baseline[0], errors: baseline[1], p99LatencyMs: 100, latency: null } : null,
  },
});

describe('assessHealth', () => {
  it.each([
    ['all good, beside a baseline as good', reading(1000, 10, 100, [1000, 10]), 'healthy', [Reason.Healthy]],
    ['exactly at the SLO line is still healthy', reading(1000, 50), 'healthy', [Reason.Healthy]],
    ['far over the SLO line, nothing to compare with', reading(1000, 100), 'unhealthy', [Reason.ErrorRateBreached]],
    ['under the line but shown above the baseline', reading(1000, 40, 100, [1000, 5]), 'unhealthy', [Reason.ErrorRatioAboveBaseline]],
    ['over the line with the baseline over it too: a shared cause holds', reading(5000, 315, 100, [5000, 300]), 'marginal', [Reason.Marginal]],
    ['latency over the SLO as the source reports it', reading(1000, 0, 900), 'unhealthy', [Reason.LatencyBreached]],
    ['too few requests holds', reading(99, 0), 'inconclusive', [Reason.TooFewRequests]],
    ['no requests at all holds', reading(0, 0), 'inconclusive', [Reason.TooFewRequests]],
    ['a handful of requests never rolls back, however many failed', reading(10, 6), 'inconclusive', [Reason.TooFewRequests]],
    ['a baseline with too few requests holds', reading(1000, 0, 100, [20, 0]), 'inconclusive', [Reason.TooFewRequests]],
    ['latency missing while an SLO needs it', reading(1000, 0, null), 'inconclusive', [Reason.LatencyUnavailable]],
    ['unhealthy beats inconclusive (latency missing)', reading(1000, 200, null), 'unhealthy', [Reason.ErrorRateBreached]],
    ['metrics source failed', { ok: false as const, error: 'deadline exceeded' }, 'inconclusive', [Reason.MetricsUnavailable]],
  ])('%s', (_name, input, verdict, reasons) => {
    const result = assessHealth(input, config, look);
    expect(result.verdict).toBe(verdict);
    expect(result.reasons).toEqual(reasons);
  });

  it('ignores latency when the SLO sets none', () => {
    const noLatency = parseServiceConfig(serviceConfigInput());
    expect(assessHealth(reading(1000, 0, null), noLatency, look).verdict).toBe('healthy');
  });

  it('reports the error rate it judged and keeps every figure behind the verdict', () => {
    const result = assessHealth(reading(1000, 40, 100, [1000, 5]), config, look);
    expect(result.errorRate).toBeCloseTo(0.04);
    const ratio = result.analysis?.metrics.find((m) => m.metric === 'error-ratio');
    expect(ratio).toMatchObject({ verdict: 'fail', candidate: 0.04, baseline: 0.005, samples: { candidate: 1000, baseline: 1000 } });
    expect(ratio?.pValue).toBeLessThan(ratio?.alpha ?? 0);
    expect(result.analysis).toMatchObject({ comparedWith: 'baseline', baselineRevision: 'stable-1', minSample: 100 });
  });

  describe('with active probes', () => {
    const probes = (total: number, failed: number) => ({ total, failed, failing: Array.from({ length: failed }, (_, i) => `/p${i} (503)`) });
    it.each([
      ['most probes failing, little traffic', reading(3, 0), probes(2, 2), 'unhealthy', [Reason.ProbesFailed]],
      ['most probes failing, metrics unavailable', { ok: false, error: 'UNAVAILABLE' }, probes(3, 2), 'unhealthy', [Reason.ProbesFailed]],
      ['half the probes failing (not most): traffic decides', reading(1000, 0), probes(2, 1), 'healthy', [Reason.Healthy]],
      ['all probes passing, too little traffic', reading(3, 0), probes(2, 0), 'inconclusive', [Reason.TooFewRequests]],
      ['no probes configured', reading(1000, 0), probes(0, 0), 'healthy', [Reason.Healthy]],
    ] as const)('%s', (_name, r, p, verdict, reasons) => {
      expect(assessHealth(r, config, look, p)).toMatchObject({ verdict, reasons });
    });
  });
});
