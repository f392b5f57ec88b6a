import { afterAll, describe, expect, it } from 'vitest';
import { FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { DEFAULT_EFFECT_POLICY, decide, releaseIdForBuild, type EventBody, type ReleaseEvent, type World } from '../../shared/domain/index.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { build, serviceConfigInput } from '../support/fixtures.js';

/**
 * The store reads, in its first round trip, the releases a service pointed at after its last
 * event in this process. That is only a hint: when another instance has moved the service on,
 * decide must still see exactly the releases the service points at now.
 */
describe.skipIf(!emulators.available)('Firestore: the world decide sees does not depend on read hints (emulator)', () => {
  const projectId = uniqueProjectId('hints');
  const [a, b] = [0, 1].map(() => new FirestoreStore({ projectId, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' })) as [FirestoreStore, FirestoreStore];
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  let clock = Date.now();
  async function handle(store: FirestoreStore, id: string, body: EventBody): Promise<World> {
    clock += 1_000;
    const event: ReleaseEvent = { id, service: 'checkout', at: clock, body };
    let seen: World | null = null;
    const result = await store.handle(event, (world) => {
      seen = world;
      return decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY });
    });
    expect(result.kind).toBe('decided');
    if (!seen) throw new Error('decide was not called');
    return seen;
  }
  const ids = (world: World) => world.releases.map((r) => r.id).sort();

  it('reads what the service points at now, even when another instance changed it since', async () => {
    await a.applyServiceConfig(serviceConfigInput({ concurrency: 'queue' }), clock);
    const first = releaseIdForBuild('checkout', 'b1');
    const second = releaseIdForBuild('checkout', 'b2');
    await handle(a, 'b1-success', build('b1', 'SUCCESS')); // a's hint: [b1]
    await handle(b, 'b2-success', build('b2', 'SUCCESS')); // b queues b2 behind b1; a does not know

    const closedIncident: EventBody = { kind: 'incident', incidentId: 'inc-1', state: 'closed', policyName: null, summary: null };
    const world = await handle(a, 'inc-1-closed', closedIncident);
    expect(world.service).toMatchObject({ activeReleaseId: first, queuedReleaseId: second });
    expect(ids(world)).toEqual([first, second].sort());

    // And the other way round: a hinted release the service no longer points at is not passed on.
    // The queue holds one release, so b3 replaces b2 there; a's hint still names b2.
    const third = releaseIdForBuild('checkout', 'b3');
    await handle(b, 'b3-success', build('b3', 'SUCCESS'));
    const later = await handle(a, 'inc-2-closed', { ...closedIncident, incidentId: 'inc-2' });
    expect(later.service).toMatchObject({ activeReleaseId: first, queuedReleaseId: third });
    expect(ids(later)).toEqual([first, third].sort());
  });
});
