import { measuredAs, summarize, type Bucket, type Confirmation, type HealthReading, type MeasureHealth, type RequestSample, type Summary } from '../../domain/index.js';
import { parseRequestLog } from '../../ingest/request-log.js';
import type { HealthSource, RequestCountAuthority, RequestLogFeed, TelemetryStore } from '../../ports/index.js';
import type { Logger } from '../../runtime/logger.js';

/** Keeps the sink exporting the candidates' request logs (LoggingSinkFilter). */
export interface CandidateSink {
  ensure(revision: string): Promise<void>;
  sync(revisions: readonly string[]): Promise<boolean>;
}

export interface TelemetryHealthOptions {
  /** The sink to tell about a candidate the first time it is measured (absent: the filter is managed elsewhere). */
  sink?: CandidateSink;
  /** The fraction of requests the sink exports (its `sample(insertId, r)`): counts are scaled back by 1/r. */
  sampleRate?: number;
  /** Pulls per measurement (each up to `batchSize` entries): a bound on the work one request does. */
  maxBatches?: number;
  batchSize?: number;
  /** Who confirms the stream before a step advances (Cloud Monitoring; locally the router's counters). */
  confirm?: RequestCountAuthority;
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
    private readonly options: TelemetryHealthOptions = {},
  ) {
    this.maxBatches = options.maxBatches ?? 10;
    this.batchSize = options.batchSize ?? 1_000;
  }

  /** The sink this source keeps on its candidates (the minute tick prunes it), if any. */
  get sink(): CandidateSink | undefined {
    return this.options.sink;
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
    if (skipped > 0) this.log.warn({ skipped }, `telemetry: ${skipped} entries were not request logs Cutover counts; check the sink's filter`);
    await this.store.add(samples);
    for (let i = 0; i < messages.length; i += 1_000) await this.feed.ack(messages.slice(i, i + 1_000).map((m) => m.ackId));
    return samples.length;
  }

  async measure(effect: MeasureHealth): Promise<HealthReading> {
    if (!effect.candidateRevision) return { ok: false, error: 'no candidate revision to measure' };
    const candidate = measuredAs(effect.router, effect.candidateRevision);
    const arm = effect.baseline;
    const base = arm ? measuredAs(effect.router, arm.revision) : null;
    if (!candidate || (arm && !base)) return { ok: false, error: `${effect.router.kind} target ${effect.router.service} has no revision ${!candidate ? effect.candidateRevision : (arm?.revision ?? '')} to measure` };
    let streamError: string | null = null;
    try {
      // The first measurement of a candidate puts it in the sink's filter; its entries flow from then on.
      if (candidate.sinkPerRevision) await this.options.sink?.ensure(effect.candidateRevision);
    } catch (error) {
      this.log.warn({ err: error, revision: effect.candidateRevision }, 'telemetry: could not add the candidate to the sink filter');
    }
    try {
      await this.drain();
    } catch (error) {
      // Counted so far stays counted; what was not acked is redelivered. The buckets may still answer.
      streamError = error instanceof Error ? error.message : String(error);
      this.log.warn({ err: error }, 'telemetry: could not drain the request-log stream');
    }
    // Each arm's buckets are read once: the confirmation's stretch lies inside the measured window.
    const [candidateBuckets, baselineBuckets] = await Promise.all([
      this.store.read(candidate.stream.service, candidate.stream.revision, effect.windowStartAt, effect.windowEndAt),
      arm && base ? this.store.read(base.stream.service, base.stream.revision, arm.windowStartAt, arm.windowEndAt) : null,
    ]);
    const { requests, errors, p99LatencyMs, latency } = this.summary(candidateBuckets, effect.windowStartAt, effect.windowEndAt);
    const baseline = arm && baselineBuckets ? { revision: arm.revision, ...this.summary(baselineBuckets, arm.windowStartAt, arm.windowEndAt) } : null;
    const measurements = { requests, errors, p99LatencyMs, latency, baseline };
    const confirmation = effect.confirmSince !== null && this.options.confirm ? await this.confirmation(effect, effect.confirmSince, this.options.confirm, [candidateBuckets, baselineBuckets]) : null;
    const stream: HealthReading = { ok: true, measurements: { ...measurements, windowStartAt: effect.windowStartAt, windowEndAt: effect.windowEndAt, confirmation, source: 'telemetry' } };
    if (requests > 0 || !this.fallback) return stream;
    const other = await this.fallback.measure(effect);
    if (other.ok && other.measurements.requests > 0) return { ok: true, measurements: { ...other.measurements, source: other.measurements.source ?? 'monitoring' } };
    return streamError && !other.ok ? { ok: false, error: `request-log stream: ${streamError}; fallback: ${other.error}` } : stream;
  }

  /**
   * The authority's counts of the step as far as it can see (aligned to its windows), beside the
   * stream's counts of exactly the same window, for the candidate and its baseline. Errors are data.
   */
  private async confirmation(effect: MeasureHealth, since: number, authority: RequestCountAuthority, buckets: [Bucket[], Bucket[] | null]): Promise<Confirmation> {
    const { source, alignMs, visibilityDelayMs } = authority;
    const from = Math.ceil(since / alignMs) * alignMs;
    const to = Math.floor((effect.windowEndAt - visibilityDelayMs) / alignMs) * alignMs;
    if (to - from < alignMs) return { status: 'pending', source, visibleUntil: effect.windowEndAt - visibilityDelayMs };
    const revisions = [effect.candidateRevision ?? '', ...(effect.baseline ? [effect.baseline.revision] : [])];
    try {
      const authorityCounts = await Promise.all(revisions.map((r) => authority.counts(effect.router, r, from, to)));
      const streamCounts = buckets.flatMap((b) => (b ? [this.summary(b, from, to)] : []));
      const arms = (list: { requests: number; errors: number }[]) => ({ candidate: pick(list[0]), baseline: list[1] ? pick(list[1]) : null });
      return { status: 'read', source, windowStartAt: from, windowEndAt: to, authority: arms(authorityCounts), stream: arms(streamCounts) };
    } catch (error) {
      this.log.warn({ err: error }, 'telemetry: could not read the request counts that confirm the stream');
      return { status: 'unavailable', source, error: (error instanceof Error ? error.message : String(error)).slice(0, 500) };
    }
  }

  /**
   * One revision's figures over a window. A sampled stream stands for 1/rate times as many
   * requests: counts and the histogram are scaled back; the ratios are the sample's own.
   */
  private summary(buckets: readonly Bucket[], from: number, to: number): Summary {
    const rate = this.options.sampleRate ?? 1;
    const counted = summarize(buckets, from, to);
    return { requests: Math.round(counted.requests / rate), errors: Math.round(counted.errors / rate), p99LatencyMs: counted.p99LatencyMs, latency: counted.latency.map((n) => Math.round(n / rate)) };
  }
}

const pick = (c: { requests: number; errors: number } | undefined) => ({ requests: c?.requests ?? 0, errors: c?.errors ?? 0 });
