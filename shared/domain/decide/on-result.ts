import type { EventBody, EventOf } from '../events.js';
import { assessHealth } from '../health.js';
import type { Release } from '../model.js';
import type { Analysis } from '../analysis/model.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';
import { rolloutIdOf } from '../names.js';
import { beginRollback, complete, finish, giveUp } from './lifecycle.js';
import { advanceIfBaked, startShifting } from './progress.js';
import { lookAt, retryDelay } from './reconcile.js';
import { describeAnalysis } from '../analysis/describe.js';
import { hookGaveUp, onHookRan } from './gates.js';
import { confirmStep, type ConfirmationResult } from '../analysis/confirmation.js';
import type { HealthReading } from '../health.js';

type ResultBody = Extract<EventBody, { effectId: string }>;

/** Results of step effects. Only the result of the effect in flight counts; anything else is stale. */
export function onResult(d: Draft, body: ResultBody): void {
  const release = d.get(body.releaseId);
  if (!release || release.inFlight?.effectId !== body.effectId) {
    return d.settle({ status: 'ignored', reason: Reason.StaleResultIgnored, message: `result of ${body.effectId} is not awaited` });
  }
  switch (body.kind) {
    case 'candidateDeployed':
      return onDeployed(d, release, body);
    case 'candidatePending':
      return onPending(d, release, body);
    case 'verificationCompleted':
      return onVerified(d, release, body);
    case 'trafficSet':
      return onTrafficSet(d, release, body.observedPercent);
    case 'healthMeasured':
      return onHealth(d, release, body);
    case 'effectFailed':
      return onFailed(d, release, body);
    case 'hookRan':
      return onHookRan(d, release, body, (r, why) => gateFailed(d, r, why), (r) => gatePassed(d, r));
  }
}

/**
 * A gate hook failed: before deploy the release fails (nothing was deployed); after, it rolls back;
 * a check after completion (a barrier, a re-verification) is reported, the release stays, and the
 * stages after this one revoke its build on the event (standingOf reads the failed run).
 */
function gateFailed(d: Draft, release: Release, why: string): void {
  if (release.state.phase === 'deploying') return finish(d, release, 'failed', Reason.HookFailed, why);
  if (release.state.phase === 'complete') {
    d.record(release, {}, Reason.HookFailed, `${why}; the release stays as it is: a person decides; its build is promoted no further`);
    return d.notify(release, 'release.hook_failed', Reason.HookFailed, `${why}; the release stays: a person decides; its build is promoted no further`);
  }
  beginRollback(d, release, Reason.HookFailed, why);
}

/** What the gate held goes on: the move to 100% right after verification; anything else is issued by reconciliation. */
function gatePassed(d: Draft, release: Release): void {
  if (release.state.phase === 'verifying' && release.state.sub === 'running' && release.verification?.passed) startShifting(d, release, Reason.VerificationPassed, 'verified and its before-promotion hooks passed');
}

/**
 * The revision exists but is not ready: nothing waits for it in this request. The deploy stays in
 * flight, due again after `deployPollMs` (a timer, its own request); asking again is not an attempt.
 * A revision still not ready `deployTimeoutMs` after deploying began fails the release.
 */
function onPending(d: Draft, release: Release, body: EventOf<'candidatePending'>): void {
  if (!release.inFlight) return;
  const waited = d.now - release.phaseStartedAt;
  if (waited >= d.ctx.policy.deployTimeoutMs) {
    return finish(d, release, 'failed', Reason.DeployFailed, `revision ${body.revision} not ready after ${Math.round(waited / 1000)}s (${body.status})`);
  }
  d.touch(release, { inFlight: { ...release.inFlight, progress: 'accepted', deadlineAt: d.now + d.ctx.policy.deployPollMs, lastError: null } });
}

/**
 * The candidate is ready at 0%. A release that started with no known stable (the service's first
 * under Cutover) learns it from the router here: what served before the candidate is what a
 * rollback returns to. A stable recorded earlier is kept: it is what the release started from.
 */
