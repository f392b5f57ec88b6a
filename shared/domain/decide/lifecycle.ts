import { isInFlight, type Phase, type Release } from '../model.js';
import { rollbackOf, type ReleaseState, type Rollback } from '../release-state.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { heldBy } from './policies.js';
import { startShifting } from './progress.js';
import { rollBackRollout, startRollout } from './rollout.js';

/**
 * The transitions several handlers share: taking and freeing the service's single active slot,
 * completing, rolling back, and starting the queued release when the slot frees up.
 */

/** Makes the release the service's active one and starts deploying it. */
export function activate(d: Draft, release: Release, message: string): void {
  // A service released in waves: the release of the build is the rollout, and its regions deploy.
  if (d.target === null && d.service.config.rollout) return startRollout(d, release, message);
  d.patchService({ activeReleaseId: release.id });
  d.record(
    release,
    {
      // A pause asked for while it waited carries over: it deploys, then holds before traffic.
      state: release.state.phase === 'pending' && release.state.sub === 'paused' ? { phase: 'deploying', sub: 'paused', resumeTo: 'running' } : { phase: 'deploying', sub: 'running' },
      stableRevision: d.service.stableRevision,
      progressAt: d.now,
      traffic: { desiredPercent: 0, observedPercent: null, observedAt: null },
    },
    startReason(release.state),
    message,
  );
  d.notify(release, 'release.started', Reason.BuildSucceeded, `deploying ${release.build.image ?? 'candidate'}`);
}

/** Why a release starts: it waited in the queue, or was promoted and soaked (or approved), or its build just succeeded. */
function startReason(state: ReleaseState): Reason {
  if (isQueued(state)) return Reason.Dequeued;
  const sub = state.sub === 'paused' ? state.resumeTo : state.sub;
  return sub === 'awaitingApproval' ? Reason.Approved : sub === 'soaking' ? Reason.PromotionSoaked : Reason.BuildSucceeded;
}

/** Puts a release in the queue behind the active one; a release already queued there is superseded. */
export function enqueue(d: Draft, release: Release, message: string): void {
  takeQueueSlot(d, release);
  d.record(release, { state: queuedState(release.state) }, Reason.Queued, message);
  d.notify(release, 'release.queued', Reason.Queued, message);
}

function takeQueueSlot(d: Draft, release: Release): void {
  const previous = d.get(d.service.queuedReleaseId);
  if (previous && previous.id !== release.id) {
    d.record(previous, { state: { phase: 'superseded', sub: 'final', rollback: null }, hold: null, nextCheckAt: null }, Reason.Superseded, `superseded in the queue by ${release.id}`);
    d.notify(previous, 'release.superseded', Reason.Superseded, `replaced in the queue by ${release.id}`);
  }
  d.patchService({ queuedReleaseId: release.id });
}

/**
 * Starts the release, unless a deploy policy in force holds it: then it waits in the queue slot
 * (a newer build supersedes it there, as in any queue) until the policy lifts or is overridden.
 */
export function startOrHold(d: Draft, release: Release, message: string): void {
  if (!heldBy(d, release, 'start')) return activate(d, release, message);
  takeQueueSlot(d, release);
  d.touch(release, { state: queuedState(release.state) });
}

/** Queued behind the active release (or held in the queue slot); a pause asked for before stays. */
function queuedState(state: ReleaseState): ReleaseState {
  return state.phase === 'pending' && state.sub === 'paused' ? { ...state, resumeTo: 'queued' } : { phase: 'pending', sub: 'queued' };
}

export function isQueued(state: ReleaseState): boolean {
  return state.phase === 'pending' && (state.sub === 'queued' || (state.sub === 'paused' && state.resumeTo === 'queued'));
}

/** A hold has ended: what it kept from happening happens now. */
export function resumeAfterHold(d: Draft, release: Release): void {
  if (isQueued(release.state) && d.service.queuedReleaseId === release.id) {
    const active = d.get(d.service.activeReleaseId);
    if (active && isInFlight(active.state.phase)) return;
    d.patchService({ queuedReleaseId: null });
    return activate(d, release, 'the deploy policy that held it no longer does');
  }
  if (release.state.phase === 'verifying' && release.state.sub === 'running' && release.verification?.passed) startShifting(d, release, Reason.VerificationPassed, 'verification had passed; shifting');
}

/** Starts sending traffic back to stable. Works from any in-flight phase and from complete (watch window). */
export function beginRollback(d: Draft, release: Release, cause: Reason, message: string, details: Record<string, unknown> | null = null, onset: number | null = null): void {
  if (release.rollout) return rollBackRollout(d, release, cause, message, onset);
  const from = release.state.phase;
  // Already rolling back, or ended: there is nothing more to roll back.
  if (from === 'rolling_back' || from === 'rolled_back' || from === 'failed' || from === 'superseded') return;
  if (release.barrier && !BY_A_PERSON.has(cause)) return holdAtBarrier(d, release, cause, message, details);
  if (release.stableRevision === null && (from === 'complete' || release.traffic.observedPercent === 100)) {
    return refuseRollback(d, release, cause, message, details);
  }
  if (from === 'complete') {
    // Rolling back a completed release takes the active slot again until stable serves everything.
    d.patchService({ activeReleaseId: release.id });
  }
  d.record(
    release,
    {
      state: {
        phase: 'rolling_back',
        sub: 'restoring',
        rollback: {
          cause,
          startedAt: d.now,
          // A reported onset counts only inside the release's life: an older incident is not this release's.
          breachStartedAt: onset === null ? null : Math.min(d.now, Math.max(release.createdAt, onset)),
          from,
        },
      },
      hold: null,
      inFlight: null,
      progressAt: d.now,
      traffic: { ...release.traffic, desiredPercent: 0 },
    },
    cause,
    message,
    details,
  );
  d.notify(release, 'release.rolling_back', cause, message);
}

