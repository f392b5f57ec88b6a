import type { CollectionReference, DocumentReference, DocumentSnapshot, Transaction } from '@google-cloud/firestore';
import { ownReleaseId, parseServiceConfig, readRelease as releaseFromDoc, releasesToLoad, serviceStateSchema, upstreamToLoad, type Release, type ReleaseEvent, type ServiceState, type World } from '../../domain/index.js';
import type { HandleResult } from '../../ports/index.js';
import { fromDoc } from './codec.js';

export function readService(snap: DocumentSnapshot): ServiceState {
  const doc = serviceStateSchema.parse(fromDoc(snap.data()));
  return { ...doc, config: parseServiceConfig(doc.config) };
}

export function readRelease(snap: DocumentSnapshot): Release {
  return releaseFromDoc(fromDoc(snap.data()));
}

/**
 * The world decide needs, read inside the event's transaction: exactly `releasesToLoad`, and the
 * releases of the stage before that `upstreamToLoad` names. One round trip in the common case: the
 * event's own release plus the releases the service pointed at after its last event here (`hinted`:
 * a hint only; whatever it misses is read in a second round trip).
 */
export async function readWorld(
  tx: Transaction,
  event: ReleaseEvent,
  at: { eventRef: DocumentReference; serviceRef: DocumentReference; releases: CollectionReference; hinted: readonly string[] },
): Promise<World | HandleResult> {
  const first = [...new Set([ownReleaseId(event), ...at.hinted].filter((id): id is string => id !== null))];
  const [seen, serviceSnap, ...firstSnaps] = await tx.getAll(at.eventRef, at.serviceRef, ...first.map((id) => at.releases.doc(id)));
  if (seen?.exists) return { kind: 'duplicate' };
  if (!serviceSnap?.exists) return { kind: 'unknownService', service: event.service };
  const service = readService(serviceSnap);
  const loaded = new Map(first.map((id, i) => [id, firstSnaps[i]]));
  const wanted = releasesToLoad(service, event);
  const missing = wanted.filter((id) => !loaded.has(id));
  const missingSnaps = missing.length ? await tx.getAll(...missing.map((id) => at.releases.doc(id))) : [];
  missing.forEach((id, i) => loaded.set(id, missingSnaps[i]));
  const releases = wanted.flatMap((id) => {
    const snap = loaded.get(id);
    return snap?.exists ? [readRelease(snap)] : [];
  });
  // The stage before, for a pipeline's stage: read in this transaction, so decide acts on what is, not on what a message said.
  const upstreamIds = upstreamToLoad(event, releases);
  if (upstreamIds.length === 0) return { service, releases };
  const upstreamSnaps = await tx.getAll(...upstreamIds.map((id) => at.releases.doc(id)));
  return { service, releases, upstream: upstreamSnaps.filter((snap) => snap.exists).map(readRelease) };
}
