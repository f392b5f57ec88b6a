import { describe, expect, it } from 'vitest';
import { hookRunKey, hooksFor, isGate, isPinned, parseServiceConfig, promotionCycle, standingOf, type HookRun, type Release, type ReleaseState } from '../../shared/domain/index.js';
import { dueGate } from '../../shared/domain/decide/gates.js';
import { T0, releaseIn, serviceConfigInput, serviceState } from '../support/fixtures.js';

/** Which gate hook is due, worked example by example; what the stage before says of a build; which hooks are told. */
const HOOKS = [
  { name: 'expand', at: 'pre-deploy', job: 'migrate' },
  { name: 'smoke', at: 'after-deploy', url: 'https://qa.example.com/smoke' },
  { name: 'load', at: 'per-step', job: 'load' },
  { name: 'sign-off', at: 'before-promotion', url: 'https://qa.example.com/sign-off' },
  { name: 'contract', at: 'after-complete', job: 'contract', barrier: true },
  { name: 'tell', at: 'after-complete', url: 'https://qa.example.com/done' },
  { name: 'sorry', at: 'on-rollback', url: 'https://qa.example.com/sorry' },
] as const;
const service = (steps = [10, 50, 100], extra: object = {}) => serviceState({ steps, hooks: HOOKS.map((h) => ({ ...h })), ...extra }, { lastCompletedReleaseId: 'checkout-b1' });
const ran = (key: string, status: HookRun['status']): HookRun => ({ key, hook: key.split('@')[0] ?? key, at: 'pre-deploy', status, execution: null, startedAt: T0, endedAt: null, detail: '' });
const at = (state: ReleaseState, extra: Partial<Release> = {}) => releaseIn(state.phase, { state, ...extra });
const due = (release: Release, s = service()) => dueGate(release, s)?.key ?? null;

describe('dueGate: the gate hook the release runs now', () => {
  it('deploying: each pre-deploy hook until it passed (a running or failed one is still due)', () => {
    expect(due(at({ phase: 'deploying', sub: 'running' }))).toBe('expand');
    expect(due(at({ phase: 'deploying', sub: 'paused', resumeTo: 'running' }))).toBe('expand');
    expect(due(at({ phase: 'deploying', sub: 'running' }, { hookRuns: [ran('expand', 'running')] }))).toBe('expand');
    expect(due(at({ phase: 'deploying', sub: 'running' }, { hookRuns: [ran('expand', 'failed')] }))).toBe('expand');
    expect(due(at({ phase: 'deploying', sub: 'running' }, { hookRuns: [ran('expand', 'passed')] }))).toBeNull();
  });

  it('verifying: before-promotion only once verified, running, and when the first step is 100%', () => {
    const verified = { verification: { passed: true, results: [], at: T0 } };
    expect(due(at({ phase: 'verifying', sub: 'running' }, verified), service([100]))).toBe('sign-off');
    expect(due(at({ phase: 'verifying', sub: 'running' }, verified), service([50, 100]))).toBeNull();
    expect(due(at({ phase: 'verifying', sub: 'running' }), service([100]))).toBeNull();
    expect(due(at({ phase: 'verifying', sub: 'running' }, { verification: { passed: false, results: [], at: T0 } }), service([100]))).toBeNull();
    expect(due(at({ phase: 'verifying', sub: 'awaitingApproval' }, verified), service([100]))).toBeNull();
    expect(due(at({ phase: 'verifying', sub: 'running' }, { ...verified, hookRuns: [ran('sign-off', 'passed')] }), service([100]))).toBeNull();
  });

  it('shifting: the step\'s per-step hook once its traffic is set, then before-promotion at the last step below 100%', () => {
    const step = (stepIndex: number, desired: number, observed: number | null, hookRuns: HookRun[] = [], state: ReleaseState = { phase: 'shifting', sub: 'running' }) =>
      at(state, { stepIndex, traffic: { desiredPercent: desired, observedPercent: observed, observedAt: T0 }, hookRuns });
    expect(due(step(0, 10, 10))).toBe('load@0');
    expect(due(step(0, 10, 0))).toBeNull();
    expect(due(step(0, 10, 10, [ran('load@0', 'passed')]))).toBeNull();
    expect(due(step(1, 50, 50, [ran('load@0', 'passed')]))).toBe('load@1');
    expect(due(step(1, 50, 50, [ran('load@1', 'passed')]))).toBe('sign-off');
    expect(due(step(1, 50, 50, [ran('load@1', 'passed'), ran('sign-off', 'passed')]))).toBeNull();
    expect(due(step(2, 100, 100))).toBeNull();
    expect(due(step(1, 50, 50, [], { phase: 'shifting', sub: 'paused', resumeTo: 'running' }))).toBeNull();
    expect(due(step(1, 50, 50, [], { phase: 'shifting', sub: 'stranded' }))).toBeNull();
    expect(due(step(1, 50, 50, [], { phase: 'shifting', sub: 'awaitingApproval' }))).toBe('load@1');
    expect(due(at({ phase: 'shifting', sub: 'running' }, { stepIndex: null }))).toBeNull();
  });

  it('complete: a barrier after completion, asked about until it ended, once (passed or failed), while the release is the service\'s current one', () => {
    const done: ReleaseState = { phase: 'complete', sub: 'watching', watchUntil: T0 + 60_000 };
    expect(due(at(done))).toBe('contract');
    expect(due(at({ phase: 'complete', sub: 'final', watchUntil: T0 }))).toBe('contract');
    // A job still running is polled again: the gate stays due until its execution ended.
    expect(due(at(done, { hookRuns: [ran('contract', 'running')] }))).toBe('contract');
    expect(due(at(done, { hookRuns: [ran('contract', 'passed')] }))).toBeNull();
    expect(due(at(done, { hookRuns: [ran('contract', 'failed')] }))).toBeNull();
    expect(due(at(done), serviceState({ hooks: HOOKS.map((h) => ({ ...h })) }, { lastCompletedReleaseId: 'checkout-other' }))).toBeNull();
  });

  it('never in the other phases, and never for a service without gates', () => {
    for (const state of [{ phase: 'pending', sub: 'waiting' }, { phase: 'rolling_back', sub: 'restoring', rollback: { cause: 'x', startedAt: T0, breachStartedAt: null, from: 'shifting' } }, { phase: 'failed', sub: 'final' }] as ReleaseState[]) {
      expect(due(at(state))).toBeNull();
    }
    expect(due(at({ phase: 'deploying', sub: 'running' }), serviceState())).toBeNull();
  });
});

