import { describe, expect, it } from 'vitest';
import { addToBucket, entryKey, groupSamples, MAX_BUCKET_IDS, revisionsInPlay, summarize, type Bucket, type RequestSample } from '../../shared/domain/index.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';
import { parseRequestLog } from '../../shared/ingest/request-log.js';
import { gkeRouter } from '../support/gke.js';

/** A request log entry as Cloud Run writes it (LogEntry and HttpRequest fields as Google documents them). */
function cloudRunEntry(o: { insertId: string; at: string; status?: number; latency?: string; revision?: string }) {
  return {
    insertId: o.insertId,
    httpRequest: {
      requestMethod: 'GET',
      requestUrl: 'https://checkout-abc-ew.a.run.app/cart',
      requestSize: '312',
      ...(o.status === undefined ? {} : { status: o.status }),
      responseSize: '1042',
      userAgent: 'Mozilla/5.0',
      remoteIp: '203.0.113.7',
      serverIp: '216.239.32.53',
      ...(o.latency === undefined ? {} : { latency: o.latency }),
      protocol: 'HTTP/1.1',
    },
    resource: { type: 'cloud_run_revision', labels: { project_id: 'demo-project', service_name: 'checkout', revision_name: o.revision ?? 'checkout-00042-xib', location: 'europe-west1', configuration_name: 'checkout' } },
    timestamp: o.at,
    severity: (o.status ?? 0) >= 500 ? 'ERROR' : 'INFO',
    labels: { instanceId: '00f46b9285…' },
    logName: 'projects/demo-project/logs/run.googleapis.com%2Frequests',
    trace: 'projects/demo-project/traces/4bf92f3577b34da6a3ce929d0e0e4736',
    receiveTimestamp: '2026-11-27T12:00:01.123456Z',
    spanId: '00f067aa0ba902b7',
    traceSampled: true,
  };
}
const sample = (e: ReturnType<typeof cloudRunEntry>): RequestSample => {
  const parsed = parseRequestLog(JSON.stringify(e));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.sample;
};
const T = Date.parse('2026-11-27T12:00:00Z');

