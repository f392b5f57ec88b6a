import { createHash } from 'node:crypto';

/**
 * Chooses stable, candidate or the baseline twin for each request. Without stickiness the choice
 * is deterministic (running counts), so the split after n requests is within one request of the
 * weights, and a weight change applies from the next request. With a sticky key, the key's hash
 * picks a bucket 0–99: buckets below the candidate's weight go to the candidate, the next ones to
 * the baseline, so a user keeps their version while the weights only grow.
 */
export class WeightedSplit {
  private percent = 0;
  private baseline = 0;
  private count = 0;
  private candidateCount = 0;
  private baselineCount = 0;

  set(candidatePercent: number, baselinePercent = 0): void {
    this.percent = Math.max(0, Math.min(100, candidatePercent));
    this.baseline = Math.max(0, Math.min(100 - this.percent, baselinePercent));
    this.count = 0;
    this.candidateCount = 0;
    this.baselineCount = 0;
  }

  get candidatePercent(): number {
    return this.percent;
  }

  get baselinePercent(): number {
    return this.baseline;
  }

  pick(stickyKey?: string): 'stable' | 'candidate' | 'baseline' {
    if (stickyKey) {
      const bucket = bucketOf(stickyKey);
      return bucket < this.percent ? 'candidate' : bucket < this.percent + this.baseline ? 'baseline' : 'stable';
    }
    this.count += 1;
    // Send to an arm whenever it is behind its share of the requests so far.
    if (this.candidateCount < (this.count * this.percent) / 100) {
      this.candidateCount += 1;
      return 'candidate';
    }
    if (this.baselineCount < (this.count * this.baseline) / 100) {
      this.baselineCount += 1;
      return 'baseline';
    }
    return 'stable';
  }
}

export function bucketOf(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % 100;
}
