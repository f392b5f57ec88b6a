import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeLocal, listenLocal, readJsonBody } from './http-server.js';

/**
 * A local Kubernetes API server for the part Cutover touches: apps/v1 Deployments (get, and
 * patch with JSON Patch), speaking the real JSON, so @kubernetes/client-node runs unchanged
 * against it. Like the API server: a request without the bearer token is 401; a missing object is
 * a 404 Status; a JSON Patch whose `test` fails is 422 and changes nothing; a change to the pod
 * template bumps `metadata.generation`, and the controller's rollout then runs in the background:
 * `status` catches up after `rolloutMs`, or, for an image marked to stall, never does and after
 * `progressDeadlineMs` reports Progressing=False, ProgressDeadlineExceeded — as a Deployment whose
 * new pods never become ready.
 */
type Json = Record<string, unknown>;

export interface LocalDeployment {
  namespace: string;
  name: string;
  containers: { name: string; image: string }[];
  replicas?: number;
}

export interface LocalKubernetesOptions {
  token?: string;
  rolloutMs?: number;
  progressDeadlineMs?: number;
  /** Called when a rollout completes (the local stack restarts the colour's process with the new image). */
  onRolledOut?: (deployment: { namespace: string; name: string; containers: { name: string; image: string }[] }) => Promise<void> | void;
}

interface Stored {
  object: Json & { metadata: Json & { generation: number; resourceVersion: string }; spec: Json & { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } }; status: Json };
  changedAt: number;
}

export class LocalKubernetes {
  private server: Server | null = null;
  private readonly deployments = new Map<string, Stored>();
  private readonly stalling = new Set<string>();
  private version = 1;
  readonly token: string;
  url = '';
  port = 0;

  constructor(private readonly options: LocalKubernetesOptions = {}) {
    this.token = options.token ?? 'local-kubernetes-token';
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    ({ url: this.url, port: this.port } = await listenLocal(this.server));
    return this.url;
  }

  stop(): Promise<void> {
    return closeLocal(this.server);
  }

  put(d: LocalDeployment): void {
    const replicas = d.replicas ?? 2;
    this.deployments.set(`${d.namespace}/${d.name}`, {
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: d.name, namespace: d.namespace, generation: 1, resourceVersion: String(this.version++) },
        spec: { replicas, template: { spec: { containers: structuredClone(d.containers) } } },
        status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }, { type: 'Available', status: 'True' }] },
      },
      changedAt: 0,
    });
  }

  /** Pods of this image never become ready. */
  stallImage(image: string): void {
    this.stalling.add(image);
  }

  deployment(namespace: string, name: string): Json | undefined {
    const stored = this.deployments.get(`${namespace}/${name}`);
    return stored ? structuredClone(this.view(stored)) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: Json): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const failure = (code: number, reason: string, message: string): void => send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
    if (req.headers.authorization !== `Bearer ${this.token}`) return failure(401, 'Unauthorized', 'Unauthorized');
    const match = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/?]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return failure(404, 'NotFound', `the server could not find the requested resource (${req.method ?? ''} ${req.url ?? ''})`);
    const [, namespace = '', name = ''] = match;
    const stored = this.deployments.get(`${namespace}/${name}`);
    if (!stored) return failure(404, 'NotFound', `deployments.apps "${name}" not found`);
    if (req.method === 'GET') return send(200, this.view(stored));
    if (req.method !== 'PATCH') return failure(405, 'MethodNotAllowed', `${req.method ?? ''} is not supported here`);
    if (req.headers['content-type'] !== 'application/json-patch+json') return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json (got ${String(req.headers['content-type'])})`);
    const ops = (await readJsonBody(req)) as { op: string; path: string; value?: unknown }[] | null;
    if (!Array.isArray(ops)) return failure(400, 'BadRequest', 'the body is not a JSON Patch');
    const next = structuredClone(stored.object);
    for (const op of ops) {
      const at = pointer(next, op.path);
      if (!at) return failure(422, 'Invalid', `path ${op.path} does not exist`);
      if (op.op === 'test' && at.get() !== op.value) return failure(422, 'Invalid', `the test at ${op.path} failed`);
      if (op.op === 'replace') at.set(op.value);
      else if (op.op !== 'test') return failure(422, 'Invalid', `op ${op.op} is not supported here`);
    }
    if (JSON.stringify(next.spec.template) !== JSON.stringify(stored.object.spec.template)) {
      next.metadata.generation += 1;
      stored.changedAt = Date.now();
      const rolledOut = next.spec.template.spec.containers;
      setTimeout(() => void (this.stalled(next) ? undefined : this.options.onRolledOut?.({ namespace, name, containers: structuredClone(rolledOut) })), this.options.rolloutMs ?? 300).unref();
    }
    next.metadata.resourceVersion = String(this.version++);
    stored.object = next;
    return send(200, this.view(stored));
  }

  private stalled(object: Stored['object']): boolean {
    return object.spec.template.spec.containers.some((c) => this.stalling.has(c.image));
  }

  /** The status the Deployment controller would report now. */
  private view(stored: Stored): Json {
    const { object, changedAt } = stored;
    const replicas = object.spec.replicas;
    const generation = object.metadata.generation;
    const elapsed = Date.now() - changedAt;
    if (this.stalled(object)) {
      const failed = elapsed >= (this.options.progressDeadlineMs ?? 2_000);
      object.status = { observedGeneration: generation, replicas: replicas + 1, updatedReplicas: 1, readyReplicas: replicas, availableReplicas: replicas, unavailableReplicas: 1, conditions: [{ type: 'Progressing', status: failed ? 'False' : 'True', reason: failed ? 'ProgressDeadlineExceeded' : 'ReplicaSetUpdated', message: failed ? `ReplicaSet has timed out progressing.` : 'progressing' }, { type: 'Available', status: 'True' }] };
    } else if (elapsed < (this.options.rolloutMs ?? 300)) {
      object.status = { observedGeneration: generation, replicas: replicas + 1, updatedReplicas: 1, readyReplicas: replicas, availableReplicas: replicas, unavailableReplicas: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }, { type: 'Available', status: 'True' }] };
    } else {
      object.status = { observedGeneration: generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }, { type: 'Available', status: 'True' }] };
    }
    return object;
  }
}

function pointer(root: unknown, path: string): { get(): unknown; set(value: unknown): void } | null {
  const parts = path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop();
  let node: unknown = root;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[part];
  }
  if (last === undefined || node === null || typeof node !== 'object' || !(last in node)) return null;
  const parent = node as Record<string, unknown>;
  return { get: () => parent[last], set: (value) => void (parent[last] = value) };
}

