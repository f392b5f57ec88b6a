import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STAGE_EVENTS } from '../../functions/promote-stages.js';
import { releaseIdForBuild, type HistoryEntry, type Release } from '../../shared/domain/index.js';
import { serviceConfigInput } from '../support/fixtures.js';
import { digest } from '../support/pipeline-steps.js';
import { fakeSystem } from '../support/system.js';

/**
 * A pipeline dev → staging → prod driven through random streams: builds, time, rollbacks and
 * aborts in any stage, approvals, and the release events between stages delivered late, twice and
 * out of order (as Pub/Sub may). Whatever happens, a build starts in a stage only after it completed
 * in the stage before and soaked there unrevoked, and once a stage rolls a build back no stage
 * after it keeps that build running.
 */
const STAGES = ['shop-dev', 'shop-staging', 'shop-prod'] as const;
const SOAK = { 'shop-staging': 600_000, 'shop-prod': 1_200_000 } as const;

type Step =
  | { t: 'build'; n: number }
  | { t: 'advance'; ms: number }
  | { t: 'relay'; index: number }
  | { t: 'command'; stage: number; n: number; name: 'rollback' | 'abort' | 'approve' | 'pause' | 'resume' }
  | { t: 'rollbackCurrent'; stage: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('build' as const), n: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1_000, max: 900_000 }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('relay' as const), index: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('rollbackCurrent' as const), stage: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('command' as const), stage: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 0, max: 3 }), name: fc.constantFrom('rollback' as const, 'abort' as const, 'approve' as const, 'pause' as const, 'resume' as const) }) },
);

async function world(prodApproval: 'auto' | 'manual') {
  const sys = fakeSystem();
  const stage = (name: string, extra: object) => sys.store.applyServiceConfig(serviceConfigInput({ name, router: { kind: 'cloud-run', target: name }, steps: [100], watchWindow: '30m', ...extra }), sys.clock.now);
  await stage('shop-dev', {});
  await stage('shop-staging', { source: undefined, promotion: { from: 'shop-dev', soak: '10m' } });
  await stage('shop-prod', { source: undefined, promotion: { from: 'shop-staging', soak: '20m', approval: prodApproval } });
  let n = 0;
  /** promoteStages, as deployed: each stage event of a stage → an upstream event for the stage after, keyed as the function keys it. */
  const relay = async (index: number) => {
    const events = sys.notifier.sent.filter((e) => STAGE_EVENTS.has(e.type));
    const event = events[index % Math.max(1, events.length)];
    if (!event) return;
    const next = STAGES[STAGES.indexOf(event.service as (typeof STAGES)[number]) + 1];
    const release = await sys.store.getRelease(event.releaseId);
    if (!next || !release) return;
    await sys.runtime.handle({ id: `upstream:${release.id}:${event.type}:${next}`, service: next, at: sys.clock.now, body: { kind: 'upstream', upstreamReleaseId: release.id, buildId: release.build.id } });
  };
  const run = async (s: Step) => {
    n += 1;
    switch (s.t) {
      case 'build':
        return void (await sys.runtime.handle({ id: `b${n}`, service: 'shop-dev', at: sys.clock.now, body: { kind: 'build', buildId: `b${s.n}`, status: 'SUCCESS', commit: 'c', image: digest(`b${s.n}`) } }));
      case 'advance':
        return sys.advance(s.ms);
      case 'relay':
        return relay(s.index);
      case 'rollbackCurrent': {
        // What a person does when a stage's current build turns out bad: roll it back inside its watch.
        const service = STAGES[s.stage] ?? 'shop-dev';
        const current = (await sys.store.getService(service))?.lastCompletedReleaseId;
        if (!current) return;
        return void (await sys.runtime.handle({ id: `r${n}`, service, at: sys.clock.now, body: { kind: 'command', releaseId: current, command: 'rollback', actor: 'ops@example.com', why: null } }));
      }
      case 'command': {
        const service = STAGES[s.stage] ?? 'shop-dev';
        return void (await sys.runtime.handle({ id: `c${n}`, service, at: sys.clock.now, body: { kind: 'command', releaseId: releaseIdForBuild(service, `b${s.n}`), command: s.name, actor: 'ops@example.com', why: null } }));
      }
    }
  };
  /** Every stage event delivered (again), in order, until nothing changes; then time for every soak. */
  const drain = async () => {
    for (let round = 0; round < 6; round += 1) {
      const count = sys.notifier.sent.length;
      for (let i = 0; i < sys.notifier.sent.filter((e) => STAGE_EVENTS.has(e.type)).length; i += 1) await relay(i);
      await sys.advance(1_300_000);
      if (sys.notifier.sent.length === count) break;
    }
  };
  return { sys, run, drain };
}

const at = (history: HistoryEntry[], to: string) => history.filter((h) => h.toPhase === to).map((h) => h.at);

describe('property: a pipeline under random streams', () => {
  const seen = { promoted: 0, started: 0, revoked: 0 };
  it('starts a build in a stage only after it completed and soaked, unrevoked, in the stage before; a rollback there leaves no stage after running it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('auto' as const, 'manual' as const), fc.array(step, { minLength: 5, maxLength: 60 }), async (approval, steps) => {
        const { sys, run, drain } = await world(approval);
        for (const s of steps) await run(s);
        await drain();
        const releases = new Map<string, Release>();
        for (const stage of STAGES) for (const r of await sys.store.listReleases(stage, 100)) releases.set(r.id, r);
        const promoted = [...releases.values()].filter((r) => r.promotion);
        seen.promoted += promoted.length;
        seen.started += promoted.filter((r) => r.state.phase !== 'pending' && !(r.state.phase === 'rolled_back' && r.state.rollback?.from === 'pending')).length;
        seen.revoked += promoted.filter((r) => r.state.phase === 'rolled_back' || r.promotion?.revokedAt != null).length;
        for (const release of releases.values()) {
          if (!release.promotion) continue;
          const upstream = releases.get(release.promotion.releaseId);
          expect(upstream, `${release.id} came from a release that exists`).toBeDefined();
          if (!upstream) continue;
          const [up, own] = await Promise.all([sys.store.history(upstream.id, 200), sys.store.history(release.id, 200)]);
          const completed = at(up, 'complete')[0];
          const soak = SOAK[release.service as keyof typeof SOAK];
          for (const started of at(own, 'deploying')) {
            expect(completed, `${release.id} started only after ${upstream.id} completed`).toBeDefined();
            expect(started).toBeGreaterThanOrEqual((completed ?? Infinity) + soak);
            expect(at(up, 'rolling_back').filter((t) => t < started), `${upstream.id} was not rolled back before ${release.id} started`).toEqual([]);
          }
          const revokedUpstream = at(up, 'rolling_back').length > 0 || upstream.promotion?.revokedAt != null;
          if (revokedUpstream) {
            const { phase } = release.state;
            const stopped = phase === 'rolled_back' || phase === 'failed' || phase === 'superseded' || (phase === 'complete' && release.promotion.revokedAt !== null);
            expect(stopped, `${release.id} (${phase}) stopped after ${upstream.id} was revoked`).toBe(true);
          }
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) },
    );
    // The streams reach what the property is about: builds promoted, started downstream, and revoked.
    expect(seen.promoted).toBeGreaterThan(0);
    expect(seen.started).toBeGreaterThan(0);
    expect(seen.revoked).toBeGreaterThan(0);

  });
});
