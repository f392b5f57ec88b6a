import type { Look } from '../analysis/spending.js';
import { renderQuery } from '../analysis/custom.js';
import type { RouterTarget, StepEffect } from '../effects.js';
import { isInFlight, type Release, type ServiceState } from '../model.js';
import { Reason } from '../reasons.js';
import { TARGET_TRAITS, measuredAs } from '../targets.js';
import { targetService, type Draft } from './draft.js';
import { soakCheckAt } from '../pipeline.js';
import { rolloutCheckAt } from './rollout.js';
import { crossBarrier, dueGate, gateEffectOf, openAfterCompleteRun } from './gates.js';

/**
 * Reconciliation, argo-style: each phase needs at most one step effect; this finds it, issues it
 * when nothing equivalent is in flight (or the one in flight is overdue), and derives when a
 * tick should look again. Handlers only move phases; they never emit step effects themselves.
 */
type EffectSpec =
  | { kind: 'deployCandidate'; target: null }
  | { kind: 'runVerification'; target: null }
  | { kind: 'setTraffic'; target: number }
  | { kind: 'measureHealth'; target: null }
  | { kind: 'runHook'; target: null };

/** When the current traffic began: the step's start while shifting, the completion in the watch window. */
function measuredSince(release: Release): number | null {
  return release.state.phase === 'complete' ? release.completedAt : release.stepStartedAt;
}

/**
 * Where a measurement's window starts. Evidence accumulates over the step from the end of its
 * warm-up (the judge spends its error over the step's looks, which assumes they grow), so a step
 * held by marginal readings keeps gathering evidence until its progress deadline and a small but
 * real regression is shown and rolled back rather than waited out. The reach back is bounded: by
 * the progress deadline while shifting (a held step reads at most that many seconds of buckets per
 * arm), and by the longer of the SLO window and the bake time in the watch window, where a late
 * breach must not be diluted by a long good stretch.
 */
export function judgedSince(release: Release, service: ServiceState, now: number): number {
  const { slo, bakeTime, analysis, progressDeadline } = service.config;
  const since = measuredSince(release) ?? now;
  const warm = release.state.phase === 'complete' ? since : since + analysis.warmup;
  const reach = release.state.phase === 'complete' ? Math.max(slo.window, bakeTime) : Math.max(slo.window, bakeTime, progressDeadline);
  return Math.min(now, Math.max(warm, now - reach));
}

/** The custom metrics' queries for this measurement: the candidate's, and the baseline's when judged relative. */
function customQueries(service: ServiceState, candidate: string | null, baseline: string | null, windowMs: number): { name: string; candidate: string; baseline: string | null }[] {
  if (!candidate) return [];
  const vars = (revision: string) => ({ revision, service: service.config.router.target ?? service.name, windowMs });
  return service.config.analysis.metrics.map((m) => ({
    name: m.name,
    candidate: renderQuery(m.query, vars(candidate)),
    baseline: m.judge === 'relative' && baseline ? renderQuery(m.query, vars(baseline)) : null,
  }));
}

/** How far back the watch window's comparison reaches into the previous stable's own figures. */
export const WATCH_BASELINE_MS = 3_600_000;

/**
 * The arm a measurement compares the candidate with. While traffic is split it is the stable
 * revision over the same window (same users, same moment). After completion nothing else serves:
 * the previous stable's own figures from the last hour before completion stand in.
 */
export function baselineFor(release: Release, windowStartAt: number, windowEndAt: number): { revision: string; windowStartAt: number; windowEndAt: number } | null {
  if (release.state.phase !== 'complete' && release.baselineRevision) return { revision: release.baselineRevision, windowStartAt, windowEndAt };
  const revision = release.stableRevision;
  if (revision === null || revision === release.candidate.revision) return null;
  if (release.state.phase !== 'complete') return { revision, windowStartAt, windowEndAt };
  const end = release.completedAt ?? windowStartAt;
  return { revision, windowStartAt: Math.max(release.createdAt, end - WATCH_BASELINE_MS), windowEndAt: end };
}

/**
 * Where this measurement falls in the life of what it judges: the step (its bake time, then its
 * progress deadline) or the watch window; the judge spends its error over these (analysis/spending).
 */
