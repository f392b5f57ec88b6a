import { z } from 'zod';
import { parseBuildMessage } from '../shared/ingest/cloud-build.js';
import { parseIncidentMessage, type ParsedIncident } from '../shared/ingest/monitoring.js';
import type { PubsubMessage } from '../shared/ingest/envelope.js';
import { SERVICE_NAME_RULE, judgeBuild, pointersWithRegions, revisionsInPlay } from '../shared/domain/index.js';
import { LIMITS, RELEASE_ID } from '../shared/ingest/limits.js';
import type { AlertPolicyFacts } from '../shared/ports/index.js';
import type { EntryDeps, Verdict } from './entry.js';

/** onCloudBuild: Cloud Build status → build event for the service named in _CUTOVER_SERVICE. */
export async function handleCloudBuild(message: PubsubMessage, deps: EntryDeps): Promise<Verdict> {
  const parsed = parseBuildMessage(message);
  if (parsed.kind === 'malformed') return { ack: 'rejected', reason: 'MalformedBuild', why: parsed.reason };
  if (parsed.kind === 'notOurs') return { ack: 'ignored', why: `build ${parsed.buildId} has no _CUTOVER_SERVICE` };
  const unknown = (): Verdict => ({ ack: 'rejected', reason: 'UnknownService', why: `build ${parsed.body.buildId} names service "${parsed.service}", which is not registered (cutover services apply)` });
  const service = await deps.store.getService(parsed.service);
  if (!service) return unknown();
  // Provenance: what the Cloud Build API says of this build, not what the message claims, decides.
  const { source, project } = service.config;
  const facts = source ? await deps.builds.getBuild({ project: source.project ?? project, location: source.location, buildId: parsed.body.buildId }) : null;
  const judged = judgeBuild({ service: parsed.service, buildId: parsed.body.buildId, image: parsed.body.image }, facts, source);
  if (!judged.ok) return { ack: 'rejected', reason: judged.reason, why: judged.why };
  const report = await deps.runtime.handle({ id: `build:${message.messageId}`, service: parsed.service, at: deps.clock(), body: judged.body });
  if (report.kind === 'unknownService') return unknown();
  return { ack: 'handled', detail: report };
}

/**
 * onAlert: a Cloud Monitoring incident → incident event for every service that lists its policy.
 * The message is a claim (anyone who can publish on the topic, or edit a policy, shapes it): the
 * policy is taken from the condition's resource name, must be listed by a service, and must exist
 * in Cloud Monitoring with the labels and name the message claims. Otherwise the incident is
 * stored as rejected, with its reason, and acknowledged; a policy Monitoring cannot be asked about
 * now is 503 (redelivered), never trusted for want of an answer.
 */
export async function handleAlert(message: PubsubMessage, deps: EntryDeps): Promise<Verdict> {
  const parsed = parseIncidentMessage(message);
  if (parsed.kind === 'malformed') return { ack: 'rejected', reason: 'MalformedIncident', why: parsed.reason };
  if (parsed.kind === 'test') {
    deps.log.info({ messageId: message.messageId }, 'onAlert: test notification received; the channel works');
    return { ack: 'ignored', why: 'test notification' };
  }
  const incident = parsed.incident;
  const { incidentId, state } = incident.body;
  const label = `incident ${incidentId}`;
  if (incident.policy === null) return { ack: 'rejected', reason: 'UnverifiableIncident', why: `${label} names no alert policy (condition.name projects/P/alertPolicies/ID/conditions/C): nothing to verify it against` };
  const services = await deps.store.findServicesByAlertPolicy(incident.policy);
  if (services.length === 0) return { ack: 'rejected', reason: 'UnmappedIncident', why: `${label} (policy ${incident.policy}) maps to no service: list the policy under rollbackTriggers.alertPolicies` };
  const facts = await deps.alertPolicies.getPolicy(incident.policy);
  const refused = refusal(incident, facts);
  if (refused) return { ack: 'rejected', reason: refused.reason, why: `${label}: ${refused.why}` };
  const body = { ...incident.body, policyName: facts?.displayName ?? incident.body.policyName };
  const reports = [];
  for (const service of services) {
    // An incident is one fact however many messages carry it (publisher retries, Monitoring's
    // repeat notifications): the event id is the incident's, not the message's.
    reports.push(await deps.runtime.handle({ id: incidentEventId(incidentId, state, service), service, at: deps.clock(), body }));
  }
  return { ack: 'handled', detail: reports };
}

