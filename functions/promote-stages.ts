import { isRegionRelease, type NotificationType } from '../shared/domain/index.js';
import type { PubsubMessage } from '../shared/ingest/envelope.js';
import type { EntryDeps, Verdict } from './entry.js';
import { parseReleaseEventMessage } from './release-event-message.js';

/** The release events that can change what the stages after a service may take. */
export const STAGE_EVENTS: ReadonlySet<NotificationType> = new Set<NotificationType>(['release.completed', 'release.rolling_back', 'release.rolled_back', 'release.revoked', 'release.failed', 'release.superseded', 'release.hook_failed']);

/**
 * promoteStages: one release event from `cutover-events` → an `upstream` event for each stage
 * that promotes from the event's service. The message is only a pointer: the release it names must
 * be in Cutover's state, and each stage's decision reads that release again in its own transaction.
 * One budget for the whole message: a stage that starts deploying spends it, and what is left stays
 * in flight for the timer. A store away answers 503, so Pub/Sub redelivers; the event ids make a
 * redelivery a no-op where it was already handled.
 */
export async function handlePromoteStages(message: PubsubMessage, deps: EntryDeps): Promise<Verdict> {
  const parsed = parseReleaseEventMessage(message);
  if (!parsed.ok) return parsed.verdict;
  const event = parsed.event;
  // A release in several regions is promoted as the rollout, never region by region.
  if (!STAGE_EVENTS.has(event.type) || isRegionRelease(event.releaseId)) return { ack: 'ignored', why: `${event.type} of ${event.releaseId} changes no stage after ${event.service}` };
  const stages = await deps.store.findServicesPromotingFrom(event.service);
  if (stages.length === 0) return { ack: 'ignored', why: `no stage promotes from ${event.service}` };
  const release = await deps.store.getRelease(event.releaseId);
  if (!release || release.service !== event.service) return { ack: 'rejected', reason: 'UnknownRelease', why: `release ${event.releaseId} of ${event.service} is not in Cutover's state` };
  const budget = deps.runtime.budget();
  const reports = [];
  for (const stage of stages) {
    const body = { kind: 'upstream' as const, upstreamReleaseId: release.id, buildId: release.build.id };
    reports.push({ stage, report: await deps.runtime.handle({ id: `upstream:${release.id}:${event.type}:${stage}`, service: stage, at: deps.clock(), body }, budget) });
  }
  return { ack: 'handled', detail: reports.map(({ stage, report }) => ({ stage, ...(report.kind === 'decided' ? { outcome: report.outcome } : { kind: report.kind }) })) };
}

