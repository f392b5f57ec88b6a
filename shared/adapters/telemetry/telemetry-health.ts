import { summarize, type HealthReading, type MeasureHealth, type RequestSample } from '../../domain/index.js';
import { parseRequestLog } from '../../ingest/request-log.js';
import type { HealthSource, RequestLogFeed, TelemetryStore } from '../../ports/index.js';
import type { Logger } from '../../runtime/logger.js';

export interface TelemetryHealthOptions {
  /** Pulls per measurement (each up to `batchSize` entries): a bound on the work one request does. */
  maxBatches?: number;
  batchSize?: number;
}

/**
 * HealthSource on Cloud Run's request logs. Each measurement first drains what the sink delivered
 * since the last one (synchronous pulls, bounded), counts it into the shared buckets, and acks only
 * after the count is committed (a crash in between redelivers, and the insertId keeps it counted
 * once). Then it reads the candidate's buckets over the window. The stream decides when it saw
 * requests; when it is silent, Cloud Monitoring (the fallback) is asked, and its figures are used
 * if it saw traffic the stream did not. Each reading says which source it came from.
 */
export class TelemetryHealthSource implements HealthSource {
  private readonly maxBatches: number;
  private readonly batchSize: number;

  constructor(
    private readonly feed: RequestLogFeed,
    private readonly store: TelemetryStore,
    private readonly fallback: HealthSource | null,
    private readonly log: Logger,
    options: TelemetryHealthOptions = {},
  ) {
    this.maxBatches = options.maxBatches ?? 10;
    this.batchSize = options.batchSize ?? 1_000;
  }

  /** Counts what has arrived (one transaction for the lot, acked after it); returns how many entries were counted. */
  async drain(): Promise<number> {
    const messages: { ackId: string; data: Buffer }[] = [];
    // A pull returns what is ready, often fewer than asked: pull until one comes back empty, or the bound.
    for (let batch = 0; batch < this.maxBatches; batch += 1) {
      const got = await this.feed.pull(this.batchSize);
      if (got.length === 0) break;
      messages.push(...got);
    }
    if (messages.length === 0) return 0;
    const samples: RequestSample[] = [];
    for (const m of messages) {
      const parsed = parseRequestLog(m.data);
      if (parsed.ok) samples.push(parsed.sample);
    }
    const skipped = messages.length - samples.length;
    // An entry that is not a request log is the sink's filter at fault, not a message to retry: say so, once per drain.
    if (skipped > 0) this.log.warn({ skipped }, `telemetry: ${skipped} entries were not Cloud Run request logs; check the sink's filter`);
    await this.store.add(samples);
    for (let i = 0; i < messages.length; i += 1_000) await this.feed.ack(messages.slice(i, i + 1_000).map((m) => m.ackId));
    return samples.length;
  }

  async measure(effect: MeasureHealth): Promise<HealthReading> {
    if (!effect.candidateRevision) return { ok: false, error: 'no candidate revision to measure' };
    let streamError: string | null = null;
    try {
      await this.drain();
    } catch (error) {
      // Counted so far stays counted; what was not acked is redelivered. The buckets may still answer.
      streamError = error instanceof Error ? error.message : String(error);
      this.log.warn({ err: error }, 'telemetry: could not drain the request-log stream');
    }
    const { requests, errors, p99LatencyMs } = summarize(await this.store.read(effect.router.service, effect.candidateRevision, effect.windowStartAt, effect.windowEndAt), effect.windowStartAt, effect.windowEndAt);
    const stream: HealthReading = { ok: true, measurements: { requests, errors, p99LatencyMs, windowStartAt: effect.windowStartAt, windowEndAt: effect.windowEndAt, source: 'telemetry' } };
    if (requests > 0 || !this.fallback) return stream;
    const other = await this.fallback.measure(effect);
    if (other.ok && other.measurements.requests > 0) return { ok: true, measurements: { ...other.measurements, source: other.measurements.source ?? 'monitoring' } };
    return streamError && !other.ok ? { ok: false, error: `request-log stream: ${streamError}; fallback: ${other.error}` } : stream;
  }
}
