import { describe, expect, it } from 'vitest';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { Budget } from '../../shared/runtime/runtime.js';
import { build } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';
import type { FakeStore } from '../fakes/memory-store.js';
import type { FakeRouter } from '../fakes/world-fakes.js';

/**
 * One request does one bounded piece of work: the runtime feeds step results back through a
 * queue, not a recursion, within a budget of step effects and time. What the budget leaves unrun
 * stays in flight in the store, and the effect's deadline re-issues it, exactly as after a crash.
 */
const rid = releaseIdForBuild('checkout', 'b1');

describe('the runtime within a request budget', () => {
  it('reports a chain of results as a flat list, in the order they were decided', async () => {
    const sys = fakeSystem();
    await sys.apply();
    const report = await sys.send(build('b1', 'SUCCESS'));
    expect(report).toMatchObject({ kind: 'decided', outcome: { reason: 'BuildSucceeded' }, deferred: 0 });
    if (report.kind !== 'decided') return;
    expect(report.followUps.map((f) => f.outcome.reason)).toEqual(['CandidateDeployed', 'VerificationPassed', 'StepReached']);
    expect(report.followUps.every((f) => !('followUps' in f))).toBe(true);
  });

  it('a chain longer than the budget stops where it is spent; the effect left in flight is re-issued at its deadline and the release goes on', async () => {
    const sys = fakeSystem<FakeStore, FakeRouter>(undefined, undefined, { budget: { stepEffects: 2, timeMs: 60_000 } });
    await sys.apply();
    const report = await sys.send(build('b1', 'SUCCESS'));
    expect(report).toMatchObject({ kind: 'decided', deferred: 1 });
    const held = await sys.store.getRelease(rid);
    expect(held).toMatchObject({ state: { phase: 'shifting' }, inFlight: { kind: 'setTraffic', attempt: 1 }, traffic: { observedPercent: null } });
    expect(sys.router.calls.filter((c) => c.kind === 'setTraffic')).toHaveLength(0);
    await sys.advance(61_000);
    expect(await sys.store.getRelease(rid)).toMatchObject({ state: { phase: 'shifting' }, inFlight: null, traffic: { observedPercent: 10 } });
  });

  it('with no time left, the event is still decided and committed; its step effect waits for the timer', async () => {
    const sys = fakeSystem(undefined, undefined, { budget: { stepEffects: 16, timeMs: 0 } });
    await sys.apply();
    expect(await sys.send(build('b1', 'SUCCESS'))).toMatchObject({ kind: 'decided', outcome: { status: 'applied' }, followUps: [], deferred: 1 });
    expect(await sys.store.getRelease(rid)).toMatchObject({ state: { phase: 'deploying' }, inFlight: { kind: 'deployCandidate' } });
  });

  it('a budget is shared by the events of one request and counts time on a monotonic clock', () => {
    let now = 0;
    const budget = new Budget(2, 100, () => now);
    expect([budget.hasRoom(), budget.take(), budget.take(), budget.take(), budget.hasRoom()]).toEqual([true, true, true, false, false]);
    const timed = new Budget(5, 100, () => now);
    now = 100;
    expect([timed.hasRoom(), timed.take()]).toEqual([false, false]);
  });
});