export function lookAt(release: Release, service: ServiceState, now: number): Look {
  const start = measuredSince(release) ?? release.phaseStartedAt;
  const previous = release.health?.at ?? null;
  const previousElapsedMs = previous !== null && previous >= start ? previous - start : 0;
  const { bakeTime, progressDeadline, watchWindow } = service.config;
  const [bakeMs, horizonMs] = release.state.phase === 'complete' ? [watchWindow, watchWindow] : [bakeTime, Math.max(bakeTime, progressDeadline)];
  return { elapsedMs: Math.max(0, now - start), previousElapsedMs, bakeMs, horizonMs };
}

export function healthDueAt(release: Release, service: ServiceState): number {
  const since = Math.max(measuredSince(release) ?? release.phaseStartedAt, release.health?.at ?? 0);
  return since + service.config.healthInterval;
}

function requiredEffect(release: Release, service: ServiceState, now: number): EffectSpec | null {
  const { desiredPercent, observedPercent } = release.traffic;
  // A gate hook due now (pre-deploy, per-step, before-promotion, a barrier) comes before the phase's own work.
  const gate: EffectSpec | null = dueGate(release, service) ? { kind: 'runHook', target: null } : null;
  switch (release.state.phase) {
    case 'deploying':
      return gate ?? { kind: 'deployCandidate', target: null };
    case 'verifying':
      return release.verification === null ? { kind: 'runVerification', target: null } : gate;
    case 'shifting':
      if (observedPercent !== desiredPercent) return { kind: 'setTraffic', target: desiredPercent };
      return gate ?? (now >= healthDueAt(release, service) ? { kind: 'measureHealth', target: null } : null);
    case 'rolling_back':
      return { kind: 'setTraffic', target: 0 };
    case 'complete':
      // Through the watch window the service's current release is still measured (and probed).
      return gate ?? (inWatch(release, service, now) && now >= healthDueAt(release, service) ? { kind: 'measureHealth', target: null } : null);
    default:
      return null;
  }
}

/** The header a kind's cohort rule sends to the candidate (behind a load balancer: its colour), for checks to reach it. */
function cohortHeaders(service: ServiceState): { headers?: Record<string, string> } {
  const { router } = service.config;
  const cohort = 'cohort' in router ? router.cohort : undefined;
  return cohort ? { headers: { [cohort.header]: cohort.value } } : {};
}

export function routerTarget(service: ServiceState): RouterTarget {
  const { config } = service;
  const base = { kind: config.router.kind, project: config.project, region: config.region, service: config.router.target ?? config.name };
  const { kind: _kind, target: _target, ...settings } = config.router;
  return Object.keys(settings).length > 0 ? { ...base, settings: config.router } : base;
}

export function revisionNameFor(release: Release): string {
  // Cloud Run revision names: lower-case, <= 63 chars, must start with the service name.
  const suffix = release.build.id.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 12);
  return `${release.service}-${suffix}${regionTag(release)}`.slice(0, 63);
}

/** A region's release names its revisions apart from the other regions' (their requests are judged apart). */
function regionTag(release: Release): string {
  return release.target === undefined ? '' : `-${release.target.replace(/[^a-z0-9]/g, '').slice(0, 16)}`;
}

/** The baseline twin's revision: deterministic like the candidate's, so a retried deploy finds it. */
export function baselineNameFor(release: Release): string {
  const suffix = release.build.id.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 12);
  return `${release.service}-base-${suffix}${regionTag(release)}`.slice(0, 63);
}

/**
 * The twin's share beside a candidate share: the same as the candidate's while stable keeps at
 * least as much (10/10/80), then what stable would have (50/50/0 at a 50% step); none at 0% or
 * 100%, where it is done (untagged, so Cloud Run scales it to zero).
 */
export function twinShare(release: Release, candidatePercent: number): { baselineRevision: string | null; baselinePercent: number } {
  const twin = release.baselineRevision ?? null;
  if (!twin || release.state.phase !== 'shifting' || candidatePercent <= 0 || candidatePercent >= 100) return { baselineRevision: twin, baselinePercent: 0 };
  return { baselineRevision: twin, baselinePercent: Math.min(candidatePercent, 100 - candidatePercent) };
}

