import { BUCKET_MS, addToBucket, groupSamples, type Bucket, type RequestSample } from '../../shared/domain/index.js';
import type { TelemetryStore } from '../../shared/ports/index.js';

/** Telemetry buckets in memory (passes the same contract as FirestoreTelemetryStore). */
export class MemoryTelemetryStore implements TelemetryStore {
  readonly buckets = new Map<string, Bucket>();

  add(samples: readonly RequestSample[]): Promise<void> {
    for (const [key, group] of groupSamples(samples)) this.buckets.set(key, addToBucket(this.buckets.get(key) ?? null, group));
    return Promise.resolve();
  }

  read(service: string, revision: string, from: number, to: number): Promise<Bucket[]> {
    return Promise.resolve([...this.buckets.values()].filter((b) => b.service === service && b.revision === revision && b.start > from - BUCKET_MS && b.start < to).map((b) => structuredClone(b)));
  }
}
