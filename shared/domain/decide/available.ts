import { COMMANDS, type CommandName } from '../events.js';
import type { Release } from '../model.js';
import type { PlatformDeployPolicy } from '../policy/schema.js';
import { COMMAND_GUARDS } from './command-guards.js';
import { Draft } from './draft.js';
import { restrictionFor } from './policies.js';
import type { EffectPolicy, World } from './types.js';

/**
 * The commands a release can take now: those whose declared guard passes (command-guards.ts),
 * the same guards onCommand refuses with, so a page offering buttons never disagrees with it.
 */
export function availableCommands(world: World, release: Release, now: number, policy: EffectPolicy, deployPolicies: readonly PlatformDeployPolicy[] = []): CommandName[] {
  const d = new Draft(world, { id: 'available', service: world.service.name, at: now, body: { kind: 'tick', releaseId: release.id } }, { now, policy, deployPolicies });
  const advanceBlockedBy = restrictionFor(d, release, 'advance');
  return COMMANDS.filter((command) => COMMAND_GUARDS[command]({ release, service: world.service, now, advanceBlockedBy: command === 'promote' || command === 'approve' ? advanceBlockedBy : null }) === null);
}