describe('request telemetry from Cloud Run request logs', () => {
  it('reads service, revision, time, status and latency from an entry in Cloud Run\'s shape', () => {
    expect(sample(cloudRunEntry({ insertId: 'a1', at: '2026-11-27T12:00:00.250Z', status: 503, latency: '0.123456s' }))).toEqual({ id: 'a1', service: 'checkout', revision: 'checkout-00042-xib', at: T + 250, status: 503, latencyMs: 123 });
  });

  it('counts a request that got no answer (no status) as a failure', () => {
    expect(sample(cloudRunEntry({ insertId: 'a2', at: '2026-11-27T12:00:00Z', latency: '30s' })).status).toBe(503);
  });

  it.each([
    ['not JSON', '{'],
    ['another resource type', JSON.stringify({ ...cloudRunEntry({ insertId: 'x', at: '2026-11-27T12:00:00Z', status: 200 }), resource: { type: 'gce_instance', labels: {} } })],
    ['a hostile service label', JSON.stringify({ ...cloudRunEntry({ insertId: 'x', at: '2026-11-27T12:00:00Z', status: 200 }), resource: { type: 'cloud_run_revision', labels: { service_name: '../x', revision_name: 'r' } } })],
    ['no insertId', JSON.stringify({ ...cloudRunEntry({ insertId: '', at: '2026-11-27T12:00:00Z', status: 200 }) })],
    ['another log under the same resource (a workload writing its own "requests")', JSON.stringify({ ...cloudRunEntry({ insertId: 'x', at: '2026-11-27T12:00:00Z', status: 200 }), logName: 'projects/demo-project/logs/requests' })],
    ['the stdout log of the revision', JSON.stringify({ ...cloudRunEntry({ insertId: 'x', at: '2026-11-27T12:00:00Z', status: 200 }), logName: 'projects/demo-project/logs/run.googleapis.com%2Fstdout' })],
    ['a look-alike log name', JSON.stringify({ ...cloudRunEntry({ insertId: 'x', at: '2026-11-27T12:00:00Z', status: 200 }), logName: 'projects/demo-project/logs/run.googleapis.com%2Frequests.x' })],
    ['no log name', JSON.stringify({ ...cloudRunEntry({ insertId: 'x', at: '2026-11-27T12:00:00Z', status: 200 }), logName: undefined })],
    ['a latency that is not a Duration', JSON.stringify(cloudRunEntry({ insertId: 'x', at: '2026-11-27T12:00:00Z', status: 200, latency: '12ms' }))],
  ])('skips %s, with a reason', (_name, data) => {
    expect(parseRequestLog(data)).toMatchObject({ ok: false, reason: expect.any(String) });
  });

  it('counts per revision and second; a redelivered or out-of-order entry counts once', () => {
    const entries = [
      cloudRunEntry({ insertId: 'e1', at: '2026-11-27T12:00:00.100Z', status: 200, latency: '0.004s' }),
      cloudRunEntry({ insertId: 'e2', at: '2026-11-27T12:00:00.900Z', status: 500, latency: '0.090s' }),
      cloudRunEntry({ insertId: 'e3', at: '2026-11-27T12:00:01.100Z', status: 200, latency: '0.300s' }),
      cloudRunEntry({ insertId: 'o1', at: '2026-11-27T12:00:00.500Z', status: 200, latency: '0.001s', revision: 'checkout-00041-old' }),
    ].map(sample);
    const store = new Map<string, Bucket>();
    const deliver = (batch: RequestSample[]) => {
      for (const [key, group] of groupSamples(batch)) store.set(key, addToBucket(store.get(key) ?? null, group));
    };
    deliver(entries);
    deliver([entries[1] as RequestSample, entries[0] as RequestSample]); // redelivered, reordered
    deliver([entries[2] as RequestSample]);
    const candidate = [...store.values()].filter((b) => b.revision === 'checkout-00042-xib');
    expect(candidate.map((b) => [b.start - T, b.requests, b.errors])).toEqual([[0, 2, 1], [1000, 1, 0]]);
    expect(summarize(candidate, T, T + 2000)).toMatchObject({ requests: 3, errors: 1, p99LatencyMs: 500, latency: [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(summarize(candidate, T + 1000, T + 2000)).toMatchObject({ requests: 1, errors: 0, p99LatencyMs: 500 });
    expect(summarize(candidate, T + 5000, T + 6000)).toMatchObject({ requests: 0, errors: 0, p99LatencyMs: null });
  });

  it('the p99 bound is the histogram bound under which 99% of requests fall', () => {
    const fast = Array.from({ length: 99 }, (_, i): RequestSample => ({ id: `f${i}`, service: 's', revision: 'r', at: T, status: 200, latencyMs: 8 }));
    const slow: RequestSample = { id: 'slow', service: 's', revision: 'r', at: T, status: 200, latencyMs: 4_000 };
    expect(summarize([addToBucket(null, fast)], T, T + 1000).p99LatencyMs).toBe(10);
    expect(summarize([addToBucket(null, [...fast, slow, { ...slow, id: 'slow2' }])], T, T + 1000).p99LatencyMs).toBe(5_000);
  });
});

describe('revisionsInPlay', () => {
  it('is the release in flight and the last completed one inside its watch window, nothing that ended', () => {
    const shifting = releaseIn('shifting', { id: 'checkout-b2', candidate: { revision: 'checkout-b2', url: null }, stableRevision: null });
    const watched = releaseIn('complete', { id: 'checkout-b1', candidate: { revision: 'checkout-b1', url: null }, stableRevision: null, state: { phase: 'complete', sub: 'watching', watchUntil: T0 + 60_000 } });
    const service = serviceState({}, { activeReleaseId: 'checkout-b2', lastCompletedReleaseId: 'checkout-b1' });
    expect(revisionsInPlay(service, [shifting, watched], T0)).toEqual(['checkout-b2', 'checkout-b1']);
    expect(revisionsInPlay(service, [shifting, watched], T0 + 60_000)).toEqual(['checkout-b2']);
    expect(revisionsInPlay({ ...service, activeReleaseId: null }, [{ ...shifting, state: { phase: 'rolled_back', sub: 'final', rollback: null } }, watched], T0)).toEqual(['checkout-b1']);
    expect(revisionsInPlay({ ...service, lastCompletedReleaseId: 'checkout-b0' }, [watched], T0)).toEqual([]);
  });

  it('of a service released in waves, is each region\'s release in flight or watched, with its own stable, not the rollout', () => {
    const rollout = releaseIn('shifting', { id: 'checkout-b2', candidate: { revision: null, url: null }, stableRevision: null, rollout: { wave: 1, soakUntil: null } });
    const region = (name: string, phase: 'shifting' | 'complete') =>
      releaseIn(phase, { id: `checkout-b2@${name}`, target: name, candidate: { revision: `checkout-b2-${name}`, url: null }, stableRevision: `checkout-b1-${name}`, ...(phase === 'complete' ? { state: { phase, sub: 'watching' as const, watchUntil: T0 + 60_000 } } : {}) });
    const targets = {
      'europe-west1': { stableRevision: 'checkout-b2-europe-west1', activeReleaseId: null, lastCompletedReleaseId: 'checkout-b2@europe-west1' },
      'us-central1': { stableRevision: 'checkout-b1-us-central1', activeReleaseId: 'checkout-b2@us-central1', lastCompletedReleaseId: null },
    };
    const service = serviceState({ rollout: { waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1'] }] } }, { activeReleaseId: 'checkout-b2', targets });
    const releases = [rollout, region('europe-west1', 'complete'), region('us-central1', 'shifting')];
    // The region of wave 1 is watched while wave 2 shifts (a breach there still takes the release back), and until its window ends.
    expect(revisionsInPlay(service, releases, T0).sort()).toEqual(['checkout-b1-europe-west1', 'checkout-b1-us-central1', 'checkout-b2-europe-west1', 'checkout-b2-us-central1']);
    expect(revisionsInPlay(service, releases, T0 + 60_000).sort()).toEqual(['checkout-b1-us-central1', 'checkout-b2-us-central1']);
    // The rollout itself has no revision of its own.
    expect(revisionsInPlay(service, [rollout], T0)).toEqual([]);
  });

  it('includes the stable each candidate is compared with', () => {
    const shifting = releaseIn('shifting', { id: 'checkout-b2', candidate: { revision: 'checkout-b2', url: null }, stableRevision: 'checkout-b1' });
    const service = serviceState({}, { activeReleaseId: 'checkout-b2' });
    expect(revisionsInPlay(service, [shifting], T0)).toEqual(['checkout-b2', 'checkout-b1']);
    expect(revisionsInPlay(service, [{ ...shifting, stableRevision: 'checkout-b2' }], T0)).toEqual(['checkout-b2']);
  });

  it('leaves out colours: a load balancer\'s request logs are exported by the platform\'s own sink, not by revision', () => {
    const router = gkeRouter('p', 'checkout');
    const shifting = releaseIn('shifting', { id: 'checkout-b2', candidate: { revision: 'green', url: null }, stableRevision: 'blue' });
    expect(revisionsInPlay(serviceState({ router }, { activeReleaseId: 'checkout-b2' }), [shifting], T0)).toEqual([]);
  });
});

describe('bucket bounds', () => {
  it('keys entries by FNV-1a 64 (the published test vectors)', () => {
    expect(entryKey('')).toBe('cbf29ce484222325');
    expect(entryKey('a')).toBe('af63dc4c8601ec8c');
    expect(entryKey('foobar')).toBe('85944171f73967e8');
  });

  it('keeps at most MAX_BUCKET_IDS keys and counts the rest as overflow, once each delivery', () => {
    const flood = Array.from({ length: MAX_BUCKET_IDS + 5 }, (_, i): RequestSample => ({ id: `f${i}`, service: 's', revision: 'r', at: T, status: 200, latencyMs: 8 }));
    const bucket = addToBucket(null, flood);
    expect(bucket.ids).toHaveLength(MAX_BUCKET_IDS);
    expect(bucket).toMatchObject({ requests: MAX_BUCKET_IDS + 5, overflow: 5 });
    expect(addToBucket(bucket, flood.slice(0, 10)).requests).toBe(MAX_BUCKET_IDS + 5);
  });
});
