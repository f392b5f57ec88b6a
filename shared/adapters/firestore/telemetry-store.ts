import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { BUCKET_MS, addToBucket, groupSamples, type Bucket, type RequestSample } from '../../domain/index.js';
import type { TelemetryStore } from '../../ports/index.js';
import { asStoreError } from './errors.js';

export const TELEMETRY_COLLECTION = 'telemetry';
/** Buckets outlive any SLO window and watch window by far; Firestore's TTL deletes them after this. */
const KEEP_MS = 7 * 24 * 3600_000;

/**
 * Telemetry buckets in Firestore, one document per service, revision and second
 * (`telemetry/{service}~{revision}~{start}`). A batch of samples is merged in one transaction, so
 * concurrent instances never lose a count and a redelivered entry (same insertId) is not counted
 * twice. Reading a window is one query on (service, revision, start).
 */
export class FirestoreTelemetryStore implements TelemetryStore {
  constructor(private readonly db: Firestore) {}

  private ref(key: string) {
    return this.db.collection(TELEMETRY_COLLECTION).doc(key);
  }

  async add(samples: readonly RequestSample[]): Promise<void> {
    const groups = groupSamples(samples);
    if (groups.size === 0) return;
    try {
      await this.db.runTransaction(async (tx) => {
        const keys = [...groups.keys()];
        const snaps = await tx.getAll(...keys.map((k) => this.ref(k)));
        snaps.forEach((snap, i) => {
          const key = keys[i] ?? '';
          const current = snap.exists ? (snap.data() as Bucket) : null;
          const next = addToBucket(current, groups.get(key) ?? []);
          if (current && next.requests === current.requests) return;
          tx.set(this.ref(key), { ...next, expireAt: Timestamp.fromMillis(next.start + KEEP_MS) });
        });
      });
    } catch (error) {
      throw asStoreError(error, 'counting request telemetry');
    }
  }

  async read(service: string, revision: string, from: number, to: number): Promise<Bucket[]> {
    try {
      const snap = await this.db
        .collection(TELEMETRY_COLLECTION)
        .where('service', '==', service)
        .where('revision', '==', revision)
        .where('start', '>', from - BUCKET_MS)
        .where('start', '<', to)
        .get();
      return snap.docs.map((d) => d.data() as Bucket);
    } catch (error) {
      throw asStoreError(error, 'reading request telemetry');
    }
  }
}
