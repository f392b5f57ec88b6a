import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPrometheus } from '../../local/prometheus.js';
import { PrometheusQueryProvider } from '../../shared/adapters/gcp/prometheus-query.js';

const T = Date.UTC(2026, 10, 27, 12, 0, 0);
/** A counter that grows by `perSecond` every second. */
const counter = (name: string, labels: Record<string, string>, perSecond: number) => ({ name, labels, valueAt: (at: number) => Math.floor((at - (T - 3_600_000)) / 1000) * perSecond });

describe('PrometheusQueryProvider against the local Prometheus API', () => {
  const prometheus = new LocalPrometheus();
  let provider: PrometheusQueryProvider;
  beforeAll(async () => {
    prometheus.add(counter('app_checkout_total', { revision: 'svc-c1', outcome: 'ok' }, 9));
    prometheus.add(counter('app_checkout_total', { revision: 'svc-c1', outcome: 'failed' }, 1));
    prometheus.add(counter('app_checkout_total', { revision: 'svc-b1', outcome: 'ok' }, 10));
    prometheus.add({ name: 'queue_depth', labels: { revision: 'svc-c1' }, valueAt: () => 42 });
    provider = new PrometheusQueryProvider(await prometheus.start());
  });
  afterAll(() => prometheus.stop());

  it.each([
    ['a gauge', 'queue_depth{revision="svc-c1"}', 42],
    ['a rate over a window', 'rate(app_checkout_total{revision="svc-c1",outcome="failed"}[60s])', 1],
    ['an increase summed over series', 'sum(increase(app_checkout_total{revision="svc-c1"}[2m]))', 1200],
    ['a ratio of two sums', 'sum(rate(app_checkout_total{revision="svc-c1",outcome="failed"}[1m])) / sum(rate(app_checkout_total{revision="svc-c1"}[1m]))', 0.1],
    ['a matcher that excludes', 'sum(rate(app_checkout_total{revision="svc-c1",outcome!="failed"}[1m]))', 9],
  ])('answers %s with its value', async (_name, query, value) => {
    const answer = await provider.query(query, T);
    expect(answer.ok && answer.value).toBeCloseTo(value, 9);
  });

  it('says "no value" for a query that matches nothing, and for a ratio with no traffic', async () => {
    expect(await provider.query('sum(rate(app_checkout_total{revision="svc-none"}[1m]))', T)).toEqual({ ok: true, value: null });
    expect(await provider.query('sum(rate(app_checkout_total{revision="svc-b1",outcome="failed"}[1m])) / sum(rate(app_checkout_total{revision="svc-none"}[1m]))', T)).toEqual({ ok: true, value: null });
  });

  it('refuses several series (the query must aggregate), a bad query, and an unreachable API, as answers', async () => {
    expect(await provider.query('rate(app_checkout_total{revision="svc-c1"}[1m])', T)).toMatchObject({ ok: false, error: expect.stringContaining('2 series') });
    expect(await provider.query('rate(app_checkout_total{revision="svc-c1"})', T)).toMatchObject({ ok: false, error: expect.stringContaining('bad_data') });
    expect(await provider.query('histogram_quantile(0.99, x)', T)).toMatchObject({ ok: false, error: expect.stringContaining('bad_data') });
    expect(await new PrometheusQueryProvider('http://127.0.0.1:1', { timeoutMs: 1_000 }).query('queue_depth', T)).toMatchObject({ ok: false, error: expect.stringContaining('Prometheus API') });
  });

  it('asks with the query and the time it was given', async () => {
    await provider.query('queue_depth{revision="svc-c1"}', T);
    expect(prometheus.queries.at(-1)).toBe('queue_depth{revision="svc-c1"}');
  });
});

describe('the runtime asks the metric provider for each custom metric, per arm', () => {
  it('puts the answers beside the health reading, and an unconfigured provider is said, not thrown', async () => {
    const { ReleaseRuntime } = await import('../../shared/runtime/runtime.js');
    const { silentLogger } = await import('../../shared/runtime/logger.js');
    const { FakeStore } = await import('../fakes/memory-store.js');
    const { FakeHealthSource, FakeNotifier, FakeRouter, FakeScheduler, FakeVerifier } = await import('../fakes/world-fakes.js');
    const { serviceConfigInput } = await import('../support/fixtures.js');
    const { releaseIdForBuild } = await import('../../shared/domain/index.js');
    const prometheus = new LocalPrometheus();
    prometheus.add(counter('app_checkout_total', { revision: 'checkout-b1', outcome: 'failed' }, 3));
    prometheus.add(counter('app_checkout_total', { revision: 'checkout-base-b1', outcome: 'failed' }, 1));
    await prometheus.start();
    try {
      let now = T;
      const store = new FakeStore();
      const health = new FakeHealthSource();
      const deps = { store, router: new FakeRouter(), health, verifier: new FakeVerifier(), scheduler: new FakeScheduler(), notifier: new FakeNotifier(), clock: () => now, log: silentLogger, metrics: new PrometheusQueryProvider(prometheus.url) };
      const runtime = new ReleaseRuntime(deps);
      const metrics = [{ name: 'checkout-failures', query: 'sum(rate(app_checkout_total{revision="{{revision}}",outcome="failed"}[{{window}}]))', judge: 'relative' as const, tolerance: 0.5, critical: true }];
      await store.applyServiceConfig(serviceConfigInput({ analysis: { metrics, warmup: '0s' } }), now);
      await runtime.handle({ id: 'b', service: 'checkout', at: now, body: { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c', image: 'img@sha256:1' } });
      const id = releaseIdForBuild('checkout', 'b1');
      for (let i = 0; i < 4; i += 1) {
        now += 11_000;
        await runtime.handle({ id: `t${i}`, service: 'checkout', at: now, body: { kind: 'tick', releaseId: id } });
      }
      const release = await store.getRelease(id);
      expect(release).toMatchObject({ state: { phase: 'rolled_back', rollback: { cause: 'CustomMetricFailed' } } });
      const asked = prometheus.queries.filter((q) => q.includes('app_checkout_total'));
      expect(asked).toEqual(expect.arrayContaining([expect.stringContaining('revision="checkout-b1"'), expect.stringContaining('revision="checkout-base-b1"')]));
    } finally {
      await prometheus.stop();
    }
  });
});
