import { z } from 'zod';

/**
 * Who may steer a service, declared in its config. Principals are written in IAM's syntax
 * (`user:`, `group:`, `serviceAccount:`, `domain:`). Roles nest: an owner may also approve and
 * operate, an approver may also operate. Platform admins (from Terraform) hold every role on
 * every service. Pure: group membership is resolved by an adapter and passed in.
 */
const EMAIL = '[^\\s@:]+@[^\\s@:]+\\.[^\\s@:]+';
export const PRINCIPAL_RULE = new RegExp(`^(?:(?:user|group|serviceAccount):${EMAIL}|domain:[a-z0-9-]+(?:\\.[a-z0-9-]+)+)$`);
const principal = z.string().max(320).regex(PRINCIPAL_RULE, 'a principal in IAM syntax: user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN');

export const accessSchema = z
  .object({
    /** May pause, resume, abort and roll back. */
    operators: z.array(principal).max(100).default([]),
    /** May approve and promote (and operate). */
    approvers: z.array(principal).max(100).default([]),
    /** May apply the service's config (and approve and operate). */
    owners: z.array(principal).max(100).default([]),
  })
  .strict();
export type Access = z.output<typeof accessSchema>;

export const ROLES = ['operator', 'approver', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** The role each action needs. */
export const ROLE_FOR = {
  pause: 'operator',
  resume: 'operator',
  abort: 'operator',
  rollback: 'operator',
  approve: 'approver',
  promote: 'approver',
  apply: 'owner',
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ROLE_FOR;

/** The groups a service's access names: the only ones worth asking a directory about. */
export function groupsNamed(access: Access): string[] {
  const all = [...access.operators, ...access.approvers, ...access.owners];
  return [...new Set(all.filter((p) => p.startsWith('group:')).map((p) => p.slice('group:'.length).toLowerCase()))].sort();
}

/** Who asks, as a verified token says: the email, and the Workspace domain (`hd`) when it has one. */
export interface Caller {
  email: string;
  hostedDomain: string | null;
}

/**
 * Whether a principal names the caller. `memberOf` holds the (lower-case) groups the caller is in.
 * `domain:` means the accounts of a Workspace or Cloud Identity domain, as IAM means it: the
 * token's `hd`, never the email's suffix (a Google account can be made with any address).
 */
export function principalMatches(principal: string, caller: Caller, memberOf: ReadonlySet<string>): boolean {
  const colon = principal.indexOf(':');
  const kind = principal.slice(0, colon);
  const value = principal.slice(colon + 1).toLowerCase();
  const who = caller.email.toLowerCase();
  switch (kind) {
    case 'user':
    case 'serviceAccount':
      return value === who;
    case 'group':
      return memberOf.has(value);
    case 'domain':
      return caller.hostedDomain !== null && caller.hostedDomain.toLowerCase() === value;
    default:
      return false;
  }
}

/** The roles the caller holds on a service (every role for a platform admin). */
export function rolesOf(caller: Caller, access: Access | null, admins: readonly string[], memberOf: ReadonlySet<string>): Role[] {
  if (admins.some((p) => principalMatches(p, caller, memberOf))) return [...ROLES];
  if (!access) return [];
  const holds = (list: readonly string[]) => list.some((p) => principalMatches(p, caller, memberOf));
  if (holds(access.owners)) return ['operator', 'approver', 'owner'];
  if (holds(access.approvers)) return ['operator', 'approver'];
  if (holds(access.operators)) return ['operator'];
  return [];
}

export function mayDo(action: Action, roles: readonly Role[]): boolean {
  return roles.includes(ROLE_FOR[action]);
}
