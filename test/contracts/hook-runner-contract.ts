import { describe, expect, it } from 'vitest';
import type { RunHook } from '../../shared/domain/index.js';
import type { HookRunner } from '../../shared/ports/index.js';

/** What the contract needs of a world: the runner, webhook URLs that pass, refuse or never answer, and jobs to seed. */
export interface HookWorld {
  runner: HookRunner;
  webhook: (answer: number | 'silent') => string;
  /** A job in the service's project and region (the router below) that completes after `polls` looks. */
  job: (name: string, behaviour: { polls: number; fails: boolean }) => void;
  /** Executions started for a job so far. */
  started: (name: string) => number;
}

export const HOOK_ROUTER = { kind: 'cloud-run' as const, project: 'demo-project', region: 'europe-west1', service: 'checkout' };

export function hookEffect(hook: Partial<RunHook['hook']>, execution: string | null = null): RunHook {
  return {
    kind: 'runHook', effectId: 'checkout-b1/3/runHook/1', releaseId: 'checkout-b1', service: 'checkout', router: HOOK_ROUTER, attempt: 1, key: hook.name ?? 'h',
    hook: { name: 'h', at: 'pre-deploy', url: null, job: null, timeout: 2_000, barrier: false, ...hook },
    execution, image: 'europe-west1-docker.pkg.dev/demo-project/apps/checkout@sha256:00', candidateUrl: null, stepIndex: null, trafficPercent: 0,
  };
}

/** The contract every HookRunner passes: the in-memory fake and the real runners against local servers alike. */
export function hookRunnerContract(name: string, setup: () => Promise<HookWorld> | HookWorld): void {
  describe(`HookRunner contract: ${name}`, () => {
    it('a webhook that answers 2xx passes; any other answer fails with the status; no answer is transient', async () => {
      const world = await setup();
      expect(await world.runner.run(hookEffect({ url: world.webhook(204) }))).toMatchObject({ ok: true, status: 'passed', execution: null });
      expect(await world.runner.run(hookEffect({ url: world.webhook(409) }))).toMatchObject({ ok: true, status: 'failed', detail: expect.stringContaining('409') });
      expect(await world.runner.run(hookEffect({ url: world.webhook('silent'), timeout: 300 }))).toMatchObject({ ok: false, permanent: false });
    });

    it('a job starts once and is then only asked about, until it completes: passed when every task succeeded', async () => {
      const world = await setup();
      world.job('migrate-ok', { polls: 1, fails: false });
      const started = await world.runner.run(hookEffect({ job: 'migrate-ok' }));
      expect(started).toMatchObject({ ok: true, status: 'running', execution: expect.stringContaining('migrate-ok') });
      const execution = started.ok ? started.execution : null;
      expect(await world.runner.run(hookEffect({ job: 'migrate-ok' }, execution))).toMatchObject({ ok: true, status: 'running', execution });
      expect(await world.runner.run(hookEffect({ job: 'migrate-ok' }, execution))).toMatchObject({ ok: true, status: 'passed', execution });
      expect(world.started('migrate-ok')).toBe(1);
    });

    it('a job whose task fails fails its gate; a job that does not exist is a permanent failure', async () => {
      const world = await setup();
      world.job('migrate-bad', { polls: 0, fails: true });
      const started = await world.runner.run(hookEffect({ job: 'migrate-bad' }));
      const execution = started.ok ? started.execution : null;
      expect(await world.runner.run(hookEffect({ job: 'migrate-bad' }, execution))).toMatchObject({ ok: true, status: 'failed', detail: expect.stringContaining('failed') });
      expect(await world.runner.run(hookEffect({ job: 'no-such-job' }))).toMatchObject({ ok: false, permanent: true });
    });
  });
}
