import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, decide, type EventBody, type HookRun, type Release, type ServiceState } from '../../shared/domain/index.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';

/**
 * A gate hook's results, one decision at a time, from worlds written by hand: when a job's run is
 * told, how its start is kept across polls, where its timeout falls, and what a hook that could
 * not be run leaves behind. Each answer is read in full.
 */
const EXEC = 'projects/demo-project/locations/europe-west1/jobs/shop-migrate/executions/shop-migrate-x1';
const EFFECT = 'checkout-b1/1/runHook/1';
const service = (extra: object = {}): ServiceState => serviceState({ steps: [100], hooks: [{ name: 'migrate', at: 'pre-deploy', job: 'shop-migrate', timeout: '10m' }], ...extra }, { activeReleaseId: 'checkout-b1' });
const inFlight = { effectId: EFFECT, kind: 'runHook' as const, target: null, attempt: 1, issuedAt: T0, deadlineAt: T0 + 60_000, lastError: null, progress: 'issued' as const };
const deploying = (extra: Partial<Release> = {}) => releaseIn('deploying', { inFlight, ...extra });
const running = (extra: Partial<HookRun> = {}): HookRun => ({ key: 'migrate', hook: 'migrate', at: 'pre-deploy', status: 'running', execution: EXEC, startedAt: T0, endedAt: null, detail: 'execution started', ...extra });
const ran = (status: 'passed' | 'failed' | 'running', execution: string | null = EXEC, detail = ''): EventBody => ({ kind: 'hookRan', releaseId: 'checkout-b1', effectId: EFFECT, status, execution, detail });

function run(release: Release, body: EventBody, now: number, svc = service()) {
  const d = decide({ service: svc, releases: [release] }, { id: 'e1', service: 'checkout', at: now, body }, { now, policy: DEFAULT_EFFECT_POLICY });
  return { ...d, release: d.releases.find((r) => r.id === 'checkout-b1'), said: d.history.map((h) => [h.reason, h.message]) };
}

describe('a gate hook\'s results', () => {
  it('a job is told once, when its execution is first known; later polls keep its start and say nothing', () => {
    const first = run(deploying(), ran('running', EXEC, 'execution started'), T0 + 2_000);
    expect(first.said).toEqual([['HookRunning', `pre-deploy hook migrate started ${EXEC}`]]);
    expect(first.release?.hookRuns).toEqual([running({ startedAt: T0 })]);
    expect(first.release?.inFlight).toMatchObject({ progress: 'accepted', deadlineAt: T0 + 2_000 + DEFAULT_EFFECT_POLICY.deployPollMs });

    const later = run(deploying({ hookRuns: [running({ startedAt: T0 - 30_000 })] }), ran('running', EXEC, '0 of 1 task done'), T0 + 7_000);
    expect(later.said).toEqual([]);
    expect(later.release?.hookRuns).toEqual([running({ startedAt: T0 - 30_000, detail: '0 of 1 task done' })]);
  });

  it('an after-complete run kept from its issue (no execution yet) is told when its execution becomes known', () => {
    const opened = running({ execution: null, detail: 'issued' });
    const told = run(deploying({ hookRuns: [opened] }), ran('running', EXEC, 'execution started'), T0 + 2_000);
    expect(told.said).toEqual([['HookRunning', `pre-deploy hook migrate started ${EXEC}`]]);
    expect(told.release?.hookRuns?.[0]).toMatchObject({ execution: EXEC, startedAt: T0 });
  });

  it('the timeout counts from the first start: a poll one millisecond before it still waits, one at it fails the gate', () => {
    const before = run(deploying({ hookRuns: [running()] }), ran('running'), T0 + 600_000 - 1);
    expect(before.release?.state.phase).toBe('deploying');
    const at = run(deploying({ hookRuns: [running()] }), ran('running'), T0 + 600_000);
    expect(at.release?.state.phase).toBe('failed');
    expect(at.release?.hookRuns).toEqual([running({ status: 'failed', endedAt: T0 + 600_000, detail: `pre-deploy hook migrate did not end within 600s (${EXEC})` })]);
    const anonymous = run(deploying({ hookRuns: [running({ execution: null })] }), ran('running', null), T0 + 600_000);
    expect(anonymous.release?.hookRuns?.[0]?.detail).toBe('pre-deploy hook migrate did not end within 600s (no execution)');
  });

  it('a result when no gate is due any more is stale: the run stays as it ended, and what is due instead is issued', () => {
    const passed = run(deploying({ hookRuns: [running({ status: 'passed', endedAt: T0 })] }), ran('failed'), T0 + 5_000);
    expect(passed.outcome).toEqual({ status: 'ignored', reason: 'StaleResultIgnored', message: 'no gate hook is due any more for checkout-b1' });
    expect(passed.said).toEqual([]);
    expect(passed.release?.hookRuns).toEqual([running({ status: 'passed', endedAt: T0 })]);
    expect(passed.release?.inFlight?.kind).toBe('deployCandidate');
  });

  it('a hook that could not be run is kept as failed, from the effect\'s issue, with the error as its detail', () => {
    const gaveUp = run(deploying(), { kind: 'effectFailed', releaseId: 'checkout-b1', effectId: EFFECT, effectKind: 'runHook', permanent: true, error: 'PERMISSION_DENIED: run.jobs.runWithOverrides' }, T0 + 3_000);
    expect(gaveUp.release?.state.phase).toBe('failed');
    expect(gaveUp.release?.hookRuns).toEqual([{ key: 'migrate', hook: 'migrate', at: 'pre-deploy', status: 'failed', execution: null, startedAt: T0, endedAt: T0 + 3_000, detail: 'PERMISSION_DENIED: run.jobs.runWithOverrides' }]);
    expect(gaveUp.said[0]?.[1]).toContain('pre-deploy hook migrate could not be run: PERMISSION_DENIED: run.jobs.runWithOverrides');
  });

  it('a service without gates has none due, whatever its told hooks', () => {
    const told = service({ hooks: [{ name: 'tell', at: 'on-rollback', url: 'https://qa.example.com/' }] });
    expect(run(deploying({ inFlight: null }), { kind: 'tick', releaseId: 'checkout-b1' }, T0 + 1_000, told).effects.map((e) => e.kind)).not.toContain('runHook');
  });
});
