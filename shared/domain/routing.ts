import { releaseIdForBuild, type ReleaseEvent } from './events.js';
import type { ServiceState } from './model.js';
import { wavesOf } from './service-config.js';

/**
 * Which release documents an event may touch, so the store loads exactly those inside the
 * event's transaction: the event's own release, and the service's active, queued and last
 * completed releases (the ones concurrency, queueing and the watch window involve).
 */
export function releasesToLoad(service: ServiceState, event: ReleaseEvent): string[] {
  const own = ownReleaseId(event);
  const ids = own === null ? releasePointers(service) : [own, ...releasePointers(service)];
  const regions = wavesOf(service.config).flat();
  if (regions.length === 0) return [...new Set(ids)];
  // Released in waves: each rollout with all its regions' releases, and what each region points at.
  const rollouts = ids.map((id) => rolloutIdOf(id, regions));
  const slots = Object.values(service.targets ?? {}).flatMap((slot) => [slot.activeReleaseId, slot.lastCompletedReleaseId]);
  return [...new Set([...ids, ...rollouts, ...rollouts.flatMap((id) => regions.map((region) => `${id}@${region}`)), ...slots.filter((id): id is string => id !== null)])];
}

/** The rollout a release id belongs to: itself, or the part before `@region` for a region's release. */
function rolloutIdOf(id: string, regions: readonly string[]): string {
  const at = id.lastIndexOf('@');
  return at > 0 && regions.includes(id.slice(at + 1)) ? id.slice(0, at) : id;
}

/** The releases a service and each of its regions point at (what is in play in it now). */
export function pointersWithRegions(service: ServiceState): string[] {
  const regions = Object.values(service.targets ?? {}).flatMap((slot) => [slot.activeReleaseId, slot.lastCompletedReleaseId]);
  return [...new Set([...releasePointers(service), ...regions.filter((id): id is string => id !== null)])];
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
