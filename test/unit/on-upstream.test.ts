import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, decide, type EventBody, type Release, type ReleaseState, type ServiceState } from '../../shared/domain/index.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';

/**
 * The stage's decisions on the release of the stage before, case by case: each from a world
 * written by hand, each answer read in full (what changed, what it said, what it told people).
 */
const DIGEST = `europe-west1-docker.pkg.dev/demo-project/apps/shop@sha256:${'a'.repeat(64)}`;
const stage = (extra: object = {}, state: Partial<ServiceState> = {}) => serviceState({ name: 'shop-prod', router: { kind: 'cloud-run', target: 'shop-prod' }, source: undefined, promotion: { from: 'shop-staging', soak: '10m' }, ...extra }, { stableRevision: 'shop-prod-stable', ...state });
const upstream = (state: ReleaseState, extra: Partial<Release> = {}) =>
  releaseIn(state.phase, { id: 'shop-staging-b1', service: 'shop-staging', build: { id: 'b1', status: 'SUCCESS', commit: 'c1', image: DIGEST }, state, completedAt: T0, ...extra });
const own = (state: ReleaseState, extra: Partial<Release> = {}) =>
  releaseIn(state.phase, { id: 'shop-prod-b1', service: 'shop-prod', build: { id: 'b1', status: 'SUCCESS', commit: 'c1', image: DIGEST }, state, promotion: { from: 'shop-staging', releaseId: 'shop-staging-b1', soakUntil: T0 + 600_000, revokedAt: null }, ...extra });
const COMPLETE: ReleaseState = { phase: 'complete', sub: 'watching', watchUntil: T0 + 3_600_000 };
const ROLLED_BACK: ReleaseState = { phase: 'rolled_back', sub: 'final', rollback: { cause: 'ManualRollback', startedAt: T0, breachStartedAt: null, from: 'complete' } };

function run(service: ServiceState, releases: Release[], up: Release[], body: EventBody, now = T0 + 60_000) {
  const d = decide({ service, releases, upstream: up }, { id: 'e1', service: service.name, at: now, body }, { now, policy: DEFAULT_EFFECT_POLICY });
  return { ...d, release: d.releases.find((r) => r.id === 'shop-prod-b1'), notified: d.effects.flatMap((e) => (e.kind === 'notify' ? [e.type] : [])) };
}
const pointer: EventBody = { kind: 'upstream', upstreamReleaseId: 'shop-staging-b1', buildId: 'b1' };
const tick: EventBody = { kind: 'tick', releaseId: 'shop-prod-b1' };

