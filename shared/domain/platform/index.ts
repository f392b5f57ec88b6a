import { z } from 'zod';
import { grantSchema } from './grants.js';
import { platformDeployPolicySchema } from '../policy/schema.js';

export * from './grants.js';

/**
 * The platform's own settings (Terraform writes them into CUTOVER_PLATFORM as JSON): the grants
 * that let service owners choose platform-owned values. Parsed once at start-up; a bad one stops
 * the functions from starting rather than granting anything by accident.
 */
export const platformPolicySchema = z
  .object({
    grants: z.array(grantSchema).max(200).default([]),
    /** Deploy policies over many services (a year-end freeze), each naming the services it covers. */
    deployPolicies: z.array(platformDeployPolicySchema).max(50).default([]),
  })
  .strict();
export type PlatformPolicy = z.output<typeof platformPolicySchema>;
export const EMPTY_PLATFORM_POLICY: PlatformPolicy = { grants: [], deployPolicies: [] };
