import { inWatch } from './reconcile.js';
import type { EventOf } from '../events.js';
import type { Release } from '../model.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { beginRollback, finish } from './lifecycle.js';
import { enterShifting, moveToStep, startShifting } from './progress.js';
import { restrictionFor } from './policies.js';

/** Manual commands from the CLI. A command that does not apply is rejected with the reason, never half-applied. */
export function onCommand(d: Draft, body: EventOf<'command'>): void {
  const release = d.get(body.releaseId);
  if (!release) return reject(d, `release ${body.releaseId} not found for service ${d.service.name}`);
  const why = body.why ? ` — ${body.why}` : '';
  const by = `by ${body.actor}${why}`;
  const { phase } = release;
  const lastStep = d.service.config.steps.length - 1;

  // A person sending more traffic is held by the same policies as the schedule; stopping never is.
  const restriction = body.command === 'promote' || body.command === 'approve' ? restrictionFor(d, release, 'advance') : null;
  if (restriction) return reject(d, `${restriction.scope} policy ${restriction.policy} blocks more traffic ${restriction.until === null ? 'for now' : `until ${new Date(restriction.until).toISOString()}`}; \`cutover override ${release.id} --policy ${restriction.policy}\` first (needs the ${restriction.overrideRole} role)`);
  switch (body.command) {
    case 'promote': {
      const verified = phase === 'verifying' && release.verification?.passed === true;
      if (phase !== 'shifting' && !verified) return reject(d, `promote needs a release that is shifting or verified; ${release.id} is ${phase}`);
      if (verified) enterShifting(d, release, Reason.Promoted, `promoted ${by}`, lastStep);
      else moveToStep(d, release, lastStep, Reason.Promoted, `promoted to 100% ${by}`);
      return;
    }
    case 'approve':
      if (!release.awaitingApproval) return reject(d, `${release.id} is not waiting for approval (phase ${phase})`);
      // Held right after verification (the first step is 100%): approval starts shifting.
      if (phase === 'verifying') return enterShifting(d, release, Reason.Approved, `approved ${by}`, lastStep);
      return moveToStep(d, release, lastStep, Reason.Approved, `approved ${by}`);
    case 'pause':
      if (!['pending', 'deploying', 'verifying', 'shifting'].includes(phase) || release.paused) {
        return reject(d, `pause needs an unpaused release before completion; ${release.id} is ${phase}${release.paused ? ', paused' : ''}`);
      }
      d.record(release, { paused: true }, Reason.Paused, `paused ${by}; health is still watched and a breach still rolls back`);
      return d.notify(release, 'release.paused', Reason.Paused, `paused ${by}`);
    case 'resume':
      if (!release.paused) return reject(d, `${release.id} is not paused`);
      d.record(release, { paused: false, progressAt: d.now }, Reason.Resumed, `resumed ${by}`);
      d.notify(release, 'release.resumed', Reason.Resumed, `resumed ${by}`);
      if (phase === 'verifying' && release.verification?.passed && !release.awaitingApproval) startShifting(d, release, Reason.VerificationPassed, 'verification had passed; shifting');
      return;
    case 'abort':
      return abort(d, release, by);
    case 'rollback':
      return rollback(d, release, by);
  }
}

function abort(d: Draft, release: Release, by: string): void {
  if (release.phase === 'pending') return finish(d, release, 'rolled_back', Reason.Aborted, `aborted ${by} before deploying`);
  if (['deploying', 'verifying', 'shifting'].includes(release.phase)) return beginRollback(d, release, Reason.Aborted, `aborted ${by}`);
  reject(d, `abort needs a release in flight; ${release.id} is ${release.phase}${release.phase === 'complete' ? ' (use rollback)' : ''}`);
}

function rollback(d: Draft, release: Release, by: string): void {
  if (release.phase !== 'complete') return reject(d, `rollback applies to a completed release; ${release.id} is ${release.phase} (use abort)`);
  if (d.service.lastCompletedReleaseId !== release.id) return reject(d, `${release.id} is no longer the service's current release`);
  if (!inWatch(release, d.service, d.now)) {
    return reject(d, `the watch window of ${release.id} ended at ${new Date(release.watchUntil ?? 0).toISOString()}`);
  }
  if (d.service.activeReleaseId !== null) return reject(d, `release ${d.service.activeReleaseId} is in flight; abort it first`);
  beginRollback(d, release, Reason.ManualRollback, `rolled back ${by} to ${release.stableRevision ?? 'the previous stable'}`);
}

function reject(d: Draft, message: string): void {
  d.settle({ status: 'rejected', reason: Reason.CommandRejected, message });
}
