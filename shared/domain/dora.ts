import type { Release } from './model.js';
import { Reason } from './reasons.js';
import { rollbackOf } from './release-state.js';
import { type Phase } from './model.js';

/**
 * DORA's four keys for one service, from what Cutover records on each release (docs/analytics.md
 * has each definition). Pure. Each release contributes facts, each attributed to one moment, so
 * figures add up across days: that is what lets the store keep them per day as releases end
 * (`shared/domain/delivery.ts`) and lets `fourKeys` recompute the same figures from releases.
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
  /** Of the releases that reached traffic and were decided in the window, those rolled back for cause. */
  changeFailure: { failed: number; reachedTraffic: number; rate: number | null };
  /** Breach onset (an incident's start) or else the rollback decision → stable at 100%, for restores that ended in the window. */
  timeToRestoreMs: { p50: number | null; max: number | null };
}

/** What one release says about delivery, each fact with the moment it is attributed to. */
export interface ReleaseFacts {
  /** Completed: when, and build created → complete. */
  deployed: { at: number; leadTimeMs: number } | null;
  /** Reached traffic and was decided (completed, or ended before completing): when, and whether it failed. */
  outcome: { at: number; failed: boolean } | null;
  /** Rolled back for cause after reaching traffic: when stable was back at 100%, and how long that took. */
  restore: { at: number; durationMs: number } | null;
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
const ENDED = new Set<Phase>(['rolled_back', 'superseded', 'failed']);
const failedForCause = (r: Release): boolean => r.state.phase === 'rolled_back' && r.state.rollback !== null && !NOT_A_FAILURE.has(r.state.rollback.cause);

/**
 * A release's delivery facts. The outcome is attributed to its completion when it completed (a
 * release rolled back in its watch window fails where it was deployed, as four-keys links an
 * incident to its deployment), else to its end; none of these moments moves once set.
 */
export function releaseFacts(r: Release): ReleaseFacts {
  // A release in several regions is one deployment: its regions' own releases are not counted again.
  if (r.target !== undefined) return { deployed: null, outcome: null, restore: null };
  const decidedAt = r.completedAt ?? (ENDED.has(r.state.phase) ? r.phaseStartedAt : null);
  const failed = failedForCause(r);
  const rollback = rollbackOf(r.state);
  return {
    deployed: r.completedAt === null ? null : { at: r.completedAt, leadTimeMs: r.completedAt - (r.build.createdAt ?? r.createdAt) },
    outcome: decidedAt !== null && reachedTraffic(r) ? { at: decidedAt, failed } : null,
    restore: failed && reachedTraffic(r) && typeof rollback?.startedAt === 'number' ? { at: r.phaseStartedAt, durationMs: r.phaseStartedAt - (rollback.breachStartedAt ?? rollback.startedAt) } : null,
  };
}

/** The figures in a window from facts already picked for it (by release, or from the kept days). */
export function keysOf(from: number, to: number, leadTimes: readonly number[], outcomes: readonly boolean[], restores: readonly number[]): FourKeys {
  const days = Math.max(1, (to - from) / DAY);
  const failed = outcomes.filter(Boolean).length;
  return {
    from,
    to,
    deployments: leadTimes.length,
    deploymentsPerDay: leadTimes.length / days,
    deploymentsPerWeek: (leadTimes.length / days) * 7,
    leadTimeMs: { p50: percentileOf(leadTimes, 50), p90: percentileOf(leadTimes, 90) },
    changeFailure: { failed, reachedTraffic: outcomes.length, rate: outcomes.length ? failed / outcomes.length : null },
    timeToRestoreMs: { p50: percentileOf(restores, 50), max: restores.length ? Math.max(...restores) : null },
  };
}

/** The four keys recomputed from releases: the reference the kept figures are tested against. */
export function fourKeys(releases: readonly Release[], from: number, to: number): FourKeys {
  const inWindow = (fact: { at: number } | null): boolean => fact !== null && fact.at >= from && fact.at < to;
  const facts = releases.map(releaseFacts);
  return keysOf(
    from,
    to,
    facts.flatMap((f) => (f.deployed && inWindow(f.deployed) ? [f.deployed.leadTimeMs] : [])),
    facts.flatMap((f) => (f.outcome && inWindow(f.outcome) ? [f.outcome.failed] : [])),
    facts.flatMap((f) => (f.restore && inWindow(f.restore) ? [f.restore.durationMs] : [])),
  );
}
