import { MetricServiceClient } from '@google-cloud/monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMonitoring } from '../../local/monitoring.js';
import { MonitoringRequestCounts } from '../../shared/adapters/gcp/monitoring-counts.js';
import { TelemetryHealthSource } from '../../shared/adapters/telemetry/telemetry-health.js';
import { measuredAs, type MeasureHealth } from '../../shared/domain/index.js';
import { routerTarget } from '../../shared/domain/decide/reconcile.js';
import { loadBalancerLogEntry, parseRequestLog } from '../../shared/ingest/request-log.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { MemoryTelemetryStore } from '../fakes/memory-telemetry.js';
import { serviceState } from '../support/fixtures.js';
import { gkeRouter } from '../support/gke.js';

/**
 * Health of a GKE blue/green service comes from its load balancer: the request log it writes per
 * request (resource http_load_balancer, the backend service that answered) through the same
 * stream, and the Google-written backend_request_count that confirms it. A colour is measured as
 * its backend service; the live colour is the baseline.
 */
const ROUTER = { ...gkeRouter('p', 'shop'), urlMap: { name: 'shop-map', pathMatcher: 'shop', priority: 100 } };
const router = routerTarget(serviceState({ name: 'shop', project: 'p', router: ROUTER }));
const T = Date.UTC(2026, 11, 2, 12, 0, 0);

/** An entry as the load balancer writes it (LogEntry, HttpRequest and LoadBalancerLogEntry as Google documents them). */
const lbEntry = (o: { id: string; backend?: string; status?: number; at?: number; cacheHit?: boolean }) => {
  const entry = loadBalancerLogEntry({ id: o.id, project: 'p', urlMap: 'shop-map', backendService: o.backend ?? 'shop-green', at: o.at ?? T, status: o.status ?? 200, latencyMs: 40, method: 'GET', url: 'https://shop.example.com/cart' });
  return { ...entry, httpRequest: { ...entry.httpRequest, ...(o.cacheHit === undefined ? {} : { cacheLookup: true, cacheHit: o.cacheHit }) } };
};

describe('the load balancer\'s request log', () => {
  it('files a request under its URL map and the backend service that answered it', () => {
    expect(parseRequestLog(JSON.stringify(lbEntry({ id: 'a', status: 502 })))).toEqual({ ok: true, sample: { id: 'a', service: 'lb.shop-map', revision: 'shop-green', at: T, status: 502, latencyMs: 40 } });
  });

  it('skips a Cloud CDN cache hit (neither colour answered it), and counts a revalidated one', () => {
    expect(parseRequestLog(JSON.stringify(lbEntry({ id: 'a', cacheHit: true })))).toEqual({ ok: false, reason: 'a cache hit' });
    const revalidated = { ...lbEntry({ id: 'b', cacheHit: true }), httpRequest: { ...lbEntry({ id: 'b', cacheHit: true }).httpRequest, cacheValidatedWithOriginServer: true } };
    expect(parseRequestLog(JSON.stringify(revalidated))).toMatchObject({ ok: true });
  });

  it.each([
    ['another log name under the resource', { ...lbEntry({ id: 'x' }), logName: 'projects/p/logs/stdout' }],
    ['a Cloud Run log name with the load balancer\'s resource', { ...lbEntry({ id: 'x' }), logName: 'projects/p/logs/run.googleapis.com%2Frequests' }],
    ['no backend (answered by the load balancer itself)', { ...lbEntry({ id: 'x' }), resource: { type: 'http_load_balancer', labels: { url_map_name: 'shop-map', backend_service_name: '' } } }],
    ['a hostile backend label', { ...lbEntry({ id: 'x' }), resource: { type: 'http_load_balancer', labels: { url_map_name: 'shop-map', backend_service_name: '../x' } } }],
  ])('skips %s', (_name, entry) => {
    expect(parseRequestLog(JSON.stringify(entry))).toMatchObject({ ok: false });
  });

  it('a colour is measured as its backend service; a name that is not a colour is not measured', () => {
    expect(measuredAs(router, 'green')).toMatchObject({ stream: { service: 'lb.shop-map', revision: 'shop-green' }, sinkPerRevision: false, monitoring: { requestCount: 'loadbalancing.googleapis.com/https/backend_request_count' } });
    expect(measuredAs(router, 'shop-00042-xib')).toBeNull();
    expect(measuredAs({ kind: 'cloud-run', service: 'checkout' }, 'checkout-1')).toMatchObject({ stream: { service: 'checkout', revision: 'checkout-1' }, sinkPerRevision: true });
  });
});

