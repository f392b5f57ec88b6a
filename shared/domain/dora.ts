import type { Release } from './model.js';
import { Reason } from './reasons.js';

/**
 * DORA's four keys for one service, from what Cutover records on each release (docs/analytics.md
 * has each definition). Pure: the caller reads a bounded set of releases (the newest N) and passes
 * the window; nothing here scans history.
 */
export interface FourKeys {
  from: number;
  to: number;
  /** Releases that completed in the window. */
  deployments: number;
  deploymentsPerDay: number;
  deploymentsPerWeek: number;
  /** Build created → release complete, over the releases that completed in the window. */
  leadTimeMs: { p50: number | null; p90: number | null };
  /** Of the releases that reached traffic in the window, those rolled back for cause. */
  changeFailure: { failed: number; reachedTraffic: number; rate: number | null };
  /** Rollback decided (breach seen, incident received, command) → stable at 100%. */
  timeToRestoreMs: { p50: number | null; max: number | null };
}

const DAY = 86_400_000;
/** Rolled back for a reason that says the change was bad; superseded (a newer build) is not a failure. */
const NOT_A_FAILURE = new Set<string>([Reason.Superseded]);

export function percentileOf(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** A release reached traffic when it entered the shifting steps (a step was set, so the candidate was asked to serve). */
const reachedTraffic = (r: Release): boolean => r.stepIndex !== null || r.completedAt !== null;

/** When a release ended (its terminal phase started), or null while it is not over. */
const endedAt = (r: Release): number | null => (r.phase === 'rolled_back' || r.phase === 'superseded' || r.phase === 'failed' ? r.phaseStartedAt : null);

export function fourKeys(releases: readonly Release[], from: number, to: number): FourKeys {
  const inWindow = (t: number | null | undefined): t is number => typeof t === 'number' && t >= from && t < to;
  const completed = releases.filter((r) => inWindow(r.completedAt));
  const leadTimes = completed.map((r) => (r.completedAt ?? 0) - (r.build.createdAt ?? r.createdAt));
  // A release counts where it was decided: completed, or rolled back, inside the window.
  const decided = releases.filter((r) => reachedTraffic(r) && (inWindow(r.completedAt) || inWindow(endedAt(r))));
  const failures = decided.filter((r) => r.phase === 'rolled_back' && r.rollbackCause !== null && !NOT_A_FAILURE.has(r.rollbackCause));
  const restores = failures.filter((r) => typeof r.rollbackStartedAt === 'number').map((r) => r.phaseStartedAt - (r.rollbackStartedAt ?? r.phaseStartedAt));
  const days = Math.max(1, (to - from) / DAY);
  return {
    from,
    to,
    deployments: completed.length,
    deploymentsPerDay: completed.length / days,
    deploymentsPerWeek: (completed.length / days) * 7,
    leadTimeMs: { p50: percentileOf(leadTimes, 50), p90: percentileOf(leadTimes, 90) },
    changeFailure: { failed: failures.length, reachedTraffic: decided.length, rate: decided.length ? failures.length / decided.length : null },
    timeToRestoreMs: { p50: percentileOf(restores, 50), max: restores.length ? Math.max(...restores) : null },
  };
}
