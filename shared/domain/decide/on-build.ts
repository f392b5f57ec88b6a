import { FAILED_BUILD_STATUSES, releaseIdForBuild, type EventOf } from '../events.js';
import { RELEASE_SCHEMA_VERSION, isInFlight, type Release } from '../model.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { beginRollback, enqueue, finish, isQueued, startOrHold } from './lifecycle.js';

/**
 * Cloud Build status messages create a release and start it. They arrive duplicated and out of
 * order (WORKING after SUCCESS), so only a status that moves the release forward counts.
 */
export function onBuild(d: Draft, body: EventOf<'build'>): void {
  const id = releaseIdForBuild(d.service.name, body.buildId);
  const existing = d.get(id);
  const failed = FAILED_BUILD_STATUSES.includes(body.status);

  if (existing && (existing.state.phase !== 'pending' || isQueued(existing.state))) {
    return d.settle({ status: 'ignored', reason: Reason.BuildStatusIgnored, message: `build ${body.buildId} is past ${body.status} (release ${existing.state.phase})` });
  }
  const release = existing ?? createRelease(d, id, body);
  if (existing) {
    // Later messages may carry the image and commit that earlier ones lacked.
    d.touch(release, { build: { id: body.buildId, status: body.status, commit: body.commit ?? release.build.commit, image: body.image ?? release.build.image, createdAt: body.createdAt ?? release.build.createdAt ?? null } });
  }

  // A failed build ends its release the way every release ends: the slot it held (a policy hold
  // waits in the queue slot) is freed and people are told, once.
  if (failed) return finish(d, release, 'failed', Reason.BuildFailed, `build ${body.buildId} ended ${body.status}; stable untouched`);
  if (body.status !== 'SUCCESS') {
    if (!existing) d.record(release, {}, Reason.BuildStarted, `build ${body.buildId} is ${body.status}`);
    else d.settle({ status: 'ignored', reason: Reason.BuildStatusIgnored, message: `build ${body.buildId} still ${body.status}` });
    return;
  }
  if (!release.build.image) return finish(d, release, 'failed', Reason.BuildFailed, 'build succeeded but named no image (set _CUTOVER_IMAGE or list it under images)');
  startOrQueue(d, release);
}

/** Starts a release whose build is ready, or queues it behind the active one (superseding it, by the service's concurrency). */
export function startOrQueue(d: Draft, release: Release, why = `build ${release.build.id} succeeded`): void {
  const active = d.get(d.service.activeReleaseId);
  if (!active || !isInFlight(active.state.phase)) {
    startOrHold(d, release, why);
    return;
  }
  if (d.service.config.concurrency === 'queue' || active.state.phase === 'rolling_back') {
    enqueue(d, release, `waiting for ${active.id} (${active.state.phase}) to finish`);
    return;
  }
  // Supersede: the active release goes back to stable first; the new one starts once it is there.
  enqueue(d, release, `superseding ${active.id}; starts once stable serves 100%`);
  beginRollback(d, active, Reason.Superseded, `superseded by ${release.id}`);
}

function createRelease(d: Draft, id: string, body: EventOf<'build'>): Release {
  const release = freshRelease(d, id, { id: body.buildId, status: body.status, commit: body.commit, image: body.image, createdAt: body.createdAt ?? null });
  d.add(release);
  return release;
}

/** A new release of a build, pending, as its first history entry will find it. */
export function freshRelease(d: Draft, id: string, build: Release['build']): Release {
  return {
    schemaVersion: RELEASE_SCHEMA_VERSION,
    id,
    service: d.service.name,
    build,
    state: { phase: 'pending', sub: 'waiting' },
    candidate: { revision: null, url: null },
    stableRevision: d.service.stableRevision,
    stepIndex: null,
    traffic: { desiredPercent: 0, observedPercent: null, observedAt: null },
    verification: null,
    health: null,
    inFlight: null,
    lastDecision: { reason: Reason.BuildStarted, message: '', eventKind: 'build', eventId: d.event.id, actor: null, at: d.now },
    nextCheckAt: null,
    createdAt: d.now,
    updatedAt: d.now,
    phaseStartedAt: d.now,
    stepStartedAt: null,
    progressAt: d.now,
    completedAt: null,
    historySeq: 0,
    effectSeq: 0,
  };
}
