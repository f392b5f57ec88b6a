import { LATENCY_BOUNDS_MS, SLOWER_THAN_LAST_MS } from '../telemetry.js';

/** What one arm (candidate or baseline) showed over a window: requests, 5xx, and the latency histogram. */
export interface ArmFigures {
  requests: number;
  errors: number;
  /** Counts per LATENCY_BOUNDS_MS bin plus one for slower; null when the source has no distribution. */
  latency: number[] | null;
  /** A p99 the source reports when it has no distribution (Cloud Monitoring's ALIGN_PERCENTILE_99). */
  p99LatencyMs?: number | null;
}

/** Everything a metric check needs besides its own settings. */
export interface CheckInput {
  candidate: ArmFigures;
  baseline: ArmFigures | null;
  minSample: number;
  /** The level each statistical test of this look runs at. */
  alpha: number;
}

/** The lower edge of latency bin i: a request in it took longer than this. */
export const binFloor = (i: number): number => (i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] ?? SLOWER_THAN_LAST_MS));

/** The upper edge of bin i (the last bin reads as "more than a minute"). */
export const binCeiling = (i: number): number => LATENCY_BOUNDS_MS[i] ?? SLOWER_THAN_LAST_MS;

/** An upper bound of the q-quantile: the upper edge of the bin where the q-th request falls; null when empty. */
export function quantileBound(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, n) => a + n, 0);
  if (total === 0) return null;
  const target = Math.ceil(total * q);
  let cumulative = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    cumulative += histogram[i] ?? 0;
    if (cumulative >= target) return binCeiling(i);
  }
  return SLOWER_THAN_LAST_MS;
}

/**
 * An estimate of the q-quantile: linear within the bin where the q-th request falls (as Prometheus'
 * histogram_quantile reads buckets); the open last bin reads as its lower edge. Null when empty.
 */
export function quantileEstimate(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, n) => a + n, 0);
  if (total === 0) return null;
  const target = total * q;
  let before = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    const n = histogram[i] ?? 0;
    if (n > 0 && before + n >= target) {
      if (i >= LATENCY_BOUNDS_MS.length) return binFloor(i);
      return binFloor(i) + ((binCeiling(i) - binFloor(i)) * (target - before)) / n;
    }
    before += n;
  }
  return binFloor(histogram.length - 1);
}

/** Requests certainly slower than `limitMs`: those in bins whose lower edge is at or above it (never a guess inside a bin). */
export function slowerThan(histogram: readonly number[], limitMs: number): number {
  return histogram.reduce((a, n, i) => (binFloor(i) >= limitMs ? a + n : a), 0);
}

export const enough = (n: number, minSample: number): boolean => n >= minSample;
