import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeLocal, listenLocal, readJsonBody } from './http-server.js';
import type { UrlMapsClient } from '@google-cloud/compute';
import { OAuth2Client } from 'google-auth-library';

type ComputeClientOptions = ConstructorParameters<typeof UrlMapsClient>[0];

/**
 * A local Compute Engine API for the parts Cutover touches on a global external Application Load
 * Balancer: URL maps (get, patch), backend services (get, getHealth of their NEG) and global
 * operations (get, wait), over the REST bindings the
 * official client speaks (@google-cloud/compute, HTTP/JSON). Like the API: a patch must carry the
 * map's current fingerprint or is refused 412 conditionNotMet; every accepted patch changes the
 * fingerprint; its operation is RUNNING at first and DONE only after `operationMs`; a map or
 * operation that does not exist is 404. Tests can change a map as someone else would.
 */
type Json = Record<string, unknown>;

export interface LocalComputeOptions {
  project: string;
  /** How long an operation stays RUNNING. */
  operationMs?: number;
  /** The health check's view of a backend service's endpoints (default: two, healthy). */
  endpointHealth?: (backendService: string) => ('HEALTHY' | 'UNHEALTHY')[];
  /** Called with a map when a change to it takes effect (its operation is DONE): the local load balancer follows it. */
  onApplied?: (map: Json & { name: string }) => void;
}

export class LocalCompute {
  private server: Server | null = null;
  private readonly maps = new Map<string, Json>();
  private readonly operations = new Map<string, Operation>();
  readonly requests: { method: string; path: string; body: Json | null }[] = [];
  private beforePatch: (() => void) | null = null;
  /** While true, every call is answered 503 backendError, as the API does in an outage. */
  unavailable = false;
  url = '';
  port = 0;

  constructor(private readonly options: LocalComputeOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    ({ url: this.url, port: this.port } = await listenLocal(this.server));
    return this.url;
  }

  stop(): Promise<void> {
    return closeLocal(this.server);
  }

  /** Options for the official clients: REST over plain HTTP to 127.0.0.1, with a fixed token. */
  clientOptions(): ComputeClientOptions {
    // The compute client's google-gax pins its own google-auth-library: the same OAuth2Client, another type identity.
    return { apiEndpoint: '127.0.0.1', port: this.port, protocol: 'http', fallback: true, projectId: this.options.project, authClient: localAuth() } as unknown as ComputeClientOptions;
  }

  /** The map as the API holds it now (a copy). */
  urlMap(name: string): Json | undefined {
    const map = this.maps.get(name);
    return map ? structuredClone(map) : undefined;
  }

  /** Creates or replaces a map, as the platform's Terraform would. */
  putUrlMap(map: Json & { name: string }): void {
    this.maps.set(map.name, { ...structuredClone(map), fingerprint: fingerprintOf(map) });
    this.applied(map.name);
  }

  private applied(name: string): void {
    const map = this.maps.get(name);
    if (map) this.options.onApplied?.({ ...structuredClone(map), name });
  }

  /** Someone else's change lands just before the next patch arrives: that patch carries a stale fingerprint. */
  changeBeforeNextPatch(name: string, change: (map: Json) => void): void {
    this.beforePatch = () => this.changeAsSomeoneElse(name, change);
  }

