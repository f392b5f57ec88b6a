import type { EventOf } from '../events.js';
import { isInFlight, type Release } from '../model.js';
import { policiesFor, restrictionOf, type PolicyAction, type Restriction } from '../policy/index.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';

/**
 * Deploy policies in decide: a release that a policy in force blocks is held — pending, it waits
 * to start; in flight, it takes no more traffic — and goes on by itself when the policy lifts or
 * someone with the override role lets it past. Never dropped; a rollback is never held.
 */
export function restrictionFor(d: Draft, release: Release, action: PolicyAction): Restriction | null {
  const covering = policiesFor(d.service.name, d.ctx.deployPolicies ?? [], d.service.config.policies);
  return restrictionOf(covering, action, d.now, (release.overrides ?? []).map((o) => o.policy));
}

const when = (until: number | null): string => (until === null ? 'until the policy changes' : `until ${new Date(until).toISOString()}`);

/** Holds the release for `action` if a policy blocks it now; true when held. Recorded once per policy and action. */
export function heldBy(d: Draft, release: Release, action: PolicyAction): boolean {
  const restriction = restrictionFor(d, release, action);
  if (!restriction) return false;
  const current = release.hold;
  if (current?.policy === restriction.policy && current.action === action && current.until === restriction.until) return true;
  const hold = { policy: restriction.policy, scope: restriction.scope, action, since: current?.since ?? d.now, until: restriction.until, overrideRole: restriction.overrideRole };
  const what = action === 'start' ? 'waits to start' : 'takes no more traffic';
  const message = `${restriction.scope} policy ${restriction.policy} is in force: ${release.id} ${what} ${when(restriction.until)} (\`cutover override ${release.id} --policy ${restriction.policy}\` needs the ${restriction.overrideRole} role)`;
  d.record(release, { hold }, Reason.FrozenByPolicy, message, { policy: restriction.policy, scope: restriction.scope, action, until: restriction.until });
  d.notify(release, 'release.held', Reason.FrozenByPolicy, message);
  return true;
}

/** A held release whose policy no longer blocks it: the hold ends, and the caller carries on. False while still held. */
export function liftIfFree(d: Draft, release: Release, why: string): boolean {
  const hold = release.hold;
  if (!hold) return true;
  if (heldBy(d, release, hold.action)) return false;
  d.record(release, { hold: null, progressAt: d.now }, Reason.PolicyLifted, `${why}: ${release.id} goes on`, { policy: hold.policy });
  return true;
}

/** `cutover override`: recorded with its actor and reason whatever the release's state; a release it held goes on. */
export function onOverride(d: Draft, body: EventOf<'override'>, resume: (release: Release) => void): void {
  const release = d.get(body.releaseId);
  if (!release) return d.settle({ status: 'rejected', reason: Reason.CommandRejected, message: `release ${body.releaseId} not found for service ${d.service.name}` });
  const covering = policiesFor(d.service.name, d.ctx.deployPolicies ?? [], d.service.config.policies);
  if (!covering.some((c) => c.policy.name === body.policy)) return d.settle({ status: 'rejected', reason: Reason.CommandRejected, message: `no deploy policy ${body.policy} covers service ${d.service.name}` });
  if (!isInFlight(release.state.phase) && release.state.phase !== 'pending') return d.settle({ status: 'rejected', reason: Reason.CommandRejected, message: `${release.id} is ${release.state.phase}: nothing left to override` });
  if ((release.overrides ?? []).some((o) => o.policy === body.policy)) return d.settle({ status: 'rejected', reason: Reason.CommandRejected, message: `${release.id} already overrides ${body.policy}` });
  const overrides = [...(release.overrides ?? []), { policy: body.policy, actor: body.actor, why: body.why, at: d.now }];
  d.record(release, { overrides }, Reason.PolicyOverridden, `policy ${body.policy} overridden for ${release.id} by ${body.actor} — ${body.why}`, { policy: body.policy });
  if (release.hold?.policy === body.policy && liftIfFree(d, release, `policy ${body.policy} overridden`)) resume(release);
}
