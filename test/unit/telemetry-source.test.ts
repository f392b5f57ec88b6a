import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { TelemetryHealthSource } from '../../shared/adapters/telemetry/telemetry-health.js';
import { releaseIdForBuild, type MeasureHealth } from '../../shared/domain/index.js';
import { requestLogEntry } from '../../shared/ingest/request-log.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { MemoryTelemetryStore } from '../fakes/memory-telemetry.js';
import { build } from '../support/fixtures.js';
import { serveFunctions } from '../support/function-servers.js';
import { pushRequest } from '../support/messages.js';
import { fakeSystem } from '../support/system.js';

/** A feed of queued entries, as a pull subscription would hand them out (each once, until acked). */
class QueueFeed {
  queue: { ackId: string; data: Buffer }[] = [];
  acked: string[] = [];
  put(entries: object[]) {
    for (const e of entries) this.queue.push({ ackId: `a${this.queue.length + this.acked.length}`, data: Buffer.from(JSON.stringify(e)) });
  }
  pull(max: number) {
    return Promise.resolve(this.queue.splice(0, max));
  }
  ack(ids: string[]) {
    this.acked.push(...ids);
    return Promise.resolve();
  }
}
const T = Date.UTC(2026, 10, 27, 12, 0, 0);
const entries = (revision: string, n: number, failing: number, prefix = revision) =>
  Array.from({ length: n }, (_, i) => requestLogEntry({ id: `${prefix}-${i}`, project: 'p', location: 'l', service: 'checkout', revision, at: T + i, status: i < failing ? 500 : 200, latencyMs: 12, method: 'GET', url: '/' }));
const effect = (revision: string): MeasureHealth => ({ kind: 'measureHealth', effectId: 'm', releaseId: 'r', service: 'checkout', attempt: 1, router: { kind: 'cloud-run', project: 'p', region: 'l', service: 'checkout' }, candidateRevision: revision, windowStartAt: T, windowEndAt: T + 10_000 , baseline: null, confirmSince: null, metrics: [], probe: null});

describe('TelemetryHealthSource', () => {
  it('scales a sampled stream back to the requests it stands for; the error ratio is the sample\'s', async () => {
    const feed = new QueueFeed();
    feed.put(entries('c1', 20, 5));
    const source = new TelemetryHealthSource(feed, new MemoryTelemetryStore(), null, silentLogger, { sampleRate: 0.1 });
    expect(await source.measure(effect('c1'))).toMatchObject({ ok: true, measurements: { requests: 200, errors: 50, source: 'telemetry' } });
  });

  it('puts the candidate in the sink filter before its first reading, and skips (and acks) what is not a request log', async () => {
    const feed = new QueueFeed();
    feed.put([...entries('c2', 3, 0), { hello: 'world' }]);
    const ensured: string[] = [];
    const source = new TelemetryHealthSource(feed, new MemoryTelemetryStore(), null, silentLogger, { sink: { ensure: (r) => (ensured.push(r), Promise.resolve()), sync: () => Promise.resolve(false) } });
    expect(await source.measure(effect('c2'))).toMatchObject({ ok: true, measurements: { requests: 3 } });
    expect(ensured).toEqual(['c2']);
    expect(feed.acked).toHaveLength(4);
  });

  it('when the count cannot be stored, nothing is acked (the entries come again)', async () => {
    const feed = new QueueFeed();
    feed.put(entries('c3', 3, 0));
    const broken = new MemoryTelemetryStore();
    broken.add = () => Promise.reject(new Error('store away'));
    const reading = await new TelemetryHealthSource(feed, broken, null, silentLogger).measure(effect('c3'));
    expect(reading).toMatchObject({ ok: true, measurements: { requests: 0 } });
    expect(feed.acked).toEqual([]);
  });
});

let sys = fakeSystem();
const synced: string[][] = [];
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger, telemetrySink: { sync: (r) => (synced.push([...r]), Promise.resolve(true)) } }));
let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  served = await serveFunctions(['onTick']);
});
afterAll(() => served.close());
beforeEach(() => {
  sys = fakeSystem();
  synced.length = 0;
});

describe('onTick keeps the request-log sink on the candidates in play', () => {
  const tick = async (id: string) => {
    const req = pushRequest({ messageId: id, data: { at: 'x' } });
    return fetch(served.url('onTick'), { method: 'POST', headers: req.headers, body: req.body });
  };

  it('names the shifting candidate, its baseline twin and the stable, then none once it is rolled back', async () => {
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const release = await sys.store.getRelease(releaseIdForBuild('checkout', 'b1'));
    expect((await tick('t1')).status).toBe(200);
    expect(synced.at(-1)).toEqual([release?.candidate.revision, release?.baselineRevision, release?.stableRevision]);
    expect(release?.baselineRevision).toBe('checkout-base-b1');
    await sys.send({ kind: 'command', releaseId: release?.id ?? '', command: 'abort', actor: 'a@b.c', why: null });
    expect((await sys.store.getRelease(release?.id ?? ''))?.state.phase).toBe('rolled_back');
    await tick('t2');
    expect(synced.at(-1)).toEqual([]);
  });
});
