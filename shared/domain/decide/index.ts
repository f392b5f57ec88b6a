import { isTerminal } from '../model.js';
import { Reason } from '../reasons.js';
import { Draft } from './draft.js';
import { onBuild } from './on-build.js';
import { onCommand } from './on-command.js';
import { onIncident } from './on-incident.js';
import { onResult } from './on-result.js';
import { onTick } from './on-tick.js';
import { reconcile } from './reconcile.js';
import type { DecideContext, Decision, ReleaseEvent, World } from './types.js';

export * from './types.js';
export { nextCheckFor, healthDueAt, revisionNameFor, routerTarget } from './reconcile.js';

/**
 * decide(world, event, ctx) → { next, effects }: the whole of Cutover's judgement, pure.
 * The runtime commits the returned state (with the event id, for exactly-once) and only then
 * runs the effects; their results come back here as events.
 */
export function decide(world: World, event: ReleaseEvent, ctx: DecideContext): Decision {
  const d = new Draft(world, event, ctx);
  const body = event.body;
  switch (body.kind) {
    case 'build':
      onBuild(d, body);
      break;
    case 'incident':
      onIncident(d, body);
      break;
    case 'command':
      onCommand(d, body);
      break;
    case 'tick':
      onTick(d, body);
      break;
    default:
      onResult(d, body);
  }
  for (const release of d.changedReleases()) {
    if (!isTerminal(release.phase) || release.phase === 'complete') reconcile(d, release);
  }
  const decision = d.result();
  if (decision.outcome.status !== 'applied') return decision;
  const meaningful = decision.history.length > 0 || decision.effects.length > 0 || decision.service !== null;
  if (!meaningful && event.body.kind === 'tick') {
    // A tick that found nothing due changes only bookkeeping; say so instead of rewriting documents.
    return { ...decision, outcome: { status: 'ignored', reason: Reason.NothingToDo, message: 'nothing due' } };
  }
  return decision;
}
