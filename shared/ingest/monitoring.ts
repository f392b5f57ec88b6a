import { z } from 'zod';
import type { EventOf } from '../domain/index.js';
import { dataAsJson, type PubsubMessage } from './envelope.js';
import { LIMITS, capText, isServiceName } from './limits.js';

/**
 * A Cloud Monitoring incident as delivered to a Pub/Sub notification channel (schema "1.2";
 * test notifications say version "test"). Parsed leniently: state in any case, ended_at as a
 * number, null or the string "null", policy_name as a display name or a resource path.
 */
export const SERVICE_LABEL = 'cutover-service';

const incidentSchema = z.object({
  incident_id: z.string().min(1).max(LIMITS.incidentIdChars),
  state: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['open', 'closed'])),
  policy_name: z.string().nullish(),
  policy_user_labels: z.record(z.string(), z.string()).nullish(),
  resource: z.object({ type: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }).nullish(),
  summary: z.string().nullish(),
  ended_at: z.union([z.number(), z.null(), z.literal('null'), z.string()]).optional(),
  started_at: z.union([z.number(), z.null(), z.string()]).optional(),
});

/** `started_at` is epoch seconds (a number, or digits in a string); anything else is unknown. */
function startedAtMs(value: unknown): number | null {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds * 1000) : null;
}
const notificationSchema = z.object({ version: z.string().optional(), incident: incidentSchema });

export interface ParsedIncident {
  body: EventOf<'incident'>;
  /** Candidates for the Cutover service, strongest first: user label, Cloud Run service name, policy names. */
  serviceLabel: string | null;
  runServiceName: string | null;
  policyNames: string[];
}

export type IncidentMessage =
  | { kind: 'incident'; incident: ParsedIncident }
  | { kind: 'test' }
  | { kind: 'malformed'; reason: string };

export function parseIncidentMessage(message: PubsubMessage): IncidentMessage {
  const json = dataAsJson(message);
  if (json === null) return { kind: 'malformed', reason: 'message.data is not JSON' };
  if ((json as { version?: unknown } | null)?.version === 'test') return { kind: 'test' };
  const parsed = notificationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', reason: `not an incident notification: ${issue?.path.join('.') || 'data'}: ${issue?.message ?? ''}` };
  }
  const incident = parsed.data.incident;
  // Stored capped; matched only when short enough to be a policy name at all (the query value is indexed).
  const policyPath = incident.policy_name ?? null;
  const resource = incident.resource;
  const matchable = policyPath !== null && policyPath.length <= LIMITS.policyNameChars ? policyPath : null;
  const label = incident.policy_user_labels?.[SERVICE_LABEL];
  const runService = resource?.labels?.service_name;
  const isRun = resource?.type === 'cloud_run_revision' || resource?.type === 'cloud_run_job' || resource?.type === undefined;
  return {
    kind: 'incident',
    incident: {
      body: {
        kind: 'incident',
        incidentId: incident.incident_id,
        state: incident.state,
        policyName: capText(policyPath, LIMITS.policyNameChars),
        summary: capText(incident.summary ?? null, LIMITS.summaryChars),
        startedAt: startedAtMs(incident.started_at),
      },
      // Names that are not service names (a/b, __x__, ..) cannot be ours: they never reach a document path.
      serviceLabel: label && isServiceName(label) ? label : null,
      runServiceName: isRun && runService && isServiceName(runService) ? runService : null,
      policyNames: matchable ? [...new Set([matchable, matchable.split('/').pop() ?? matchable])] : [],
    },
  };
}
