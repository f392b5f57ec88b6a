import type { EventOf } from '../events.js';
import { Reason } from '../reasons.js';
import { refusalOf } from './command-guards.js';
import type { Draft } from './draft.js';
import type { ReleaseState } from '../release-state.js';
import { beginRollback, finish } from './lifecycle.js';
import { enterShifting, moveToStep, startShifting } from './progress.js';
import { approvePromotion } from './on-upstream.js';

/**
 * Manual commands from the CLI and the page. Whether a command applies is the declared guard's
 * answer (command-guards.ts); a command that does not apply is rejected with its words, never
 * half-applied. What follows here is only what an applying command does.
 */
export function onCommand(d: Draft, body: EventOf<'command'>): void {
  const release = d.get(body.releaseId);
  if (!release) return reject(d, `release ${body.releaseId} not found for service ${d.service.name}`);
  const refusal = refusalOf(d, release, body.command);
  if (refusal) return reject(d, refusal);
  const by = `by ${body.actor}${body.why ? ` — ${body.why}` : ''}`;
  const lastStep = d.service.config.steps.length - 1;
  switch (body.command) {
    case 'promote':
      if (release.state.phase === 'verifying') return enterShifting(d, release, Reason.Promoted, `promoted ${by}`, lastStep);
      return moveToStep(d, release, lastStep, Reason.Promoted, `promoted to 100% ${by}`);
    case 'approve':
      // A build promoted from the stage before, soaked, waiting for a person to let it start here.
      if (release.state.phase === 'pending') return approvePromotion(d, release, by);
      // Held right after verification (the first step is 100%): approval starts shifting.
      if (release.state.phase === 'verifying') return enterShifting(d, release, Reason.Approved, `approved ${by}`, lastStep);
      return moveToStep(d, release, lastStep, Reason.Approved, `approved ${by}`);
    case 'pause':
      d.record(release, { state: pausedFrom(release.state) }, Reason.Paused, `paused ${by}; health is still watched and a breach still rolls back`);
      return d.notify(release, 'release.paused', Reason.Paused, `paused ${by}`);
    case 'resume':
      // A release held at a barrier after its checks failed verifies again: what it does next rests on new checks.
      d.record(release, { state: resumedFrom(release.state), progressAt: d.now, ...(release.state.phase === 'verifying' && release.state.sub === 'stranded' ? { verification: null } : {}) }, Reason.Resumed, `resumed ${by}`);
      d.notify(release, 'release.resumed', Reason.Resumed, `resumed ${by}`);
      if (release.state.phase === 'verifying' && release.state.sub === 'running' && release.verification?.passed) startShifting(d, release, Reason.VerificationPassed, 'verification had passed; shifting');
      return;
    case 'abort':
      if (release.state.phase === 'pending') return finish(d, release, 'rolled_back', Reason.Aborted, `aborted ${by} before deploying`);
      return beginRollback(d, release, Reason.Aborted, `aborted ${by}`);
    case 'rollback':
      return beginRollback(d, release, Reason.ManualRollback, `rolled back ${by} to ${release.stableRevision ?? 'the previous stable'}`);
  }
}

/** The same phase, paused; a resume returns to the sub-state it was in. The guard admits only unheld releases before completion. */
function pausedFrom(state: ReleaseState): ReleaseState {
  switch (state.phase) {
    case 'pending':
      return state.sub === 'paused' ? state : { phase: 'pending', sub: 'paused', resumeTo: state.sub };
    case 'deploying':
      return { phase: 'deploying', sub: 'paused', resumeTo: 'running' };
    case 'verifying':
      return state.sub === 'paused' || state.sub === 'stranded' ? state : { phase: 'verifying', sub: 'paused', resumeTo: state.sub };
    case 'shifting':
      return state.sub === 'paused' || state.sub === 'stranded' ? state : { phase: 'shifting', sub: 'paused', resumeTo: state.sub };
    default:
      return state;
  }
}

/** Back to what a pause interrupted; a stranded release (nothing to roll back to, or held at a barrier) goes on. */
function resumedFrom(state: ReleaseState): ReleaseState {
  if (state.sub === 'stranded') return { phase: state.phase, sub: 'running' };
  if (state.sub !== 'paused') return state;
  switch (state.phase) {
    case 'pending':
      return { phase: 'pending', sub: state.resumeTo };
    case 'deploying':
      return { phase: 'deploying', sub: state.resumeTo };
    case 'verifying':
      return { phase: 'verifying', sub: state.resumeTo };
    case 'shifting':
      return { phase: 'shifting', sub: state.resumeTo };
  }
}

function reject(d: Draft, message: string): void {
  d.settle({ status: 'rejected', reason: Reason.CommandRejected, message });
}
