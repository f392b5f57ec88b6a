import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Notify } from '../../domain/index.js';
import type { Notifier } from '../../ports/index.js';

/**
 * Lifecycle notifications on the `cutover-events` topic. The payload is documented in
 * docs/deploy-gcp.md ("Notifications"); attributes let subscribers filter
 * (e.g. `attributes.service = "checkout" AND attributes.type = "release.rolled_back"`).
 */
export const NOTIFICATION_SCHEMA_VERSION = 1;

const iso = (t: number | null | undefined): string | null => (typeof t === 'number' ? new Date(t).toISOString() : null);

/**
 * The documented payload. The delivery fields are always present (null when the notification
 * does not complete or end a release), so a BigQuery table with this schema takes every message.
 */
export function notificationPayload(n: Notify) {
  const d = n.delivery;
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    type: n.type,
    service: n.service,
    releaseId: n.releaseId,
    phase: n.phase,
    reason: n.reason,
    cause: n.cause ?? null,
    message: n.message,
    trafficPercent: n.trafficPercent,
    at: new Date(n.at).toISOString(),
    deployedAt: iso(d?.deployed?.at),
    leadTimeMs: d?.deployed?.leadTimeMs ?? null,
    outcome: d?.outcome ? (d.outcome.failed ? 'failed' : 'ok') : null,
    outcomeAt: iso(d?.outcome?.at),
    restoreMs: d?.restore?.durationMs ?? null,
  };
}

export class PubSubNotifier implements Notifier {
  private readonly topic: Topic;

  constructor(pubsub: PubSub, topicName: string) {
    this.topic = pubsub.topic(topicName);
  }

  async notify(n: Notify): Promise<void> {
    await this.topic.publishMessage({
      json: notificationPayload(n),
      attributes: { service: n.service, releaseId: n.releaseId, phase: n.phase, type: n.type },
    });
  }
}
