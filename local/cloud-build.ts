import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { grpc, protobuf } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from './grpc/fake-grpc-server.js';

/**
 * A local Cloud Build API v1 (GetBuild, GetBuildTrigger, RunBuildTrigger, GetOperation) served over gRPC from the
 * protos shipped in @google-cloud/cloudbuild, so the official client — and Cutover's provenance
 * check — run unchanged against it. Like Cloud Build, a build belongs to one project, a triggered
 * build carries its trigger id and the TRIGGER_NAME, BRANCH_NAME and COMMIT_SHA substitutions, the
 * image it pushes gets a sha256 digest, and every status change is published (the Build resource
 * as JSON, attributes buildId and status) for the `cloud-builds` topic. Used by `npm start` and by
 * the tests.
 */
const require = createRequire(import.meta.url);
const root = protobuf.Root.fromJSON(require('@google-cloud/cloudbuild/build/protos/protos.json') as protobuf.INamespace);
const MetadataType = root.lookupType('google.devtools.cloudbuild.v1.BuildOperationMetadata');

type Obj = Record<string, unknown>;
export interface BuildResource {
  id: string;
  projectId: string;
  status: string;
  buildTriggerId?: string;
  substitutions: Record<string, string>;
  images?: string[];
  results?: { images: { name: string; digest: string }[] };
  sourceProvenance?: { resolvedRepoSource?: { commitSha?: string } };
  createTime: string;
}
export interface LocalTrigger {
  id: string;
  name: string;
  /** Substitutions the trigger sets on every build (e.g. _CUTOVER_SERVICE). */
  substitutions: Record<string, string>;
}
export interface LocalCloudBuildOptions {
  project: string;
  triggers?: LocalTrigger[];
  /** Where status changes go (the local stack publishes them on `cloud-builds`). */
  publish?: (build: BuildResource) => Promise<void>;
  /** Turns the built image name into a pushed name and digest (the local registry). */
  push?: (image: string) => { name: string; digest: string };
  /** Time a triggered build spends QUEUED and WORKING. */
  stepMs?: number;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export const digestOf = (image: string): string => `sha256:${createHash('sha256').update(image).digest('hex')}`;

export class LocalCloudBuild {
  readonly server: FakeGrpcServer;
  readonly builds = new Map<string, BuildResource>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LocalCloudBuildOptions) {
    this.server = new FakeGrpcServer(['google/devtools/cloudbuild/v1/cloudbuild.proto', 'google/longrunning/operations.proto'], [protosOf('@google-cloud/cloudbuild'), GAX_PROTOS], {
      'google.devtools.cloudbuild.v1.CloudBuild': { GetBuild: (r) => this.getBuild(r), GetBuildTrigger: (r) => this.getTrigger(r), RunBuildTrigger: (r) => this.runTrigger(r) },
      'google.longrunning.Operations': { GetOperation: (r) => this.getOperation(r) },
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }

  /** Options for the official client: apiEndpoint, port and insecure credentials on 127.0.0.1. */
  clientOptions() {
    return this.server.clientOptions();
  }

  /** Records a build as the API will answer for it (tests). */
  put(build: BuildResource): BuildResource {
    this.builds.set(build.id, structuredClone(build));
    return build;
  }

  private getBuild(request: Obj): Obj {
    const fromName = /^projects\/([^/]+)\/locations\/[^/]+\/builds\/([^/]+)$/.exec(str(request.name));
    const project = fromName?.[1] ?? str(request.projectId);
    const id = fromName?.[2] ?? str(request.id);
    const build = this.builds.get(id);
    if (!build || build.projectId !== project) throw grpcError(grpc.status.NOT_FOUND, `Build "${id}" not found in project ${project}`);
    return { ...build, createTime: { seconds: String(Math.floor(Date.parse(build.createTime) / 1000)), nanos: 0 } };
  }

  /** A trigger the API now knows (tests; `npm start` passes its triggers as options). */
  addTrigger(trigger: LocalTrigger): void {
    (this.options.triggers ??= []).push(trigger);
  }

  /** As Cloud Build: GetBuildTrigger takes the trigger's id or its name, in the name's last segment or triggerId. */
  private getTrigger(request: Obj): Obj {
    const fromName = /^projects\/([^/]+)\/locations\/[^/]+\/triggers\/([^/]+)$/.exec(str(request.name));
    const project = fromName?.[1] ?? str(request.projectId);
    const wanted = fromName?.[2] ?? str(request.triggerId);
    const trigger = this.options.triggers?.find((t) => t.id === wanted || t.name === wanted);
    if (project !== this.options.project || !trigger) throw grpcError(grpc.status.NOT_FOUND, `trigger ${wanted} not found in project ${project}`);
    return { id: trigger.id, name: trigger.name, substitutions: trigger.substitutions };
  }

  private runTrigger(request: Obj): Obj {
    const project = str(request.projectId);
    const wanted = str(request.triggerId);
    const trigger = this.options.triggers?.find((t) => t.id === wanted || t.name === wanted);
    if (project !== this.options.project || !trigger) throw grpcError(grpc.status.NOT_FOUND, `trigger ${wanted} not found in project ${project}`);
    const source = (request.source ?? {}) as { branchName?: string; tagName?: string; commitSha?: string; substitutions?: Record<string, string> };
    const id = randomUUID();
    const commit = source.commitSha ?? createHash('sha1').update(id).digest('hex');
    const substitutions: Record<string, string> = { ...source.substitutions, ...trigger.substitutions, TRIGGER_NAME: trigger.name, COMMIT_SHA: commit, SHORT_SHA: commit.slice(0, 7) };
    if (source.branchName) substitutions.BRANCH_NAME = source.branchName;
    if (source.tagName) substitutions.TAG_NAME = source.tagName;
    const image = substitutions._CUTOVER_IMAGE;
    const build: BuildResource = {
      id,
      projectId: project,
      status: 'QUEUED',
      buildTriggerId: trigger.id,
      substitutions,
      images: image ? [image] : [],
      sourceProvenance: { resolvedRepoSource: { commitSha: commit } },
      createTime: new Date().toISOString(),
    };
    this.builds.set(id, build);
    const run = this.run(build, image).finally(() => this.running.delete(run));
    this.running.add(run);
    const metadata = MetadataType.encode(MetadataType.fromObject({ build: { id, projectId: project, status: 'QUEUED', buildTriggerId: trigger.id, substitutions } })).finish();
    return { name: `operations/build/${project}/${id}`, done: false, metadata: { typeUrl: 'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata', value: Buffer.from(metadata) } };
  }

  private getOperation(request: Obj): Obj {
    const id = str(request.name).split('/').pop() ?? '';
    const build = this.builds.get(id);
    if (!build) throw grpcError(grpc.status.NOT_FOUND, `operation ${str(request.name)} not found`);
    return { name: request.name, done: !['QUEUED', 'WORKING'].includes(build.status) };
  }

  /** QUEUED → WORKING → SUCCESS, each published, the image pushed with its digest on success. */
  private async run(build: BuildResource, image: string | undefined): Promise<void> {
    const step = () => new Promise((r) => setTimeout(r, this.options.stepMs ?? 150));
    await this.options.publish?.(structuredClone(build));
    await step();
    build.status = 'WORKING';
    await this.options.publish?.(structuredClone(build));
    await step();
    if (image) build.results = { images: [this.options.push?.(image) ?? { name: image, digest: digestOf(image) }] };
    build.status = image ? 'SUCCESS' : 'FAILURE';
    await this.options.publish?.(structuredClone(build));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.running]);
    await this.server.stop();
  }
}
