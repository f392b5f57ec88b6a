import { releaseIdForBuild, type ReleaseEvent } from './events.js';
import type { ServiceState } from './model.js';

/**
 * Which release documents an event may touch, so the store loads exactly those inside the
 * event's transaction: the event's own release, and the service's active, queued and last
 * completed releases (the ones concurrency, queueing and the watch window involve).
 */
export function releasesToLoad(service: ServiceState, event: ReleaseEvent): string[] {
  const own = ownReleaseId(event);
  return [...new Set(own === null ? releasePointers(service) : [own, ...releasePointers(service)])];
}

/** The releases a service points at: active, queued and last completed. */
export function releasePointers(service: Pick<ServiceState, 'activeReleaseId' | 'queuedReleaseId' | 'lastCompletedReleaseId'>): string[] {
  return [service.activeReleaseId, service.queuedReleaseId, service.lastCompletedReleaseId].filter((id): id is string => id !== null);
}

/** The release an event names by itself, known before the service is read (saves a read round trip). */
export function ownReleaseId(event: ReleaseEvent): string | null {
  const body = event.body;
  if (body.kind === 'build') return releaseIdForBuild(event.service, body.buildId);
  return 'releaseId' in body ? body.releaseId : null;
}
