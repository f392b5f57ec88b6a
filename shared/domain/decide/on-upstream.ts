import { releaseIdForBuild, type EventOf } from '../events.js';
import type { Release } from '../model.js';
import { isPinned, standingOf } from '../pipeline.js';
import { repositoryAllowed } from '../provenance.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { beginRollback, finish } from './lifecycle.js';
import { freshRelease, startOrQueue } from './on-build.js';
import { inWatch } from './reconcile.js';

/**
 * A stage of a pipeline takes builds from the stage before it. The `upstream` event only points
 * at a release there; what that release says now (read in this transaction) decides: completed,
 * the build soaks there and then goes on here; rolled back or revoked, this stage's release of
 * it is revoked too, and what it took here goes back.
 */
export function onUpstream(d: Draft, body: EventOf<'upstream'>): void {
  const promotion = d.service.config.promotion;
  const upstream = d.upstream(body.upstreamReleaseId);
  const refuse = (why: string) => d.settle({ status: 'rejected', reason: Reason.NotPromotable, message: why });
  if (!promotion) return refuse(`service ${d.service.name} takes no promotions (no \`promotion\` in its config)`);
  if (!upstream) return refuse(`release ${body.upstreamReleaseId} is not in Cutover's state`);
  if (upstream.service !== promotion.from) return refuse(`${upstream.id} is a release of ${upstream.service}; ${d.service.name} promotes from ${promotion.from}`);
  if (upstream.build.id !== body.buildId || upstream.target !== undefined) return refuse(`${upstream.id} is not the release of build ${body.buildId} in ${promotion.from}`);

  const own = d.get(releaseIdForBuild(d.service.name, upstream.build.id));
  const standing = standingOf(upstream, d.now);
  if (standing.kind === 'revoked') {
    if (own?.promotion) return revoke(d, own, standing.why);
    return d.settle({ status: 'ignored', reason: Reason.NothingToDo, message: `${standing.why}; it was never promoted to ${d.service.name}` });
  }
  if (standing.kind === 'notYet') return d.settle({ status: 'ignored', reason: Reason.NothingToDo, message: `${standing.why}: promoted once it completes` });
  if (own) {
    if (own.state.phase === 'pending' && own.state.sub === 'soaking' && d.now >= (own.promotion?.soakUntil ?? 0)) return soaked(d, own);
    return d.settle({ status: 'ignored', reason: Reason.NothingToDo, message: `build ${upstream.build.id} was already promoted to ${d.service.name} (${own.id} is ${own.state.phase})` });
  }
  if (!isPinned(upstream.build.image)) return refuse(`${upstream.id} names no image pinned by digest; only the exact bytes judged there are promoted`);
  // A stage that names its own trusted repositories holds the stage before to them too: its owners need not trust the other stage's config.
  const repositories = d.service.config.source?.repositories;
  const repository = upstream.build.image.replace(/@sha256:[0-9a-f]{64}$/, '');
  if (repositories && !repositoryAllowed(repository, repositories)) return refuse(`${upstream.build.image} is not from a repository ${d.service.name} trusts (${repositories.join(', ')})`);

  const soakUntil = standing.completedAt + promotion.soak;
  const release = freshRelease(d, releaseIdForBuild(d.service.name, upstream.build.id), { ...upstream.build, status: 'SUCCESS' });
  d.add(release);
  d.record(
    release,
    { state: { phase: 'pending', sub: 'soaking' }, promotion: { from: upstream.service, releaseId: upstream.id, soakUntil, revokedAt: null } },
    Reason.PromotionReceived,
    `${upstream.build.image} completed in ${upstream.service} (${upstream.id}); promoted once it has served there until ${new Date(soakUntil).toISOString()}`,
  );
  if (d.now >= soakUntil) soaked(d, release);
}

/**
 * The soak in the stage before is over: if that release still stands, the build goes on here (or
 * waits for approval); if it does not, it is revoked. Called by the tick at `soakUntil`.
 */
export function soaked(d: Draft, release: Release): void {
  const promotion = release.promotion;
  if (!promotion) return;
  const standing = standingOf(d.upstream(promotion.releaseId), d.now);
  if (standing.kind === 'revoked') return revoke(d, release, standing.why);
  if (standing.kind === 'notYet') return;
  if (standing.kind === 'checking') {
    // Asked again each minute (soakCheckAt) until the check there ended: its pass promotes, its failure revokes.
    d.settle({ status: 'applied', reason: Reason.NothingToDo, message: `${standing.why}: ${release.id} soaked and waits for it` });
    return d.reconcileAlso(release);
  }
  if (d.service.config.promotion?.approval === 'manual') {
    d.record(release, { state: { phase: 'pending', sub: 'awaitingApproval' } }, Reason.AwaitingApproval, `soaked in ${promotion.from}; ${d.service.name} promotes on approval: waiting for \`cutover approve\``);
    return d.notify(release, 'release.awaiting_approval', Reason.AwaitingApproval, `promoted from ${promotion.from}; waiting for approval`);
  }
  startOrQueue(d, release, `soaked in ${promotion.from} (${promotion.releaseId})`);
}

/** A person approved a promoted build: it starts, if the stage before still stands behind it. */
export function approvePromotion(d: Draft, release: Release, by: string): void {
  const promotion = release.promotion;
  const standing = standingOf(d.upstream(promotion?.releaseId), d.now);
  if (standing.kind === 'revoked') return revoke(d, release, standing.why);
  if (standing.kind !== 'eligible') return d.settle({ status: 'rejected', reason: Reason.NotPromotable, message: `${standing.why}: ${release.id} cannot start yet` });
  startOrQueue(d, release, `approved ${by}`);
}

/**
 * The digest was revoked upstream. Not started here: it ends. In flight, or completed and still
 * watched: it rolls back like any breach (rollback is never blocked). Completed and final: the
 * service stays as it is (a person rolls forward) but the release is marked, so the stages after
 * this one revoke it too. Each is told.
 */
export function revoke(d: Draft, release: Release, why: string): void {
  const { phase } = release.state;
  if (phase === 'rolling_back' || phase === 'rolled_back' || phase === 'failed' || phase === 'superseded' || release.promotion?.revokedAt != null) {
    return d.settle({ status: 'ignored', reason: Reason.NothingToDo, message: `${why}; ${release.id} is already ${release.promotion?.revokedAt != null ? 'revoked' : phase}` });
  }
  const message = `${why}: digest revoked`;
  if (release.promotion) d.touch(release, { promotion: { ...release.promotion, revokedAt: d.now } });
  if (phase === 'pending') return finish(d, release, 'rolled_back', Reason.DigestRevoked, message, { cause: Reason.DigestRevoked, startedAt: d.now, breachStartedAt: null, from: 'pending' });
  if (phase !== 'complete' || (inWatch(release, d.service, d.now) && d.service.activeReleaseId === null)) return beginRollback(d, release, Reason.DigestRevoked, message);
  d.record(release, {}, Reason.DigestRevoked, `${message}; ${release.id} completed and its watch is over, so it keeps serving: roll forward`);
  d.notify(release, 'release.revoked', Reason.DigestRevoked, message);
}