function buildEffect(release: Release, service: ServiceState, spec: EffectSpec, effectId: string, attempt: number, now: number): StepEffect {
  const base = { effectId, releaseId: release.id, service: release.service, router: routerTarget(service), attempt };
  switch (spec.kind) {
    case 'deployCandidate':
      return { ...base, kind: 'deployCandidate', image: release.build.image ?? '', revisionName: revisionNameFor(release), baselineRevisionName: service.config.analysis.baseline === 'twin' && TARGET_TRAITS[service.config.router.kind].startsTwins ? baselineNameFor(release) : null };
    case 'runVerification': {
      const hooks = service.config.hooks.flatMap(({ name, at, url, timeout }) => (at === 'after-deploy' && url !== undefined ? [{ name, url, timeout }] : []));
      return { ...base, kind: 'runVerification', candidateUrl: release.candidate.url, checks: service.config.verification.checks, private: service.config.verification.private, ...cohortHeaders(service), ...(hooks.length ? { hooks } : {}) };
    }
    case 'setTraffic':
      return {
        ...base,
        kind: 'setTraffic',
        candidateRevision: release.candidate.revision,
        stableRevision: release.stableRevision,
        candidatePercent: spec.target,
        ...twinShare(release, spec.target),
      };
    case 'runHook': {
      const gate = dueGate(release, service);
      if (!gate) throw new Error(`runHook issued for ${release.id} with no gate due`);
      return { ...base, kind: 'runHook', ...gateEffectOf(release, gate), image: release.build.image, candidateUrl: release.candidate.url, stepIndex: release.stepIndex, trafficPercent: release.traffic.observedPercent ?? 0 };
    }
    case 'measureHealth': {
      const windowStartAt = judgedSince(release, service, now);
      const { checks, private: isPrivate } = service.config.verification;
      const probe = release.candidate.url && checks.length > 0 ? { candidateUrl: release.candidate.url, checks, private: isPrivate, ...cohortHeaders(service) } : null;
      const baked = release.state.phase === 'shifting' && release.stepStartedAt !== null && now - release.stepStartedAt >= service.config.bakeTime;
      // Confirmed over the same stretch the judge reads (after the warm-up), as far as the authority sees it.
      const confirmSince = baked && service.config.analysis.confirmation.required ? windowStartAt : null;
      const baseline = baselineFor(release, windowStartAt, now);
      const metrics = customQueries(service, release.candidate.revision, baseline?.revision ?? null, now - windowStartAt);
      return { ...base, kind: 'measureHealth', candidateRevision: release.candidate.revision, windowStartAt, windowEndAt: now, baseline, confirmSince, metrics, probe };
    }
  }
}

/** Issues the effect the release's phase needs, unless an equivalent one is in flight and not overdue. */
export function reconcile(d: Draft, release: Release): void {
  // A rollout issues no effects of its own (its regions' releases do); a tick comes at the end of its soak or watch.
  if (release.rollout) return scheduleCheck(d, release, rolloutCheckAt(release));
  const spec = requiredEffect(release, d.service, d.now);
  const current = release.inFlight;
  if (spec === null) {
    if (current !== null) d.touch(release, { inFlight: null });
  } else {
    const same = current !== null && current.kind === spec.kind && (spec.target === null || current.target === spec.target);
    if (!same || d.now >= (current?.deadlineAt ?? 0)) {
      // Asking again about a deploy in progress is not a new attempt.
      const attempt = same && current ? (current.progress === 'accepted' ? current.attempt : current.attempt + 1) : 1;
      const effectSeq = release.effectSeq + 1;
      const gate = spec.kind === 'runHook' ? dueGate(release, d.service) : null;
      if (gate && !same) {
        crossBarrier(d, release, gate);
        openAfterCompleteRun(d, release, gate);
      }
      const effectId = `${release.id}/${effectSeq}/${spec.kind}/${attempt}`;
      d.emit(buildEffect(release, d.service, spec, effectId, attempt, d.now));
      d.touch(release, {
        effectSeq,
        inFlight: {
          effectId,
          kind: spec.kind,
          target: spec.target,
          attempt,
          issuedAt: d.now,
          deadlineAt: d.now + (spec.kind === 'deployCandidate' ? d.ctx.policy.deployTimeoutMs : d.ctx.policy.effectTimeoutMs),
          lastError: same && current ? current.lastError : null,
          progress: 'issued',
        },
      });
      if (attempt > 1 && current?.progress !== 'accepted') {
        d.record(release, {}, Reason.EffectRetried, `retrying ${spec.kind} (attempt ${attempt})`, {
          lastError: current?.lastError ?? 'no result before the deadline',
        });
      }
    }
  }
  scheduleCheck(d, release, nextCheckFor(release, d.service, d.now));
}