describe('a stage and the release of the stage before', () => {
  it('a build still on its way there is not promoted yet; one never promoted here is not revoked', () => {
    expect(run(stage(), [], [upstream({ phase: 'shifting', sub: 'running' })], pointer).outcome).toEqual({ status: 'ignored', reason: 'NothingToDo', message: 'shop-staging-b1 is shifting in shop-staging: promoted once it completes' });
    expect(run(stage(), [], [upstream(ROLLED_BACK)], pointer).outcome).toEqual({ status: 'ignored', reason: 'NothingToDo', message: 'shop-staging-b1 is rolled_back in shop-staging; it was never promoted to shop-prod' });
  });

  it('refuses a region\'s release and a release of another build', () => {
    expect(run(stage(), [], [upstream(COMPLETE, { target: 'europe-west1' })], pointer).outcome).toMatchObject({ status: 'rejected', message: 'shop-staging-b1 is not the release of build b1 in shop-staging' });
    expect(run(stage(), [], [upstream(COMPLETE)], { ...pointer, buildId: 'b2' }).outcome).toMatchObject({ status: 'rejected', reason: 'NotPromotable' });
    expect(run(stage(), [], [], pointer).outcome).toEqual({ status: 'rejected', reason: 'NotPromotable', message: "release shop-staging-b1 is not in Cutover's state" });
  });

  it('a second pointer to a build already promoted changes nothing, unless its soak is over: then it goes on', () => {
    const soaking = own({ phase: 'pending', sub: 'soaking' });
    expect(run(stage(), [soaking], [upstream(COMPLETE)], pointer).outcome).toEqual({ status: 'ignored', reason: 'NothingToDo', message: 'build b1 was already promoted to shop-prod (shop-prod-b1 is pending)' });
    expect(run(stage(), [own({ phase: 'pending', sub: 'awaitingApproval' })], [upstream(COMPLETE)], pointer, T0 + 700_000).outcome.status).toBe('ignored');
    const due = run(stage(), [soaking], [upstream(COMPLETE)], pointer, T0 + 600_000);
    expect(due.release?.state).toEqual({ phase: 'deploying', sub: 'running' });
    expect(due.outcome).toMatchObject({ reason: 'PromotionSoaked', message: 'soaked in shop-staging (shop-staging-b1)' });
  });

  it('a new promotion keeps the build, starts soaking, and accepts an image from the stage\'s own repositories', () => {
    const trusted = stage({ source: { triggers: ['t'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps/shop'] } });
    const made = run(trusted, [], [upstream(COMPLETE)], pointer);
    expect(made.release).toMatchObject({ state: { phase: 'pending', sub: 'soaking' }, build: { id: 'b1', status: 'SUCCESS', image: DIGEST, commit: 'c1' }, promotion: { from: 'shop-staging', releaseId: 'shop-staging-b1', soakUntil: T0 + 600_000, revokedAt: null }, nextCheckAt: T0 + 600_000 });
  });

  it('a stage before still re-verifying its completed build: the build soaks here, waits past its soak looking each minute, and is never approved into a start', () => {
    const e2e = (status: 'running' | 'passed' | 'failed') => upstream(COMPLETE, { hookRuns: [{ key: 'e2e', hook: 'e2e', at: 'after-complete', status, execution: null, startedAt: T0, endedAt: null, detail: '' }] });
    const made = run(stage(), [], [e2e('running')], pointer);
    expect(made.release).toMatchObject({ state: { phase: 'pending', sub: 'soaking' }, promotion: { soakUntil: T0 + 600_000 }, nextCheckAt: T0 + 600_000 });
    const soaking = own({ phase: 'pending', sub: 'soaking' }, { nextCheckAt: T0 + 600_000 });
    const waits = run(stage(), [soaking], [e2e('running')], tick, T0 + 600_000);
    expect(waits.outcome).toEqual({ status: 'applied', reason: 'NothingToDo', message: "shop-staging-b1's after-complete check e2e is still running in shop-staging: shop-prod-b1 soaked and waits for it" });
    expect(waits.release).toMatchObject({ state: { phase: 'pending', sub: 'soaking' }, nextCheckAt: T0 + 660_000 });
    expect(waits.history).toEqual([]);
    expect(run(stage(), [soaking], [e2e('passed')], tick, T0 + 660_000).release?.state).toEqual({ phase: 'deploying', sub: 'running' });
    expect(run(stage(), [soaking], [e2e('failed')], tick, T0 + 660_000).release?.state).toMatchObject({ phase: 'rolled_back', rollback: { cause: 'DigestRevoked' } });
    const approve: EventBody = { kind: 'command', releaseId: 'shop-prod-b1', command: 'approve', actor: 'ops@example.com', why: null };
    const asked = run(stage({ promotion: { from: 'shop-staging', soak: '10m', approval: 'manual' } }), [own({ phase: 'pending', sub: 'awaitingApproval' })], [e2e('running')], approve);
    expect(asked.outcome).toMatchObject({ status: 'rejected', reason: 'NotPromotable', message: "shop-staging-b1's after-complete check e2e is still running in shop-staging: shop-prod-b1 cannot start yet" });
  });

  it('at the end of the soak: on approval it waits and says so; a stage before still on its way holds it; one revoked ends it', () => {
    const soaking = own({ phase: 'pending', sub: 'soaking' });
    const manual = run(stage({ promotion: { from: 'shop-staging', soak: '10m', approval: 'manual' } }), [soaking], [upstream(COMPLETE)], tick, T0 + 600_000);
    expect(manual.release?.state).toEqual({ phase: 'pending', sub: 'awaitingApproval' });
    expect(manual.notified).toEqual(['release.awaiting_approval']);
    expect(run(stage(), [soaking], [upstream({ phase: 'shifting', sub: 'running' })], tick, T0 + 600_000).release?.state.phase ?? 'unchanged').toBe('unchanged');
    const revoked = run(stage(), [soaking], [upstream(ROLLED_BACK)], tick, T0 + 600_000);
    expect(revoked.release?.state).toEqual({ phase: 'rolled_back', sub: 'final', rollback: { cause: 'DigestRevoked', startedAt: T0 + 600_000, breachStartedAt: null, from: 'pending' } });
    expect(revoked.release?.promotion?.revokedAt).toBe(T0 + 600_000);
    expect(revoked.notified).toEqual(['release.rolled_back']);
  });

  it('an approval of a build revoked in the meantime revokes it instead of starting it', () => {
    const waiting = own({ phase: 'pending', sub: 'awaitingApproval' });
    const approved = run(stage(), [waiting], [upstream(ROLLED_BACK)], { kind: 'command', releaseId: 'shop-prod-b1', command: 'approve', actor: 'ops@example.com', why: null });
    expect(approved.release?.state.phase).toBe('rolled_back');
    expect(approved.outcome.reason).toBe('DigestRevoked');
  });

  it('revokes what it took: rolls back a completed release still watched and current; marks a final one and says so; ignores one already ended or revoked', () => {
    const current = own(COMPLETE);
    const watched = run(stage({}, { lastCompletedReleaseId: 'shop-prod-b1' }), [current], [upstream(ROLLED_BACK)], pointer);
    expect(watched.release?.state).toMatchObject({ phase: 'rolling_back', rollback: { cause: 'DigestRevoked', from: 'complete' } });
    const busy = run(stage({}, { lastCompletedReleaseId: 'shop-prod-b1', activeReleaseId: 'shop-prod-b2' }), [current], [upstream(ROLLED_BACK)], pointer);
    expect(busy.release?.state).toEqual(COMPLETE);
    expect(busy.notified).toEqual(['release.revoked']);
    const final = run(stage({}, { lastCompletedReleaseId: 'shop-prod-b1' }), [own({ phase: 'complete', sub: 'final', watchUntil: T0 })], [upstream(ROLLED_BACK)], pointer);
    expect(final.release).toMatchObject({ state: { phase: 'complete', sub: 'final' }, promotion: { revokedAt: T0 + 60_000 }, lastDecision: { reason: 'DigestRevoked', message: expect.stringContaining('keeps serving: roll forward') } });
    expect(final.notified).toEqual(['release.revoked']);
    for (const state of [ROLLED_BACK, { phase: 'failed', sub: 'final' }, { phase: 'superseded', sub: 'final', rollback: null }, { phase: 'rolling_back', sub: 'restoring', rollback: { cause: 'x', startedAt: T0, breachStartedAt: null, from: 'shifting' } }] as ReleaseState[]) {
      expect(run(stage(), [own(state)], [upstream(ROLLED_BACK)], pointer).outcome, state.phase).toMatchObject({ status: 'ignored', message: `shop-staging-b1 is rolled_back in shop-staging; shop-prod-b1 is already ${state.phase}` });
    }
    const marked = own({ phase: 'complete', sub: 'final', watchUntil: T0 }, { promotion: { from: 'shop-staging', releaseId: 'shop-staging-b1', soakUntil: T0, revokedAt: T0 } });
    expect(run(stage(), [marked], [upstream(ROLLED_BACK)], pointer).outcome).toMatchObject({ status: 'ignored', message: expect.stringContaining('is already revoked') });
  });
});
