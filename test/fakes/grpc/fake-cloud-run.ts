import { createRequire } from 'node:module';
import { grpc, protobuf } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from '../../../local/grpc/fake-grpc-server.js';

/**
 * A fake Cloud Run Admin API v2 (Services.GetService/UpdateService, Revisions.GetRevision) built
 * from the protos in @google-cloud/run. It keeps services with etags, validates traffic like Cloud
 * Run does (percents sum to 100, revisions exist, tags unique), resolves traffic statuses with
 * tag URLs. Like Cloud Run, it refuses traffic to a revision that is not ready, a new revision
 * becomes ready only after some polls (`readyAfterPolls`), and UpdateService answers with a
 * long-running operation the client must poll through google.longrunning.Operations until it is
 * done (`operationPolls`).
 */
const require = createRequire(import.meta.url);
const root = protobuf.Root.fromJSON(require('@google-cloud/run/build/protos/protos.json') as protobuf.INamespace);
const ServiceType = root.lookupType('google.cloud.run.v2.Service');

type Obj = Record<string, unknown>;
interface Target {
  type?: string;
  revision?: string;
  percent?: number;
  tag?: string;
}
interface ServiceState {
  name: string;
  etag: string;
  generation: number;
  template: Obj & { revision?: string; containers?: Obj[] };
  traffic: Target[];
  trafficStatuses: (Target & { uri?: string })[];
  latestReadyRevision: string;
  latestCreatedRevision: string;
  uri: string;
}

export class FakeCloudRun {
  readonly server: FakeGrpcServer;
  readonly services = new Map<string, ServiceState>();
  readonly revisions = new Map<string, { name: string; image: string; ready: boolean; message: string }>();
  /** Revision names (short) that will fail to become ready. */
  readonly failingRevisions = new Set<string>();
  /** Images whose revisions will fail to become ready. */
  readonly failingImages = new Set<string>();
  private etagCounter = 0;
  private beforeUpdate: (() => void) | null = null;
  /** GetRevision polls before a new revision reports Ready (until then: CONDITION_RECONCILING). */
  readyAfterPolls = 0;
  /** GetOperation polls before an UpdateService operation is done (0: done at once). */
  operationPolls = 0;
  private readonly readiness = new Map<string, number>();
  private readonly operations = new Map<string, { pollsLeft: number; response: Obj }>();

  constructor() {
    const protos = protosOf('@google-cloud/run');
    this.server = new FakeGrpcServer(
      ['google/cloud/run/v2/service.proto', 'google/cloud/run/v2/revision.proto', 'google/longrunning/operations.proto'],
      [protos, GAX_PROTOS],
      {
        'google.cloud.run.v2.Services': { GetService: (r) => this.getService(r), UpdateService: (r) => this.updateService(r) },
        'google.cloud.run.v2.Revisions': { GetRevision: (r) => this.getRevision(r) },
        'google.longrunning.Operations': { GetOperation: (r) => this.getOperation(r) },
      },
    );
  }

  start(): Promise<number> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private nextEtag(): string {
    this.etagCounter += 1;
    return `"etag-${this.etagCounter}"`;
  }

