import { z } from 'zod';
import { boundedDuration } from './duration.js';
import type { Release } from './model.js';
import { HOOK_TIMEOUT_MAX_MS } from './hooks.js';
import { SERVICE_NAME_RULE } from './names.js';

/** Beyond the longest hook timeout, the time its last poll may take to be recorded. */
const ABANDONED_GRACE_MS = 300_000;

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
  /** Completed, but a check it runs after completion has not ended: its soak runs, it goes no further yet. */
  | { kind: 'checking'; completedAt: number; why: string }
  | { kind: 'notYet'; why: string }
  | { kind: 'revoked'; why: string };

/**
 * Whether a build may be promoted from its release in the stage before, at `now`. Completed
 * (watched or final), its after-complete checks passed, and never revoked: eligible. Rolling back,
 * rolled back, failed, superseded, or revoked by a stage further up: revoked, and so is every
 * release of it downstream. Still in flight: not yet.
 */
export function standingOf(upstream: Release | undefined, now: number): Standing {
  if (!upstream) return { kind: 'revoked', why: 'the release it was promoted from is gone' };
  const { phase } = upstream.state;
  if (upstream.promotion?.revokedAt != null) return { kind: 'revoked', why: `${upstream.id} was revoked by a stage before ${upstream.service}` };
  if (phase === 'complete') return completedStanding(upstream, now);
  if (phase === 'rolling_back' || phase === 'rolled_back' || phase === 'superseded' || phase === 'failed') return { kind: 'revoked', why: `${upstream.id} is ${phase} in ${upstream.service}` };
  return { kind: 'notYet', why: `${upstream.id} is ${phase} in ${upstream.service}` };
}

/**
 * A completed release stands behind its build once every check it runs after completion (a
 * re-verification, a migration's contract step) passed: while one runs, the build soaks in the
 * stages after but goes no further; one that failed revokes the build there, and so does one still
 * marked running past the longest a hook may run (its release stopped asking: a newer one became
 * the stage's current release), so a build never waits on it for ever.
 */
function completedStanding(upstream: Release, now: number): Standing {
  const checks = (upstream.hookRuns ?? []).filter((r) => r.at === 'after-complete');
  const failed = checks.find((r) => r.status === 'failed');
  if (failed) return { kind: 'revoked', why: `${upstream.id}'s after-complete check ${failed.hook} failed in ${upstream.service}` };
  const abandoned = checks.find((r) => r.status === 'running' && now - r.startedAt > HOOK_TIMEOUT_MAX_MS + ABANDONED_GRACE_MS);
  if (abandoned) return { kind: 'revoked', why: `${upstream.id}'s after-complete check ${abandoned.hook} never ended in ${upstream.service}` };
  const completedAt = upstream.completedAt ?? upstream.phaseStartedAt;
  const running = checks.find((r) => r.status === 'running');
  if (running) return { kind: 'checking', completedAt, why: `${upstream.id}'s after-complete check ${running.hook} is still running in ${upstream.service}` };
  return { kind: 'eligible', completedAt };
}

/** A digest-pinned image: a promotion carries the exact bytes that were judged, never a tag that may move. */
export const isPinned = (image: string | null): image is string => image !== null && /@sha256:[0-9a-f]{64}$/.test(image);

/** Past its soak and still soaking, a promoted release waits on the stage before (a check still running there): it asks again each minute. */
export const SOAK_RECHECK_MS = 60_000;

/** When a soaking release is next looked at: the end of its soak, then each minute until the stage before stands behind it or revokes it. */
export function soakCheckAt(release: Release, now: number): number | null {
  if (!release.promotion) return null;
  return release.promotion.soakUntil > now ? release.promotion.soakUntil : now + SOAK_RECHECK_MS;
}

/**
 * The stages a new `promotion.from` would close into a loop: following each stage's `from` from
 * the named one back to the service itself. Null when the chain ends (a first stage, or a stage
 * not applied yet). A loop could not run away — a build enters a stage once — but it would be a
 * pipeline whose first stage never takes a build.
 */
export function promotionCycle(service: string, from: string | undefined, stages: readonly { name: string; from: string | undefined }[]): string[] | null {
  const fromOf = new Map(stages.filter((s) => s.name !== service).map((s) => [s.name, s.from]));
  const path = [service];
  for (let at = from; at !== undefined; at = fromOf.get(at)) {
    path.push(at);
    if (at === service) return path;
    // A loop further up that does not pass through this service is not this apply's to refuse.
    if (path.indexOf(at) < path.length - 1) return null;
  }
  return null;
}
