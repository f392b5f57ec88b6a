import { MetricServiceClient } from '@google-cloud/monitoring';
import { grpc } from 'google-gax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitoringHealthSource } from '../../shared/adapters/gcp/monitoring-health.js';
import type { MeasureHealth } from '../../shared/domain/index.js';
import { FakeMonitoring } from '../fakes/grpc/fake-monitoring.js';

const T = Date.UTC(2026, 10, 27, 12, 0, 0);
const effect: MeasureHealth = {
  kind: 'measureHealth', effectId: 'm', releaseId: 'r', service: 'checkout', attempt: 1,
  router: { kind: 'cloud-run', project: 'demo', region: 'europe-west1', service: 'checkout' },
  candidateRevision: 'checkout-abc', windowStartAt: T - 300_000, windowEndAt: T, baseline: null, confirmSince: null, metrics: [], probe: null,
};

describe('MonitoringHealthSource against a fake MetricService', () => {
  const fake = new FakeMonitoring();
  let client: MetricServiceClient;
  beforeAll(async () => {
    await fake.start();
    client = new MetricServiceClient({ ...fake.server.clientOptions(), projectId: 'demo' });
  });
  afterAll(async () => {
    await client.close();
    await fake.server.stop();
  });

  it('sums request_count by response class and reads the p99 latency', async () => {
    fake.counts = { '2xx': 950, '4xx': 20, '5xx': 31 };
    fake.p99Ms = 420;
    const reading = await new MonitoringHealthSource(client, { ingestionDelayMs: 120_000 }).measure(effect);
    expect(reading).toEqual({ ok: true, measurements: { requests: 1001, errors: 31, p99LatencyMs: 420, latency: null, baseline: null, windowStartAt: T - 420_000, windowEndAt: T, source: 'monitoring' } });
  });

  it('sends the filters, interval and aggregation Cloud Monitoring needs', async () => {
    fake.server.calls.length = 0;
    await new MonitoringHealthSource(client, { ingestionDelayMs: 180_000 }).measure(effect);
    const [counts, latency] = fake.server.requests('ListTimeSeries') as { name: string; filter: string; interval: unknown; aggregation: unknown }[];
    expect(counts?.name).toBe('projects/demo');
    expect(counts?.filter).toBe(
      'metric.type = "run.googleapis.com/request_count" AND resource.type = "cloud_run_revision" AND resource.labels.service_name = "checkout" AND resource.labels.revision_name = "checkout-abc"',
    );
    expect(counts?.interval).toEqual({ startTime: { seconds: String((T - 480_000) / 1000) }, endTime: { seconds: String(T / 1000) } });
    expect(counts?.aggregation).toEqual({ alignmentPeriod: { seconds: '480' }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.labels.response_code_class'] });
    expect(latency?.filter).toContain('run.googleapis.com/request_latencies');
    expect(latency?.aggregation).toMatchObject({ perSeriesAligner: 'ALIGN_PERCENTILE_99', crossSeriesReducer: 'REDUCE_MAX' });
  });

  it('reports no latency data as null (the domain decides whether that is inconclusive)', async () => {
    fake.p99Ms = null;
    const reading = await new MonitoringHealthSource(client).measure(effect);
    expect(reading).toMatchObject({ ok: true, measurements: { p99LatencyMs: null } });
  });

  it.each([
    ['PERMISSION_DENIED', grpc.status.PERMISSION_DENIED],
    ['INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
  ])('turns %s into a reading with the error, not a throw', async (name, code) => {
    fake.server.inject('ListTimeSeries', { code, message: 'monitoring.timeSeries.list denied' });
    const reading = await new MonitoringHealthSource(client).measure(effect);
    expect(reading).toMatchObject({ ok: false, error: expect.stringContaining(name) });
  });
});