  /**
   * A service serving `revision` at 100% through a LATEST target, as `gcloud run deploy` leaves it.
   * Seeding again starts the service afresh: its earlier revisions are gone, so tests pass in any order.
   */
  seed(project: string, region: string, service: string, revision: string, extraTags: Target[] = []): string {
    const name = `projects/${project}/locations/${region}/services/${service}`;
    for (const key of [...this.revisions.keys()]) if (key.startsWith(`${name}/`)) this.revisions.delete(key);
    for (const key of [...this.readiness.keys()]) if (key.startsWith(`${name}/`)) this.readiness.delete(key);
    this.revisions.set(`${name}/revisions/${revision}`, { name: `${name}/revisions/${revision}`, image: 'img:stable', ready: true, message: '' });
    for (const t of extraTags) if (t.revision) this.revisions.set(`${name}/revisions/${t.revision}`, { name: `${name}/revisions/${t.revision}`, image: 'img:old', ready: true, message: '' });
    const state: ServiceState = {
      name,
      etag: this.nextEtag(),
      generation: 1,
      template: { revision: revision, containers: [{ image: 'img:stable', name: 'app' }] },
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }, ...extraTags],
      trafficStatuses: [],
      latestReadyRevision: `${name}/revisions/${revision}`.split('/').pop() ?? revision,
      latestCreatedRevision: revision,
      uri: `https://${service}-abc-ew.a.run.app`,
    };
    state.trafficStatuses = this.resolve(state, state.traffic);
    this.services.set(name, state);
    return name;
  }

  /** Someone else moved the traffic (the console, gcloud): served as they set it, the etag moves on. */
  setTrafficAsSomeoneElse(name: string, traffic: { revision: string; percent: number }[]): void {
    const service = this.services.get(name);
    if (!service) throw new Error(`no service ${name}`);
    service.traffic = traffic.map((t) => ({ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', ...t }));
    service.trafficStatuses = this.resolve(service, service.traffic);
    service.etag = this.nextEtag();
  }

  /** Someone else's change lands just before the next update arrives: that update carries a stale etag. */
  touchBeforeNextUpdate(name: string): void {
    this.beforeUpdate = () => this.touch(name);
  }

  /** Someone else changed the service: its etag moves on. */
  touch(name: string): void {
    const service = this.services.get(name);
    if (service) service.etag = this.nextEtag();
  }

  private resolve(service: ServiceState, traffic: Target[]) {
    const short = service.name.split('/').pop() ?? '';
    return traffic.map((t) => ({
      type: t.type ?? 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
      revision: t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? service.latestReadyRevision : t.revision,
      percent: t.percent ?? 0,
      tag: t.tag ?? '',
      uri: t.tag ? `https://${t.tag}---${short}-abc-ew.a.run.app` : '',
    }));
  }

  private getService(request: Obj): ServiceState {
    const service = this.services.get(String(request.name));
    if (!service) throw grpcError(grpc.status.NOT_FOUND, `Resource '${String(request.name)}' was not found`);
    return structuredClone(service);
  }

  private getRevision(request: Obj): Obj {
    const revision = this.revisions.get(String(request.name));
    if (!revision) throw grpcError(grpc.status.NOT_FOUND, `Revision '${String(request.name)}' was not found`);
    const pollsLeft = this.readiness.get(revision.name) ?? 0;
    if (pollsLeft > 0) {
      this.readiness.set(revision.name, pollsLeft - 1);
      return { name: revision.name, conditions: [{ type: 'Ready', state: 'CONDITION_RECONCILING', message: 'Deploying revision' }] };
    }
    return {
      name: revision.name,
      containers: [{ image: revision.image, name: 'app' }],
      conditions: [{ type: 'Ready', state: revision.ready ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED', message: revision.message }],
    };
  }

  private isReady(fullName: string): boolean {
    return (this.revisions.get(fullName)?.ready ?? false) && (this.readiness.get(fullName) ?? 0) === 0;
  }

  private getOperation(request: Obj): Obj {
    const op = this.operations.get(String(request.name));
    if (!op) throw grpcError(grpc.status.NOT_FOUND, `Operation '${String(request.name)}' was not found`);
    if (op.pollsLeft > 0) {
      op.pollsLeft -= 1;
      return { name: String(request.name), done: false };
    }
    return { name: String(request.name), done: true, response: op.response };
  }

  private updateService(request: Obj): Obj {
    const race = this.beforeUpdate;
    this.beforeUpdate = null;
    race?.();
    const incoming = request.service as Obj & { name: string; etag?: string; template?: ServiceState['template']; traffic?: Target[] };
    const current = this.services.get(incoming.name);
    if (!current) throw grpcError(grpc.status.NOT_FOUND, `Resource '${incoming.name}' was not found`);
    if (incoming.etag && incoming.etag !== current.etag) throw grpcError(grpc.status.ABORTED, `etag mismatch: ${incoming.etag} != ${current.etag}`);
    const paths = ((request.updateMask as { paths?: string[] } | undefined)?.paths ?? ['template', 'traffic']);
    const next = structuredClone(current);
    if (paths.includes('template') && incoming.template) {
      const revision = incoming.template.revision ?? `${next.name.split('/').pop() ?? ''}-${next.generation + 1}`;
      const full = `${next.name}/revisions/${revision}`;
      const image = (incoming.template.containers?.[0]?.image as string | undefined) ?? '';
      const existing = this.revisions.get(full);
      if (existing && existing.image !== image) throw grpcError(grpc.status.ALREADY_EXISTS, `Revision named '${revision}' with different configuration already exists.`);
      const ready = !this.failingRevisions.has(revision) && !this.failingImages.has(image);
      if (!existing) {
        this.revisions.set(full, { name: full, image, ready, message: ready ? '' : 'Container failed to start and listen on PORT=8080' });
        this.readiness.set(full, this.readyAfterPolls);
      }
      next.template = incoming.template;
      next.latestCreatedRevision = revision;
      if (ready) next.latestReadyRevision = revision;
    }
    if (paths.includes('traffic') && incoming.traffic) {
      const total = incoming.traffic.reduce((s, t) => s + (t.percent ?? 0), 0);
      if (total !== 100) throw grpcError(grpc.status.INVALID_ARGUMENT, `traffic percents sum to ${total}, not 100`);
      const tags = incoming.traffic.map((t) => t.tag).filter(Boolean);
      if (new Set(tags).size !== tags.length) throw grpcError(grpc.status.INVALID_ARGUMENT, 'traffic tags must be unique');
      for (const t of incoming.traffic) {
        const full = `${next.name}/revisions/${t.revision ?? ''}`;
        if (t.type !== 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' && !this.revisions.has(full)) {
          throw grpcError(grpc.status.INVALID_ARGUMENT, `Revision ${t.revision ?? ''} does not exist`);
        }
        if (t.type !== 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' && (t.percent ?? 0) > 0 && !this.isReady(full)) {
          throw grpcError(grpc.status.FAILED_PRECONDITION, `Revision ${t.revision ?? ''} is not ready and cannot serve traffic`);
        }
      }
      next.traffic = incoming.traffic;
    }
    next.generation += 1;
    next.etag = this.nextEtag();
    next.trafficStatuses = this.resolve(next, next.traffic);
    this.services.set(next.name, next);
    const value = ServiceType.encode(ServiceType.fromObject(next)).finish();
    const name = `${next.name}/operations/op-${next.generation}`;
    const response = { typeUrl: 'type.googleapis.com/google.cloud.run.v2.Service', value: Buffer.from(value) };
    if (this.operationPolls === 0) return { name, done: true, response };
    this.operations.set(name, { pollsLeft: this.operationPolls - 1, response });
    return { name, done: false };
  }
}
