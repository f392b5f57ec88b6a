/**
 * Request telemetry, pure: Cloud Run's request log entries (one per request) counted per revision
 * per one-second bucket, each entry once however often it is delivered, and summarized over a
 * health window. Latency is kept as a histogram, so a p99 is an upper bound ("p99 ≤ 200 ms"), the
 * way the health messages already say it.
 */
export interface RequestSample {
  /** The log entry's insertId: what makes a redelivered entry the same entry. */
  id: string;
  service: string;
  revision: string;
  at: number;
  status: number;
  latencyMs: number | null;
}

export const BUCKET_MS = 1_000;
/** Upper bounds (ms) of the latency histogram; the last bucket is everything slower. */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000] as const;

/** What a p99 beyond the last bound reads as: more than a minute. */
export const SLOWER_THAN_LAST_MS = 120_000;

export interface Bucket {
  service: string;
  revision: string;
  start: number;
  requests: number;
  errors: number;
  /** Counts per LATENCY_BOUNDS_MS slot, plus one for slower (and unknown) latencies. */
  latency: number[];
  /** Short hashes (entryKey) of the insertIds already counted in this bucket, at most MAX_BUCKET_IDS. */
  ids: string[];
  /**
   * Entries counted past MAX_BUCKET_IDS, which could not be checked against earlier deliveries. A
   * flood of distinct ids (anyone can write log entries) never grows a bucket past Firestore's
   * 1 MiB document limit; the step still advances only on Cloud Monitoring's confirmation.
   */
  overflow?: number;
}

/** 20,000 keys of 16 characters: about 360 KB, well inside Firestore's 1 MiB document. */
export const MAX_BUCKET_IDS = 20_000;

/**
 * A 64-bit FNV-1a digest of an insertId, as 16 hex characters: what a bucket keeps to recognise a
 * redelivered entry (an insertId may be 128 characters; eight times fewer bytes per entry).
 * Collisions between distinct entries of one revision-second are below one in 10^10.
 */
export function entryKey(id: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < id.length; i += 1) {
    lo = (lo ^ id.charCodeAt(i)) >>> 0;
    // Multiply the 64-bit (hi, lo) by the FNV prime 0x100000001b3, in 32-bit halves.
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = loMul >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

export const bucketStart = (at: number): number => Math.floor(at / BUCKET_MS) * BUCKET_MS;
export const bucketKey = (service: string, revision: string, start: number): string => `${service}~${revision}~${start}`;

function slotOf(latencyMs: number | null): number {
  if (latencyMs === null) return LATENCY_BOUNDS_MS.length;
  const slot = LATENCY_BOUNDS_MS.findIndex((bound) => latencyMs <= bound);
  return slot < 0 ? LATENCY_BOUNDS_MS.length : slot;
}

/** Groups samples by bucket key (service, revision, second). */
export function groupSamples(samples: readonly RequestSample[]): Map<string, RequestSample[]> {
  const groups = new Map<string, RequestSample[]>();
  for (const s of samples) {
    const key = bucketKey(s.service, s.revision, bucketStart(s.at));
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  return groups;
}

/** Adds samples of one bucket to it; an entry already counted (same insertId) is not counted again. */
export function addToBucket(bucket: Bucket | null, samples: readonly RequestSample[]): Bucket {
  const first = samples[0];
  const next: Bucket = bucket
    ? { ...bucket, latency: [...bucket.latency], ids: [...bucket.ids] }
    : { service: first?.service ?? '', revision: first?.revision ?? '', start: bucketStart(first?.at ?? 0), requests: 0, errors: 0, latency: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0), ids: [] };
  const seen = new Set(next.ids);
  for (const s of samples) {
    const key = entryKey(s.id);
    if (seen.has(key)) continue;
    if (next.ids.length < MAX_BUCKET_IDS) {
      seen.add(key);
      next.ids.push(key);
    } else next.overflow = (next.overflow ?? 0) + 1;
    next.requests += 1;
    if (s.status >= 500) next.errors += 1;
    const slot = slotOf(s.latencyMs);
    next.latency[slot] = (next.latency[slot] ?? 0) + 1;
  }
  return next;
}

export interface Summary {
  requests: number;
  errors: number;
  p99LatencyMs: number | null;
  /** The latency histogram over the window (counts per LATENCY_BOUNDS_MS bin, plus slower). */
  latency: number[];
}

/** Requests, 5xx, the latency histogram and its p99 bound over the buckets that start inside [from, to). */
export function summarize(buckets: readonly Bucket[], from: number, to: number): Summary {
  let requests = 0;
  let errors = 0;
  const latency = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  for (const b of buckets) {
    if (b.start + BUCKET_MS <= from || b.start >= to) continue;
    requests += b.requests;
    errors += b.errors;
    b.latency.forEach((n, i) => (latency[i] = (latency[i] ?? 0) + n));
  }
  const known = latency.slice(0, LATENCY_BOUNDS_MS.length).reduce((a, n) => a + n, 0) + (latency[LATENCY_BOUNDS_MS.length] ?? 0);
  if (known === 0) return { requests, errors, p99LatencyMs: null, latency };
  const target = Math.ceil(known * 0.99);
  let cumulative = 0;
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i += 1) {
    cumulative += latency[i] ?? 0;
    if (cumulative >= target) return { requests, errors, p99LatencyMs: LATENCY_BOUNDS_MS[i] ?? null, latency };
  }
  // The slowest 1% is beyond the last bound (or unknown): the bound says "more than a minute".
  return { requests, errors, p99LatencyMs: SLOWER_THAN_LAST_MS, latency };
}

/** The revision a sink exports when no candidate is in play (matches none). */
export const NO_CANDIDATE = 'cutover-no-candidate';

/**
 * The Logging sink's filter: Cloud Run request logs of exactly these revisions (candidates in
 * flight or in their watch window), optionally sampled (`sample(insertId, r)` keeps a stable
 * fraction of entries). Sorted, so the same set always renders the same text.
 */
export function candidateLogFilter(project: string, revisions: readonly string[], sampleRate = 1): string {
  const names = [...new Set(revisions)].sort();
  const list = (names.length ? names : [NO_CANDIDATE]).map((r) => `"${r}"`).join(' OR ');
  const base = `resource.type="cloud_run_revision" AND log_name="projects/${project}/logs/run.googleapis.com%2Frequests" AND resource.labels.revision_name=(${list})`;
  return sampleRate < 1 ? `${base} AND sample(insertId, ${sampleRate})` : base;
}

/** The revisions a filter rendered by candidateLogFilter names. */
export function revisionsInFilter(filter: string): string[] {
  const match = /resource\.labels\.revision_name=\(([^)]*)\)/.exec(filter);
  return match?.[1] ? [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '').filter((r) => r !== NO_CANDIDATE) : [];
}
