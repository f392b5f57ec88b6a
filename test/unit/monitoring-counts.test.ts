import { MetricServiceClient } from '@google-cloud/monitoring';
import { grpc } from 'google-gax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMonitoring } from '../../local/monitoring.js';
import { MonitoringRequestCounts } from '../../shared/adapters/gcp/monitoring-counts.js';
import { TelemetryHealthSource } from '../../shared/adapters/telemetry/telemetry-health.js';
import type { MeasureHealth } from '../../shared/domain/index.js';
import { requestLogEntry } from '../../shared/ingest/request-log.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { MemoryTelemetryStore } from '../fakes/memory-telemetry.js';

const T = Date.UTC(2026, 10, 27, 12, 0, 0);
/** What the platform counted, per revision and second: 10 requests a second, 1 in 10 failing on "bad". */
const countsOf = (_service: string, revision: string, from: number, to: number) => {
  const seconds = Math.max(0, Math.round((to - from) / 1000));
  return { requests: seconds * 10, errors: revision === 'checkout-bad' ? seconds : 0 };
};
const target = { kind: 'cloud-run' as const, project: 'demo-project', region: 'europe-west1', service: 'checkout' };

describe('MonitoringRequestCounts against the local Cloud Monitoring (official client, protos)', () => {
  let now = T + 120_000;
  const monitoring = new LocalMonitoring(countsOf, 30_000, () => now);
  let client: MetricServiceClient;
  beforeAll(async () => {
    await monitoring.start();
    client = new MetricServiceClient({ ...monitoring.server.clientOptions(), projectId: 'demo-project' });
  });
  afterAll(async () => {
    await client.close();
    await monitoring.stop();
  });

  it('sums one revision\'s request_count over exactly the window, 5xx apart', async () => {
    const counts = new MonitoringRequestCounts(client, { visibilityDelayMs: 30_000, alignMs: 1_000 });
    expect(await counts.counts(target, 'checkout-bad', T, T + 60_000)).toEqual({ requests: 600, errors: 60 });
    expect(await counts.counts(target, 'checkout-good', T, T + 60_000)).toEqual({ requests: 600, errors: 0 });
    const [request] = monitoring.server.requests('ListTimeSeries').slice(-1) as { filter: string; aggregation: unknown }[];
    expect(request?.filter).toContain('resource.labels.revision_name = "checkout-good"');
    expect(request?.aggregation).toMatchObject({ alignmentPeriod: { seconds: '60' }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' });
  });

  it('shows nothing newer than its visibility delay, as Cloud Monitoring does', async () => {
    now = T + 60_000;
    const counts = new MonitoringRequestCounts(client, { visibilityDelayMs: 30_000, alignMs: 1_000 });
    expect(await counts.counts(target, 'checkout-good', T, T + 60_000)).toEqual({ requests: 300, errors: 0 });
    now = T + 120_000;
  });

  it('refuses a filter that names no revision, and that refusal reaches the caller', async () => {
    monitoring.server.inject('ListTimeSeries', { code: grpc.status.UNAVAILABLE, message: 'backend unavailable' });
    const counts = new MonitoringRequestCounts(client, { visibilityDelayMs: 30_000, alignMs: 1_000 });
    await expect(counts.counts(target, 'checkout-good', T, T + 60_000)).rejects.toThrow(/UNAVAILABLE|backend unavailable/);
    await expect(client.listTimeSeries({ name: 'projects/demo-project', filter: 'metric.type = "run.googleapis.com/request_count"', interval: { startTime: { seconds: T / 1000 }, endTime: { seconds: T / 1000 + 60 } } })).rejects.toThrow(/INVALID_ARGUMENT|revision_name/);
  });

  describe('TelemetryHealthSource confirming the stream', () => {
    const feedOf = (entries: object[]) => {
      const queue = entries.map((e, i) => ({ ackId: `a${i}`, data: Buffer.from(JSON.stringify(e)) }));
      return { pull: (max: number) => Promise.resolve(queue.splice(0, max)), ack: () => Promise.resolve() };
    };
    const entries = (revision: string, perSecond: number, seconds: number, forged = 0) =>
      Array.from({ length: seconds * (perSecond + forged) }, (_, i) => requestLogEntry({ id: `${revision}-${i}`, project: 'demo-project', location: 'europe-west1', service: 'checkout', revision, at: T + Math.floor(i / (perSecond + forged)) * 1000 + 10, status: 200, latencyMs: 12, method: 'GET', url: '/' }));
    const effect = (confirmSince: number | null, end = T + 120_000): MeasureHealth => ({ kind: 'measureHealth', effectId: 'm', releaseId: 'r', service: 'checkout', attempt: 1, router: target, candidateRevision: 'checkout-good', windowStartAt: T, windowEndAt: end, baseline: { revision: 'checkout-stable', windowStartAt: T, windowEndAt: end }, confirmSince, metrics: [], probe: null });
    const source = (feedEntries: object[]) => new TelemetryHealthSource(feedOf(feedEntries), new MemoryTelemetryStore(), null, silentLogger, { confirm: new MonitoringRequestCounts(client, { visibilityDelayMs: 30_000, alignMs: 1_000 }) });

    it('reads both sources over the window Monitoring can see, for the candidate and its baseline', async () => {
      const reading = await source([...entries('checkout-good', 10, 120), ...entries('checkout-stable', 10, 120)]).measure(effect(T));
      expect(reading).toMatchObject({ ok: true, measurements: { confirmation: { status: 'read', source: 'monitoring', windowStartAt: T, windowEndAt: T + 90_000, authority: { candidate: { requests: 900 }, baseline: { requests: 900 } }, stream: { candidate: { requests: 900 }, baseline: { requests: 900 } } } } });
    });

    it('forged entries show as a stream that counted more than Monitoring', async () => {
      const reading = await source([...entries('checkout-good', 10, 120, 30), ...entries('checkout-stable', 10, 120)]).measure(effect(T));
      expect(reading).toMatchObject({ ok: true, measurements: { confirmation: { authority: { candidate: { requests: 900 } }, stream: { candidate: { requests: 3600 } } } } });
    });

    it('is pending while Monitoring cannot see a whole aligned window of the step, and absent when not asked', async () => {
      expect(await source([]).measure(effect(T + 100_000))).toMatchObject({ ok: true, measurements: { confirmation: { status: 'pending' } } });
      expect(await source([]).measure(effect(null))).toMatchObject({ ok: true, measurements: { confirmation: null } });
    });

    it('says Monitoring was unavailable instead of failing the reading', async () => {
      monitoring.server.inject('ListTimeSeries', { code: grpc.status.PERMISSION_DENIED, message: 'monitoring.timeSeries.list denied' }, 2);
      expect(await source([]).measure(effect(T))).toMatchObject({ ok: true, measurements: { confirmation: { status: 'unavailable', error: expect.stringContaining('denied') } } });
    });
  });
});
