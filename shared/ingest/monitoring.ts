import { z } from 'zod';
import type { EventOf } from '../domain/index.js';
import { dataAsJson, type PubsubMessage } from './envelope.js';
import { LIMITS, capText } from './limits.js';
import { ALERT_POLICY_NAME } from '../domain/names.js';

/**
 * A Cloud Monitoring incident as delivered to a Pub/Sub notification channel (schema "1.2";
 * test notifications say version "test"). Parsed leniently: state in any case, ended_at as a
 * number, null or the string "null". Everything in it is a claim: the policy is found by the
 * condition's resource name, and onAlert asks Cloud Monitoring about it before acting.
 */
const incidentSchema = z.object({
  incident_id: z.string().min(1).max(LIMITS.incidentIdChars),
  state: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['open', 'closed'])),
  policy_name: z.string().nullish(),
  policy_user_labels: z.record(z.string(), z.string()).nullish(),
  resource: z.object({ type: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }).nullish(),
  /** The condition that fired; its `name` is projects/P/alertPolicies/ID/conditions/C, the policy's resource name inside. */
  condition: z.object({ name: z.string().max(1_000).optional() }).passthrough().nullish(),
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
  /** The alert policy's resource name (projects/P/alertPolicies/ID), from the condition that fired: what is verified. */
  policy: string | null;
  /** What the message claims of the policy; checked against the API's answer, never used as is. */
  claimedDisplayName: string | null;
  claimedLabels: Record<string, string>;
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
  const policy = /^(projects\/[^/]+\/alertPolicies\/[^/]+)\/conditions\/[^/]+$/.exec(incident.condition?.name ?? '')?.[1] ?? null;
  return {
    kind: 'incident',
    incident: {
      body: {
        kind: 'incident',
        incidentId: incident.incident_id,
        state: incident.state,
        policyName: capText(incident.policy_name ?? null, LIMITS.policyNameChars),
        summary: capText(incident.summary ?? null, LIMITS.summaryChars),
        startedAt: startedAtMs(incident.started_at),
      },
      policy: policy !== null && ALERT_POLICY_NAME.test(policy) ? policy : null,
      claimedDisplayName: incident.policy_name ?? null,
      claimedLabels: incident.policy_user_labels ?? {},
    },
  };
}
