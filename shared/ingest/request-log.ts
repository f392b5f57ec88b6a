import { z } from 'zod';
import { SERVICE_NAME_RULE, type RequestSample } from '../domain/index.js';

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

const logEntrySchema = z.object({
  insertId: z.string().min(1).max(128),
  logName: z.string().max(200).regex(REQUEST_LOG_NAME),
  timestamp: z.string().datetime({ offset: true }),
  resource: z.object({
    type: z.literal('cloud_run_revision'),
    labels: z.object({ service_name: z.string().regex(SERVICE_NAME_RULE), revision_name: z.string().min(1).max(100).regex(/^[a-z0-9-]+$/) }),
  }),
  httpRequest: z.object({
    status: z.number().int().min(0).max(999).optional(),
    latency: z.string().regex(/^\d{1,6}(\.\d{1,9})?s$/).optional(),
  }),
});

export type ParsedRequestLog = { ok: true; sample: RequestSample } | { ok: false; reason: string };

export function parseRequestLog(data: Buffer | string): ParsedRequestLog {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = logEntrySchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a Cloud Run request log entry: ${parsed.error.issues[0]?.path.join('.') ?? ''}` };
  const e = parsed.data;
  return {
    ok: true,
    sample: {
      id: e.insertId,
      service: e.resource.labels.service_name,
      revision: e.resource.labels.revision_name,
      at: Date.parse(e.timestamp),
      // No status: the request never got an answer (Cloud Run logs it so); it counts as a failure.
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
