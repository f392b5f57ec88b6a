import { describe, expect, it } from 'vitest';
import { assessHealth, parseServiceConfig, Reason, type HealthReading } from '../../shared/domain/index.js';
import { serviceConfigInput } from '../support/fixtures.js';

const slo = parseServiceConfig(serviceConfigInput({ slo: { maxErrorRate: 0.05, minRequests: 100, maxP99LatencyMs: 500, window: '1m' } })).slo;
const reading = (requests: number, errors: number, p99: number | null = 100): HealthReading => ({
  ok: true,
  measurements: { requests, errors, p99LatencyMs: p99, windowStartAt: 0, windowEndAt: 60_000 },
});

describe('assessHealth', () => {
  it.each([
    ['all good', reading(1000, 10), 'healthy', [Reason.Healthy]],
    ['exactly at the max error rate is still healthy', reading(1000, 50), 'healthy', [Reason.Healthy]],
    ['error rate above the max', reading(1000, 51), 'unhealthy', [Reason.ErrorRateBreached]],
    ['latency above the max', reading(1000, 0, 900), 'unhealthy', [Reason.LatencyBreached]],
    ['both breaches are reported', reading(1000, 500, 900), 'unhealthy', [Reason.ErrorRateBreached, Reason.LatencyBreached]],
    ['too few requests holds', reading(99, 0), 'inconclusive', [Reason.TooFewRequests]],
    ['no requests at all holds', reading(0, 0), 'inconclusive', [Reason.TooFewRequests]],
    ['few requests but the error budget is already gone: unhealthy wins', reading(10, 6), 'unhealthy', [Reason.ErrorBudgetExhausted]],
    ['few requests, errors within what more traffic could dilute', reading(10, 5), 'inconclusive', [Reason.TooFewRequests]],
    ['latency missing while an SLO needs it', reading(1000, 0, null), 'inconclusive', [Reason.LatencyUnavailable]],
    ['unhealthy beats inconclusive (latency missing)', reading(1000, 200, null), 'unhealthy', [Reason.ErrorRateBreached]],
    ['metrics source failed', { ok: false as const, error: 'deadline exceeded' }, 'inconclusive', [Reason.MetricsUnavailable]],
  ])('%s', (_name, input, verdict, reasons) => {
    const result = assessHealth(input, slo);
    expect(result.verdict).toBe(verdict);
    expect(result.reasons).toEqual(reasons);
  });

  it('ignores latency when the SLO sets none', () => {
    const noLatency = parseServiceConfig(serviceConfigInput()).slo;
    expect(assessHealth(reading(1000, 0, null), noLatency).verdict).toBe('healthy');
  });

  it('reports the error rate it judged', () => {
    expect(assessHealth(reading(200, 20), slo).errorRate).toBeCloseTo(0.1);
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
      expect(assessHealth(r, slo, p)).toMatchObject({ verdict, reasons });
    });
  });
});