  /** Someone else changes the map (another rule, the default service): the fingerprint moves on. */
  changeAsSomeoneElse(name: string, change: (map: Json) => void): void {
    const map = this.maps.get(name);
    if (!map) throw new Error(`no url map ${name}`);
    change(map);
    map.fingerprint = fingerprintOf(map);
    this.applied(name);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: Json): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const error = (status: number, reason: string, message: string): void => send(status, { error: { code: status, message, errors: [{ reason, message }] } });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = req.method === 'PATCH' || req.method === 'POST' ? (await readJsonBody(req)) as Json | null : null;
    this.requests.push({ method: req.method ?? '', path, body });
    if (this.unavailable) return error(503, 'backendError', 'The service is currently unavailable.');
    const base = `/compute/v1/projects/${this.options.project}/global`;
    if (!path.startsWith(`${base}/`)) return error(403, 'forbidden', `this local Compute API serves project ${this.options.project} only`);
    const [collection, name, verb] = path.slice(base.length + 1).split('/');
    if (collection === 'urlMaps' && name) {
      let map = this.maps.get(name);
      if (!map) return error(404, 'notFound', `The resource 'projects/${this.options.project}/global/urlMaps/${name}' was not found`);
      if (req.method === 'GET') return send(200, map);
      if (req.method === 'PATCH' && body) {
        const race = this.beforePatch;
        this.beforePatch = null;
        race?.();
        map = this.maps.get(name) ?? map;
        if (body.fingerprint !== map.fingerprint) return error(412, 'conditionNotMet', 'Supplied fingerprint does not match current metadata fingerprint.');
        const next: Json = { ...map, ...body, name };
        next.fingerprint = fingerprintOf(next);
        this.maps.set(name, next);
        // The change reaches the proxies when its operation is done, not when it is accepted.
        return send(200, this.operation('patch', `${base}/urlMaps/${name}`, () => this.applied(name)));
      }
    }
    if (collection === 'backendServices' && name) {
      const group = `https://www.googleapis.com/compute/v1/projects/${this.options.project}/zones/local-a/networkEndpointGroups/${name}-neg`;
      if (req.method === 'GET' && !verb) return send(200, { kind: 'compute#backendService', name, selfLink: `https://www.googleapis.com/compute/v1${base}/backendServices/${name}`, loadBalancingScheme: 'EXTERNAL_MANAGED', backends: [{ group, balancingMode: 'RATE', maxRatePerEndpoint: 100 }] });
      if (req.method === 'POST' && verb === 'getHealth') {
        if ((body as { group?: string } | null)?.group !== group) return error(400, 'invalid', `${String((body as { group?: string } | null)?.group)} is not a backend of ${name}`);
        const states = this.options.endpointHealth?.(name) ?? ['HEALTHY', 'HEALTHY'];
        return send(200, { kind: 'compute#backendServiceGroupHealth', healthStatus: states.map((healthState, i) => ({ healthState, ipAddress: `10.0.0.${i + 2}`, port: 8080, forwardingRule: `${base}/forwardingRules/lb` })) });
      }
    }
    if (collection === 'operations' && name) {
      const entry = this.operations.get(name);
      if (!entry) return error(404, 'notFound', `operation ${name} not found`);
      if (verb === 'wait' && req.method === 'POST') {
        // As the API: waits up to a bound (2 minutes there; 2 s here), then answers whatever the state is.
        const until = Date.now() + 2_000;
        while (Date.now() < entry.doneAt && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      }
      if (req.method === 'GET' || verb === 'wait') return send(200, this.view(entry));
    }
    return error(400, 'invalid', `${req.method ?? ''} ${path} is not served here`);
  }

  private operation(type: string, target: string, onDone: () => void): Json {
    const name = `operation-${randomUUID()}`;
    const op = { kind: 'compute#operation', name, operationType: type, targetLink: `https://compute.googleapis.com${target}`, status: 'RUNNING', insertTime: new Date().toISOString() };
    const entry: Operation = { op, doneAt: Date.now() + (this.options.operationMs ?? 200), onDone };
    this.operations.set(name, entry);
    setTimeout(() => this.view(entry), this.options.operationMs ?? 200).unref();
    return this.view(entry);
  }

  /** The operation as it stands; once done, its change is in effect before anyone is told so. */
  private view(entry: Operation): Json {
    if (Date.now() < entry.doneAt) return { ...entry.op };
    entry.onDone?.();
    entry.onDone = null;
    return { ...entry.op, status: 'DONE', progress: 100, endTime: new Date(entry.doneAt).toISOString() };
  }
}

interface Operation {
  op: Json;
  doneAt: number;
  onDone: (() => void) | null;
}

function fingerprintOf(map: Json): string {
  const { fingerprint: _previous, ...rest } = map;
  return createHash('sha256').update(JSON.stringify(rest)).update(randomUUID()).digest('base64').slice(0, 12);
}


/** google-auth-library's own client with a fixed local token that never expires (no Google credentials needed). */
export function localAuth(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'local', expiry_date: Date.now() + 365 * 86_400_000 });
  return client;
}
