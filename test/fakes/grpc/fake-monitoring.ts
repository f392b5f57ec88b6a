import { FakeGrpcServer, GAX_PROTOS, protosOf } from '../../../local/grpc/fake-grpc-server.js';

/** A fake Cloud Monitoring MetricService.ListTimeSeries from the protos in @google-cloud/monitoring. */
export class FakeMonitoring {
  readonly server: FakeGrpcServer;
  counts: Record<string, number> = { '2xx': 0, '5xx': 0 };
  p99Ms: number | null = null;

  constructor() {
    this.server = new FakeGrpcServer(['google/monitoring/v3/metric_service.proto'], [protosOf('@google-cloud/monitoring'), GAX_PROTOS], {
      'google.monitoring.v3.MetricService': { ListTimeSeries: (r) => this.list(r) },
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }

  private list(request: Record<string, unknown>) {
    const filter = String(request.filter);
    const point = (value: Record<string, unknown>) => ({ interval: request.interval, value });
    if (filter.includes('request_latencies')) {
      return { timeSeries: this.p99Ms === null ? [] : [{ metric: { type: 'run.googleapis.com/request_latencies' }, points: [point({ doubleValue: this.p99Ms })] }] };
    }
    return {
      timeSeries: Object.entries(this.counts).map(([cls, n]) => ({
        metric: { type: 'run.googleapis.com/request_count', labels: { response_code_class: cls } },
        // Two alignment periods, to check that points are summed.
        points: [point({ int64Value: String(Math.floor(n / 2)) }), point({ int64Value: String(n - Math.floor(n / 2)) })],
      })),
    };
  }
}
