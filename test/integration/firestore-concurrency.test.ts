import { afterAll, describe, expect, it } from 'vitest';
import { FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { DEFAULT_EFFECT_POLICY, decide, releaseIdForBuild, type EventBody, type ReleaseEvent } from '../../shared/domain/index.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { build, serviceConfigInput } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';

const opened: FirestoreStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

function firestoreSystem() {
  const store = new FirestoreStore({ projectId: uniqueProjectId('conc'), databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
  opened.push(store);
  return fakeSystem(store);
}

const rid = releaseIdForBuild('checkout', 'b1');

describe.skipIf(!emulators.available)('Firestore: exactly-once under concurrency (emulator)', () => {
  it('the same event delivered 10 times at once to two instances gives one decision (transaction conflict path)', async () => {
    const projectId = uniqueProjectId('twin');
    const [a, b] = [0, 1].map(() => new FirestoreStore({ projectId, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' }));
    opened.push(a as FirestoreStore, b as FirestoreStore);
    await a?.applyServiceConfig(serviceConfigInput(), Date.now());
    const event: ReleaseEvent = { id: 'twin-1', service: 'checkout', at: Date.now(), body: build('b1', 'SUCCESS') };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ((i % 2 ? a : b) as FirestoreStore).handle(event, (world) => decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY }))),
    );
    expect(results.filter((r) => r.kind === 'decided')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(9);
    expect(await a?.history(rid, 10)).toHaveLength(1);
  });

  it('the same event delivered 10 times concurrently gives one transition and one set of effects', async () => {
    const sys = firestoreSystem();
    await sys.apply();
    const reports = await Promise.all(Array.from({ length: 10 }, () => sys.send(build('b1', 'SUCCESS'), 'pubsub-msg-1')));
    expect(reports.filter((r) => r.kind === 'decided')).toHaveLength(1);
    expect(reports.filter((r) => r.kind === 'duplicate')).toHaveLength(9);
    expect(sys.router.calls.filter((c) => c.kind === 'deployCandidate')).toHaveLength(1);
    expect(sys.router.calls.filter((c) => c.kind === 'setTraffic')).toHaveLength(1);
    const history = await sys.store.history(rid, 100);
    expect(history.filter((h) => h.toPhase === 'deploying')).toHaveLength(1);
    expect((await sys.store.getRelease(rid))?.state.phase).toBe('shifting');
  });

  it('50 concurrent distinct events on one release leave a consistent state, no error surfacing', async () => {
    const sys = firestoreSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const bodies: EventBody[] = [];
    for (let i = 0; i < 50; i += 1) {
      const pick = i % 5;
      if (pick === 0) bodies.push(build('b1', i % 2 ? 'WORKING' : 'SUCCESS'));
      else if (pick === 1) bodies.push({ kind: 'incident', incidentId: `i${i}`, state: 'closed', policyName: null, summary: null });
      else if (pick === 2) bodies.push({ kind: 'tick', releaseId: rid });
      else if (pick === 3) bodies.push({ kind: 'command', releaseId: rid, command: i % 2 ? 'pause' : 'resume', actor: 'ops', why: null });
      else bodies.push(build(`other-${i}`, 'QUEUED'));
    }
    sys.clock.now += 11_000;
    const results = await Promise.allSettled(bodies.map((body, i) => sys.send(body, `c-${i}`)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const release = await sys.store.getRelease(rid);
    expect(release?.state.phase).toBe('shifting');
    const history = await sys.store.history(rid, 500);
    expect(history.map((h) => h.seq)).toEqual(history.map((_, i) => i + 1));
    expect(release?.historySeq).toBe(history.length);
    expect((await sys.store.listReleases('checkout', 100)).length).toBe(1 + 10);
  });

  it('a crash between commit and effect is recovered by the next tick', async () => {
    const sys = firestoreSystem();
    await sys.apply();
    const event: ReleaseEvent = { id: 'b1-success', service: 'checkout', at: sys.clock.now, body: build('b1', 'SUCCESS') };
    // Commit exactly as the runtime would, then "die" before running any effect.
    await sys.store.handle(event, (world) => decide(world, event, { now: sys.clock.now, policy: DEFAULT_EFFECT_POLICY }));
    expect(sys.router.calls).toEqual([]);
    await sys.advance(DEFAULT_EFFECT_POLICY.deployTimeoutMs + 1_000);
    expect(sys.router.calls.map((c) => c.kind)).toEqual(['deployCandidate', 'setTraffic']);
    const release = await sys.store.getRelease(rid);
    expect(release).toMatchObject({ state: { phase: 'shifting' }, traffic: { observedPercent: 10 } });
    expect((await sys.store.history(rid, 50)).some((h) => h.reason === 'EffectRetried')).toBe(true);
  });
});