describe('a GKE release\'s health, stream and confirmation', () => {
  // The platform counted 10 requests a second per backend; green fails 1 in 10.
  const monitoring = new LocalMonitoring((service, revision, from, to) => {
    const seconds = Math.max(0, Math.round((to - from) / 1000));
    return service === 'lb.shop-map' ? { requests: seconds * 10, errors: revision === 'shop-green' ? seconds : 0 } : { requests: 0, errors: 0 };
  }, 30_000, () => T + 120_000);
  let client: MetricServiceClient;
  beforeAll(async () => {
    await monitoring.start();
    client = new MetricServiceClient({ ...monitoring.server.clientOptions(), projectId: 'p' });
  });
  afterAll(async () => {
    await client.close();
    await monitoring.stop();
  });

  it('Monitoring counts a backend service, its 500 class as errors', async () => {
    const counts = new MonitoringRequestCounts(client, { visibilityDelayMs: 30_000, alignMs: 1_000 });
    expect(await counts.counts(router, 'green', T, T + 60_000)).toEqual({ requests: 600, errors: 60 });
    expect(await counts.counts(router, 'blue', T, T + 60_000)).toEqual({ requests: 600, errors: 0 });
    const [request] = monitoring.server.requests('ListTimeSeries').slice(-1) as { filter: string }[];
    expect(request?.filter).toBe('metric.type = "loadbalancing.googleapis.com/https/backend_request_count" AND resource.type = "https_lb_rule" AND resource.labels.url_map_name = "shop-map" AND resource.labels.backend_target_name = "shop-blue"');
  });

  it('the candidate colour is read against the live colour, confirmed by Monitoring, and the sink is left alone', async () => {
    const entries = ['shop-green', 'shop-blue'].flatMap((backend) => Array.from({ length: 1200 }, (_, i) => lbEntry({ id: `${backend}-${i}`, backend, at: T + Math.floor(i / 10) * 1000 + 5, status: backend === 'shop-green' && i % 10 === 0 ? 503 : 200 })));
    const queue = entries.map((e, i) => ({ ackId: `a${i}`, data: Buffer.from(JSON.stringify(e)) }));
    const ensured: string[] = [];
    const sink = { ensure: (r: string) => Promise.resolve(void ensured.push(r)), sync: () => Promise.resolve(true) };
    const source = new TelemetryHealthSource({ pull: (max) => Promise.resolve(queue.splice(0, max)), ack: () => Promise.resolve() }, new MemoryTelemetryStore(), null, silentLogger, { sink, confirm: new MonitoringRequestCounts(client, { visibilityDelayMs: 30_000, alignMs: 1_000 }) });
    const effect: MeasureHealth = { kind: 'measureHealth', effectId: 'm', releaseId: 'r', service: 'shop', attempt: 1, router, candidateRevision: 'green', windowStartAt: T, windowEndAt: T + 120_000, baseline: { revision: 'blue', windowStartAt: T, windowEndAt: T + 120_000 }, confirmSince: T, metrics: [], probe: null };
    const reading = await source.measure(effect);
    expect(reading).toMatchObject({ ok: true, measurements: { requests: 1200, errors: 120, baseline: { revision: 'blue', requests: 1200, errors: 0 }, source: 'telemetry', confirmation: { status: 'read', authority: { candidate: { requests: 900, errors: 90 }, baseline: { requests: 900, errors: 0 } }, stream: { candidate: { requests: 900, errors: 90 } } } } });
    expect(ensured).toEqual([]);
  });

  it('a revision that is not a colour is an inconclusive reading, not a guess', async () => {
    const source = new TelemetryHealthSource({ pull: () => Promise.resolve([]), ack: () => Promise.resolve() }, new MemoryTelemetryStore(), null, silentLogger);
    const effect: MeasureHealth = { kind: 'measureHealth', effectId: 'm', releaseId: 'r', service: 'shop', attempt: 1, router, candidateRevision: 'shop-abc', windowStartAt: T, windowEndAt: T + 1, baseline: null, confirmSince: null, metrics: [], probe: null };
    expect(await source.measure(effect)).toMatchObject({ ok: false, error: expect.stringContaining('no revision shop-abc') });
  });
});
