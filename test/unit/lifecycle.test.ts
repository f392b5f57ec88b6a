import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, Reason, type Release, type ReleaseState, type ServiceState } from '../../shared/domain/index.js';
import { Draft } from '../../shared/domain/decide/draft.js';
import { activate, beginRollback, enqueue, finish, giveUp, isQueued, resumeAfterHold, startOrHold } from '../../shared/domain/decide/lifecycle.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';

/**
 * The release's life cycle, case by case: starting, queueing, rolling back (or refusing to, or
 * holding at a barrier), ending and giving up, each from a world written by hand and read in
 * full — the state written, the words recorded, the service's slots.
 */
const NOW = T0 + 600_000;
const ROLLBACK = { cause: 'ErrorRateBreached', startedAt: T0, breachStartedAt: null, from: 'shifting' as const };

function draft(releases: Release[], svc: ServiceState = serviceState({}, { activeReleaseId: 'checkout-b1' })): Draft {
  return new Draft({ service: svc, releases }, { id: 'e1', service: 'checkout', at: NOW, body: { kind: 'tick', releaseId: 'checkout-b1' } }, { now: NOW, policy: DEFAULT_EFFECT_POLICY });
}
const recorded = (d: Draft) => d.result().history.map((h) => [h.releaseId, h.toPhase, h.reason, h.message]);
const notified = (d: Draft) => d.result().effects.flatMap((e) => (e.kind === 'notify' ? [[e.releaseId, e.type, e.message]] : []));
const got = (d: Draft, id = 'checkout-b1') => d.get(id)!;

describe('starting', () => {
  it('a pause asked for while it waited carries over into deploying; the reason says why it starts', () => {
    const cases: [ReleaseState, ReleaseState, Reason][] = [
      [{ phase: 'pending', sub: 'paused', resumeTo: 'queued' }, { phase: 'deploying', sub: 'paused', resumeTo: 'running' }, Reason.Dequeued],
      [{ phase: 'pending', sub: 'queued' }, { phase: 'deploying', sub: 'running' }, Reason.Dequeued],
      [{ phase: 'pending', sub: 'awaitingApproval' }, { phase: 'deploying', sub: 'running' }, Reason.Approved],
      [{ phase: 'pending', sub: 'paused', resumeTo: 'awaitingApproval' }, { phase: 'deploying', sub: 'paused', resumeTo: 'running' }, Reason.Approved],
      [{ phase: 'pending', sub: 'soaking' }, { phase: 'deploying', sub: 'running' }, Reason.PromotionSoaked],
      [{ phase: 'pending', sub: 'waiting' }, { phase: 'deploying', sub: 'running' }, Reason.BuildSucceeded],
    ];
    for (const [from, to, reason] of cases) {
      const d = draft([releaseIn('pending', { state: from, build: { id: 'b1', status: 'SUCCESS', commit: 'c1', image: null } })], serviceState({}, { stableRevision: 'checkout-s0' }));
      activate(d, got(d), 'go');
      expect([got(d).state, got(d).stableRevision, got(d).traffic], JSON.stringify(from)).toEqual([to, 'checkout-s0', { desiredPercent: 0, observedPercent: null, observedAt: null }]);
      expect(recorded(d)).toEqual([['checkout-b1', 'deploying', reason, 'go']]);
      expect(notified(d)).toEqual([['checkout-b1', 'release.started', 'deploying candidate']]);
      expect(d.service.activeReleaseId).toBe('checkout-b1');
    }
  });

  it('queued: only a pending release queued, or paused on its way to the queue, is queued', () => {
    expect(isQueued({ phase: 'pending', sub: 'queued' })).toBe(true);
    expect(isQueued({ phase: 'pending', sub: 'paused', resumeTo: 'queued' })).toBe(true);
    expect(isQueued({ phase: 'pending', sub: 'paused', resumeTo: 'awaitingApproval' })).toBe(false);
    expect(isQueued({ phase: 'pending', sub: 'waiting' })).toBe(false);
    expect(isQueued({ phase: 'deploying', sub: 'paused', resumeTo: 'running' })).toBe(false);
  });

  it('enqueueing keeps a pause asked for, and supersedes what held the queue slot before', () => {
    const older = releaseIn('pending', { id: 'checkout-b0', state: { phase: 'pending', sub: 'queued' } });
    const d = draft([older, releaseIn('pending', { state: { phase: 'pending', sub: 'paused', resumeTo: 'waiting' } })], serviceState({}, { activeReleaseId: 'checkout-a', queuedReleaseId: 'checkout-b0' }));
    enqueue(d, got(d), 'behind checkout-a');
    expect(got(d).state).toEqual({ phase: 'pending', sub: 'paused', resumeTo: 'queued' });
    expect(got(d, 'checkout-b0').state).toEqual({ phase: 'superseded', sub: 'final', rollback: null });
    expect(recorded(d)).toEqual([['checkout-b0', 'superseded', 'Superseded', 'superseded in the queue by checkout-b1'], ['checkout-b1', 'pending', 'Queued', 'behind checkout-a']]);
    expect(d.service.queuedReleaseId).toBe('checkout-b1');
    // The release already in the slot is not superseded by itself.
    const again = draft([releaseIn('pending', { state: { phase: 'pending', sub: 'queued' } })], serviceState({}, { activeReleaseId: 'checkout-a', queuedReleaseId: 'checkout-b1' }));
    enqueue(again, got(again), 'still behind');
    expect(recorded(again)).toEqual([['checkout-b1', 'pending', 'Queued', 'still behind']]);
  });

  it('startOrHold starts at once when no policy holds it', () => {
    const d = draft([releaseIn('pending', { state: { phase: 'pending', sub: 'waiting' } })], serviceState());
    startOrHold(d, got(d), 'build b1 succeeded');
    expect(got(d).state).toEqual({ phase: 'deploying', sub: 'running' });
  });
});