/** Rollbacks a person asked for: they cross a barrier (the person was asked, and decided). */
const BY_A_PERSON: ReadonlySet<Reason> = new Set([Reason.Aborted, Reason.ManualRollback]);

/**
 * A barrier hook ran (a migration's contract step): the old version may no longer work, so a
 * rollback Cutover would start by itself is held, in flight as `stranded`, and a person is told at
 * once: `cutover abort` or `cutover rollback` crosses it, `cutover resume` goes on.
 */
function holdAtBarrier(d: Draft, release: Release, cause: Reason, message: string, details: Record<string, unknown> | null): void {
  const held = release.state.sub === 'stranded' || (release.state.phase === 'complete' && release.lastDecision.reason === Reason.BarrierCrossed);
  const why = `${message}; but barrier hook ${release.barrier?.hook ?? ''} ran at ${new Date(release.barrier?.at ?? d.now).toISOString()}: not rolled back, a person decides`;
  if (held) return d.settle({ status: 'ignored', reason: Reason.BarrierCrossed, message: why });
  const { phase } = release.state;
  const stranded: Partial<Release> = phase === 'shifting' || phase === 'verifying' ? { state: { phase, sub: 'stranded' }, inFlight: null } : {};
  d.record(release, stranded, Reason.BarrierCrossed, why, { ...details, cause });
  d.notify(release, 'release.rollback_impossible', Reason.BarrierCrossed, why);
  d.settle({ status: 'applied', reason: Reason.BarrierCrossed, message: why });
}

/**
 * The candidate serves everything and no other revision ever served: a rollback has no target.
 * Asking the router for 0% would never be satisfied (it would spin in rolling_back forever), so
 * the release stays where it is (stranded, if in flight: a person decides), and people are told at once.
 */
function refuseRollback(d: Draft, release: Release, cause: Reason, message: string, details: Record<string, unknown> | null): void {
  const why = `${message}; but no revision served before ${release.candidate.revision ?? release.id}, so there is nothing to roll back to`;
  d.record(release, release.state.phase === 'shifting' ? { state: { phase: 'shifting', sub: 'stranded' } } : {}, Reason.NoStableToRestore, why, { ...details, cause });
  d.notify(release, 'release.rollback_impossible', Reason.NoStableToRestore, why);
  d.settle({ status: 'applied', reason: Reason.NoStableToRestore, message: why });
}

/** Ends a release in a terminal phase, frees the service's slot and starts the queued release. */
export function finish(d: Draft, release: Release, phase: Extract<Phase, 'rolled_back' | 'failed' | 'superseded'>, reason: Reason, message: string, cause: Rollback | null = null): void {
  const rollback = rollbackOf(release.state) ?? cause;
  const wasCompleteRollback = rollback?.from === 'complete';
  const state: ReleaseState = phase === 'failed' ? { phase, sub: 'final' } : { phase, sub: 'final', rollback };
  d.record(release, { state, inFlight: null, hold: null, nextCheckAt: null }, reason, message);
  if (wasCompleteRollback && d.service.lastCompletedReleaseId === release.id) {
    // A rollout's stable is each region's own (its regions' releases restored them); the service's is untouched.
    d.patchService(release.rollout ? { lastCompletedReleaseId: null } : { stableRevision: release.stableRevision, lastCompletedReleaseId: null });
  }
  const type = phase === 'rolled_back' ? 'release.rolled_back' : phase === 'failed' ? 'release.failed' : 'release.superseded';
  d.notify(release, type, reason, message);
  releaseSlot(d, release);
}

export function complete(d: Draft, release: Release, what = `candidate ${release.candidate.revision ?? ''} serves 100%`): void {
  const watchUntil = d.now + d.service.config.watchWindow;
  d.record(release, { state: { phase: 'complete', sub: 'watching', watchUntil }, inFlight: null, completedAt: d.now, progressAt: d.now }, Reason.Completed, `${what}; watched until ${new Date(watchUntil).toISOString()}`);
  // A rollout's stable is each region's own (its regions' releases keep them).
  d.patchService(release.rollout ? { lastCompletedReleaseId: release.id } : { stableRevision: release.candidate.revision, lastCompletedReleaseId: release.id });
  d.notify(release, 'release.completed', Reason.Completed, 'release complete');
  releaseSlot(d, release);
}

function releaseSlot(d: Draft, release: Release): void {
  if (d.service.activeReleaseId === release.id) d.patchService({ activeReleaseId: null });
  if (d.service.queuedReleaseId === release.id) d.patchService({ queuedReleaseId: null });
  if (d.service.activeReleaseId !== null) return;
  const next = d.get(d.service.queuedReleaseId);
  if (!next) return;
  d.patchService({ queuedReleaseId: null });
  startOrHold(d, next, `dequeued after ${release.id} ended ${release.state.phase}`);
}

/** A step effect ran out of attempts: the release cannot make progress, so it stops safely. */
export function giveUp(d: Draft, release: Release, message: string): void {
  const { phase } = release.state;
  if (phase === 'deploying') finish(d, release, 'failed', Reason.DeployFailed, message);
  else if (phase === 'verifying') beginRollback(d, release, Reason.VerificationFailed, message);
  // While shifting, the effect that gave up is either the traffic change or the health reading: name which.
  else if (phase === 'shifting') beginRollback(d, release, release.inFlight?.kind === 'measureHealth' ? Reason.MetricsUnavailable : Reason.TrafficNotApplied, message);
  // rolling_back never gives up: stable must be restored, so it keeps retrying at the capped backoff.
}
