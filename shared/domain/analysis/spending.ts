/**
 * Repeated looks. Cutover tests a step every health interval, and each look is another chance to
 * reject a good candidate by bad luck. The error is spent over a step's life (Lan & DeMets' alpha
 * spending with Pocock's shape, which spends early looks almost as generously as late ones, so a
 * bad candidate is caught in its first intervals): 80% of α over the bake time, 15% over the rest
 * of the progress deadline (the looks of a step held by marginal or inconclusive readings), and the
 * last 5% past it (a step paused by a person), half of what is left in each further deadline's
 * length, so a breach is still seen however long a step is held. A look may reject at the alpha
 * spent since the previous look; by the union bound the chance that any look of the step rejects a
 * good candidate stays ≤ α, whatever the looks' timing and however their windows overlap.
 */
export interface Look {
  /** Time since the step (or the watch window) began, at this look and at the previous one (0 for the first). */
  elapsedMs: number;
  previousElapsedMs: number;
  /** When a healthy step is meant to be done (its bake time), and when it must be (its progress deadline). */
  bakeMs: number;
  horizonMs: number;
}

export const BAKE_SHARE = 0.8;
export const DEADLINE_SHARE = 0.15;
const TAIL_SHARE = 1 - BAKE_SHARE - DEADLINE_SHARE;

/** Pocock-type spending shape: 0 at t = 0, 1 at t = 1 (Lan & DeMets, 1983). */
const pocock = (t: number): number => Math.log(1 + (Math.E - 1) * Math.min(1, Math.max(0, t)));

/** The share of α spent by `elapsedMs` into the step. */
export function spent(elapsedMs: number, bakeMs: number, horizonMs: number): number {
  const bake = Math.max(1, bakeMs);
  const horizon = Math.max(bake, horizonMs);
  if (elapsedMs <= bake) return BAKE_SHARE * pocock(elapsedMs / bake);
  if (elapsedMs <= horizon) return BAKE_SHARE + DEADLINE_SHARE * (horizon > bake ? pocock((elapsedMs - bake) / (horizon - bake)) : 1);
  return BAKE_SHARE + DEADLINE_SHARE + TAIL_SHARE * (1 - 2 ** (-(elapsedMs - horizon) / horizon));
}

/** The level this look may reject at: α times the share spent since the previous look. */
export function lookAlpha(alpha: number, look: Look): number {
  const now = spent(look.elapsedMs, look.bakeMs, look.horizonMs);
  const before = spent(Math.min(look.previousElapsedMs, look.elapsedMs), look.bakeMs, look.horizonMs);
  return alpha * Math.max(0, now - before);
}
