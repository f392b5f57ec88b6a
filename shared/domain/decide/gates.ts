import type { EventOf } from '../events.js';
import { hookRunKey, isGate, type Hook, type HookPoint, type HookRun } from '../hooks.js';
import type { Release, ServiceState } from '../model.js';
import { Reason } from '../reasons.js';
import type { Draft } from './draft.js';

/**
 * Gate hooks: the team's own steps the release runs and waits for (pre-deploy, per-step,
 * before-promotion, a barrier after completion). Which one is due is derived from the release's
 * state and what it already ran (`hookRuns`), so a redelivered result or a retried effect finds
 * the same hook; reconciliation issues it, and the result is recorded here with its figures.
 */
export interface DueGate {
  hook: Hook;
  key: string;
}

/** The gate hook the release must run now before anything else, or null. */
export function dueGate(release: Release, service: ServiceState): DueGate | null {
  const gates = service.config.hooks.filter(isGate);
  if (gates.length === 0) return null;
  const first = (point: HookPoint, stepIndex: number | null, done: (run: HookRun) => boolean) =>
    gates
      .filter((h) => h.at === point)
      .map((hook) => ({ hook, key: hookRunKey(hook, stepIndex) }))
      .find((g) => !release.hookRuns?.some((run) => run.key === g.key && done(run))) ?? null;
  const passed = (run: HookRun) => run.status === 'passed';
  const { state, traffic, stepIndex } = release;
  switch (state.phase) {
    case 'deploying':
      return first('pre-deploy', null, passed);
    case 'verifying':
      // The first step is 100%: the move to it waits for before-promotion, right after the checks passed.
      return state.sub === 'running' && release.verification?.passed === true && service.config.steps[0] === 100 ? first('before-promotion', null, passed) : null;
    case 'shifting': {
      // At a step below 100% whose traffic is set, before it is judged; never while a person holds it.
      if (state.sub === 'paused' || state.sub === 'stranded' || stepIndex === null || traffic.desiredPercent >= 100 || traffic.observedPercent !== traffic.desiredPercent) return null;
      return first('per-step', stepIndex, passed) ?? (service.config.steps[stepIndex + 1] === 100 ? first('before-promotion', null, passed) : null);
    }
    case 'complete':
      // A check after completion (a contract step, a re-verification) runs once, while the release is the service's current one, until it ended; a failed one is not run again.
      return service.lastCompletedReleaseId === release.id ? first('after-complete', null, (run) => run.status !== 'running') : null;
    default:
      return null;
  }
}

/** What the runHook effect needs of a due gate: the hook as configured, and the execution an earlier attempt started. */
export function gateEffectOf(release: Release, gate: DueGate): { key: string; hook: { name: string; at: HookPoint; url: string | null; job: string | null; timeout: number; barrier: boolean }; execution: string | null } {
  const { name, at, url, job, timeout, barrier } = gate.hook;
  const run = release.hookRuns?.find((r) => r.key === gate.key && r.status === 'running');
  return { key: gate.key, hook: { name, at, url: url ?? null, job: job ?? null, timeout, barrier }, execution: run?.execution ?? null };
}

/** Marks the barrier as crossed when its hook is first issued: whatever the job did, a rollback from here is a person's call. */
export function crossBarrier(d: Draft, release: Release, gate: DueGate): void {
  if (!gate.hook.barrier || release.barrier) return;
  d.record(release, { barrier: { hook: gate.hook.name, at: d.now } }, Reason.BarrierStarted, `barrier hook ${gate.hook.name} started: from here a rollback is held for a person (cutover abort or rollback still goes through)`);
}

/**
 * An after-complete gate (a barrier or a re-verification) is kept as running from its first
 * issue, in the decision that issued it: until it passed, the stages after this one do not take
 * the build (standingOf reads the run), with no moment between completion and its first answer.
 */
