import { policiesFor, policyStates, type Caller } from '../shared/domain/index.js';
import { sendReleaseEvent } from './release-event.js';
import type { CommandAuth } from '../shared/ports/index.js';
import type { EntryDeps } from './entry.js';
import { Refusal, notFound, rolesFor } from './command-auth.js';

/**
 * The deploy policies over a service as people read them (`cutover policies`, the page): each
 * with its scope, whether it is in force now and until when. Anyone with a role on the service.
 */
export async function listPolicies(service: string, caller: Caller, deps: EntryDeps, auth: CommandAuth): Promise<Record<string, unknown>> {
  const state = await deps.store.getService(service);
  if (!state) throw notFound(`service ${service}`);
  const standing = await rolesFor(caller, state.config.access, auth);
  if (standing.roles.length === 0) throw notFound(`service ${service}`);
  const now = deps.clock();
  const policies = policyStates(state.name, deps.deployPolicies ?? [], state.config.policies, now).map(({ policy, scope, active, until }) => ({
    name: policy.name,
    scope,
    description: policy.description ?? null,
    timeZone: policy.timeZone,
    applies: policy.applies,
    blocks: policy.blocks,
    overrideRole: policy.overrideRole,
    active,
    until: until === null ? null : new Date(until).toISOString(),
  }));
  return { status: 'ok', service: state.name, at: new Date(now).toISOString(), policies };
}

/**
 * `cutover override RELEASE --policy P --reason R`: lets one release past one deploy policy. The
 * role it needs is the policy's own (`overrideRole`; a platform freeze can require a platform
 * admin). Recorded in the release's history with the actor and the reason, and logged for audit.
 */
export async function overridePolicy(body: { release: string; policy: string; reason: string }, caller: Caller, idempotencyKey: string | undefined, deps: EntryDeps, auth: CommandAuth): Promise<Record<string, unknown>> {
  const what = `release ${body.release}`;
  const release = await deps.store.getRelease(body.release);
  const service = release ? await deps.store.getService(release.service) : null;
  if (!release || !service) throw notFound(what);
  const standing = await rolesFor(caller, service.config.access, auth);
  if (standing.roles.length === 0 && !standing.admin) throw notFound(what);
  const covering = policiesFor(service.name, deps.deployPolicies ?? [], service.config.policies).find((c) => c.policy.name === body.policy);
  if (!covering) throw new Refusal(404, `no deploy policy ${body.policy} covers service ${service.name} (cutover policies ${service.name})`);
  const role = covering.policy.overrideRole;
  const allowed = role === 'platform admin' ? standing.admin : standing.roles.includes(role);
  if (!allowed) throw new Refusal(403, `${caller.email} may not override ${body.policy}: that needs the ${role} role`, { missingRole: role, service: service.name });
  const answer = await sendReleaseEvent(deps, release, caller.email, 'override', idempotencyKey, { kind: 'override', releaseId: release.id, policy: body.policy, actor: caller.email, why: body.reason });
  if (answer.status === 'applied') deps.log.info({ audit: 'policy-override', actor: caller.email, release: release.id, policy: body.policy, scope: covering.scope, reason: body.reason }, `onCommand: ${caller.email} overrode ${covering.scope} policy ${body.policy} for ${release.id}`);
  return answer;
}
