import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, decide, releaseIdForBuild, type ReleaseEvent } from '../../shared/domain/index.js';
import { TargetClaimedError, type ReleaseStore } from '../../shared/ports/index.js';
import { T0, build, serviceConfigInput, CHECKOUT_POLICY } from '../support/fixtures.js';
import { StoreStream, keptAgainstRecomputed, streamPrefix, streamStep } from '../support/store-stream.js';

/** The contract every ReleaseStore adapter passes (the fake and Firestore alike), one part per concern of the port. */
/**
 * `streamRuns`: random release streams for the kept-figures property (each is a few hundred events;
 * on the emulator a handful is what a test run can afford).
 */
export function storeContract<S extends ReleaseStore>(name: string, makeStore: () => S, enabled = true, streamRuns = 60, wipeDelivery?: (store: S) => Promise<void>): void {
  const ev = (id: string, body: ReleaseEvent['body'], at = T0): ReleaseEvent => ({ id, service: 'checkout', at, body });
  const handle = (store: ReleaseStore, event: ReleaseEvent) =>
    store.handle(event, (world) => decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY }));

  describe.skipIf(!enabled)(`ReleaseStore contract: ${name}`, () => {
    describe('ReleaseEvents and ReleaseReads: the event transaction, configs and what is read back', () => {
      it('claims a service\'s target in the same write: another service is refused it, the owner keeps it, a target left is free', async () => {
        const store = makeStore();
        await store.applyServiceConfig(serviceConfigInput({ name: 'claims-a' }), T0);
        await expect(store.applyServiceConfig(serviceConfigInput({ name: 'claims-b', router: { kind: 'cloud-run', target: 'claims-a' } }), T0)).rejects.toBeInstanceOf(TargetClaimedError);
        expect(await store.getService('claims-b')).toBeNull();
        await store.applyServiceConfig(serviceConfigInput({ name: 'claims-a', bakeTime: '2m' }), T0);
        await store.applyServiceConfig(serviceConfigInput({ name: 'claims-a', router: { kind: 'cloud-run', target: 'claims-a-v2' } }), T0);
        expect((await store.applyServiceConfig(serviceConfigInput({ name: 'claims-b', router: { kind: 'cloud-run', target: 'claims-a' } }), T0)).name).toBe('claims-b');
      });

      it('applies a service config and reads it back parsed', async () => {
        const store = makeStore();
        await store.applyServiceConfig(serviceConfigInput({ bakeTime: '2m', rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY] } }), T0);
        const service = await store.getService('checkout');
        expect(service?.config.bakeTime).toBe(120_000);
        expect(service?.stableRevision).toBeNull();
        expect(await store.findServicesByAlertPolicy(CHECKOUT_POLICY)).toEqual(['checkout']);
        expect(await store.findServicesByAlertPolicy('other')).toEqual([]);
        expect((await store.listServices()).map((s) => s.name)).toEqual(['checkout']);
      });

      it('finds the stages after a service, and hands decide the release of the stage before an upstream event names', async () => {
        const store = makeStore();
        await store.applyServiceConfig(serviceConfigInput(), T0);
        await store.applyServiceConfig(serviceConfigInput({ name: 'checkout-prod', router: { kind: 'cloud-run', target: 'checkout-prod' }, promotion: { from: 'checkout', soak: '10m' } }), T0);
        expect(await store.findServicesPromotingFrom('checkout')).toEqual(['checkout-prod']);
        expect(await store.findServicesPromotingFrom('checkout-prod')).toEqual([]);
        await handle(store, ev('b1', build('b1', 'SUCCESS')));
        const event: ReleaseEvent = { id: 'up1', service: 'checkout-prod', at: T0, body: { kind: 'upstream', upstreamReleaseId: releaseIdForBuild('checkout', 'b1'), buildId: 'b1' } };
        let seen: string[] = [];
        await store.handle(event, (world) => {
          seen = (world.upstream ?? []).map((r) => `${r.service}/${r.id}/${r.state.phase}`);
          return decide(world, event, { now: T0, policy: DEFAULT_EFFECT_POLICY });
        });
        expect(seen).toEqual([`checkout/${releaseIdForBuild('checkout', 'b1')}/deploying`]);
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
        expect(release?.state.phase).toBe('deploying');
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
    });

    describe('DeliveryFigures: the kept four keys', () => {
      it('keeps delivery figures that match a recomputation from every release, after random streams of releases', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(streamStep, { minLength: 20, maxLength: 120 }), async (steps) => {
            const store = makeStore();
            await store.applyServiceConfig(serviceConfigInput({ steps: [10, 50, 100], watchWindow: '15m', concurrency: 'queue' }), T0);
            const stream = new StoreStream(store, 'checkout', T0);
            for (const step of [...streamPrefix, ...steps, { t: 'settle' } as const]) await stream.run(step);
            const { windows } = await keptAgainstRecomputed(store, 'checkout', T0, stream.now);
            for (const w of windows) expect(w.kept).toEqual(w.recomputed);
            // The prefix makes every stream count a deployment, a failure and a restore, on two days at least.
            const whole = windows[0]?.kept;
            expect(whole?.deployments).toBeGreaterThan(0);
            expect(whole?.changeFailure.failed).toBeGreaterThan(0);
            expect(whole?.timeToRestoreMs.max).not.toBeNull();
            expect(windows.slice(1).filter((w) => w.kept.changeFailure.reachedTraffic > 0).length).toBeGreaterThan(1);
          }),
          { numRuns: streamRuns },
        );
      }, 300_000);

      it.skipIf(!wipeDelivery)('rebuilds lost delivery figures from the releases, page by page, and rebuilding twice changes nothing', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(streamStep, { minLength: 20, maxLength: 80 }), fc.integer({ min: 1, max: 6 }), async (steps, pageSize) => {
            const store = makeStore();
            await store.applyServiceConfig(serviceConfigInput({ steps: [10, 50, 100], watchWindow: '15m', concurrency: 'queue' }), T0);
            const stream = new StoreStream(store, 'checkout', T0);
            for (const step of [...streamPrefix, ...steps, { t: 'settle' } as const]) await stream.run(step);
            await wipeDelivery?.(store);
            const emptied = await keptAgainstRecomputed(store, 'checkout', T0, stream.now);
            expect(emptied.windows[0]?.kept.deployments).toBe(0);
            for (let round = 0; round < 2; round += 1) {
              let cursor: string | null = null;
              let seen = 0;
              do {
                const page: { releases: number; next: string | null } = await store.rebuildDelivery('checkout', cursor, pageSize);
                seen += page.releases;
                cursor = page.next;
              } while (cursor !== null);
              expect(seen).toBe(emptied.releases.length);
              const { windows } = await keptAgainstRecomputed(store, 'checkout', T0, stream.now);
              for (const w of windows) expect(w.kept).toEqual(w.recomputed);
            }
          }),
          { numRuns: Math.max(1, Math.ceil(streamRuns / 4)) },
        );
      }, 300_000);
    });

    describe('ChatLedger: which chat posts ended', () => {
      it('remembers which chat deliveries ended, by key, whatever the key holds', async () => {
        const store = makeStore();
        const keys = ['m1|slack|hook', 'm1|google-chat|hook/with/slashes', 'm2|slack|hook'];
        expect(await store.chatDeliveriesDone(keys)).toEqual(new Set());
        expect(await store.chatDeliveriesDone([])).toEqual(new Set());
        await store.recordChatDelivery(keys[0] ?? '', { status: 'delivered', at: T0 });
        await store.recordChatDelivery(keys[1] ?? '', { status: 'refused', at: T0, why: 'the webhook answered 404' });
        await store.recordChatDelivery(keys[1] ?? '', { status: 'refused', at: T0 + 1, why: 'again' });
        expect(await store.chatDeliveriesDone(keys)).toEqual(new Set([keys[0], keys[1]]));
      });
    });

    describe('RejectedInput: refused input kept with its reason', () => {
      it('keeps rejected events with their reason', async () => {
        const store = makeStore();
        // Attribute keys Firestore refuses as map keys ("", __x__) are kept, as text.
        const attributes = JSON.stringify({ __x__: '1', '': '2', 'a.b': '3' });
        const id = await store.recordRejected({ source: 'onAlert', reason: 'Malformed', message: 'not JSON', receivedAt: T0, body: '{oops', bodyBytes: 5, attributes });
        const listed = await store.listRejected(10);
        expect(listed).toEqual([expect.objectContaining({ id, reason: 'Malformed', body: '{oops', receivedAt: T0, attributes })]);
      });
    });
  });
}
