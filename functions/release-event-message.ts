import { releaseEventPayloadSchema, type ReleaseEventPayload } from '../shared/domain/index.js';
import type { PubsubMessage } from '../shared/ingest/envelope.js';
import type { Verdict } from './entry.js';

/** A `cutover-events` message as its readers take it: JSON of the published payload, or refused with why. */
export function parseReleaseEventMessage(message: PubsubMessage): { ok: true; event: ReleaseEventPayload } | { ok: false; verdict: Verdict } {
  let json: unknown;
  try {
    json = JSON.parse(message.data.toString('utf8'));
  } catch {
    return { ok: false, verdict: { ack: 'rejected', reason: 'MalformedReleaseEvent', why: 'the message is not JSON' } };
  }
  const parsed = releaseEventPayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, verdict: { ack: 'rejected', reason: 'MalformedReleaseEvent', why: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } };
  return { ok: true, event: parsed.data };
}
