import { Firestore, Timestamp } from '@google-cloud/firestore';
import { afterAll, describe, expect, it } from 'vitest';
import { FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { RELEASE_SCHEMA_VERSION, type Release } from '../../shared/domain/index.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { FakeRouter } from '../fakes/world-fakes.js';
import { fakeSystem } from '../support/system.js';
import { v1Documents, v1FlagsOf, type StoredV1 } from '../support/v1-documents.js';

/**
 * A database written by version 1 keeps working: every shape of release document the version-1
 * code wrote (test/integration/fixtures) is put into the emulator as it was stored, then read and
 * driven on by the current code.
 */

/** The fixture's times back to Timestamps, as the version-1 codec wrote them. */
function asStored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asStored);
  if (value !== null && typeof value === 'object') {
    const marked = value as { __timestampMillis?: number };
    if (typeof marked.__timestampMillis === 'number') return Timestamp.fromMillis(marked.__timestampMillis);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asStored(v)]));
  }
  return value;
}
const millis = (value: unknown): number | null => (value && typeof value === 'object' && '__timestampMillis' in value ? (value as { __timestampMillis: number }).__timestampMillis : null);

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

function database(prefix: string) {
  const projectId = uniqueProjectId(prefix);
  const options = { projectId, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' };
  const store = new FirestoreStore(options);
  const raw = new Firestore({ projectId, databaseId: 'cutover', host: options.emulatorHost, ssl: false });
  opened.push(store, { close: () => raw.terminate() });
  const seed = (docs: StoredV1[]) => Promise.all(docs.map((doc) => raw.collection('releases').doc(doc.id).set(asStored(doc) as Record<string, unknown>)));
  return { store, raw, seed };
}

/** The router serves what the version-1 release left: its stable, and its candidate at the share it had. */
function routerAsLeft(sys: { router: FakeRouter }, doc: StoredV1): void {
  const candidate = (doc.candidate as { revision: string | null }).revision;
  sys.router.seed('checkout', doc.stableRevision as string);
  if (candidate) sys.router.deployed.add(candidate);
  sys.router.split.set('checkout', { stable: doc.stableRevision as string, candidate, percent: (doc.traffic as { observedPercent: number | null }).observedPercent ?? 0 });
}

describe.skipIf(!emulators.available)('release documents written by version 1 (emulator)', () => {
  it('every shape version 1 wrote reads as version 2, keeping every flag as the sub-state it meant and every other field as it was', async () => {
    const docs = v1Documents();
    const { store, seed } = database('mig');
    await seed(docs);
    for (const doc of docs) {
      const release = await store.getRelease(doc.id);
      expect(release, doc.id).not.toBeNull();
      const read = release as Release;
      expect(read.schemaVersion).toBe(RELEASE_SCHEMA_VERSION);
      expect(v1FlagsOf(read), doc.id).toEqual({
        phase: doc.phase,
        paused: doc.paused,
        queued: doc.queued,
        awaitingApproval: doc.awaitingApproval,
        rollbackCause: doc.rollbackCause ?? null,
        rollbackStartedAt: millis(doc.rollbackStartedAt),
        breachStartedAt: millis(doc.breachStartedAt),
        // A completed release's window; version 1 kept it after a rollback too, where it no longer means anything.
        watchUntil: doc.phase === 'complete' ? millis(doc.watchUntil) : null,
      });
      expect({ id: read.id, build: read.build.id, traffic: read.traffic, stepIndex: read.stepIndex, effectSeq: read.effectSeq, historySeq: read.historySeq }).toEqual({
        id: doc.id,
        build: (doc.build as { id: string }).id,
        traffic: { ...(doc.traffic as object), observedAt: millis((doc.traffic as { observedAt: unknown }).observedAt) },
        stepIndex: doc.stepIndex,
        effectSeq: doc.effectSeq,
        historySeq: doc.historySeq,
      });
    }
    // The shapes the stories produced include every sub-state a flag stood for.
    const subs = new Set<string>();
    for (const doc of docs) subs.add(`${doc.phase}/${(await store.getRelease(doc.id))?.state.sub}`);
    expect([...subs].sort()).toEqual(expect.arrayContaining(['complete/final', 'complete/watching', 'deploying/paused', 'pending/queued', 'pending/waiting', 'shifting/awaitingApproval', 'shifting/paused', 'verifying/awaitingApproval', 'verifying/paused']));
    // The listing people read (the CLI, the page) reads a database of both versions.
    expect((await store.listReleases('checkout', 200)).length).toBe(docs.length);
  });

  it('a release version 1 left shifting goes on to complete, written back as version 2', async () => {
    const { store, raw, seed } = database('migflow');
    const doc = v1Documents().find((d) => d.phase === 'shifting' && !d.paused && d.stepIndex === 0 && d.inFlight === null && d.stableRevision !== null && d.baselineRevision === null);
    if (!doc) throw new Error('the fixture has no version-1 release at its first step');
    const sys = fakeSystem(store);
    await sys.apply();
    await raw.collection('services').doc('checkout').update({ activeReleaseId: doc.id });
    await seed([doc]);
    routerAsLeft(sys, doc);
    for (let i = 0; i < 40 && (await store.getRelease(doc.id))?.state.phase === 'shifting'; i += 1) await sys.advance(30_000);

    const done = (await store.getRelease(doc.id)) as Release;
    expect(done.state).toMatchObject({ phase: 'complete', sub: 'watching' });
    const written = (await raw.collection('releases').doc(doc.id).get()).data() ?? {};
    expect(written.schemaVersion).toBe(2);
    for (const gone of ['phase', 'paused', 'queued', 'awaitingApproval', 'rollbackCause', 'watchUntil']) expect(written, gone).not.toHaveProperty(gone);
    expect(written.state).toMatchObject({ phase: 'complete', sub: 'watching' });
  });

  it('a release version 1 paused while it waited for approval is resumed, still waiting, then approved to completion', async () => {
    const { store, raw, seed } = database('migcmd');
    const doc = v1Documents().find((d) => d.phase === 'verifying' && d.paused && d.awaitingApproval);
    if (!doc) throw new Error('the fixture has no version-1 release paused while awaiting approval');
    const sys = fakeSystem(store);
    await sys.apply({ requireApproval: true });
    await raw.collection('services').doc('checkout').update({ activeReleaseId: doc.id });
    await seed([doc]);
    routerAsLeft(sys, doc);
    const command = (name: 'resume' | 'approve') => sys.send({ kind: 'command', releaseId: doc.id, command: name, actor: 'ops@example.com', why: null });
    expect((await command('resume')).kind).toBe('decided');
    expect((await store.getRelease(doc.id))?.state).toEqual({ phase: 'verifying', sub: 'awaitingApproval' });
    expect((await command('approve')).kind).toBe('decided');
    // Approved to 100%: the fake router applies it at once, so the same request completes it.
    expect((await store.getRelease(doc.id))?.state).toMatchObject({ phase: 'complete', sub: 'watching' });
    expect((await store.history(doc.id, 5)).map((h) => h.reason)).toEqual(expect.arrayContaining(['Resumed', 'Approved', 'Completed']));
  });
});
