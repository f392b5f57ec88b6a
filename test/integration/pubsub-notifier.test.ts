import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PubSub } from '@google-cloud/pubsub';
import { PubSubNotifier } from '../../shared/adapters/gcp/pubsub-notifier.js';
import { emulatorPubSub } from '../../local/pubsub-topology.js';
import { TOPICS } from '../../shared/topology.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';

describe.skipIf(!emulators.available)('PubSubNotifier on the Pub/Sub emulator', () => {
  let pubsub: PubSub;
  beforeAll(async () => {
    pubsub = emulatorPubSub(uniqueProjectId('notify'), emulators.pubsubHost ?? '');
    await pubsub.createTopic(TOPICS.events);
  });
  afterAll(async () => {
    await pubsub.close();
  });

  it('publishes the documented payload with the attributes subscribers filter on', async () => {
    const [all] = await pubsub.topic(TOPICS.events).createSubscription('all');
    const notifier = new PubSubNotifier(pubsub, TOPICS.events);
    const base = { kind: 'notify' as const, releaseId: 'checkout-b1', service: 'checkout', reason: 'RolledBack', message: 'stable serves 100% again', trafficPercent: 0, at: Date.UTC(2026, 10, 27, 12) };
    await notifier.notify({ ...base, type: 'release.step_reached', phase: 'shifting', trafficPercent: 10 });
    const restoredAt = base.at;
    await notifier.notify({ ...base, type: 'release.rolled_back', phase: 'rolled_back', cause: 'ErrorRateBreached', delivery: { deployed: null, outcome: { at: restoredAt, failed: true }, restore: { at: restoredAt, durationMs: 4_200 } } });

    const receive = async (sub: typeof all, count: number) => {
      const got: { data: unknown; attributes: Record<string, string> }[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${got.length} of ${count}`)), 15_000);
        sub.on('message', (m: { data: Buffer; attributes: Record<string, string>; ack(): void }) => {
          got.push({ data: JSON.parse(m.data.toString()), attributes: m.attributes });
          m.ack();
          if (got.length === count) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await sub.close();
      return got;
    };
    // The emulator ignores subscription filters, so the attributes a filter would match are asserted directly.
    const everything = await receive(all, 2);
    expect(everything.map((m) => m.attributes.type).sort()).toEqual(['release.rolled_back', 'release.step_reached']);
    expect(everything.find((m) => m.attributes.type === 'release.rolled_back')).toEqual({
      attributes: { service: 'checkout', releaseId: 'checkout-b1', phase: 'rolled_back', type: 'release.rolled_back' },
      data: { schemaVersion: 1, type: 'release.rolled_back', service: 'checkout', releaseId: 'checkout-b1', phase: 'rolled_back', reason: 'RolledBack', cause: 'ErrorRateBreached', message: 'stable serves 100% again', trafficPercent: 0, at: '2026-11-27T12:00:00.000Z',
        deployedAt: null, leadTimeMs: null, outcome: 'failed', outcomeAt: '2026-11-27T12:00:00.000Z', restoreMs: 4_200 },
    });
    // A notification that ends nothing carries the delivery fields as nulls (a BigQuery table keeps one schema).
    expect(everything.find((m) => m.attributes.type === 'release.step_reached')?.data).toMatchObject({ deployedAt: null, leadTimeMs: null, outcome: null, outcomeAt: null, restoreMs: null });
  });
});
