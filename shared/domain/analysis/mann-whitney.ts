import { upperTailZ } from './stats.js';

/**
 * The Mann–Whitney U test (Kayenta's judge uses it for every metric), one-sided: are the
 * candidate's values stochastically larger than the baseline's? The samples come as counts over
 * the same ordered bins (a latency histogram, or one bin per distinct value): every value in a bin
 * ties with every other there, which is exactly how ranks treat ties. Normal approximation with
 * the tie correction and a continuity correction of ½ (as R's wilcox.test with correct = TRUE).
 */
export interface RankTest {
  /** U for the candidate: pairs (candidate, baseline) where the candidate is larger, ties counting ½. */
  u: number;
  /** U / (n_c × n_b): the chance that a random candidate value exceeds a random baseline one (ties ½). */
  probabilityLarger: number;
  statistic: number;
  pValue: number;
}

export function candidateLarger(candidate: readonly number[], baseline: readonly number[]): RankTest | null {
  const nc = sum(candidate);
  const nb = sum(baseline);
  if (nc === 0 || nb === 0) return null;
  let u = 0;
  let below = 0;
  let ties = 0;
  for (let i = 0; i < Math.max(candidate.length, baseline.length); i += 1) {
    const c = candidate[i] ?? 0;
    const b = baseline[i] ?? 0;
    u += c * (below + b / 2);
    below += b;
    const t = c + b;
    ties += t * t * t - t;
  }
  const n = nc + nb;
  const mean = (nc * nb) / 2;
  const variance = ((nc * nb) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (variance <= 0) return { u, probabilityLarger: u / (nc * nb), statistic: 0, pValue: 1 };
  const statistic = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, probabilityLarger: u / (nc * nb), statistic, pValue: upperTailZ(statistic) };
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0);
