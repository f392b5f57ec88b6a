import { isInFlight, type Phase, type Release } from '../model.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { heldBy } from './policies.js';
import { startShifting } from './progress.js';

/**
 * The transitions several handlers share: taking and freeing the service's single active slot,
 * completing, rolling back, and starting the queued release when the slot frees up.
 */

/** Makes the release the service's active one and starts deploying it. */
export function activate(d: Draft, release: Release, message: string): void {
  d.patchService({ activeReleaseId: release.id });
  d.record(
    release,
    {
      phase: 'deploying',
      queued: false,
      stableRevision: d.service.stableRevision,
      progressAt: d.now,
      traffic: { desiredPercent: 0, observedPercent: null, observedAt: null },
    },
    release.queued ? Reason.Dequeued : Reason.BuildSucceeded,
    message,
  );
  d.notify(release, 'release.started', Reason.BuildSucceeded, `deploying ${release.build.image ?? 'candidate'}`);
}

/** Puts a release in the queue behind the active one; a release already queued there is superseded. */
export function enqueue(d: Draft, release: Release, message: string): void {
  takeQueueSlot(d, release);
  d.record(release, { queued: true }, Reason.Queued, message);
  d.notify(release, 'release.queued', Reason.Queued, message);
}

function takeQueueSlot(d: Draft, release: Release): void {
  const previous = d.get(d.service.queuedReleaseId);
  if (previous && previous.id !== release.id) {
    d.record(previous, { phase: 'superseded', queued: false, hold: null, nextCheckAt: null }, Reason.Superseded, `superseded in the queue by ${release.id}`);
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
  d.touch(release, { queued: true });
}

/** A hold has ended: what it kept from happening happens now. */
export function resumeAfterHold(d: Draft, release: Release): void {
  if (release.phase === 'pending' && release.queued && d.service.queuedReleaseId === release.id) {
    const active = d.get(d.service.activeReleaseId);
    if (active && isInFlight(active.phase)) return;
    d.patchService({ queuedReleaseId: null });
    return activate(d, release, 'the deploy policy that held it no longer does');
  }
  if (release.phase === 'verifying' && release.verification?.passed && !release.paused && !release.awaitingApproval) startShifting(d, release, Reason.VerificationPassed, 'verification had passed; shifting');
}

/** Starts sending traffic back to stable. Works from any in-flight phase and from complete (watch window). */
export function beginRollback(d: Draft, release: Release, cause: Reason, message: string, details: Record<string, unknown> | null = null, onset: number | null = null): void {
  if (release.stableRevision === null && (release.phase === 'complete' || release.traffic.observedPercent === 100)) {
    return refuseRollback(d, release, cause, message, details);
  }
  if (release.phase === 'complete') {
    // Rolling back a completed release takes the active slot again until stable serves everything.
    d.patchService({ activeReleaseId: release.id });
  }
  d.record(
    release,
    {
      phase: 'rolling_back',
      rollbackCause: cause,
      rollbackStartedAt: d.now,
      // A reported onset counts only inside the release's life: an older incident is not this release's.
      breachStartedAt: onset === null ? null : Math.min(d.now, Math.max(release.createdAt, onset)),
      paused: false,
      awaitingApproval: false,
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

/**
 * The candidate serves everything and no other revision ever served: a rollback has no target.
 * Asking the router for 0% would never be satisfied (it would spin in rolling_back forever), so
 * the release stays where it is (held, if in flight), and people are told at once.
 */
function refuseRollback(d: Draft, release: Release, cause: Reason, message: string, details: Record<string, unknown> | null): void {
  const why = `${message}; but no revision served before ${release.candidate.revision ?? release.id}, so there is nothing to roll back to`;
  d.record(release, release.phase === 'complete' ? {} : { paused: true }, Reason.NoStableToRestore, why, { ...details, cause });
  d.notify(release, 'release.rollback_impossible', Reason.NoStableToRestore, why);
  d.settle({ status: 'applied', reason: Reason.NoStableToRestore, message: why });
}

/** Ends a release in a terminal phase, frees the service's slot and starts the queued release. */
export function finish(d: Draft, release: Release, phase: Extract<Phase, 'rolled_back' | 'failed' | 'superseded'>, reason: Reason, message: string): void {
  const wasCompleteRollback = release.completedAt !== null;
  d.record(release, { phase, inFlight: null, queued: false, hold: null, nextCheckAt: null }, reason, message);
  if (wasCompleteRollback && d.service.lastCompletedReleaseId === release.id) {
    d.patchService({ stableRevision: release.stableRevision, lastCompletedReleaseId: null });
  }
  const type = phase === 'rolled_back' ? 'release.rolled_back' : phase === 'failed' ? 'release.failed' : 'release.superseded';
  d.notify(release, type, reason, message);
  releaseSlot(d, release);
}

export function complete(d: Draft, release: Release): void {
  const watchUntil = d.now + d.service.config.watchWindow;
  d.record(
    release,
    { phase: 'complete', inFlight: null, completedAt: d.now, watchUntil, progressAt: d.now },
    Reason.Completed,
    `candidate ${release.candidate.revision ?? ''} serves 100%; watched until ${new Date(watchUntil).toISOString()}`,
  );
  d.patchService({ stableRevision: release.candidate.revision, lastCompletedReleaseId: release.id });
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
  startOrHold(d, next, `dequeued after ${release.id} ended ${release.phase}`);
}

/** A step effect ran out of attempts: the release cannot make progress, so it stops safely. */
export function giveUp(d: Draft, release: Release, message: string): void {
  if (release.phase === 'deploying') finish(d, release, 'failed', Reason.DeployFailed, message);
  else if (release.phase === 'verifying') beginRollback(d, release, Reason.VerificationFailed, message);
  // While shifting, the effect that gave up is either the traffic change or the health reading: name which.
  else if (release.phase === 'shifting') beginRollback(d, release, release.inFlight?.kind === 'measureHealth' ? Reason.MetricsUnavailable : Reason.TrafficNotApplied, message);
  // rolling_back never gives up: stable must be restored, so it keeps retrying at the capped backoff.
}
