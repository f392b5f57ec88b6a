import { releaseIdForBuild, type ReleaseEvent } from './events.js';
import type { Release, ServiceState } from './model.js';
import { regionReleaseId, rolloutIdOf } from './names.js';
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
  const rollouts = ids.map((id) => rolloutIdOf({ id, target: regions.find((region) => id.endsWith(`@${region}`)) }));
  return [...new Set([...ids, ...rollouts, ...rollouts.flatMap((id) => regions.map((region) => regionReleaseId(id, region))), ...pointersWithRegions(service)])];
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

/**
 * The releases of the stage before that decide reads as facts: the one an `upstream` event names,
 * and the ones the service's promoted, not yet started releases came from.
 */
export function upstreamToLoad(event: ReleaseEvent, releases: readonly Release[]): string[] {
  const named = event.body.kind === 'upstream' ? [event.body.upstreamReleaseId] : [];
  const waiting = releases.flatMap((r) => (r.promotion && r.state.phase === 'pending' ? [r.promotion.releaseId] : []));
  return [...new Set([...named, ...waiting])];
}

/** The release an event names by itself, known before the service is read (saves a read round trip). */
export function ownReleaseId(event: ReleaseEvent): string | null {
  const body = event.body;
  if (body.kind === 'build' || body.kind === 'upstream') return releaseIdForBuild(event.service, body.buildId);
  return 'releaseId' in body ? body.releaseId : null;
}
