import { binomialUpperTail, upperTailZ } from './stats.js';

/** Counts of one arm: how many requests, how many of them were "bad" (5xx, or slower than a limit). */
export interface Counts {
  n: number;
  x: number;
}

export interface ProportionTest {
  /** The test's statistic (z) and its one-sided p-value. */
  statistic: number;
  pValue: number;
}

/**
 * Is the candidate's rate above the baseline's by more than `margin`? A one-sided test of
 * H0: p_c − p_b ≤ margin against H1: p_c − p_b > margin, on the Agresti–Caffo adjusted
 * proportions (one success and one failure added to each arm): the Wald statistic stays defined
 * when an arm has no errors at all (the usual case for a healthy baseline), and its coverage holds
 * at the small rates and samples a canary sees (Agresti & Caffo, 2000).
 */
export function rateAboveBaseline(candidate: Counts, baseline: Counts, margin: number): ProportionTest {
  const pc = (candidate.x + 1) / (candidate.n + 2);
  const pb = (baseline.x + 1) / (baseline.n + 2);
  const se = Math.sqrt((pc * (1 - pc)) / (candidate.n + 2) + (pb * (1 - pb)) / (baseline.n + 2));
  const statistic = (pc - pb - margin) / se;
  return { statistic, pValue: upperTailZ(statistic) };
}

/**
 * Is the candidate's rate above a fixed line? An exact one-sided binomial test of H0: p ≤ line:
 * the p-value is P(X ≥ x) for X ~ Binomial(n, line). The statistic reported is the observed rate.
 */
export function rateAboveLine(candidate: Counts, line: number): ProportionTest {
  return { statistic: candidate.n > 0 ? candidate.x / candidate.n : 0, pValue: binomialUpperTail(candidate.x, candidate.n, line) };
}

export const rate = (c: Counts): number | null => (c.n > 0 ? c.x / c.n : null);
