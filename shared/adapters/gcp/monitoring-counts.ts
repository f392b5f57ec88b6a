import type { MetricServiceClient } from '@google-cloud/monitoring';
import { isErrorClass, measuredAs, type RouterTarget } from '../../domain/index.js';
import type { RequestCountAuthority, RequestCounts } from '../../ports/index.js';

export interface MonitoringCountsOptions {
  /** Cloud Run samples request_count every 60 s and shows it up to 180 s later. */
  visibilityDelayMs?: number;
  alignMs?: number;
  /** A deadline per call: a slow Monitoring holds the step, it never stalls the request. */
  timeoutMs?: number;
}

/**
 * Cloud Monitoring's own request count of a revision (or, behind a load balancer, a backend service), summed over exactly [from, to) by response
 * code class: the authority a step's advance rests on (RequestCountAuthority). One ALIGN_DELTA
 * period spanning the window, REDUCE_SUM grouped by class.
 */
export class MonitoringRequestCounts implements RequestCountAuthority {
  readonly source = 'monitoring' as const;
  readonly visibilityDelayMs: number;
  readonly alignMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: MetricServiceClient,
    options: MonitoringCountsOptions = {},
  ) {
    this.visibilityDelayMs = options.visibilityDelayMs ?? 180_000;
    this.alignMs = options.alignMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async counts(target: RouterTarget, revision: string, from: number, to: number): Promise<RequestCounts> {
    const measured = measuredAs(target, revision);
    if (!measured) throw new Error(`${target.kind} target ${target.service} has no revision ${revision} to count`);
    const seconds = Math.max(1, Math.round((to - from) / 1000));
    const [series] = await this.client.listTimeSeries(
      {
        name: `projects/${target.project}`,
        filter: `metric.type = "${measured.monitoring.requestCount}" AND ${measured.monitoring.resource}`,
        interval: { startTime: { seconds: Math.floor(from / 1000) }, endTime: { seconds: Math.floor(from / 1000) + seconds } },
        aggregation: { alignmentPeriod: { seconds }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.labels.response_code_class'] },
        view: 'FULL',
      },
      { timeout: this.timeoutMs, retry: null },
    );
    let requests = 0;
    let errors = 0;
    for (const s of series) {
      const total = (s.points ?? []).reduce((sum, p) => sum + Number(p.value?.int64Value ?? p.value?.doubleValue ?? 0), 0);
      requests += total;
      if (isErrorClass(s.metric?.labels?.response_code_class)) errors += total;
    }
    return { requests, errors };
  }
}
