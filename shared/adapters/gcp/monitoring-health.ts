import type { MetricServiceClient, protos } from '@google-cloud/monitoring';
import { isErrorClass, measuredAs, type HealthReading, type MeasureHealth } from '../../domain/index.js';
import type { HealthSource } from '../../ports/index.js';
import { describeError } from './grpc-errors.js';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;

export interface MonitoringHealthOptions {
  /**
   * Cloud Run request metrics are sampled every 60 s and can take up to 180 s more to be
   * visible. The query reaches this far before the window start, so the newest (missing)
   * samples are made up by older ones of the same candidate revision: the error rate stays the
   * candidate's own, and the request count does not collapse into "too few requests".
   */
  ingestionDelayMs?: number;
}

/**
 * HealthSource from Cloud Monitoring: request_count of the candidate revision grouped by
 * response_code_class (error rate = 5xx / all) and the p99 of request_latencies. Errors are
 * readings (ok: false), which the domain treats as inconclusive.
 */
export class MonitoringHealthSource implements HealthSource {
  private readonly delayMs: number;

  constructor(
    private readonly client: MetricServiceClient,
    options: MonitoringHealthOptions = {},
  ) {
    this.delayMs = options.ingestionDelayMs ?? 180_000;
  }

  async measure(effect: MeasureHealth): Promise<HealthReading> {
    if (!effect.candidateRevision) return { ok: false, error: 'no candidate revision to measure' };
    const { baseline } = effect;
    try {
      const [candidate, base] = await Promise.all([
        this.figures(effect.router, effect.candidateRevision, effect.windowStartAt, effect.windowEndAt),
        baseline ? this.figures(effect.router, baseline.revision, baseline.windowStartAt, baseline.windowEndAt) : null,
      ]);
      return {
        ok: true,
        measurements: { ...candidate, latency: null, baseline: baseline && base ? { revision: baseline.revision, requests: base.requests, errors: base.errors, p99LatencyMs: base.p99LatencyMs, latency: null } : null, source: 'monitoring' },
      };
    } catch (error) {
      return { ok: false, error: `Cloud Monitoring: ${describeError(error)}` };
    }
  }

  /** One revision's request_count by response class and its p99, over the window stretched back by the visibility delay. */
  private async figures(router: MeasureHealth['router'], revision: string, from: number, to: number) {
    const start = from - this.delayMs;
    const end = to;
    const alignment = { seconds: Math.max(60, Math.ceil((end - start) / 60_000) * 60) };
    const interval = { startTime: { seconds: Math.floor(start / 1000) }, endTime: { seconds: Math.ceil(end / 1000) } };
    const measured = measuredAs(router, revision);
    if (!measured) throw new Error(`${router.kind} target ${router.service} has no revision ${revision} to measure`);
    const { resource, requestCount, latencies: latencyMetric } = measured.monitoring;
    const [counts] = await this.client.listTimeSeries({
      name: `projects/${router.project}`,
      filter: `metric.type = "${requestCount}" AND ${resource}`,
      interval,
      aggregation: { alignmentPeriod: alignment, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.labels.response_code_class'] },
      view: 'FULL',
    });
    const [latencies] = await this.client.listTimeSeries({
      name: `projects/${router.project}`,
      filter: `metric.type = "${latencyMetric}" AND ${resource}`,
      interval,
      aggregation: { alignmentPeriod: alignment, perSeriesAligner: 'ALIGN_PERCENTILE_99', crossSeriesReducer: 'REDUCE_MAX' },
      view: 'FULL',
    });
    let requests = 0;
    let errors = 0;
    for (const series of counts) {
      const total = sumPoints(series);
      requests += total;
      if (isErrorClass(series.metric?.labels?.response_code_class)) errors += total;
    }
    const p99s = latencies.flatMap((s) => (s.points ?? []).map((p) => Number(p.value?.doubleValue ?? Number.NaN))).filter(Number.isFinite);
    return { requests, errors, p99LatencyMs: p99s.length ? Math.max(...p99s) : null, windowStartAt: start, windowEndAt: end };
  }
}

function sumPoints(series: TimeSeries): number {
  return (series.points ?? []).reduce((sum, p) => sum + Number(p.value?.int64Value ?? p.value?.doubleValue ?? 0), 0);
}
