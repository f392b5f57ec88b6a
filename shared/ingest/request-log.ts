import { z } from 'zod';
import { SERVICE_NAME_RULE, loadBalancerStreamService, type RequestSample } from '../domain/index.js';

/**
 * A Cloud Run request log entry as a Logging sink delivers it to Pub/Sub: the LogEntry as JSON in
 * message.data (logName …/logs/run.googleapis.com%2Frequests, resource type cloud_run_revision,
 * httpRequest with status and latency as a Duration string such as "0.012s"). Hostile until
 * parsed: an entry that is not one of these is skipped with its reason, never counted.
 */
/**
 * Only the log Cloud Run writes for requests. Any principal with logging.logEntries.create (the
 * candidate's own runtime account among them) can write entries under any other log name with
 * the same resource labels; those are never counted. An entry under this name can still be
 * written by such a principal, so the stream only ever hastens a rollback: advancing a step waits
 * for Cloud Monitoring's own request counts (the confirmation in the health source).
 */
export const REQUEST_LOG_NAME = /^projects\/[a-z0-9][a-z0-9.:-]{0,99}\/logs\/run\.googleapis\.com%2Frequests$/;
/** The log a global external Application Load Balancer writes its requests to (resource http_load_balancer). */
export const LOAD_BALANCER_LOG_NAME = /^projects\/[a-z0-9][a-z0-9.:-]{0,99}\/logs\/requests$/;

const resourceName = z.string().min(1).max(63).regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
const common = {
  insertId: z.string().min(1).max(128),
  timestamp: z.string().datetime({ offset: true }),
};
const httpRequest = {
  status: z.number().int().min(0).max(999).optional(),
  latency: z.string().regex(/^\d{1,6}(\.\d{1,9})?s$/).optional(),
};

const logEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('cloud_run_revision'),
    logName: z.string().max(200).regex(REQUEST_LOG_NAME),
    resource: z.object({
      type: z.literal('cloud_run_revision'),
      labels: z.object({ service_name: z.string().regex(SERVICE_NAME_RULE), revision_name: z.string().min(1).max(100).regex(/^[a-z0-9-]+$/) }),
    }),
    httpRequest: z.object(httpRequest),
  }),
  z.object({
    ...common,
    kind: z.literal('http_load_balancer'),
    logName: z.string().max(200).regex(LOAD_BALANCER_LOG_NAME),
    resource: z.object({ type: z.literal('http_load_balancer'), labels: z.object({ url_map_name: resourceName, backend_service_name: resourceName }) }),
    httpRequest: z.object({ ...httpRequest, cacheHit: z.boolean().optional(), cacheValidatedWithOriginServer: z.boolean().optional() }),
  }),
]);

export type ParsedRequestLog = { ok: true; sample: RequestSample } | { ok: false; reason: string };

export function parseRequestLog(data: Buffer | string): ParsedRequestLog {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const kind = json !== null && typeof json === 'object' ? ((json as { resource?: { type?: unknown } }).resource?.type ?? null) : null;
  const parsed = logEntrySchema.safeParse(json !== null && typeof json === 'object' ? { ...json, kind } : json);
  if (!parsed.success) return { ok: false, reason: `not a Cloud Run or load balancer request log entry: ${parsed.error.issues[0]?.path.join('.') ?? ''}` };
  const e = parsed.data;
  if (e.kind === 'http_load_balancer' && e.httpRequest.cacheHit && !e.httpRequest.cacheValidatedWithOriginServer) {
    // Served from Cloud CDN's cache: neither colour answered it, so it says nothing of either.
    return { ok: false, reason: 'a cache hit' };
  }
  const [service, revision] = e.kind === 'cloud_run_revision' ? [e.resource.labels.service_name, e.resource.labels.revision_name] : [loadBalancerStreamService(e.resource.labels.url_map_name), e.resource.labels.backend_service_name];
  return {
    ok: true,
    sample: {
      id: e.insertId,
      service,
      revision,
      at: Date.parse(e.timestamp),
      // No status: the request never got an answer (both log it so); it counts as a failure.
      status: e.httpRequest.status ?? 503,
      latencyMs: e.httpRequest.latency ? Math.round(parseFloat(e.httpRequest.latency) * 1000) : null,
    },
  };
}

/** The LogEntry Cloud Run writes for one request (what the local router writes too). */
export function requestLogEntry(r: { id: string; project: string; location: string; service: string; revision: string; at: number; status: number; latencyMs: number; method: string; url: string }) {
  return {
    insertId: r.id,
    logName: `projects/${r.project}/logs/run.googleapis.com%2Frequests`,
    resource: { type: 'cloud_run_revision', labels: { project_id: r.project, location: r.location, service_name: r.service, revision_name: r.revision, configuration_name: r.service } },
    timestamp: new Date(r.at).toISOString(),
    receiveTimestamp: new Date(r.at).toISOString(),
    severity: r.status >= 500 ? 'ERROR' : 'INFO',
    httpRequest: { requestMethod: r.method, requestUrl: r.url, status: r.status, latency: `${(r.latencyMs / 1000).toFixed(6)}s`, protocol: 'HTTP/1.1' },
  };
}

/** The LogEntry a global external Application Load Balancer writes for one request it sent to a backend service (what the local load balancer writes too). */
export function loadBalancerLogEntry(r: { id: string; project: string; urlMap: string; backendService: string; at: number; status: number; latencyMs: number; method: string; url: string }) {
  return {
    insertId: r.id,
    logName: `projects/${r.project}/logs/requests`,
    resource: { type: 'http_load_balancer', labels: { project_id: r.project, zone: 'global', url_map_name: r.urlMap, backend_service_name: r.backendService, forwarding_rule_name: `${r.urlMap}-https`, target_proxy_name: `${r.urlMap}-proxy` } },
    timestamp: new Date(r.at).toISOString(),
    receiveTimestamp: new Date(r.at).toISOString(),
    severity: r.status >= 500 ? 'ERROR' : 'INFO',
    jsonPayload: { '@type': 'type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry', statusDetails: r.status === 502 ? 'failed_to_connect_to_backend' : 'response_sent_by_backend' },
    httpRequest: { requestMethod: r.method, requestUrl: r.url, status: r.status, latency: `${(r.latencyMs / 1000).toFixed(6)}s`, protocol: 'HTTP/1.1', cacheLookup: false },
  };
}
