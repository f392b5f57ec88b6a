import { SCHEMA_VERSION, type ServiceState } from './model.js';
import type { ServiceConfig } from './service-config.js';

/**
 * The service state after `cutover services apply`: a new service starts with no stable
 * revision and nothing in flight; a re-applied config keeps the runtime state (stable revision,
 * active, queued and last completed releases, last incident). Pure; every store uses it.
 */
type RuntimeFields = Pick<ServiceState, 'stableRevision' | 'activeReleaseId' | 'queuedReleaseId' | 'lastCompletedReleaseId' | 'lastIncident' | 'createdAt' | 'targets'>;

/** `existing` needs only the runtime fields, so a stored config that no longer parses can still be replaced. */
export function applyConfig(existing: RuntimeFields | null, config: ServiceConfig, now: number): ServiceState {
  const runtime: RuntimeFields = existing ?? {
    stableRevision: null,
    activeReleaseId: null,
    queuedReleaseId: null,
    lastCompletedReleaseId: null,
    lastIncident: null,
    createdAt: now,
  };
  return {
    schemaVersion: SCHEMA_VERSION,
    name: config.name,
    stableRevision: runtime.stableRevision,
    activeReleaseId: runtime.activeReleaseId,
    queuedReleaseId: runtime.queuedReleaseId,
    lastCompletedReleaseId: runtime.lastCompletedReleaseId,
    lastIncident: runtime.lastIncident,
    createdAt: runtime.createdAt,
    // Each region's own stable and releases, of a service released in waves: a re-applied config keeps them.
    ...(runtime.targets ? { targets: runtime.targets } : {}),
    config,
    alertPolicies: config.rollbackTriggers.alertPolicies,
    promotesFrom: config.promotion?.from ?? null,
    updatedAt: now,
  };
}
