import * as protoLoader from '@grpc/proto-loader';
import { grpc } from 'google-gax';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * A small gRPC server built from the .proto files shipped inside a Google client package, so the
 * real client (pointed at it with apiEndpoint/port/sslCreds) is exercised end to end. Each fake
 * records the requests it receives and can inject faults per method: a status code, a delay.
 */
const require = createRequire(import.meta.url);
/** Google client packages ship their protos at <package root>/build/protos. */
export const protosOf = (pkg: string): string => {
  const main = require.resolve(pkg);
  const marker = `node_modules/${pkg}/`;
  return join(main.slice(0, main.lastIndexOf(marker) + marker.length), 'build', 'protos');
};
export const GAX_PROTOS = protosOf('google-gax');

export type Handler = (request: Record<string, unknown>) => unknown;

export interface Fault {
  code?: grpc.status;
  message?: string;
  delayMs?: number;
}

export class FakeGrpcServer {
  private server: grpc.Server | null = null;
  readonly calls: { method: string; request: Record<string, unknown> }[] = [];
  private readonly faults = new Map<string, Fault[]>();
  port = 0;

  constructor(
    private readonly protoFiles: string[],
    private readonly includeDirs: string[],
    private readonly services: Record<string, Record<string, Handler>>,
  ) {}

  /** The next `times` calls of `method` fail (or are slowed) as described. */
  inject(method: string, fault: Fault, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i += 1) list.push(fault);
    this.faults.set(method, list);
  }

  requests(method: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  async start(): Promise<number> {
    const definition = protoLoader.loadSync(this.protoFiles, { includeDirs: this.includeDirs, keepCase: false, longs: String, enums: String, defaults: false, oneofs: true });
    const loaded = grpc.loadPackageDefinition(definition);
    const server = new grpc.Server();
    for (const [serviceName, handlers] of Object.entries(this.services)) {
      const ctor = serviceName.split('.').reduce<unknown>((obj, part) => (obj as Record<string, unknown>)[part], loaded) as { service: grpc.ServiceDefinition };
      const impl: grpc.UntypedServiceImplementation = {};
      for (const [method, handler] of Object.entries(handlers)) {
        impl[method] = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          void this.dispatch(method, handler, call.request, callback);
        };
      }
      server.addService(ctor.service, impl);
    }
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
    return this.port;
  }

  private async dispatch(method: string, handler: Handler, request: Record<string, unknown>, callback: grpc.sendUnaryData<unknown>): Promise<void> {
    this.calls.push({ method, request });
    const fault = this.faults.get(method)?.shift();
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.code !== undefined) {
      callback({ code: fault.code, details: fault.message ?? grpc.status[fault.code], name: 'FakeFault', message: fault.message ?? '' }, null);
      return;
    }
    try {
      callback(null, await handler(request));
    } catch (error) {
      const e = error as { code?: grpc.status; message?: string };
      callback({ code: e.code ?? grpc.status.INTERNAL, details: e.message ?? String(error), name: 'FakeError', message: e.message ?? '' }, null);
    }
  }

  /** Options that point a real Google client at this server, with no TLS and no credentials. */
  clientOptions(): { apiEndpoint: string; port: number; sslCreds: grpc.ChannelCredentials } {
    return { apiEndpoint: '127.0.0.1', port: this.port, sslCreds: grpc.credentials.createInsecure() };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
  }
}

export function grpcError(code: grpc.status, message: string): Error & { code: grpc.status } {
  return Object.assign(new Error(message), { code });
}
