import { isTerminal, type Release } from '../model.js';
import { followRegions, rolloutOf } from './rollout.js';
import { Reason } from '../reasons.js';
import { Draft } from './draft.js';
import { onBuild } from './on-build.js';
import { onCommand } from './on-command.js';
import { onIncident } from './on-incident.js';
import { onResult } from './on-result.js';
import { onTick } from './on-tick.js';
import { onUpstream } from './on-upstream.js';
import { onOverride } from './policies.js';
import { resumeAfterHold } from './lifecycle.js';
import { reconcile } from './reconcile.js';
import type { DecideContext, Decision, ReleaseEvent, World } from './types.js';

export * from './types.js';
export { nextCheckFor, healthDueAt, revisionNameFor, revisionsInPlay, routerTarget } from './reconcile.js';

/**
 * decide(world, event, ctx) → { next, effects }: the whole of Cutover's judgement, pure.
 * The runtime commits the returned state (with the event id, for exactly-once) and only then
 * runs the effects; their results come back here as events.
 */
export function decide(world: World, event: ReleaseEvent, ctx: DecideContext): Decision {
  const d = new Draft(world, event, ctx);
  const body = event.body;
  // An event about one region's release of a rollout is decided in that region's view.
  const named = 'releaseId' in body ? d.get(body.releaseId) : undefined;
  const view = d.scoped(named?.target);
  switch (body.kind) {
    case 'build':
      onBuild(d, body);
      break;
    case 'incident':
      onIncident(d, body);
      break;
    case 'command':
      onCommand(view, body);
      break;
    case 'tick':
      onTick(view, body);
      break;
    case 'upstream':
      onUpstream(d, body);
      break;
    case 'override':
      onOverride(view, body, (release) => resumeAfterHold(view, release));
      break;
    default:
      onResult(view, body);
  }
  const rollouts = new Set([named, ...d.changedReleases()].map((r) => r && rolloutOf(d, r)).filter((r): r is Release => r !== undefined));
  for (const rollout of rollouts) followRegions(d, rollout);
  for (const release of d.releasesToReconcile()) {
    if (!isTerminal(release.state.phase) || release.state.phase === 'complete') reconcile(d.scoped(release.target), release);
  }
  const decision = d.result();
  if (decision.outcome.status !== 'applied') return decision;
  if (event.body.kind === 'tick' && decision.releases.length === 0 && decision.service === null) {
    // A tick that found nothing due changed nothing: say so (only the dedup record is written).
    return { ...decision, outcome: { status: 'ignored', reason: Reason.NothingToDo, message: 'nothing due' } };
  }
  return decision;
}
export { availableCommands } from './available.js';