export function openAfterCompleteRun(d: Draft, release: Release, gate: DueGate): void {
  if (gate.hook.at !== 'after-complete' || release.hookRuns?.some((r) => r.key === gate.key)) return;
  d.touch(release, { hookRuns: keep(release, { key: gate.key, hook: gate.hook.name, at: gate.hook.at, status: 'running', execution: null, startedAt: d.now, endedAt: null, detail: 'issued' }) });
}

function keep(release: Release, run: HookRun): HookRun[] {
  return [...(release.hookRuns ?? []).filter((r) => r.key !== run.key), run].slice(-64);
}

/**
 * A gate hook's result. Passed: recorded, and what it held goes on. Running (a job): the release
 * asks again after the poll interval, until the hook's timeout. Failed, or out of time: the
 * release stops (`onFailure`).
 */
export function onHookRan(d: Draft, release: Release, body: EventOf<'hookRan'>, onFailure: (release: Release, why: string) => void, onPassed: (release: Release) => void): void {
  const gate = dueGate(release, d.service);
  const inFlight = release.inFlight;
  if (!gate || !inFlight) {
    d.touch(release, { inFlight: null });
    return d.settle({ status: 'ignored', reason: Reason.StaleResultIgnored, message: `no gate hook is due any more for ${release.id}` });
  }
  const earlier = release.hookRuns?.find((r) => r.key === gate.key && r.status === 'running');
  const startedAt = earlier?.startedAt ?? inFlight.issuedAt;
  const what = `${gate.hook.at} hook ${gate.hook.name}${gate.hook.at === 'per-step' ? ` at ${release.traffic.observedPercent ?? 0}%` : ''}`;
  const run = (status: HookRun['status'], detail: string): HookRun => ({ key: gate.key, hook: gate.hook.name, at: gate.hook.at, status, execution: body.execution ?? earlier?.execution ?? null, startedAt, endedAt: status === 'running' ? null : d.now, detail: detail.slice(0, 500) });

  if (body.status === 'running') {
    if (d.now - startedAt >= gate.hook.timeout) {
      const why = `${what} did not end within ${Math.round(gate.hook.timeout / 1000)}s (${body.execution ?? 'no execution'})`;
      d.touch(release, { hookRuns: keep(release, run('failed', why)), inFlight: null });
      return onFailure(release, why);
    }
    const patch: Partial<Release> = { hookRuns: keep(release, run('running', body.detail)), inFlight: { ...inFlight, progress: 'accepted', deadlineAt: d.now + d.ctx.policy.deployPollMs, lastError: null } };
    // Told once: when the job's execution is first known (an after-complete gate is kept as running from its issue, without one).
    if (earlier && (earlier.execution !== null || !body.execution)) d.touch(release, patch);
    else d.record(release, patch, Reason.HookRunning, `${what} started ${body.execution ?? ''}`.trim());
    return;
  }
  if (body.status === 'failed') {
    // Kept here; the failure itself is recorded by what it leads to (failed, rolling back, held).
    d.touch(release, { hookRuns: keep(release, run('failed', body.detail)), inFlight: null });
    return onFailure(release, `${what} failed: ${body.detail}`);
  }
  d.record(release, { hookRuns: keep(release, run('passed', body.detail)), inFlight: null }, Reason.HookPassed, `${what} passed${body.detail ? `: ${body.detail}` : ''}`);
  onPassed(release);
}

/** The effect that failed for good was a gate hook's: its run is kept as failed, and why is returned for what the failure leads to. */
export function hookGaveUp(d: Draft, release: Release, error: string): string {
  const gate = dueGate(release, d.service);
  if (!gate) return error;
  const why = `${gate.hook.at} hook ${gate.hook.name} could not be run: ${error}`;
  const startedAt = release.inFlight?.issuedAt ?? d.now;
  d.touch(release, { hookRuns: keep(release, { key: gate.key, hook: gate.hook.name, at: gate.hook.at, status: 'failed', execution: null, startedAt, endedAt: d.now, detail: error.slice(0, 500) }), inFlight: null });
  return why;
}