function scheduleCheck(d: Draft, release: Release, nextCheckAt: number | null): void {
  if (nextCheckAt === release.nextCheckAt) return;
  d.touch(release, { nextCheckAt });
  if (nextCheckAt !== null) d.emit({ kind: 'scheduleCheck', releaseId: release.id, service: release.service, at: nextCheckAt });
}

/** When a tick should next look at the release; derived from its state, stored for the due-query. */
export function nextCheckFor(release: Release, service: ServiceState, now: number): number | null {
  const held = heldCheckAt(release, now);
  const next = nextCheckOf(release, service, now);
  return held === null ? next : next === null ? held : Math.min(held, next);
}

/** A release held by a policy is looked at again when it lifts (hourly when it names no end: the policy may change). */
const HOLD_RECHECK_MS = 3_600_000;
function heldCheckAt(release: Release, now: number): number | null {
  if (!release.hold) return null;
  return release.hold.until ?? now + HOLD_RECHECK_MS;
}

function nextCheckOf(release: Release, service: ServiceState, now: number): number | null {
  if (release.inFlight) return release.inFlight.deadlineAt;
  if (release.state.phase === 'pending' && release.state.sub === 'soaking') return soakCheckAt(release, now);
  if (release.state.phase === 'shifting') return healthDueAt(release, service);
  if (release.state.phase === 'complete' && !watchEnded(release, now)) {
    const { watchUntil } = release.state;
    return inWatch(release, service, now) ? Math.min(watchUntil, healthDueAt(release, service)) : watchUntil;
  }
  return null;
}

/** The one test of "this release is watched now": complete, the service's current one, its window not over. */
export function inWatch(release: Release, service: ServiceState, now: number): boolean {
  return release.state.phase === 'complete' && release.state.sub === 'watching' && now < release.state.watchUntil && service.lastCompletedReleaseId === release.id;
}

/** A completed release whose watch window is over (it is final from then on). */
export function watchEnded(release: Release, now: number): boolean {
  return release.state.phase === 'complete' && (release.state.sub === 'final' || now >= release.state.watchUntil);
}

/**
 * The revisions whose requests are still being judged: the candidate of the service's release in
 * flight and of its last completed one inside its watch window, and each one's baseline (the
 * stable it is compared with). The request-log sink exports exactly these.
 */
export function revisionsInPlay(service: ServiceState, releases: readonly Release[], now: number): string[] {
  // A service released in waves is in play region by region: each region's own release, against its own stable.
  const own = inPlayIn(service, releases.filter((r) => r.target === undefined), now);
  const regions = Object.keys(service.targets ?? {}).flatMap((region) => inPlayIn(targetService(service, region), releases.filter((r) => r.target === region), now));
  return [...new Set([...own, ...regions])];
}

function inPlayIn(service: ServiceState, releases: readonly Release[], now: number): string[] {
  const inPlay = (r: Release) => (r.id === service.activeReleaseId && isInFlight(r.state.phase)) || inWatch(r, service, now);
  const arms = (r: Release) => [r.candidate.revision, r.baselineRevision ?? null, r.stableRevision].filter((x, i, all): x is string => x !== null && all.indexOf(x) === i);
  // Only what Cutover's own sink exports per revision (a load balancer's logs have the platform's sink).
  const target = routerTarget(service);
  return releases.flatMap((r) => (r.candidate.revision && inPlay(r) ? arms(r) : [])).filter((revision) => measuredAs(target, revision)?.sinkPerRevision === true);
}

export function retryDelay(attempt: number, policy: { retryBaseMs: number; retryMaxMs: number }): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempt - 1));
}
