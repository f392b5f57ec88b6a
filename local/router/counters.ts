/**
 * Per-version request counters kept per second for the last hour: requests, 5xx and a latency
 * histogram, so health over any SLO window is a sum of buckets. Bounded memory, O(1) per request.
 */
const BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, Infinity];
const SECONDS = 3600;

interface Second {
  at: number;
  requests: number;
  errors: number;
  histogram: number[];
}

export interface WindowStats {
  requests: number;
  errors: number;
  p99LatencyMs: number | null;
}

export class VersionCounters {
  private readonly seconds: (Second | undefined)[] = new Array<Second | undefined>(SECONDS);
  total = { requests: 0, errors: 0 };

  record(nowMs: number, status: number, latencyMs: number): void {
    const at = Math.floor(nowMs / 1000);
    const slot = at % SECONDS;
    let second = this.seconds[slot];
    if (!second || second.at !== at) {
      second = { at, requests: 0, errors: 0, histogram: new Array<number>(BOUNDS_MS.length).fill(0) };
      this.seconds[slot] = second;
    }
    second.requests += 1;
    this.total.requests += 1;
    if (status >= 500) {
      second.errors += 1;
      this.total.errors += 1;
    }
    const bucket = BOUNDS_MS.findIndex((b) => latencyMs <= b);
    second.histogram[bucket] = (second.histogram[bucket] ?? 0) + 1;
  }

  /** Sums the seconds in [fromMs, toMs]; p99 is the upper bound of the bucket holding the 99th percentile. */
  window(fromMs: number, toMs: number): WindowStats {
    const from = Math.floor(fromMs / 1000);
    const to = Math.floor(toMs / 1000);
    const histogram = new Array<number>(BOUNDS_MS.length).fill(0);
    let requests = 0;
    let errors = 0;
    for (const second of this.seconds) {
      if (!second || second.at < from || second.at > to) continue;
      requests += second.requests;
      errors += second.errors;
      second.histogram.forEach((n, i) => (histogram[i] = (histogram[i] ?? 0) + n));
    }
    if (requests === 0) return { requests, errors, p99LatencyMs: null };
    let seen = 0;
    const rank = Math.ceil(requests * 0.99);
    const index = histogram.findIndex((n) => (seen += n) >= rank);
    const bound = BOUNDS_MS[index] ?? Infinity;
    return { requests, errors, p99LatencyMs: Number.isFinite(bound) ? bound : (BOUNDS_MS[BOUNDS_MS.length - 2] ?? 10000) };
  }
}
