import { createHash } from 'node:crypto';

/**
 * Chooses stable or candidate for each request. Without stickiness the choice is deterministic
 * (a running count), so the split after n requests is within one request of the weight, and a
 * weight change applies from the next request. With a sticky key, the key's hash picks a bucket
 * 0–99 and buckets below the weight go to the candidate, so a user keeps their version while the
 * weight only grows.
 */
export class WeightedSplit {
  private percent = 0;
  private count = 0;
  private candidateCount = 0;

  set(candidatePercent: number): void {
    this.percent = Math.max(0, Math.min(100, candidatePercent));
    this.count = 0;
    this.candidateCount = 0;
  }

  get candidatePercent(): number {
    return this.percent;
  }

  pick(stickyKey?: string): 'stable' | 'candidate' {
    if (stickyKey) return bucketOf(stickyKey) < this.percent ? 'candidate' : 'stable';
    this.count += 1;
    // Send to the candidate whenever it is behind its share of the requests so far.
    if (this.candidateCount < (this.count * this.percent) / 100) {
      this.candidateCount += 1;
      return 'candidate';
    }
    return 'stable';
  }
}

export function bucketOf(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % 100;
}
