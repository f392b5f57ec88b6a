import { COMMANDS, type CommandName } from '../events.js';
import type { Release } from '../model.js';
import type { PlatformDeployPolicy } from '../policy/schema.js';
import { refusalOf } from './command-guards.js';
import { Draft } from './draft.js';
import type { EffectPolicy, World } from './types.js';

/**
 * The commands a release can take now: those whose declared guard passes (command-guards.ts),
 * the same guards onCommand refuses with, so a page offering buttons never disagrees with it.
 */
export function availableCommands(world: World, release: Release, now: number, policy: EffectPolicy, deployPolicies: readonly PlatformDeployPolicy[] = []): CommandName[] {
  const d = new Draft(world, { id: 'available', service: world.service.name, at: now, body: { kind: 'tick', releaseId: release.id } }, { now, policy, deployPolicies });
  return COMMANDS.filter((command) => refusalOf(d, release, command) === null);
}
