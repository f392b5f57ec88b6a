import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';

/**
 * The distributions the judge needs, from stdlib (docs/analysis.md says why that library): no CDF
 * or quantile is written here. Each wrapper only fixes the parameters the judge uses.
 */

/** P(Z > z) for a standard normal Z: the one-sided p-value of a z statistic. */
export const upperTailZ = (z: number): number => 1 - normalCdf(z, 0, 1);

/** The z with P(Z > z) = alpha. */
export const criticalZ = (alpha: number): number => normalQuantile(1 - alpha, 0, 1);

/** P(X ≥ x) for X ~ Binomial(n, p): how surprising x or more successes are if the true rate is p. */
export const binomialUpperTail = (x: number, n: number, p: number): number => (x <= 0 ? 1 : 1 - binomialCdf(x - 1, n, p));
