import { grpc } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from './grpc/fake-grpc-server.js';
import { loadBalancerStreamService } from '../shared/domain/index.js';

/**
 * A local Cloud Monitoring MetricService (ListTimeSeries of run.googleapis.com/request_count per
 * revision, and of loadbalancing.googleapis.com/https/backend_request_count per URL map and
 * backend service, whose response classes are 200 and 500 where Cloud Run's are 2xx and 5xx),
 * served from the protos in @google-cloud/monitoring so the official client and Cutover's own
 * adapter run unchanged. It answers from counts nobody else can write (the local router's own
 * counters), and like Cloud Monitoring it shows them only after a visibility delay: a point newer
 * than now − delay is not there yet. Series per response_code_class, empty classes left out.
 */
export type CountsOf = (service: string, revision: string, fromMs: number, toMs: number) => { requests: number; errors: number };

const RUN_COUNT = 'run.googleapis.com/request_count';
const LB_COUNT = 'loadbalancing.googleapis.com/https/backend_request_count';
const FILTER_FIELD = (field: string) => new RegExp(`${field.replace(/\./g, '\\.')}\\s*=\\s*"([^"]*)"`);

export class LocalMonitoring {
  readonly server: FakeGrpcServer;

  constructor(
    private readonly countsOf: CountsOf,
    /** How long after a request Monitoring shows it; settable while running (the demo and tests shorten it). */
    public delayMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.server = new FakeGrpcServer(['google/monitoring/v3/metric_service.proto'], [protosOf('@google-cloud/monitoring'), GAX_PROTOS], {
      'google.monitoring.v3.MetricService': { ListTimeSeries: (r) => this.list(r) },
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private list(request: Record<string, unknown>) {
    const filter = typeof request.filter === 'string' ? request.filter : '';
    const metric = FILTER_FIELD('metric.type').exec(filter)?.[1];
    const loadBalancer = metric === LB_COUNT;
    const urlMap = FILTER_FIELD('resource.labels.url_map_name').exec(filter)?.[1];
    const service = loadBalancer ? urlMap && loadBalancerStreamService(urlMap) : FILTER_FIELD('resource.labels.service_name').exec(filter)?.[1];
    const revision = FILTER_FIELD(loadBalancer ? 'resource.labels.backend_target_name' : 'resource.labels.revision_name').exec(filter)?.[1];
    if (!metric || !service || !revision) throw grpcError(grpc.status.INVALID_ARGUMENT, 'filter must name metric.type and the revision (service_name, revision_name) or backend (url_map_name, backend_target_name)');
    if (metric !== RUN_COUNT && !loadBalancer) return { timeSeries: [] };
    const interval = request.interval as { startTime?: { seconds?: string }; endTime?: { seconds?: string } } | undefined;
    const start = Number(interval?.startTime?.seconds ?? Number.NaN) * 1000;
    const end = Number(interval?.endTime?.seconds ?? Number.NaN) * 1000;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw grpcError(grpc.status.INVALID_ARGUMENT, 'interval.endTime must be after interval.startTime');
    const visibleEnd = Math.min(end, Math.floor((this.clock() - this.delayMs) / 1000) * 1000);
    if (visibleEnd <= start) return { timeSeries: [] };
    const { requests, errors } = this.countsOf(service, revision, start, visibleEnd);
    const point = (n: number) => [{ interval: { startTime: { seconds: String(start / 1000) }, endTime: { seconds: String(visibleEnd / 1000) } }, value: { int64Value: String(n) } }];
    const series = [
      [loadBalancer ? '200' : '2xx', requests - errors],
      [loadBalancer ? '500' : '5xx', errors],
    ] as const;
    const resource = loadBalancer ? { type: 'https_lb_rule', labels: { url_map_name: urlMap, backend_target_name: revision } } : { type: 'cloud_run_revision', labels: { service_name: service, revision_name: revision } };
    return {
      timeSeries: series
        .filter(([, n]) => n > 0)
        .map(([cls, n]) => ({ metric: { type: metric, labels: { response_code_class: cls } }, resource, metricKind: 'DELTA', valueType: 'INT64', points: point(n) })),
    };
  }
}
