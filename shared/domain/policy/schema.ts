import { z } from 'zod';
import { boundedWildcards } from '../glob.js';
import { timeZoneSchema, windowsSchema } from './windows.js';

/**
 * Deploy policies: when releases may start and advance (Cloud Deploy's deploy policies; Argo
 * and Flagger have none). A policy names windows in a time zone and says whether it is in force
 * inside them (a freeze) or outside them ("business hours only"), what it blocks, and which role
 * may override it for one release. A rollback, an abort or a pause is never blocked.
 */
export const POLICY_ACTIONS = ['start', 'advance'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];
export const OVERRIDE_ROLES = ['operator', 'approver', 'owner', 'platform admin'] as const;
export type OverrideRole = (typeof OVERRIDE_ROLES)[number];

export const POLICY_NAME_RULE = /^[a-z][a-z0-9-]{0,62}$/;

export const deployPolicySchema = z
  .object({
    name: z.string().regex(POLICY_NAME_RULE, 'lower-case letters, digits and "-", starting with a letter'),
    description: z.string().max(300).optional(),
    timeZone: timeZoneSchema.default('UTC'),
    windows: windowsSchema,
    /** inside: in force during the windows (a freeze); outside: in force except during them (releases only in business hours). */
    applies: z.enum(['inside', 'outside']).default('inside'),
    /** start: a built release waits to deploy (held pending); advance: no more traffic goes to a candidate. */
    blocks: z.array(z.enum(POLICY_ACTIONS)).min(1).max(2).default(['start', 'advance']),
    /** Who may let one release past this policy (`cutover override`); "platform admin" for a platform freeze no team may lift. */
    overrideRole: z.enum(OVERRIDE_ROLES).default('approver'),
  })
  .strict();
export type DeployPolicy = z.output<typeof deployPolicySchema>;

/** A platform policy names the services it covers (`*` as wildcard); a service's own covers only it. */
export const platformDeployPolicySchema = deployPolicySchema
  .extend({ services: z.array(z.string().min(1).max(63).refine(boundedWildcards, 'at most 8 "*"')).min(1).max(50).default(['*']) })
  .strict();
export type PlatformDeployPolicy = z.output<typeof platformDeployPolicySchema>;

export const deployPoliciesSchema = z
  .array(deployPolicySchema)
  .max(20)
  .refine((list) => new Set(list.map((p) => p.name)).size === list.length, 'policy names are unique');
