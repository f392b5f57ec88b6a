import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, decide, releaseIdForBuild, type ReleaseEvent } from '../../shared/domain/index.js';
import type { ReleaseStore } from '../../shared/ports/index.js';
import { T0, build, serviceConfigInput } from '../support/fixtures.js';

/** The one contract every ReleaseStore adapter passes (the fake and Firestore alike). */
export function storeContract(name: string, makeStore: () => ReleaseStore, enabled = true): void {
  const ev = (id: string, body: ReleaseEvent['body'], at = T0): ReleaseEvent => ({ id, service: 'checkout', at, body });
  const handle = (store: ReleaseStore, event: ReleaseEvent) =>
    store.handle(event, (world) => decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY }));

  describe.skipIf(!enabled)(`ReleaseStore contract: ${name}`, () => {
    it('applies a service config and reads it back parsed', async () => {
      const store = makeStore();
      await store.applyServiceConfig(serviceConfigInput({ bakeTime: '2m', rollbackTriggers: { alertPolicies: ['checkout 5xx'] } }), T0);
      const service = await store.getService('checkout');
      expect(service?.config.bakeTime).toBe(120_000);
      expect(service?.stableRevision).toBeNull();
      expect(await store.findServicesByAlertPolicy('checkout 5xx')).toEqual(['checkout']);
      expect(await store.findServicesByAlertPolicy('other')).toEqual([]);
      expect((await store.listServices()).map((s) => s.name)).toEqual(['checkout']);
    });

    it('answers unknownService for an event of an unregistered service', async () => {
      const store = makeStore();
      expect(await handle(store, ev('x1', build('b1', 'SUCCESS')))).toEqual({ kind: 'unknownService', service: 'checkout' });
    });

    it('commits a decision with its history, and treats the same event id as a duplicate', async () => {
      const store = makeStore();
      await store.applyServiceConfig(serviceConfigInput(), T0);
      const first = await handle(store, ev('e1', build('b1', 'SUCCESS')));
      expect(first.kind).toBe('decided');
      const id = releaseIdForBuild('checkout', 'b1');
      const release = await store.getRelease(id);
      expect(release?.phase).toBe('deploying');
      expect(release?.inFlight?.kind).toBe('deployCandidate');
      expect((await store.getService('checkout'))?.activeReleaseId).toBe(id);
      const history = await store.history(id, 50);
      expect(history.map((h) => [h.seq, h.toPhase])).toEqual([[1, 'deploying']]);
      expect(await handle(store, ev('e1', build('b1', 'SUCCESS')))).toEqual({ kind: 'duplicate' });
      expect(await store.getRelease(id)).toEqual(release);
    });

    it('re-applying a config keeps the runtime state', async () => {
      const store = makeStore();
      await store.applyServiceConfig(serviceConfigInput(), T0);
      await handle(store, ev('e1', build('b1', 'SUCCESS')));
      await store.applyServiceConfig(serviceConfigInput({ bakeTime: '9m' }), T0 + 1);
      const service = await store.getService('checkout');
      expect(service?.activeReleaseId).toBe(releaseIdForBuild('checkout', 'b1'));
      expect(service?.config.bakeTime).toBe(540_000);
    });

    it('lists due releases oldest first and releases newest first', async () => {
      const store = makeStore();
      await store.applyServiceConfig(serviceConfigInput({ concurrency: 'queue' }), T0);
      await handle(store, ev('e1', build('b1', 'SUCCESS'), T0));
      await handle(store, ev('e2', build('b2', 'QUEUED'), T0 + 5));
      const due = await store.dueReleases(T0 + DEFAULT_EFFECT_POLICY.deployTimeoutMs, 10);
      expect(due.map((r) => r.id)).toEqual([releaseIdForBuild('checkout', 'b1')]);
      expect(await store.dueReleases(T0, 10)).toEqual([]);
      expect((await store.listReleases('checkout', 10)).map((r) => r.id)).toEqual([
        releaseIdForBuild('checkout', 'b2'),
        releaseIdForBuild('checkout', 'b1'),
      ]);
    });

    it('keeps rejected events with their reason', async () => {
      const store = makeStore();
      // Attribute keys Firestore refuses as map keys ("", __x__) are kept, as text.
      const attributes = JSON.stringify({ __x__: '1', '': '2', 'a.b': '3' });
      const id = await store.recordRejected({ source: 'onAlert', reason: 'Malformed', message: 'not JSON', receivedAt: T0, body: '{oops', bodyBytes: 5, attributes });
      const listed = await store.listRejected(10);
      expect(listed).toEqual([expect.objectContaining({ id, reason: 'Malformed', body: '{oops', receivedAt: T0, attributes })]);
    });
  });
}
