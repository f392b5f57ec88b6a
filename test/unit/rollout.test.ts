import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, type Release, type ReleaseState, type ServiceState } from '../../shared/domain/index.js';
import { Draft } from '../../shared/domain/decide/draft.js';
import { followRegions, regionReleases, rollBackRollout, rolloutCheckAt, rolloutOf, startRollout } from '../../shared/domain/decide/rollout.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';

/**
 * A rollout and its regions' releases, case by case: each from a world written by hand, each
 * answer read in full (what it recorded, in which words, and what it left alone). The golden
 * stories (decide-waves.txt) tell whole releases; these pin the edges they do not reach.
 */
const NOW = T0 + 600_000;
const WAVES = { rollout: { waves: [{ regions: ['europe-west1', 'us-central1'] }, { regions: ['asia-northeast1'] }], soak: '5m' } };
const slot = (releaseId: string | null = null) => ({ stableRevision: 'checkout-stable', activeReleaseId: releaseId, lastCompletedReleaseId: null });
const service = (): ServiceState => serviceState(WAVES, { activeReleaseId: 'checkout-b1', stableRevision: null, targets: { 'europe-west1': slot('checkout-b1@europe-west1'), 'us-central1': slot('checkout-b1@us-central1'), 'asia-northeast1': slot() } });
const rollout = (phase: ReleaseState['phase'], extra: Partial<Release> = {}) => releaseIn(phase, { id: 'checkout-b1', rollout: { wave: 0, soakUntil: null }, stableRevision: null, ...extra });
const region = (name: string, phase: ReleaseState['phase'], extra: Partial<Release> = {}) => releaseIn(phase, { id: `checkout-b1@${name}`, target: name, stableRevision: 'checkout-stable', ...extra });
const ROLLBACK = { cause: 'HealthBreach', startedAt: T0, breachStartedAt: T0 - 30_000, from: 'shifting' as const };

function draft(releases: Release[], svc: ServiceState = service()): Draft {
  return new Draft({ service: svc, releases }, { id: 'e1', service: 'checkout', at: NOW, body: { kind: 'tick', releaseId: 'checkout-b1' } }, { now: NOW, policy: DEFAULT_EFFECT_POLICY });
}
const recorded = (d: Draft) => d.result().history.map((h) => [h.releaseId, h.toPhase, h.reason, h.message]);
const got = (d: Draft, id: string) => d.get(id);

describe('regionReleases: the regions that started, wave by wave up to the current one', () => {
  it('lists only the waves reached, skips a region with no release, and none for a release that is not a rollout', () => {
    const later = region('asia-northeast1', 'deploying');
    const d = draft([rollout('shifting'), region('europe-west1', 'complete'), later]);
    expect(regionReleases(d, rollout('shifting')).map((r) => r.id)).toEqual(['checkout-b1@europe-west1']);
    expect(regionReleases(d, rollout('shifting', { rollout: { wave: 1, soakUntil: null } })).map((r) => r.id)).toEqual(['checkout-b1@europe-west1', 'checkout-b1@asia-northeast1']);
    expect(regionReleases(d, releaseIn('shifting'))).toEqual([]);
  });

  it('rolloutOf: a region\'s release belongs to its rollout; a plain release belongs to none, even when listed', () => {
    const plain = releaseIn('shifting');
    const d = draft([plain]);
    expect(rolloutOf(d, plain)).toBeUndefined();
    const d2 = draft([rollout('shifting'), region('europe-west1', 'shifting')]);
    expect(rolloutOf(d2, region('europe-west1', 'shifting'))?.id).toBe('checkout-b1');
    expect(rolloutOf(d2, rollout('shifting'))?.id).toBe('checkout-b1');
  });

  it('rolloutCheckAt: the end of a soak, the end of a watch, and nothing for a release without waves', () => {
    expect(rolloutCheckAt(rollout('shifting', { rollout: { wave: 0, soakUntil: NOW + 5 } }))).toBe(NOW + 5);
    expect(rolloutCheckAt(rollout('shifting'))).toBeNull();
    expect(rolloutCheckAt(rollout('complete', { state: { phase: 'complete', sub: 'watching', watchUntil: NOW + 9 } }))).toBe(NOW + 9);
    expect(rolloutCheckAt(rollout('complete', { state: { phase: 'complete', sub: 'final', watchUntil: NOW - 9 } }))).toBeNull();
    expect(rolloutCheckAt(releaseIn('shifting'))).toBeNull();
  });
});

