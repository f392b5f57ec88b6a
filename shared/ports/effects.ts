import type { CheckResult, DeployCandidate, HealthReading, MeasureHealth, Notify, RunVerification, SetTraffic } from '../domain/index.js';

/**
 * Ports for what touches the world. Adapters return outcomes as data (argo-rollouts'
 * "providers return measurements"): a failure is a value with `permanent` telling whether a
 * retry can help. A thrown error is treated as transient by the runtime.
 */
export type Failure = { ok: false; permanent: boolean; error: string };

/**
 * `stableRevision`: the revision the service served before the candidate (what a rollback returns
 * to); null only when nothing else serves. Every registered service already serves something, so
 * the first release learns its stable here instead of assuming one.
 */
export type DeployOutcome =
  /** `baselineRevision`: the twin, ready beside the candidate, when the effect asked for one and a stable exists to copy. */
  | { ok: true; revision: string; url: string | null; stableRevision: string | null; baselineRevision?: string | null }
  /** Submitted (or found) but not ready yet: the adapter does not wait; a later request asks again. */
  | { ok: 'pending'; revision: string; status: string }
  | Failure;
export type TrafficOutcome = { ok: true; observedPercent: number } | Failure;

/** Makes the candidate run the new image, and says when it is ready (or why not). */
export interface Deployer {
  /**
   * Creates (or finds, by its deterministic name) the candidate at 0% traffic. It does not wait
   * for it to become ready: one request does one bounded piece of work. `pending` means "ask
   * again later" (the release's next check re-issues the deploy, which then finds the candidate).
   */
  deployCandidate(effect: DeployCandidate): Promise<DeployOutcome>;
}

/** Moves traffic between stable and candidate, and reports what is applied. */
export interface TrafficSplitter {
  /**
   * Sets the stable/candidate split (candidatePercent 0 = all on stable), with the baseline twin at
   * baselinePercent taken from stable's share, and reads back what the candidate is served.
   */
  setTraffic(effect: SetTraffic): Promise<TrafficOutcome>;
}

/** A target whose one adapter both deploys and splits (Cloud Run, the local router). */
export interface TrafficRouter extends Deployer, TrafficSplitter {}

export interface HealthSource {
  /** Measures the candidate over the effect's window; a source failure is a reading with ok: false. */
  measure(effect: MeasureHealth): Promise<HealthReading>;
}

export interface VerificationChecker {
  run(effect: RunVerification): Promise<CheckResult[]>;
}

export interface Scheduler {
  /** Asks for a tick of this release at `at` (precise timers); the minute tick is the safety net. */
  scheduleCheck(releaseId: string, service: string, at: number): Promise<void>;
}

export interface Notifier {
  notify(notification: Notify): Promise<void>;
}