export const incidentEventId = (incidentId: string, state: string, service: string): string => `incident:${incidentId}:${state}:${service}`;

/** Why Cloud Monitoring's answer does not vouch for the message, or null when it does. */
function refusal(incident: ParsedIncident, facts: AlertPolicyFacts | null): { reason: string; why: string } | null {
  if (!facts) return { reason: 'PolicyNotFound', why: `Cloud Monitoring knows no alert policy ${incident.policy ?? ''}` };
  if (incident.claimedDisplayName !== null && incident.claimedDisplayName !== facts.displayName) return { reason: 'PolicyMismatch', why: `the message names policy ${JSON.stringify(incident.claimedDisplayName)}; ${facts.name} is ${JSON.stringify(facts.displayName)}` };
  const differing = Object.entries(incident.claimedLabels).filter(([k, v]) => facts.userLabels[k] !== v).map(([k]) => k);
  if (differing.length > 0) return { reason: 'PolicyMismatch', why: `the message claims user labels the policy does not carry: ${differing.slice(0, 5).join(', ')}` };
  return null;
}

/**
 * onTick: advance the releases whose next check is due, each its own event and transaction, as
 * far as one request's budget goes. A release not reached stays due: the next tick (or its timer)
 * takes it, so no release waits on another's effects and no request outlives its deadline.
 */
export async function handleTick(message: PubsubMessage, deps: EntryDeps, batch = 200): Promise<Verdict> {
  const now = deps.clock();
  const due = await deps.store.dueReleases(now, batch);
  const budget = deps.runtime.budget();
  const reports = [];
  for (const release of due) {
    if (!budget.hasRoom()) break;
    reports.push(await deps.runtime.handle({ id: `tick:${message.messageId}:${release.id}`, service: release.service, at: now, body: { kind: 'tick', releaseId: release.id } }, budget));
  }
  const sinkUpdated = deps.telemetrySink ? await syncSink(deps, now) : null;
  return { ack: 'handled', detail: { due: due.length, handled: reports.length, reports: reports.map((r) => r.kind), sinkUpdated } };
}

/** Once a minute the request-log sink is set to exactly the candidates in play (what ended is pruned). */
async function syncSink(deps: EntryDeps, now: number): Promise<boolean | null> {
  try {
    const perService = await Promise.all((await deps.store.listServices()).map(async (service) => {
      const ids = pointersWithRegions(service);
      const releases = (await Promise.all(ids.map((id) => deps.store.getRelease(id)))).filter((r) => r !== null);
      return revisionsInPlay(service, releases, now);
    }));
    return await deps.telemetrySink?.sync(perService.flat()) ?? null;
  } catch (error) {
    // The tick's own work is done; a filter left as it was is fixed by the next tick.
    deps.log.warn({ err: error }, 'onTick: could not update the request-log sink filter');
    return null;
  }
}

const timerBody = z.object({
  releaseId: z.string().max(LIMITS.releaseIdChars).regex(RELEASE_ID, 'not a release id'),
  service: z.string().regex(SERVICE_NAME_RULE, 'not a service name'),
  at: z.number().int().min(0).max(8.64e15),
});

/** onTimer: a Cloud Tasks timer for one release (HTTP JSON {releaseId, service, at}); the same tick path as onTick. */
export async function handleTimer(body: unknown, deps: EntryDeps): Promise<Verdict> {
  const parsed = timerBody.safeParse(typeof body === 'object' && body !== null ? body : null);
  if (!parsed.success) return { ack: 'rejected', reason: 'MalformedTimer', why: `not a timer request: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim() };
  const { releaseId, service, at } = parsed.data;
  const report = await deps.runtime.handle({ id: `timer:${releaseId}:${at}`, service, at: deps.clock(), body: { kind: 'tick', releaseId } });
  if (report.kind === 'unknownService') return { ack: 'rejected', reason: 'UnknownService', why: `timer names service "${service}", which is not registered` };
  return { ack: 'handled', detail: report };
}