describe('startRollout', () => {
  it('names every region of the first wave, and the candidate when the build names no image', () => {
    const pending = rollout('pending', { rollout: undefined, build: { id: 'b1', status: 'SUCCESS', commit: 'c1', image: null } });
    const d = draft([pending], serviceState(WAVES));
    startRollout(d, got(d, 'checkout-b1')!, 'build b1 succeeded');
    expect(recorded(d)[0]).toEqual(['checkout-b1', 'deploying', 'BuildSucceeded', 'build b1 succeeded; wave 1 of 2: europe-west1, us-central1']);
    expect(d.result().effects.find((e) => e.kind === 'notify')).toMatchObject({ type: 'release.started', message: 'releasing the candidate in 2 wave(s)' });
    expect(['checkout-b1@europe-west1', 'checkout-b1@us-central1'].map((id) => got(d, id)?.target)).toEqual(['europe-west1', 'us-central1']);
  });
});

describe('rollBackRollout', () => {
  it('does nothing to a rollout already rolling back or ended', () => {
    for (const state of [
      { phase: 'rolling_back', sub: 'restoring', rollback: ROLLBACK },
      { phase: 'rolled_back', sub: 'final', rollback: ROLLBACK },
      { phase: 'failed', sub: 'final' },
      { phase: 'superseded', sub: 'final', rollback: null },
    ] as ReleaseState[]) {
      const d = draft([rollout(state.phase, { state }), region('europe-west1', 'shifting')]);
      rollBackRollout(d, got(d, 'checkout-b1')!, 'Aborted', 'stop');
      expect(recorded(d), state.phase).toEqual([]);
    }
  });

  it('ends a rollout that never started, with the cause', () => {
    const d = draft([rollout('pending', { rollout: undefined })]);
    rollBackRollout(d, got(d, 'checkout-b1')!, 'Aborted', 'not this one');
    expect(recorded(d)).toEqual([['checkout-b1', 'rolled_back', 'Aborted', 'not this one']]);
  });

  it('takes back every region that took traffic and leaves those already going back or never deployed; the onset is kept', () => {
    const svc = serviceState(WAVES, { activeReleaseId: 'checkout-b1', targets: { 'europe-west1': slot('checkout-b1@europe-west1'), 'us-central1': slot('checkout-b1@us-central1'), 'asia-northeast1': slot('checkout-b1@asia-northeast1') } });
    const d = draft([
      rollout('shifting', { rollout: { wave: 1, soakUntil: null } }),
      region('europe-west1', 'complete'),
      region('us-central1', 'rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: ROLLBACK } }),
      region('asia-northeast1', 'failed', { state: { phase: 'failed', sub: 'final' } }),
    ], svc);
    rollBackRollout(d, got(d, 'checkout-b1')!, 'HealthBreach', 'us-central1 rolled back: breach', T0 - 30_000);
    expect(recorded(d)).toEqual([
      ['checkout-b1', 'rolling_back', 'HealthBreach', 'us-central1 rolled back: breach'],
      ['checkout-b1@europe-west1', 'rolling_back', 'RegionFailed', 'checkout-b1 is rolling back: us-central1 rolled back: breach'],
    ]);
    expect(got(d, 'checkout-b1')?.state).toEqual({ phase: 'rolling_back', sub: 'restoring', rollback: { cause: 'HealthBreach', startedAt: NOW, breachStartedAt: T0 - 30_000, from: 'shifting' } });
    expect(got(d, 'checkout-b1@us-central1')?.state).toEqual({ phase: 'rolling_back', sub: 'restoring', rollback: ROLLBACK });
    expect(got(d, 'checkout-b1@asia-northeast1')?.state.phase).toBe('failed');
  });
});

describe('followRegions', () => {
  it('a rolling-back rollout ends once no region is in flight, naming what was restored, what never deployed, and what had nothing to return to', () => {
    const rb = rollout('rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: ROLLBACK }, rollout: { wave: 1, soakUntil: null } });
    const ended = (phase: ReleaseState['phase']) => (phase === 'failed' ? { state: { phase, sub: 'final' } as ReleaseState } : { state: { phase: 'rolled_back', sub: 'final', rollback: ROLLBACK } as ReleaseState });
    const d = draft([rb, region('europe-west1', 'rolled_back', ended('rolled_back')), region('us-central1', 'rolled_back', ended('rolled_back')), region('asia-northeast1', 'failed', ended('failed'))]);
    followRegions(d, got(d, 'checkout-b1')!);
    expect(recorded(d)).toEqual([['checkout-b1', 'rolled_back', 'RolledBack', 'every region it reached serves its stable again (europe-west1, us-central1); never deployed in asia-northeast1']]);

    const d2 = draft([rb, region('europe-west1', 'complete'), region('us-central1', 'failed', ended('failed'))]);
    followRegions(d2, got(d2, 'checkout-b1')!);
    expect(recorded(d2)).toEqual([['checkout-b1', 'rolled_back', 'RolledBack', 'every region it reached serves its stable again (none); never deployed in us-central1; nothing to return to in europe-west1']]);

    const d3 = draft([rb, region('europe-west1', 'rolled_back', ended('rolled_back')), region('us-central1', 'rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: ROLLBACK } })]);
    followRegions(d3, got(d3, 'checkout-b1')!);
    expect(recorded(d3)).toEqual([]);
  });

  it('a region that rolled back, even without passing through rolling back, takes the rollout back with its onset', () => {
    const d = draft([rollout('shifting'), region('europe-west1', 'complete'), region('us-central1', 'rolled_back', { state: { phase: 'rolled_back', sub: 'final', rollback: ROLLBACK }, lastDecision: { reason: 'HealthBreach', message: 'error ratio 20%', eventKind: 'healthMeasured', eventId: 'e0', actor: null, at: NOW } })]);
    followRegions(d, got(d, 'checkout-b1')!);
    expect(recorded(d)[0]).toEqual(['checkout-b1', 'rolling_back', 'HealthBreach', 'us-central1 rolled back: error ratio 20%']);
    expect(got(d, 'checkout-b1')?.state).toMatchObject({ rollback: { cause: 'HealthBreach', breachStartedAt: T0 - 30_000 } });
  });

  it('leaves alone a release that is not a rollout, a completed rollout, and one that ended', () => {
    const plain = releaseIn('shifting');
    const d = draft([plain]);
    followRegions(d, got(d, 'checkout-b1')!);
    expect(recorded(d)).toEqual([]);
    const done = rollout('complete', { rollout: { wave: 1, soakUntil: null } });
    const d2 = draft([done, region('europe-west1', 'complete'), region('us-central1', 'complete'), region('asia-northeast1', 'complete')]);
    followRegions(d2, got(d2, 'checkout-b1')!);
    expect(recorded(d2)).toEqual([]);
    const superseded = rollout('superseded', { state: { phase: 'superseded', sub: 'final', rollback: null }, rollout: { wave: 1, soakUntil: null } });
    const d3 = draft([superseded, region('europe-west1', 'complete'), region('us-central1', 'complete'), region('asia-northeast1', 'complete')]);
    followRegions(d3, got(d3, 'checkout-b1')!);
    expect(recorded(d3)).toEqual([]);
  });

  it('deployed once every region of the wave is past deploying; shifting once any of them moves traffic', () => {
    const deploying = rollout('deploying', { state: { phase: 'deploying', sub: 'running' } });
    const half = draft([deploying, region('europe-west1', 'verifying'), region('us-central1', 'deploying')]);
    followRegions(half, got(half, 'checkout-b1')!);
    expect(recorded(half)).toEqual([]);
    const both = draft([deploying, region('europe-west1', 'verifying'), region('us-central1', 'verifying')]);
    followRegions(both, got(both, 'checkout-b1')!);
    expect(recorded(both)).toEqual([['checkout-b1', 'verifying', 'CandidateDeployed', 'deployed in europe-west1, us-central1']]);
    const verifying = rollout('verifying', { state: { phase: 'verifying', sub: 'running' } });
    const one = draft([verifying, region('europe-west1', 'shifting'), region('us-central1', 'verifying')]);
    followRegions(one, got(one, 'checkout-b1')!);
    expect(recorded(one)).toEqual([['checkout-b1', 'shifting', 'VerificationPassed', 'verified; traffic moving in europe-west1, us-central1']]);
    const none = draft([verifying, region('europe-west1', 'verifying'), region('us-central1', 'verifying')]);
    followRegions(none, got(none, 'checkout-b1')!);
    expect(recorded(none)).toEqual([]);
  });

  it('a wave with a region that has no release yet neither soaks nor completes', () => {
    const d = draft([rollout('shifting'), region('europe-west1', 'complete')]);
    followRegions(d, got(d, 'checkout-b1')!);
    expect(recorded(d)).toEqual([]);
    expect(got(d, 'checkout-b1')?.rollout).toEqual({ wave: 0, soakUntil: null });
  });
});
