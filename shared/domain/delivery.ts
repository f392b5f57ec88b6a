import { z } from 'zod';
import { keysOf, releaseFacts, type FourKeys } from './dora.js';
import type { Release } from './model.js';

/**
 * The four keys kept as releases end, one document per service and UTC day
 * (`delivery/{service}~{YYYY-MM-DD}`, docs/state.md). Each fact is keyed by its release id, so
 * writing a patch twice changes nothing, and a release's outcome turning from ok to failed (a
 * rollback in the watch window) overwrites its own entry. A page or `cutover stats` then reads at
 * most one document per day of its window, whatever the number of releases.
 */
export const DELIVERY_DAY_VERSION = 1;

export const deliveryDaySchema = z.object({
  schemaVersion: z.literal(DELIVERY_DAY_VERSION),
  service: z.string(),
  /** UTC day, YYYY-MM-DD. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Release id → lead time (ms), for releases completed this day. */
  deployed: z.record(z.string(), z.number()).default({}),
  /** Release id → "failed" or "ok", for releases that reached traffic and were decided this day. */
  outcomes: z.record(z.string(), z.enum(['ok', 'failed'])).default({}),
  /** Release id → time to restore (ms), for restores that ended this day. */
  restores: z.record(z.string(), z.number()).default({}),
});
export type DeliveryDay = z.infer<typeof deliveryDaySchema>;
export type DeliveryPatch = Pick<DeliveryDay, 'service' | 'day'> & Partial<Pick<DeliveryDay, 'deployed' | 'outcomes' | 'restores'>>;

const DAY = 86_400_000;
export const dayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);
export const deliveryDocId = (service: string, day: string): string => `${service}~${day}`;

/**
 * What a decision changes in the kept figures: the facts `after` has that `before` did not have
 * the same. Empty for nearly every decision; at most three days touched when a release ends.
 */
export function deliveryPatches(before: Release | undefined, after: Release): DeliveryPatch[] {
  const was = before ? releaseFacts(before) : { deployed: null, outcome: null, restore: null };
  const now = releaseFacts(after);
  const patches = new Map<string, DeliveryPatch>();
  const on = (at: number): DeliveryPatch => {
    const day = dayOf(at);
    const patch = patches.get(day) ?? { service: after.service, day };
    patches.set(day, patch);
    return patch;
  };
  const same = (a: object | null, b: object | null) => JSON.stringify(a) === JSON.stringify(b);
  if (now.deployed && !same(was.deployed, now.deployed)) on(now.deployed.at).deployed = { [after.id]: now.deployed.leadTimeMs };
  if (now.outcome && !same(was.outcome, now.outcome)) on(now.outcome.at).outcomes = { [after.id]: now.outcome.failed ? 'failed' : 'ok' };
  if (now.restore && !same(was.restore, now.restore)) on(now.restore.at).restores = { [after.id]: now.restore.durationMs };
  return [...patches.values()];
}

/** The whole UTC days a window covers: `days` days ending with the day of `now`, as [from, to). */
export function dayWindow(now: number, days: number, endingDaysAgo = 0): { from: number; to: number } {
  const to = Math.floor(now / DAY) * DAY + DAY - endingDaysAgo * DAY;
  return { from: to - days * DAY, to };
}

/** The four keys over [from, to) (whole days) from the kept days; days outside it are ignored. */
export function keysFromDays(days: readonly DeliveryDay[], from: number, to: number): FourKeys {
  const inside = days.filter((d) => d.day >= dayOf(from) && d.day <= dayOf(to - 1));
  return keysOf(
    from,
    to,
    inside.flatMap((d) => Object.values(d.deployed)),
    inside.flatMap((d) => Object.values(d.outcomes).map((o) => o === 'failed')),
    inside.flatMap((d) => Object.values(d.restores)),
  );
}

/** Merges a patch into a day the way Firestore's `set(..., { merge: true })` does: map entries by key. */
export function mergeDelivery(current: DeliveryDay | null, patch: DeliveryPatch): DeliveryDay {
  const base = current ?? { schemaVersion: DELIVERY_DAY_VERSION, service: patch.service, day: patch.day, deployed: {}, outcomes: {}, restores: {} };
  return {
    ...base,
    deployed: { ...base.deployed, ...patch.deployed },
    outcomes: { ...base.outcomes, ...patch.outcomes },
    restores: { ...base.restores, ...patch.restores },
  };
}
