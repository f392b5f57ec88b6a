import { ROLE_FOR, groupsNamed, mayDo, principalMatches, rolesOf, type Access, type Action, type Caller, type Role } from '../shared/domain/index.js';
import type { CommandAuth } from '../shared/ports/index.js';

/** A refusal with its HTTP status; nothing was recorded. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What a caller holds on one service: its roles, and whether it is a platform admin. */
export interface Standing {
  roles: Role[];
  admin: boolean;
}

/** The caller's standing on a service: one directory question covering the service's groups and the admin groups. */
export async function rolesFor(caller: Caller, access: Access | null, auth: CommandAuth): Promise<Standing> {
  const named = access ? groupsNamed(access) : [];
  const adminGroups = auth.admins.filter((p) => p.startsWith('group:')).map((p) => p.slice(6).toLowerCase());
  const groups = [...new Set([...named, ...adminGroups])];
  const memberOf = groups.length ? await auth.groups.memberOf(caller.email, groups) : new Set<string>();
  return { roles: rolesOf(caller, access, auth.admins, memberOf), admin: auth.admins.some((p) => principalMatches(p, caller, memberOf)) };
}

/**
 * Refuses an action the caller's roles do not cover. A caller with no role at all on the service
 * gets the answer a service that does not exist gets: a stranger learns nothing of which
 * services are there. A caller with some role learns which one the action needs.
 */
export function authorize(action: Action, email: string, standing: Standing, service: string, what = `service ${service}`): void {
  if (mayDo(action, standing.roles)) return;
  if (standing.roles.length === 0) throw notFound(what);
  const role = ROLE_FOR[action];
  throw new Refusal(403, `${email} may not ${action} on service ${service}: that needs the ${role} role (service config: access.${role}s)`, { missingRole: role, service });
}

export const notFound = (what: string): Refusal => new Refusal(404, `${what} not found, or you hold no role on it`);