describe('after a hold', () => {
  it('the queued release starts when nothing is in flight, waits while something is; a verified release shifts', () => {
    const queued = releaseIn('pending', { state: { phase: 'pending', sub: 'queued' } });
    const free = draft([queued], serviceState({}, { activeReleaseId: null, queuedReleaseId: 'checkout-b1' }));
    resumeAfterHold(free, got(free));
    expect(recorded(free)).toEqual([['checkout-b1', 'deploying', 'Dequeued', 'the deploy policy that held it no longer does']]);
    expect([free.service.activeReleaseId, free.service.queuedReleaseId]).toEqual(['checkout-b1', null]);

    const busy = draft([queued, releaseIn('shifting', { id: 'checkout-a' })], serviceState({}, { activeReleaseId: 'checkout-a', queuedReleaseId: 'checkout-b1' }));
    resumeAfterHold(busy, got(busy));
    expect(recorded(busy)).toEqual([]);
    // Not the one in the slot: nothing to start.
    const other = draft([queued], serviceState({}, { activeReleaseId: null, queuedReleaseId: 'checkout-b9' }));
    resumeAfterHold(other, got(other));
    expect(recorded(other)).toEqual([]);

    const verified = { verification: { passed: true, results: [], at: T0 } };
    const v = draft([releaseIn('verifying', { state: { phase: 'verifying', sub: 'running' }, ...verified })]);
    resumeAfterHold(v, got(v));
    expect(recorded(v)).toEqual([['checkout-b1', 'shifting', 'VerificationPassed', 'verification had passed; shifting']]);
    for (const held of [releaseIn('verifying', { state: { phase: 'verifying', sub: 'awaitingApproval' }, ...verified }), releaseIn('verifying', { state: { phase: 'verifying', sub: 'running' }, verification: { passed: false, results: [], at: T0 } }), releaseIn('verifying', { state: { phase: 'verifying', sub: 'running' } })]) {
      const h = draft([held]);
      resumeAfterHold(h, got(h));
      expect(recorded(h)).toEqual([]);
    }
  });
});

