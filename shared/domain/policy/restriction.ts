import { globMatches } from '../glob.js';
import type { DeployPolicy, PlatformDeployPolicy, PolicyAction } from './schema.js';
import { insideUntil } from './windows.js';

/** A policy in force for one action now, and when it next lifts (null: not within the next week). */
export interface Restriction {
  policy: string;
  scope: 'platform' | 'service';
  overrideRole: DeployPolicy['overrideRole'];
  until: number | null;
}

/** The policies that cover a service: the platform's that name it, then its own. */
export function policiesFor(service: string, platform: readonly PlatformDeployPolicy[], own: readonly DeployPolicy[]): { policy: DeployPolicy; scope: 'platform' | 'service' }[] {
  return [...platform.filter((p) => p.services.some((s) => globMatches(s, service))).map((policy) => ({ policy, scope: 'platform' as const })), ...own.map((policy) => ({ policy, scope: 'service' as const }))];
}

/** Every policy over a service with its state at `now`: what `cutover policies` lists and the page announces. */
export function policyStates(service: string, platform: readonly PlatformDeployPolicy[], own: readonly DeployPolicy[], now: number): { policy: DeployPolicy; scope: 'platform' | 'service'; active: boolean; until: number | null }[] {
  return policiesFor(service, platform, own).map((c) => ({ ...c, ...inForce(c.policy, now) }));
}

/** Whether a policy is in force at `now`, and until when. */
export function inForce(policy: DeployPolicy, now: number): { active: boolean; until: number | null } {
  const { inside, until } = insideUntil(policy.windows, policy.timeZone, now);
  return { active: policy.applies === 'inside' ? inside : !inside, until };
}

/**
 * The first policy that blocks `action` at `now` and that the release has no override of. With
 * several in force, the one that lifts last is named: the release waits until then in any case.
 */
export function restrictionOf(covering: readonly { policy: DeployPolicy; scope: 'platform' | 'service' }[], action: PolicyAction, now: number, overridden: readonly string[]): Restriction | null {
  let found: Restriction | null = null;
  for (const { policy, scope } of covering) {
    if (!policy.blocks.includes(action) || overridden.includes(policy.name)) continue;
    const state = inForce(policy, now);
    if (!state.active) continue;
    const restriction = { policy: policy.name, scope, overrideRole: policy.overrideRole, until: state.until };
    if (found === null || (found.until !== null && (restriction.until === null || restriction.until > found.until))) found = restriction;
  }
  return found;
}