function onDeployed(d: Draft, release: Release, body: EventOf<'candidateDeployed'>): void {
  const learned = release.stableRevision === null && body.stableRevision !== null && body.stableRevision !== body.revision ? body.stableRevision : null;
  if (learned !== null && d.service.stableRevision === null) d.patchService({ stableRevision: learned });
  d.record(
    release,
    { state: release.state.sub === 'paused' ? { phase: 'verifying', sub: 'paused', resumeTo: 'running' } : { phase: 'verifying', sub: 'running' }, inFlight: null, candidate: { revision: body.revision, url: body.url }, progressAt: d.now, stableRevision: release.stableRevision ?? learned, baselineRevision: body.baselineRevision ?? null },
    Reason.CandidateDeployed,
    `revision ${body.revision} ready at 0%${body.baselineRevision ? `, its baseline twin ${body.baselineRevision} beside it` : ''}${learned ? `; stable learned from the router: ${learned}` : ''}`,
  );
}

function onVerified(d: Draft, release: Release, body: EventOf<'verificationCompleted'>): void {
  const passed = body.results.every((r) => r.ok);
  const verification = { passed, results: body.results.slice(0, 20), at: d.now };
  const failedPaths = body.results.filter((r) => !r.ok).map((r) => `${r.path} (${r.status ?? r.error ?? 'no answer'})`);
  if (!passed) {
    d.touch(release, { verification });
    return beginRollback(d, release, Reason.VerificationFailed, `checks failed: ${failedPaths.join(', ')}`, { results: verification.results });
  }
  const message = `${body.results.length} check(s) passed`;
  d.notify(release, 'release.verified', Reason.VerificationPassed, message);
  if (release.state.sub === 'paused') {
    d.record(release, { verification, inFlight: null }, Reason.VerificationPassed, `${message}; paused, shifting waits for resume`);
    return;
  }
  d.touch(release, { verification });
  startShifting(d, release, Reason.VerificationPassed, message);
}

function onTrafficSet(d: Draft, release: Release, observed: number): void {
  const traffic = { ...release.traffic, observedPercent: observed, observedAt: d.now };
  if (observed !== release.traffic.desiredPercent) {
    // The router did not apply what was asked: retry after a backoff instead of spinning.
    d.touch(release, { traffic });
    return retryLater(d, release, `router reports ${observed}%, wanted ${release.traffic.desiredPercent}%`);
  }
  d.touch(release, { traffic, inFlight: null });
  if (release.state.phase === 'rolling_back') {
    const phase = release.state.rollback.cause === Reason.Superseded ? 'superseded' : 'rolled_back';
    return finish(d, release, phase, Reason.RolledBack, `stable ${release.stableRevision ?? ''} serves 100% again`.replace('  ', ' '));
  }
  if (release.state.phase !== 'shifting') return;
  if (observed === 100) return complete(d, release);
  d.record(release, { stepStartedAt: d.now, progressAt: d.now }, Reason.StepReached, `candidate serves ${observed}%`);
  d.notify(release, 'release.step_reached', Reason.StepReached, `candidate at ${observed}%`);
}

