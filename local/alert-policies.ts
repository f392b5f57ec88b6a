import { grpc } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from './grpc/fake-grpc-server.js';

/**
 * A local Cloud Monitoring AlertPolicyService (GetAlertPolicy, CreateAlertPolicy) served from the
 * protos in @google-cloud/monitoring, so the official client and Cutover's adapter run unchanged.
 * Like the API: a policy belongs to one project, its name is assigned on creation
 * (projects/P/alertPolicies/ID), an unknown one is NOT_FOUND, and another project's is
 * PERMISSION_DENIED to this caller.
 */
export interface LocalAlertPolicy {
  name: string;
  displayName: string;
  userLabels?: Record<string, string>;
  enabled?: boolean;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export class LocalAlertPolicies {
  readonly server: FakeGrpcServer;
  private readonly policies = new Map<string, LocalAlertPolicy>();
  private next = 1;

  constructor(private readonly project: string) {
    this.server = new FakeGrpcServer(['google/monitoring/v3/alert_service.proto'], [protosOf('@google-cloud/monitoring'), GAX_PROTOS], {
      'google.monitoring.v3.AlertPolicyService': { GetAlertPolicy: (r) => this.get(r), CreateAlertPolicy: (r) => this.create(r) },
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  clientOptions() {
    return this.server.clientOptions();
  }

  /** Records a policy as the API will answer for it (tests, and the local stack's own policy). */
  put(policy: LocalAlertPolicy): LocalAlertPolicy {
    this.policies.set(policy.name, structuredClone(policy));
    return policy;
  }

  private get(request: Record<string, unknown>) {
    const name = str(request.name);
    const project = /^projects\/([^/]+)\/alertPolicies\/[^/]+$/.exec(name)?.[1];
    if (!project) throw grpcError(grpc.status.INVALID_ARGUMENT, `name must be projects/P/alertPolicies/ID, not ${JSON.stringify(name)}`);
    if (project !== this.project) throw grpcError(grpc.status.PERMISSION_DENIED, `permission monitoring.alertPolicies.get denied on project ${project}`);
    const policy = this.policies.get(name);
    if (!policy) throw grpcError(grpc.status.NOT_FOUND, `alert policy ${name} not found`);
    return { name: policy.name, displayName: policy.displayName, userLabels: policy.userLabels ?? {}, enabled: { value: policy.enabled ?? true } };
  }

  private create(request: Record<string, unknown>) {
    const project = /^projects\/([^/]+)$/.exec(str(request.name))?.[1];
    if (project !== this.project) throw grpcError(grpc.status.PERMISSION_DENIED, `permission monitoring.alertPolicies.create denied on ${str(request.name)}`);
    const body = (request.alertPolicy ?? {}) as { displayName?: string; userLabels?: Record<string, string> };
    const policy = this.put({ name: `projects/${project}/alertPolicies/${1000 + this.next++}`, displayName: body.displayName ?? '', userLabels: body.userLabels ?? {} });
    return this.get({ name: policy.name });
  }
}
