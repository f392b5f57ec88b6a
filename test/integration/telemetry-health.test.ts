import { v1, type PubSub } from '@google-cloud/pubsub';
import { grpc } from 'google-gax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorPubSub } from '../../local/pubsub-topology.js';
import { createFirestore } from '../../shared/adapters/firestore/firestore-store.js';
import { FirestoreTelemetryStore } from '../../shared/adapters/firestore/telemetry-store.js';
import { PubSubRequestLogFeed } from '../../shared/adapters/gcp/pubsub-request-log-feed.js';
import { TelemetryHealthSource } from '../../shared/adapters/telemetry/telemetry-health.js';
import type { MeasureHealth } from '../../shared/domain/index.js';
import { requestLogEntry } from '../../shared/ingest/request-log.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { FakeHealthSource } from '../fakes/world-fakes.js';

/** The telemetry health source on the Pub/Sub emulator (official client, synchronous pull) and Firestore. */
describe.skipIf(!emulators.available)('TelemetryHealthSource on the emulators', () => {
  const project = uniqueProjectId('telemetry-health');
  let pubsub: PubSub;
  let subscriber: v1.SubscriberClient;
  const db = () => createFirestore({ projectId: project, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
  const firestore = db();
  const T = Date.now() - 60_000;
  const [host = '', port = '0'] = (emulators.pubsubHost ?? ':').split(':');

  beforeAll(async () => {
    pubsub = emulatorPubSub(project, emulators.pubsubHost ?? '');
    const [topic] = await pubsub.createTopic('request-logs');
    await topic.createSubscription('telemetry', { ackDeadlineSeconds: 10 });
    subscriber = new v1.SubscriberClient({ servicePath: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), projectId: project });
  });
  afterAll(async () => {
    await subscriber?.close();
    await pubsub?.close();
    await firestore.terminate();
  });

  const effect = (revision: string, from = T, to = T + 30_000): MeasureHealth => ({
    kind: 'measureHealth', effectId: 'm', releaseId: 'r', service: 'checkout', attempt: 1,
    router: { kind: 'cloud-run', project, region: 'europe-west1', service: 'checkout' }, candidateRevision: revision, windowStartAt: from, windowEndAt: to, baseline: null, confirmSince: null, metrics: [], probe: null,
  });
  const publish = async (revision: string, n: number, failing: number, idPrefix: string) => {
    const topic = pubsub.topic('request-logs');
    for (let i = 0; i < n; i += 1) {
      const entry = requestLogEntry({ id: `${idPrefix}-${i}`, project, location: 'europe-west1', service: 'checkout', revision, at: T + 1_000 + i * 10, status: i < failing ? 500 : 200, latencyMs: 30, method: 'GET', url: '/' });
      await topic.publishMessage({ json: entry });
    }
  };
  const source = (fallback: FakeHealthSource | null) => new TelemetryHealthSource(new PubSubRequestLogFeed(subscriber, `projects/${project}/subscriptions/telemetry`), new FirestoreTelemetryStore(firestore), fallback, silentLogger);

  it('counts what the stream delivered, per revision, and says the reading came from it', async () => {
    await publish('checkout-r2', 40, 10, 'a');
    await publish('checkout-r1', 5, 0, 'b');
    const reading = await source(null).measure(effect('checkout-r2'));
    expect(reading).toMatchObject({ ok: true, measurements: { requests: 40, errors: 10, p99LatencyMs: 50, source: 'telemetry' } });
  });

  it('an entry delivered again (a publisher retry) counts once', async () => {
    await publish('checkout-r3', 10, 0, 'dup');
    await publish('checkout-r3', 10, 0, 'dup');
    const reading = await source(null).measure(effect('checkout-r3'));
    expect(reading).toMatchObject({ ok: true, measurements: { requests: 10, source: 'telemetry' } });
  });

  it('when the stream is silent but Monitoring saw traffic, the reading is Monitoring\'s, and says so', async () => {
    const monitoring = new FakeHealthSource();
    monitoring.reportErrors(300, 30);
    const reading = await source(monitoring).measure(effect('checkout-silent'));
    expect(reading).toMatchObject({ ok: true, measurements: { requests: 300, errors: 30, source: 'monitoring' } });
    const quiet = new FakeHealthSource();
    quiet.reportErrors(0, 0);
    expect(await source(quiet).measure(effect('checkout-silent'))).toMatchObject({ ok: true, measurements: { requests: 0, source: 'telemetry' } });
  });
});
