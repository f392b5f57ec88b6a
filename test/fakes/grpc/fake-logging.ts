import { grpc } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from '../../../local/grpc/fake-grpc-server.js';

/** A fake Cloud Logging ConfigServiceV2 (GetSink, UpdateSink) from the protos @google-cloud/logging's API package ships. */
export class FakeLogging {
  readonly server: FakeGrpcServer;
  readonly sinks = new Map<string, { name: string; destination: string; filter: string; writerIdentity: string }>();
  readonly updates: { sinkName: string; filter: string }[] = [];

  constructor() {
    this.server = new FakeGrpcServer(['google/logging/v2/logging_config.proto'], [protosOf('@google-cloud/logging-api'), GAX_PROTOS], {
      'google.logging.v2.ConfigServiceV2': { GetSink: (r) => this.getSink(r), UpdateSink: (r) => this.updateSink(r) },
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }

  private find(sinkName: unknown) {
    const sink = this.sinks.get(typeof sinkName === 'string' ? sinkName : '');
    if (!sink) throw grpcError(grpc.status.NOT_FOUND, `sink ${String(sinkName)} not found`);
    return sink;
  }

  private getSink(request: Record<string, unknown>) {
    return this.find(request.sinkName);
  }

  private updateSink(request: Record<string, unknown>) {
    const sink = this.find(request.sinkName);
    const incoming = (request.sink ?? {}) as { filter?: string; destination?: string };
    // Like the API: the destination cannot be dropped, the filter must not be empty.
    if (!incoming.destination) throw grpcError(grpc.status.INVALID_ARGUMENT, 'sink.destination is required');
    if (!incoming.filter) throw grpcError(grpc.status.INVALID_ARGUMENT, 'an empty filter would export every log');
    sink.filter = incoming.filter;
    this.updates.push({ sinkName: String(request.sinkName), filter: incoming.filter });
    return sink;
  }
}
