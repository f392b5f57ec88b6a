import { releaseIdForBuild, type ReleaseEvent } from './events.js';
import type { ServiceState } from './model.js';

/**
 * Which release documents an event may touch, so the store loads exactly those inside the
 * event's transaction: the event's own release, and the service's active, queued and last
 * completed releases (the ones concurrency, queueing and the watch window involve).
 */
export function releasesToLoad(service: ServiceState, event: ReleaseEvent): string[] {
  const body = event.body;
  const own = body.kind === 'build' ? releaseIdForBuild(service.name, body.buildId) : 'releaseId' in body ? body.releaseId : null;
  const ids = [own, service.activeReleaseId, service.queuedReleaseId, service.lastCompletedReleaseId];
  return [...new Set(ids.filter((id): id is string => id !== null))];
}
