import { z } from 'zod';
import { boundedDuration } from './duration.js';
import type { Release } from './model.js';
import { SERVICE_NAME_RULE } from './names.js';

/**
 * Environments in order: a service is a stage of a pipeline when its config names the stage
 * before it (`promotion.from`). A build that completed there is promoted here, the same image
 * digest, once it has served there for the soak; automatically or on approval. The stage before
 * is the authority: its release document, read in the event's own transaction, decides, never
 * the message that pointed at it. Pure: the relay and the store fetch, this judges.
 */
export const promotionSchema = z
  .object({
    from: z.string().regex(SERVICE_NAME_RULE, 'the service of the stage before this one').describe('The stage before this one: its completed builds are promoted here'),
    soak: boundedDuration('0s', '168h', 'promotion.soak').prefault('30m').describe('How long a build must have served in the stage before, completed and not rolled back, before it is promoted here'),
    approval: z.enum(['auto', 'manual']).default('auto').describe('auto: the soaked build starts here; manual: it waits for `cutover approve`'),
  })
  .strict();
export type Promotion = z.output<typeof promotionSchema>;

/** Of a promoted release: the release of the stage before it came from, when it may start, and whether that stage revoked it. */
export const releasePromotionSchema = z.strictObject({
  from: z.string(),
  releaseId: z.string(),
  soakUntil: z.number(),
  /** When a stage before revoked the digest (rolled back, or revoked itself): it is promoted no further. */
  revokedAt: z.number().nullable(),
});
export type ReleasePromotion = z.infer<typeof releasePromotionSchema>;

/** What the release of the stage before says about its build now. */
export type Standing =
  | { kind: 'eligible'; completedAt: number }
  | { kind: 'notYet'; why: string }
  | { kind: 'revoked'; why: string };

/**
 * Whether a build may be promoted from its release in the stage before. Completed (watched or
 * final) and never revoked: eligible. Rolling back, rolled back, failed, superseded, or revoked
 * by a stage further up: revoked, and so is every release of it downstream. Still in flight: not yet.
 */
export function standingOf(upstream: Release | undefined): Standing {
  if (!upstream) return { kind: 'revoked', why: 'the release it was promoted from is gone' };
  const { phase } = upstream.state;
  if (upstream.promotion?.revokedAt != null) return { kind: 'revoked', why: `${upstream.id} was revoked by a stage before ${upstream.service}` };
  if (phase === 'complete') return { kind: 'eligible', completedAt: upstream.completedAt ?? upstream.phaseStartedAt };
  if (phase === 'rolling_back' || phase === 'rolled_back' || phase === 'superseded' || phase === 'failed') return { kind: 'revoked', why: `${upstream.id} is ${phase} in ${upstream.service}` };
  return { kind: 'notYet', why: `${upstream.id} is ${phase} in ${upstream.service}` };
}

/** A digest-pinned image: a promotion carries the exact bytes that were judged, never a tag that may move. */
export const isPinned = (image: string | null): image is string => image !== null && /@sha256:[0-9a-f]{64}$/.test(image);
