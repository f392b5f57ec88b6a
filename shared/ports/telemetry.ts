import type { Bucket, RequestSample, RouterTarget } from '../domain/index.js';

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

/** One revision's requests and 5xx over a window, as the platform counted them. */
export interface RequestCounts {
  requests: number;
  errors: number;
}

/**
 * Request counts no workload can write: Cloud Monitoring's run.googleapis.com/request_count
 * (locally, the router's own counters behind a local Monitoring API). Figures become visible
 * `visibilityDelayMs` after the requests, in windows aligned to `alignMs`. A failure throws.
 */
export interface RequestCountAuthority {
  readonly source: 'monitoring' | 'router';
  readonly visibilityDelayMs: number;
  readonly alignMs: number;
  counts(target: RouterTarget, revision: string, from: number, to: number): Promise<RequestCounts>;
}
