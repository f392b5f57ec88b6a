import { describe, expect, it } from 'vitest';
import { decide, judge, parseServiceConfig, Reason, renderQuery, type CustomValue, type EventBody } from '../../../shared/domain/index.js';
import { ctxAt, ev, releaseIn, serviceConfigInput, serviceState, T0 } from '../../support/fixtures.js';

const look = { elapsedMs: 60_000, previousElapsedMs: 30_000, bakeMs: 300_000, horizonMs: 1_800_000 };
const metrics = [
  { name: 'checkout-failures', query: 'sum(rate(app_checkout_total{revision="{{revision}}",outcome="failed"}[{{window}}]))', judge: 'relative' as const, tolerance: 0.5, critical: true },
  { name: 'queue-depth', query: 'max(queue_depth{revision="{{revision}}"})', judge: 'absolute' as const, max: 100 },
  { name: 'new-signal', query: 'sum(rate(x{revision="{{revision}}"}[1m]))', judge: 'absolute' as const, max: 1, dryRun: true, critical: true },
];
const config = parseServiceConfig(serviceConfigInput({ analysis: { metrics } }));
const arm = { requests: 1000, errors: 0, latency: null };
const run = (custom: CustomValue[], requests = 1000) => judge({ candidate: { ...arm, requests }, baseline: arm, baselineRevision: 'b', slo: config.slo, config: config.analysis, look, custom });
const value = (name: string, candidate: number | null, baseline: number | null = null, error: string | null = null): CustomValue => ({ name, candidate, baseline, error });
const metric = (a: ReturnType<typeof judge>, name: string) => a.metrics.find((m) => m.metric === name);

describe('custom metrics (PromQL)', () => {
  it('renders the query per arm: revision, service and the window in seconds', () => {
    expect(renderQuery(metrics[0]?.query ?? '', { revision: 'svc-c1', service: 'svc', windowMs: 90_400 })).toBe('sum(rate(app_checkout_total{revision="svc-c1",outcome="failed"}[90s]))');
    expect(renderQuery('x{a="{{revision}}"}', { revision: 'a"b', service: 's', windowMs: 0 })).toBe('x{a="a\\"b"}');
  });

  it('relative: fails above the baseline × (1 + tolerance), passes under it', () => {
    expect(metric(run([value('checkout-failures', 2.0, 1.0), value('queue-depth', 5)]), 'checkout-failures')).toMatchObject({ verdict: 'fail', limit: 1.5, candidate: 2, baseline: 1 });
    expect(metric(run([value('checkout-failures', 1.4, 1.0), value('queue-depth', 5)]), 'checkout-failures')).toMatchObject({ verdict: 'pass' });
  });

  it('absolute: fails over max; a non-critical failure lowers the score', () => {
    const a = run([value('checkout-failures', 1, 1), value('queue-depth', 250)]);
    expect(metric(a, 'queue-depth')).toMatchObject({ verdict: 'fail', limit: 100, kind: 'ceiling' });
    expect(a.score).toBeLessThan(95);
  });

  it('a dry-run metric is recorded with its verdict and never acts', () => {
    const a = run([value('checkout-failures', 1, 1), value('queue-depth', 5), value('new-signal', 50)]);
    expect(metric(a, 'new-signal')).toMatchObject({ verdict: 'fail', dryRun: true });
    expect(a.verdict).toBe('pass');
  });

  it('without a value, with an error, or below the minimum sample: inconclusive (and a critical one holds)', () => {
    expect(metric(run([value('checkout-failures', null, 1)]), 'checkout-failures')?.verdict).toBe('inconclusive');
    expect(metric(run([value('checkout-failures', null, null, 'Prometheus API: bad_data')]), 'checkout-failures')).toMatchObject({ verdict: 'inconclusive', detail: 'Prometheus API: bad_data' });
    expect(metric(run([value('checkout-failures', 5, 1)], 10), 'checkout-failures')?.verdict).toBe('inconclusive');
    expect(run([]).verdict).toBe('inconclusive');
  });

  it('refuses a config whose query cannot tell the arms apart, or an absolute metric with no line', () => {
    expect(() => parseServiceConfig(serviceConfigInput({ analysis: { metrics: [{ name: 'x', query: 'sum(rate(x[1m]))', judge: 'relative' }] } }))).toThrow(/\{\{revision\}\}/);
    expect(() => parseServiceConfig(serviceConfigInput({ analysis: { metrics: [{ name: 'x', query: 'x{r="{{revision}}"}', judge: 'absolute' }] } }))).toThrow(/max or min/);
  });

  describe('through decide', () => {
    const service = serviceState({ analysis: { metrics } }, { activeReleaseId: 'checkout-b1' });
    const shifting = releaseIn('shifting', { inFlight: { effectId: 'checkout-b1/1/measureHealth/1', kind: 'measureHealth', target: null, attempt: 1, issuedAt: T0, deadlineAt: T0 + 60_000, lastError: null, progress: 'issued' } });
    const reading = (custom: CustomValue[]): EventBody => ({ kind: 'healthMeasured', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/measureHealth/1', reading: { ok: true, measurements: { requests: 1000, errors: 0, p99LatencyMs: 10, windowStartAt: T0, windowEndAt: T0 + 40_000, custom } } });

    it('a critical custom metric that fails rolls back, naming it', () => {
      const d = decide({ service, releases: [structuredClone(shifting)] }, ev(reading([value('checkout-failures', 3, 1), value('queue-depth', 5), value('new-signal', 0)])), ctxAt(T0 + 40_000));
      expect(d.releases[0]).toMatchObject({ state: { phase: 'rolling_back', rollback: { cause: Reason.CustomMetricFailed } } });
      expect(d.history.at(-1)?.message).toContain('checkout-failures fail');
    });

    it('asks for each metric per arm, rendered for the candidate and its baseline', () => {
      const tick = decide({ service, releases: [{ ...structuredClone(shifting), inFlight: null }] }, ev({ kind: 'tick', releaseId: 'checkout-b1' }), ctxAt(T0 + 40_000));
      const effect = tick.effects.find((e) => e.kind === 'measureHealth');
      expect(effect).toMatchObject({ metrics: [
        { name: 'checkout-failures', candidate: expect.stringContaining('revision="checkout-b1"'), baseline: expect.stringContaining('revision="checkout-stable"') },
        { name: 'queue-depth', candidate: expect.stringContaining('checkout-b1'), baseline: null },
        { name: 'new-signal', candidate: expect.stringContaining('checkout-b1'), baseline: null },
      ] });
    });
  });
});