describe('rolling back', () => {
  it('does nothing to a release already rolling back or ended', () => {
    for (const state of [{ phase: 'rolling_back', sub: 'restoring', rollback: ROLLBACK }, { phase: 'rolled_back', sub: 'final', rollback: ROLLBACK }, { phase: 'failed', sub: 'final' }, { phase: 'superseded', sub: 'final', rollback: null }] as ReleaseState[]) {
      const d = draft([releaseIn(state.phase, { state })]);
      beginRollback(d, got(d), Reason.Aborted, 'stop');
      expect(recorded(d), state.phase).toEqual([]);
    }
  });

  it('from a step: traffic goes back, the onset is kept inside the release\'s life', () => {
    const d = draft([releaseIn('shifting', { createdAt: T0 })]);
    beginRollback(d, got(d), Reason.ErrorRateBreached, 'error ratio 20%', { window: 1 }, T0 - 99_000);
    expect(got(d).state).toEqual({ phase: 'rolling_back', sub: 'restoring', rollback: { cause: 'ErrorRateBreached', startedAt: NOW, breachStartedAt: T0, from: 'shifting' } });
    expect(got(d).traffic.desiredPercent).toBe(0);
    expect(notified(d)).toEqual([['checkout-b1', 'release.rolling_back', 'error ratio 20%']]);
  });

  it('refuses when nothing served before: at 100% or completed, with no stable (stranded while shifting; a completed release keeps serving)', () => {
    const full = releaseIn('shifting', { stableRevision: null, traffic: { desiredPercent: 100, observedPercent: 100, observedAt: T0 } });
    const d = draft([full]);
    beginRollback(d, got(d), Reason.ErrorRateBreached, 'breach');
    expect(got(d).state).toEqual({ phase: 'shifting', sub: 'stranded' });
    expect(recorded(d)).toEqual([['checkout-b1', 'shifting', 'NoStableToRestore', 'breach; but no revision served before checkout-b1, so there is nothing to roll back to']]);
    expect(notified(d)).toEqual([['checkout-b1', 'release.rollback_impossible', 'breach; but no revision served before checkout-b1, so there is nothing to roll back to']]);

    const done = releaseIn('complete', { stableRevision: null, candidate: { revision: null, url: null } });
    const c = draft([done]);
    beginRollback(c, got(c), Reason.IncidentOpened, 'incident');
    expect(got(c).state.phase).toBe('complete');
    expect(recorded(c)[0]?.[3]).toBe('incident; but no revision served before checkout-b1, so there is nothing to roll back to');

    // At 10% with no stable, the candidate's share can still go to 0: it rolls back.
    const partial = draft([releaseIn('shifting', { stableRevision: null })]);
    beginRollback(partial, got(partial), Reason.ErrorRateBreached, 'breach');
    expect(got(partial).state.phase).toBe('rolling_back');
  });

  it('a completed release rolling back takes the active slot again', () => {
    const d = draft([releaseIn('complete')], serviceState({}, { activeReleaseId: null, lastCompletedReleaseId: 'checkout-b1' }));
    beginRollback(d, got(d), Reason.IncidentOpened, 'incident');
    expect(got(d).state).toMatchObject({ phase: 'rolling_back', rollback: { from: 'complete' } });
    expect(d.service.activeReleaseId).toBe('checkout-b1');
  });

  it('holds at a barrier, once: verifying and shifting are stranded, a completed release keeps serving; a person crosses it', () => {
    const barrier = { hook: 'contract', at: T0 };
    const why = `breach; but barrier hook contract ran at ${new Date(T0).toISOString()}: not rolled back, a person decides`;
    for (const phase of ['verifying', 'shifting'] as const) {
      const d = draft([releaseIn(phase, { state: { phase, sub: 'running' }, barrier })]);
      beginRollback(d, got(d), Reason.ErrorRateBreached, 'breach');
      expect(got(d).state).toEqual({ phase, sub: 'stranded' });
      expect(got(d).inFlight).toBeNull();
      expect(recorded(d)).toEqual([['checkout-b1', phase, 'BarrierCrossed', why]]);
      expect(notified(d)).toEqual([['checkout-b1', 'release.rollback_impossible', why]]);
    }
    const done = draft([releaseIn('complete', { barrier })]);
    beginRollback(done, got(done), Reason.ErrorRateBreached, 'breach');
    expect(got(done).state.phase).toBe('complete');
    expect(recorded(done)).toEqual([['checkout-b1', 'complete', 'BarrierCrossed', why]]);
    // Told once: stranded already, or a completed release whose last word was the barrier.
    const stranded = draft([releaseIn('shifting', { state: { phase: 'shifting', sub: 'stranded' }, barrier })]);
    beginRollback(stranded, got(stranded), Reason.ErrorRateBreached, 'breach');
    expect(stranded.result()).toMatchObject({ history: [], outcome: { status: 'ignored', reason: 'BarrierCrossed' } });
    const told = draft([releaseIn('complete', { barrier, lastDecision: { reason: 'BarrierCrossed', message: why, eventKind: 'incident', eventId: 'e0', actor: null, at: T0 } })]);
    beginRollback(told, got(told), Reason.IncidentOpened, 'again');
    expect(recorded(told)).toEqual([]);
    // A person's abort crosses it.
    const abort = draft([releaseIn('shifting', { barrier })]);
    beginRollback(abort, got(abort), Reason.Aborted, 'by ops');
    expect(got(abort).state.phase).toBe('rolling_back');
  });
});

