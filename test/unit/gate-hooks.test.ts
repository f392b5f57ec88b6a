import { describe, expect, it } from 'vitest';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { build } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';

/**
 * Gate hooks through the runtime: the job is started in the build's own request, asked about by
 * the release's timer (each look its own request), and never started twice.
 */
const id = releaseIdForBuild('checkout', 'b1');

describe('gate hooks through the runtime', () => {
  it('a pre-deploy job runs to its end across timer requests, started once, then the release deploys and completes', async () => {
    const sys = fakeSystem();
    sys.hooks.jobs.set('shop-migrate', { polls: 2, fails: false });
    await sys.apply({ steps: [100], hooks: [{ name: 'migrate', at: 'pre-deploy', job: 'shop-migrate', timeout: '10m' }] });
    await sys.send(build('b1', 'SUCCESS'));
    expect(await sys.store.getRelease(id)).toMatchObject({ state: { phase: 'deploying' }, inFlight: { kind: 'runHook', progress: 'accepted' }, hookRuns: [{ key: 'migrate', status: 'running' }] });
    for (let i = 0; i < 4; i += 1) await sys.advance(5_000);
    expect(await sys.store.getRelease(id)).toMatchObject({ state: { phase: 'complete' }, hookRuns: [{ key: 'migrate', status: 'passed', execution: 'shop-migrate/executions/e1' }] });
    expect(sys.hooks.started).toHaveLength(1);
  });

  it('a job that outlives its timeout fails the gate: the release fails before it deploys', async () => {
    const sys = fakeSystem();
    sys.hooks.jobs.set('shop-migrate', { polls: 1_000, fails: false });
    await sys.apply({ hooks: [{ name: 'migrate', at: 'pre-deploy', job: 'shop-migrate', timeout: '20s' }] });
    await sys.send(build('b1', 'SUCCESS'));
    for (let i = 0; i < 6; i += 1) await sys.advance(5_000);
    const release = await sys.store.getRelease(id);
    expect(release).toMatchObject({ state: { phase: 'failed' }, lastDecision: { reason: 'HookFailed', message: expect.stringContaining('did not end within 20s') } });
    expect(sys.router.calls.filter((c) => c.kind === 'deployCandidate')).toEqual([]);
  });

  it('a webhook that never answers is retried, then fails its gate: a per-step hook rolls the release back', async () => {
    const sys = fakeSystem();
    sys.hooks.webhooks.set('https://qa.example.com/load', 'silent');
    await sys.apply({ steps: [50, 100], hooks: [{ name: 'load', at: 'per-step', url: 'https://qa.example.com/load', timeout: '2s' }] });
    await sys.send(build('b1', 'SUCCESS'));
    for (let i = 0; i < 12; i += 1) await sys.advance(60_000);
    expect(await sys.store.getRelease(id)).toMatchObject({ state: { phase: 'rolled_back', rollback: { cause: 'HookFailed' } }, hookRuns: [{ key: 'load@0', status: 'failed' }] });
  });
});
