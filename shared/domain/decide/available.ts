import { COMMANDS, type CommandName } from '../events.js';
import type { Release } from '../model.js';
import type { EffectPolicy, World } from './types.js';
import type { PlatformDeployPolicy } from '../policy/schema.js';
import { decide } from './index.js';

/**
 * The commands a release can take now: those decide() would not reject. Derived from the one
 * place the rules live (on-command.ts), so a page offering buttons never disagrees with it.
 */
export function availableCommands(world: World, release: Release, now: number, policy: EffectPolicy, deployPolicies: readonly PlatformDeployPolicy[] = []): CommandName[] {
  return COMMANDS.filter((command) => {
    const event = { id: 'probe', service: world.service.name, at: now, body: { kind: 'command' as const, releaseId: release.id, command, actor: 'probe', why: null } };
    return decide(world, event, { now, policy, deployPolicies }).outcome.status !== 'rejected';
  });
}