function onHealth(d: Draft, release: Release, body: EventOf<'healthMeasured'>): void {
  const { config } = d.service;
  const slo = config.slo;
  const look = lookAt(release, d.service, d.now);
  // After completion the baseline is the previous stable's figures from before: not the same traffic.
  const assessment = assessHealth(body.reading, { ...config, concurrent: release.state.phase !== 'complete' }, look, body.probes);
  const confirmation = assessment.verdict === 'healthy' && wouldAdvance(d, release) && needsConfirmation(body.reading, config.analysis.confirmation.required)
    ? confirmStep(body.reading.ok ? body.reading.measurements.confirmation : null, { baselineRevision: null, slo, config: config.analysis, look }, config.analysis.confirmation.tolerance)
    : null;
  const health = {
    verdict: assessment.verdict,
    reasons: assessment.reasons,
    errorRate: assessment.errorRate,
    measurements: body.reading.ok ? body.reading.measurements : null,
    ...(body.probes ? { probes: body.probes } : {}),
    error: body.reading.ok ? null : body.reading.error,
    thresholds: { maxErrorRate: slo.maxErrorRate, minRequests: slo.minRequests, maxP99LatencyMs: slo.maxP99LatencyMs ?? null, windowMs: slo.window },
    analysis: assessment.analysis,
    confirmation,
    at: d.now,
  };
  const changedVerdict = release.health?.verdict !== health.verdict;
  const changedConfirmation = release.health?.confirmation?.verdict !== confirmation?.verdict;
  d.touch(release, { health, inFlight: null });
  if (release.state.phase === 'complete') return onWatchedHealth(d, release, assessment.reasons, health, changedVerdict, body.probes?.failing ?? []);
  if (release.state.phase !== 'shifting') return;

  if (assessment.verdict === 'unhealthy') {
    return beginRollback(d, release, assessment.reasons[0] ?? Reason.ErrorRateBreached, `unhealthy (${assessment.reasons.join(', ')}): ${describe(health)}${probesFailing(body.probes?.failing ?? [])}`, { health });
  }
  if (assessment.verdict === 'inconclusive' || assessment.verdict === 'marginal') {
    if (pastDeadline(d, release, `${assessment.verdict} (${assessment.reasons.join(', ')})`, describe(health), health)) return;
    if (changedVerdict) d.record(release, {}, assessment.reasons[0] ?? Reason.TooFewRequests, `holding the step (${assessment.reasons.join(', ')}): ${describe(health)}`, { health });
    return;
  }
  if (confirmation && confirmation.verdict !== 'confirmed') return holdForConfirmation(d, release, confirmation, health, changedConfirmation);
  if (changedVerdict) d.record(release, {}, Reason.Healthy, `healthy: ${describe(health)}`, { health });
  advanceIfBaked(d, release);
}

/** The reading could advance the step, but on the stream's word alone: a fact that fails rolls back, anything else holds. */
/**
 * A step that cannot move on (inconclusive, marginal, unconfirmed) past its progress deadline is
 * rolled back or paused, as the service chose; true when that happened.
 */
function pastDeadline(d: Draft, release: Release, what: string, figures: string, health: object): boolean {
  const { config } = d.service;
  const stalled = d.now - release.progressAt;
  // Held by a person (paused, awaiting approval) or by a deploy policy: waiting is not stalling.
  if (release.state.sub !== 'running' || release.hold || stalled <= config.progressDeadline) return false;
  const message = `${what} for ${Math.round(stalled / 1000)}s, past the progress deadline: ${figures}`;
  if (config.onInconclusiveDeadline === 'pause') {
    d.record(release, { state: { phase: 'shifting', sub: 'paused', resumeTo: 'running' } }, Reason.ProgressDeadlineExceeded, `${message}; paused`, { health });
    d.notify(release, 'release.paused', Reason.ProgressDeadlineExceeded, message);
    return true;
  }
  beginRollback(d, release, Reason.ProgressDeadlineExceeded, message, { health });
  return true;
}

function holdForConfirmation(d: Draft, release: Release, confirmation: ConfirmationResult, health: Parameters<typeof describe>[0], changed: boolean): void {
  if (confirmation.verdict === 'fail') {
    const failing = confirmation.analysis?.metrics.find((m) => m.verdict === 'fail');
    const reason = failing?.metric === 'error-ceiling' ? Reason.ErrorRateBreached : Reason.ErrorRatioAboveBaseline;
    return beginRollback(d, release, reason, `the stream looked healthy, but ${confirmation.detail}: ${confirmation.analysis ? describeAnalysis(confirmation.analysis) : ''}`, { health });
  }
  const reason = confirmation.verdict === 'disagrees' ? Reason.EvidenceDisagrees : Reason.AwaitingConfirmation;
  if (pastDeadline(d, release, `unconfirmed (${reason})`, confirmation.detail, health)) return;
  if (changed) d.record(release, {}, reason, `healthy on the stream, holding the step: ${confirmation.detail}`, { health });
}

