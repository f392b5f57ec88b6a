import { watchEnded } from './reconcile.js';
import type { EventOf } from '../events.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { giveUp, resumeAfterHold } from './lifecycle.js';
import { liftIfFree } from './policies.js';
import { soaked } from './on-upstream.js';

/**
 * A tick looks at one release whose next check is due. Reconciliation (run for every touched
 * release after any handler) then re-issues an overdue effect or measures health; the tick itself
 * only decides what time alone changes: giving up on an effect, and the end of the watch window.
 */
export function onTick(d: Draft, body: EventOf<'tick'>): void {
  const release = d.get(body.releaseId);
  if (!release) return d.settle({ status: 'ignored', reason: Reason.NothingToDo, message: `release ${body.releaseId} not found` });

  if (release.state.phase === 'complete' && release.state.sub === 'watching' && watchEnded(release, d.now)) {
    d.record(release, { state: { ...release.state, sub: 'final' }, nextCheckAt: null }, Reason.WatchWindowEnded, 'watch window ended; the release is final');
    return;
  }
  if (release.state.phase === 'pending' && release.state.sub === 'soaking' && release.promotion && d.now >= release.promotion.soakUntil) return soaked(d, release);
  if (release.hold && liftIfFree(d, release, `policy ${release.hold.policy} no longer in force`)) resumeAfterHold(d, release);
  const inFlight = release.inFlight;
  if (inFlight && d.now >= inFlight.deadlineAt && inFlight.attempt >= d.ctx.policy.maxEffectAttempts) {
    giveUp(d, release, `${inFlight.kind} got no result after ${inFlight.attempt} attempts${inFlight.lastError ? `; last: ${inFlight.lastError}` : ''}`);
  }
  // Reconciliation issues what is due; if nothing is, the release is not rewritten.
  d.reconcileAlso(release);
}
