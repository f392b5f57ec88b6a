import type { Bucket, RequestSample } from '../domain/index.js';

/**
 * Where request telemetry is counted, so every instance of the functions sees the same numbers.
 * `add` merges samples into their buckets atomically (an entry already counted is not counted
 * again); `read` returns the buckets of one revision that overlap [from, to).
 */
export interface TelemetryStore {
  add(samples: readonly RequestSample[]): Promise<void>;
  read(service: string, revision: string, from: number, to: number): Promise<Bucket[]>;
}

/** The stream of request log entries (a Pub/Sub subscription fed by a Logging sink). */
export interface RequestLogFeed {
  pull(maxMessages: number): Promise<{ ackId: string; data: Buffer }[]>;
  ack(ackIds: string[]): Promise<void>;
}