describe('ending', () => {
  it('a completed release rolled back from its watch gives the service its stable back; one no longer current leaves it', () => {
    const rolled = (from: 'complete' | 'shifting') => releaseIn('rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: { ...ROLLBACK, from } }, stableRevision: 'checkout-s0' });
    const d = draft([rolled('complete')], serviceState({}, { activeReleaseId: 'checkout-b1', lastCompletedReleaseId: 'checkout-b1', stableRevision: 'checkout-b1' }));
    finish(d, got(d), 'rolled_back', Reason.RolledBack, 'stable serves 100% again');
    expect([d.service.stableRevision, d.service.lastCompletedReleaseId, d.service.activeReleaseId]).toEqual(['checkout-s0', null, null]);
    expect(notified(d)).toEqual([['checkout-b1', 'release.rolled_back', 'stable serves 100% again']]);

    const notCurrent = draft([rolled('complete')], serviceState({}, { activeReleaseId: 'checkout-b1', lastCompletedReleaseId: 'checkout-b2', stableRevision: 'checkout-b2' }));
    finish(notCurrent, got(notCurrent), 'rolled_back', Reason.RolledBack, 'x');
    expect([notCurrent.service.stableRevision, notCurrent.service.lastCompletedReleaseId]).toEqual(['checkout-b2', 'checkout-b2']);

    const inFlight = draft([rolled('shifting')], serviceState({}, { activeReleaseId: 'checkout-b1', lastCompletedReleaseId: 'checkout-b1', stableRevision: 'checkout-b1' }));
    finish(inFlight, got(inFlight), 'rolled_back', Reason.RolledBack, 'x');
    expect(inFlight.service.stableRevision).toBe('checkout-b1');
  });

  it('ending frees the slot and starts the queued release, unless another is active', () => {
    const queued = releaseIn('pending', { id: 'checkout-b2', state: { phase: 'pending', sub: 'queued' } });
    const d = draft([releaseIn('deploying'), queued], serviceState({}, { activeReleaseId: 'checkout-b1', queuedReleaseId: 'checkout-b2' }));
    finish(d, got(d), 'failed', Reason.DeployFailed, 'image not found');
    expect(got(d).state).toEqual({ phase: 'failed', sub: 'final' });
    expect(recorded(d)).toEqual([['checkout-b1', 'failed', 'DeployFailed', 'image not found'], ['checkout-b2', 'deploying', 'Dequeued', 'dequeued after checkout-b1 ended failed']]);
    expect(notified(d)[0]).toEqual(['checkout-b1', 'release.failed', 'image not found']);

    const other = draft([releaseIn('pending', { state: { phase: 'pending', sub: 'waiting' } }), queued], serviceState({}, { activeReleaseId: 'checkout-a', queuedReleaseId: 'checkout-b2' }));
    finish(other, got(other), 'superseded', Reason.Superseded, 'newer build');
    expect(recorded(other)).toEqual([['checkout-b1', 'superseded', 'Superseded', 'newer build']]);
    expect(other.service.queuedReleaseId).toBe('checkout-b2');
  });

  it('giving up: deploying fails, verifying rolls back, shifting names the effect that gave up, rolling back never gives up', () => {
    const cases: [Release, string | null][] = [
      [releaseIn('deploying'), 'DeployFailed'],
      [releaseIn('verifying'), 'VerificationFailed'],
      [releaseIn('shifting', { inFlight: { effectId: 'x', kind: 'measureHealth', target: null, attempt: 5, issuedAt: T0, deadlineAt: T0, lastError: null, progress: 'issued' } }), 'MetricsUnavailable'],
      [releaseIn('shifting', { inFlight: { effectId: 'x', kind: 'setTraffic', target: 50, attempt: 5, issuedAt: T0, deadlineAt: T0, lastError: null, progress: 'issued' } }), 'TrafficNotApplied'],
      [releaseIn('shifting'), 'TrafficNotApplied'],
      [releaseIn('rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: ROLLBACK } }), null],
    ];
    for (const [release, reason] of cases) {
      const d = draft([release]);
      giveUp(d, got(d), 'no answer after 5 attempts');
      expect(recorded(d)[0]?.[2] ?? null, release.state.phase).toBe(reason);
    }
  });
});
