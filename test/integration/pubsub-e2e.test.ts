import { getTestServer } from '@google-cloud/functions-framework/testing';
import { CHECKOUT_POLICY } from '../support/fixtures.js';
import type { PubSub } from '@google-cloud/pubsub';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { releaseIdForBuild, type Release } from '../../shared/domain/index.js';
import { createTopology, emulatorPubSub } from '../../local/pubsub-topology.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { TOPICS } from '../../shared/topology.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { buildResource, incidentNotification } from '../support/messages.js';
import { fakeSystem } from '../support/system.js';

/**
 * One path end to end: Pub/Sub emulator topics with push subscriptions to the functions served
 * on 127.0.0.1, Firestore emulator underneath. Only the traffic router, health source and
 * verifier are fakes (their real adapters come with the GCP and local issues).
 */
describe.skipIf(!emulators.available)('Pub/Sub emulator → functions → Firestore', () => {
  const projectId = uniqueProjectId('e2e');
  let store: FirestoreStore;
  let sys: ReturnType<typeof fakeSystem<FirestoreStore>>;
  let pubsub: PubSub;
  const servers: Server[] = [];

  beforeAll(async () => {
    store = new FirestoreStore({ projectId, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    sys = fakeSystem(store);
    sys.clock.now = Date.now();
    registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger }));
    const urls: Record<string, string> = {};
    for (const fn of ['onCloudBuild', 'onAlert', 'onTick']) {
      const server = getTestServer(fn);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      urls[fn] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    }
    pubsub = emulatorPubSub(projectId, emulators.pubsubHost ?? '');
    await createTopology(pubsub, (fn) => urls[fn]);
    await sys.apply({ rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY] } });
  });

  afterAll(async () => {
    await pubsub?.close();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await store?.close();
  });

  async function waitFor(id: string, predicate: (r: Release | null) => boolean, timeoutMs = 20_000): Promise<Release | null> {
    const until = Date.now() + timeoutMs;
    let release: Release | null = null;
    while (Date.now() < until) {
      release = await store.getRelease(id);
      if (predicate(release)) return release;
      await new Promise((r) => setTimeout(r, 100));
    }
    return release;
  }

  it('a published Cloud Build SUCCESS starts a release, and a published incident rolls it back', async () => {
    const build = sys.builds.know(buildResource({ id: 'e2e-build-1', status: 'SUCCESS', commit: 'feedbeef' }));
    await pubsub.topic(TOPICS.cloudBuilds).publishMessage({ json: build, attributes: { buildId: build.id, status: 'SUCCESS' } });
    const id = releaseIdForBuild('checkout', build.id);
    // Entering `shifting` is committed before the router's result for the first step comes
    // back as its own event, so wait for the observed split, not just the phase.
    const shifting = await waitFor(id, (r) => r?.state.phase === 'shifting' && r.traffic.observedPercent === 10);
    expect(shifting).toMatchObject({ state: { phase: 'shifting' }, build: { commit: 'feedbeef' }, traffic: { observedPercent: 10 } });

    await pubsub.topic(TOPICS.alerts).publishMessage({ json: incidentNotification({ id: 'inc-1', policy: 'checkout 5xx ratio' }) });
    const rolledBack = await waitFor(id, (r) => r?.state.phase === 'rolled_back');
    expect(rolledBack).toMatchObject({ state: { phase: 'rolled_back', rollback: { cause: 'IncidentOpened' } }, traffic: { observedPercent: 0 } });
    const history = await store.history(id, 50);
    expect(history.map((h) => h.toPhase)).toEqual(expect.arrayContaining(['deploying', 'verifying', 'shifting', 'rolling_back', 'rolled_back']));
    expect(sys.router.percentFor('checkout')).toBe(0);
  });
});
