import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FleetError, type LocalFleet } from './fleet.js';

/**
 * The local router's admin API, the local counterpart of the Cloud Run Admin and Monitoring APIs.
 * The local adapters call it over HTTP, so the CLI and the functions reach the same fleet.
 *
 *   POST /v1/services/{svc}/revisions   {revision, image, baselineRevision?}            → {revision, url, stableRevision, baselineRevision}
 *   PUT  /v1/services/{svc}/traffic     {stableRevision, candidateRevision, candidatePercent, baselineRevision?, baselinePercent?} → {observedPercent}
 *   GET  /v1/services/{svc}/metrics?revision=R&from=MS&to=MS                           → {requests, errors, p99LatencyMs}
 *   GET  /v1/services/{svc}                                                            → routing state and totals
 */
const deploySchema = z.object({ revision: z.string().min(1), image: z.string().min(1), baselineRevision: z.string().min(1).nullish() });
const trafficSchema = z.object({
  stableRevision: z.string().nullable(),
  candidateRevision: z.string().nullable(),
  candidatePercent: z.number().min(0).max(100),
  baselineRevision: z.string().nullish(),
  baselinePercent: z.number().min(0).max(100).default(0),
});

export async function startAdminApi(fleet: LocalFleet, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => void handle(fleet, req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}') as unknown;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function handle(fleet: LocalFleet, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const match = /^\/v1\/services\/([^/]+)(\/revisions|\/traffic|\/metrics)?$/.exec(url.pathname);
  if (!match?.[1]) return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  // A service running in several local regions is served as `{svc}@{region}`, one router each.
  const region = url.searchParams.get('region');
  const named = decodeURIComponent(match[1]);
  const service = region && fleet.services.has(`${named}@${region}`) ? `${named}@${region}` : named;
  const route = fleet.services.get(service);
  try {
    if (!route) return send(res, 404, { error: `service ${service} is not served by the local router` });
    switch (`${req.method} ${match[2] ?? ''}`) {
      case 'POST /revisions': {
        const body = deploySchema.parse(await readJson(req));
        const launched = await fleet.deploy(service, body.revision, body.image);
        const stable = route.router.stable?.revision ?? null;
        const twin = body.baselineRevision && stable && stable !== launched.revision ? await fleet.deployTwin(service, body.baselineRevision) : null;
        return send(res, 200, { revision: launched.revision, url: launched.url, stableRevision: stable === launched.revision ? null : stable, baselineRevision: twin?.revision ?? null });
      }
      case 'PUT /traffic': {
        const body = trafficSchema.parse(await readJson(req));
        const observedPercent = await fleet.setTraffic(service, body.stableRevision, body.candidateRevision, body.candidatePercent, body.baselineRevision ?? null, body.baselinePercent);
        return send(res, 200, { observedPercent: fleet.observed(service, body.candidateRevision) ?? observedPercent });
      }
      case 'GET /metrics': {
        const revision = url.searchParams.get('revision') ?? '';
        const stats = route.router.countersFor(revision).window(Number(url.searchParams.get('from')), Number(url.searchParams.get('to')));
        return send(res, 200, stats);
      }
      case 'GET ': {
        const { router } = route;
        return send(res, 200, {
          url: route.url,
          stable: router.stable,
          candidate: router.candidate,
          candidatePercent: router.candidatePercent,
          baseline: router.baseline,
          baselinePercent: router.baselinePercent,
          revisions: [...route.revisions.keys()],
          totals: Object.fromEntries([router.stable, router.candidate].filter((b) => b !== null).map((b) => [b.revision, router.countersFor(b.revision).total])),
        });
      }
      default:
        return send(res, 405, { error: `${req.method} not allowed on ${url.pathname}` });
    }
  } catch (error) {
    if (error instanceof z.ZodError || error instanceof SyntaxError) return send(res, 400, { error: String(error.message), permanent: true });
    if (error instanceof FleetError) return send(res, error.permanent ? 409 : 503, { error: error.message, permanent: error.permanent });
    return send(res, 500, { error: error instanceof Error ? error.message : String(error), permanent: false });
  }
}