/** A healthy reading now would move the step on (advanceIfBaked's conditions). */
function wouldAdvance(d: Draft, release: Release): boolean {
  const { config } = d.service;
  if (release.state.phase !== 'shifting' || release.state.sub !== 'running' || release.stepIndex === null) return false;
  return d.now - (release.stepStartedAt ?? d.now) >= config.bakeTime && release.stepIndex + 1 < config.steps.length;
}

/** Figures from the request-log stream need the authority's word; Cloud Monitoring's and the router's own counts are that word. */
const needsConfirmation = (reading: HealthReading, required: boolean): boolean => required && reading.ok && reading.measurements.source === 'telemetry';

/**
 * Health of a completed release inside its watch window: a breach rolls it back, as an incident
 * would — unless a newer release is in flight, whose own checks then decide (its stable is this one).
 */
function onWatchedHealth(d: Draft, release: Release, reasons: Reason[], health: Parameters<typeof describe>[0] & { verdict: string }, changedVerdict: boolean, failing: string[]): void {
  const probed = probesFailing(failing);
  const active = d.service.activeReleaseId;
  // A region's release answers to its own rollout: a breach there while that rollout is still going rolls it back.
  if (health.verdict === 'unhealthy' && (active === null || (release.target !== undefined && rolloutIdOf(release) === active))) {
    return beginRollback(d, release, reasons[0] ?? Reason.ErrorRateBreached, `unhealthy inside the watch window (${reasons.join(', ')}): ${describe(health)}${probed}`, { health });
  }
  if (changedVerdict) d.record(release, {}, reasons[0] ?? Reason.Healthy, `watch window: ${health.verdict} (${reasons.join(', ')}): ${describe(health)}${probed}`, { health });
}

const probesFailing = (failing: readonly string[]): string => (failing.length ? `; probes failing: ${failing.join(', ')}` : '');

function describe(health: { errorRate: number | null; measurements: { requests: number; errors: number; p99LatencyMs: number | null } | null; error: string | null; analysis?: Analysis | null }): string {
  if (!health.measurements) return health.error ?? 'no data';
  if (health.analysis) return describeAnalysis(health.analysis);
  const { requests, errors, p99LatencyMs } = health.measurements;
  const rate = health.errorRate === null ? 'n/a' : `${(health.errorRate * 100).toFixed(2)}%`;
  return `${errors}/${requests} errors (${rate})${p99LatencyMs === null ? '' : `, p99 ≤ ${p99LatencyMs} ms`}`;
}

function onFailed(d: Draft, release: Release, body: EventOf<'effectFailed'>): void {
  const attempt = release.inFlight?.attempt ?? 1;
  // A hook that cannot be run at all (its job is not found, the API refuses us) fails its gate like a hook that failed.
  if (body.effectKind === 'runHook' && (body.permanent || attempt >= d.ctx.policy.maxEffectAttempts)) return gateFailed(d, release, hookGaveUp(d, release, body.error));
  if (body.permanent && release.state.phase !== 'rolling_back') {
    if (release.state.phase === 'deploying') return finish(d, release, 'failed', Reason.DeployFailed, `${body.effectKind} failed: ${body.error}`);
    return giveUp(d, release, `${body.effectKind} failed permanently: ${body.error}`);
  }
  if (attempt >= d.ctx.policy.maxEffectAttempts && release.state.phase !== 'rolling_back') {
    return giveUp(d, release, `${body.effectKind} failed ${attempt} times; last: ${body.error}`);
  }
  retryLater(d, release, body.error);
}

function retryLater(d: Draft, release: Release, error: string): void {
  if (!release.inFlight) return;
  const deadlineAt = d.now + retryDelay(release.inFlight.attempt, d.ctx.policy);
  d.record(release, { inFlight: { ...release.inFlight, deadlineAt, lastError: error } }, Reason.EffectFailedTransient, `${release.inFlight.kind} attempt ${release.inFlight.attempt}: ${error}; retry at ${new Date(deadlineAt).toISOString()}`);
}
