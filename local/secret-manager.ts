import { grpc } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from './grpc/fake-grpc-server.js';

/**
 * A local Secret Manager (AccessSecretVersion) served over gRPC from the protos shipped in
 * @google-cloud/secret-manager, so the official client runs unchanged against it. Like the API:
 * a malformed name is INVALID_ARGUMENT, an unknown secret NOT_FOUND, a secret outside the
 * caller's grant PERMISSION_DENIED, a disabled latest version FAILED_PRECONDITION.
 */
const NAME = /^projects\/([^/]+)\/secrets\/([A-Za-z0-9_-]{1,255})\/versions\/(latest|\d+)$/;

export class LocalSecretManager {
  readonly server: FakeGrpcServer;
  private readonly secrets = new Map<string, { versions: string[]; disabled: boolean; readable: boolean }>();

  constructor(private readonly project: string) {
    this.server = new FakeGrpcServer(['google/cloud/secretmanager/v1/service.proto'], [protosOf('@google-cloud/secret-manager'), GAX_PROTOS], {
      'google.cloud.secretmanager.v1.SecretManagerService': { AccessSecretVersion: (r) => this.access(r) },
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Adds a version (it becomes `latest`). */
  put(secretId: string, value: string, options: { disabled?: boolean; readable?: boolean } = {}): void {
    const secret = this.secrets.get(secretId) ?? { versions: [], disabled: false, readable: true };
    secret.versions.push(value);
    secret.disabled = options.disabled ?? false;
    secret.readable = options.readable ?? true;
    this.secrets.set(secretId, secret);
  }

  private access(request: Record<string, unknown>) {
    const name = typeof request.name === 'string' ? request.name : '';
    const match = NAME.exec(name);
    if (!match) throw grpcError(grpc.status.INVALID_ARGUMENT, `invalid resource name: ${name}`);
    const [, project, secretId = '', which] = match;
    const secret = project === this.project ? this.secrets.get(secretId) : undefined;
    if (!secret) throw grpcError(grpc.status.NOT_FOUND, `Secret [${name}] not found or has no versions.`);
    if (!secret.readable) throw grpcError(grpc.status.PERMISSION_DENIED, `Permission 'secretmanager.versions.access' denied for resource '${name}'`);
    const index = which === 'latest' ? secret.versions.length : Number(which);
    const value = secret.versions[index - 1];
    if (value === undefined) throw grpcError(grpc.status.NOT_FOUND, `Secret Version [${name}] not found.`);
    if (secret.disabled && which === 'latest') throw grpcError(grpc.status.FAILED_PRECONDITION, `Secret Version [${name}] is in DISABLED state.`);
    return { name: `projects/${project}/secrets/${secretId}/versions/${index}`, payload: { data: Buffer.from(value, 'utf8') } };
  }
}