describe('hooks: gates, told hooks, keys', () => {
  const hooks = parseServiceConfig(serviceConfigInput({ hooks: HOOKS.map((h) => ({ ...h })) })).hooks;
  it('a gate is a hook the release runs; after-complete is one only as a barrier', () => {
    expect(hooks.filter(isGate).map((h) => h.name)).toEqual(['expand', 'load', 'sign-off', 'contract']);
  });
  it('the release events call the told webhooks only: never a gate, never a barrier', () => {
    expect(hooksFor(hooks, 'release.completed').map((h) => h.name)).toEqual(['tell']);
    expect(hooksFor(hooks, 'release.rolled_back').map((h) => h.name)).toEqual(['sorry']);
    expect(hooksFor(hooks, 'release.failed')).toEqual([]);
  });
  it('a per-step hook runs once per step; the others once', () => {
    expect(hookRunKey({ name: 'load', at: 'per-step' }, 2)).toBe('load@2');
    expect(hookRunKey({ name: 'load', at: 'per-step' }, null)).toBe('load@0');
    expect(hookRunKey({ name: 'expand', at: 'pre-deploy' }, 2)).toBe('expand');
  });
});

describe('standingOf: what the release of the stage before says of its build', () => {
  const up = (state: ReleaseState, extra: Partial<Release> = {}) => releaseIn(state.phase, { id: 'dev-b1', service: 'dev', state, completedAt: T0 + 5, ...extra });
  const stand = (release: Release | undefined, now = T0 + 60_000) => standingOf(release, now);
  it('completed, watched or final, and never revoked: eligible from its completion', () => {
    expect(stand(up({ phase: 'complete', sub: 'watching', watchUntil: T0 }))).toEqual({ kind: 'eligible', completedAt: T0 + 5 });
    expect(stand(up({ phase: 'complete', sub: 'final', watchUntil: T0 }))).toEqual({ kind: 'eligible', completedAt: T0 + 5 });
    expect(stand(up({ phase: 'complete', sub: 'final', watchUntil: T0 }, { completedAt: null, phaseStartedAt: T0 + 9 }))).toEqual({ kind: 'eligible', completedAt: T0 + 9 });
  });
  it('rolled back, rolling back, failed, superseded, revoked further up, or gone: revoked', () => {
    const rollback = { cause: 'Aborted', startedAt: T0, breachStartedAt: null, from: 'complete' as const };
    for (const state of [{ phase: 'rolling_back', sub: 'restoring', rollback }, { phase: 'rolled_back', sub: 'final', rollback }, { phase: 'failed', sub: 'final' }, { phase: 'superseded', sub: 'final', rollback: null }] as ReleaseState[]) {
      expect(stand(up(state)), state.phase).toMatchObject({ kind: 'revoked', why: `dev-b1 is ${state.phase} in dev` });
    }
    expect(stand(up({ phase: 'complete', sub: 'final', watchUntil: T0 }, { promotion: { from: 'x', releaseId: 'x-b1', soakUntil: T0, revokedAt: T0 } }))).toMatchObject({ kind: 'revoked', why: expect.stringContaining('revoked by a stage before dev') });
    expect(stand(undefined)).toMatchObject({ kind: 'revoked' });
  });
  it('completed, with a check after completion (a re-verification, a contract step): checking while it runs, revoked once it failed, eligible once passed', () => {
    const done: ReleaseState = { phase: 'complete', sub: 'watching', watchUntil: T0 };
    const check = (status: HookRun['status'], at: HookRun['at'] = 'after-complete'): HookRun => ({ ...ran('e2e', status), at });
    expect(stand(up(done, { hookRuns: [check('running')] }))).toEqual({ kind: 'checking', completedAt: T0 + 5, why: "dev-b1's after-complete check e2e is still running in dev" });
    expect(stand(up(done, { hookRuns: [check('failed')] }))).toEqual({ kind: 'revoked', why: "dev-b1's after-complete check e2e failed in dev" });
    expect(stand(up(done, { hookRuns: [check('passed')] }))).toEqual({ kind: 'eligible', completedAt: T0 + 5 });
    // A failed one outweighs another still running; gates before completion are not its concern.
    expect(stand(up(done, { hookRuns: [{ ...check('running'), hook: 'contract' }, check('failed')] })).kind).toBe('revoked');
    expect(stand(up(done, { hookRuns: [check('failed', 'pre-deploy'), check('running', 'per-step')] })).kind).toBe('eligible');
    // A check still marked running past the longest a hook may run (1 h) and the grace for its last poll (5 min): its release stopped asking.
    expect(stand(up(done, { hookRuns: [check('running')] }), T0 + 3_900_000).kind).toBe('checking');
    expect(stand(up(done, { hookRuns: [check('running')] }), T0 + 3_900_001)).toEqual({ kind: 'revoked', why: "dev-b1's after-complete check e2e never ended in dev" });
  });
  it('still on its way there: not yet', () => {
    for (const phase of ['pending', 'deploying', 'verifying', 'shifting'] as const) expect(stand(up({ phase, sub: phase === 'pending' ? 'waiting' : 'running' } as ReleaseState)).kind).toBe('notYet');
  });
  it('a promotion.from that closes a loop is found, with the loop; a chain that ends, or a loop further up not through the service, is not this apply\'s', () => {
    const stages = [{ name: 'dev', from: undefined }, { name: 'staging', from: 'dev' }, { name: 'prod', from: 'staging' }];
    expect(promotionCycle('dev', 'prod', stages)).toEqual(['dev', 'prod', 'staging', 'dev']);
    expect(promotionCycle('dev', undefined, stages)).toBeNull();
    expect(promotionCycle('prod', 'staging', stages)).toBeNull();
    expect(promotionCycle('qa', 'missing', stages)).toBeNull();
    // The service's own stored config is replaced by what is applied: prod's old `from` does not count.
    expect(promotionCycle('staging', 'prod', stages)).toEqual(['staging', 'prod', 'staging']);
    expect(promotionCycle('qa', 'a', [{ name: 'a', from: 'b' }, { name: 'b', from: 'a' }])).toBeNull();
  });
  it('a promotion carries a digest, never a tag', () => {
    expect(isPinned(`r/shop@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(isPinned(`r/shop@sha256:${'a'.repeat(63)}`)).toBe(false);
    expect(isPinned('r/shop:latest')).toBe(false);
    expect(isPinned(null)).toBe(false);
  });
});
