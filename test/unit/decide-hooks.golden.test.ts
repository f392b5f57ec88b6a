import { describe, expect, it } from 'vitest';
import type { EventBody } from '../../shared/domain/index.js';
import { build } from '../support/fixtures.js';
import { command, deployed, health, incident, rid, s, tick, traffic, transcriptOf, verified, type Story } from '../support/golden-steps.js';
import type { Scenario } from '../support/transcript.js';

/**
 * Golden stories of gate hooks (pre-deploy, per-step, before-promotion) and of a migration
 * barrier: every decision, every hook run kept on the release, every effect. Reviewed like
 * decide-scenarios.txt.
 */
const hookRan = (b: string, status: 'passed' | 'failed' | 'running', detail = '', execution: string | null = null) => (sc: Scenario): EventBody => ({
  kind: 'hookRan', releaseId: rid(b), effectId: sc.inFlight(b), status, execution, detail,
});
const EXECUTION = 'projects/demo-project/locations/europe-west1/jobs/shop-migrate/executions/shop-migrate-x7k2p';
const CONTRACT = 'projects/demo-project/locations/europe-west1/jobs/shop-contract/executions/shop-contract-q81zd';
const ok = [{ path: '/healthz', status: 200, ok: true }];

const stories: Story[] = [
  {
    name: 'a pre-deploy migration job that fails: the release fails before anything is deployed, stable untouched',
    config: { hooks: [{ name: 'migrate', at: 'pre-deploy', job: 'shop-migrate', timeout: '10m' }] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        // The job started: the release asks about its execution after the poll interval (not a new attempt, never a second execution).
        { at: s(2), body: hookRan('b1', 'running', 'execution started', EXECUTION) },
        { at: s(7), body: tick('b1') },
        { at: s(8), body: hookRan('b1', 'failed', '1 of 1 task failed: exit code 1 (relation "orders_v2" already exists)', EXECUTION) },
      ]),
  },
  {
    name: 'a per-step load test passes at 50%, the before-promotion hook fails: rolled back before 100%',
    config: {
      steps: [50, 100],
      hooks: [
        { name: 'load', at: 'per-step', job: 'shop-load', timeout: '15m' },
        { name: 'sign-off', at: 'before-promotion', url: 'https://qa.example.com/sign-off', timeout: '5s' },
      ],
    },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', ok) },
        // At 50% the step's hooks run before it is judged: the load test, then (100% is next) the sign-off.
        { at: s(22), body: traffic('b1', 50) },
        { at: s(23), body: hookRan('b1', 'running', 'execution started', 'projects/demo-project/locations/europe-west1/jobs/shop-load/executions/shop-load-a1') },
        { at: s(300), body: tick('b1') },
        { at: s(301), body: hookRan('b1', 'passed', '1 of 1 task succeeded') },
        { at: s(302), body: hookRan('b1', 'failed', 'hook sign-off answered 409') },
        { at: s(303), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'the first step is 100%: the before-promotion hook runs right after the checks, then the move to 100%',
    config: { steps: [100], hooks: [{ name: 'sign-off', at: 'before-promotion', url: 'https://qa.example.com/sign-off' }] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', ok) },
        { at: s(22), body: hookRan('b1', 'passed', '200') },
        { at: s(23), body: traffic('b1', 100) },
      ]),
  },
  {
    name: 'a migration barrier: expand before deploy, contract after completion; an incident after the contract is held for a person, whose rollback crosses it',
    config: {
      steps: [100],
      hooks: [
        { name: 'expand', at: 'pre-deploy', job: 'shop-migrate', timeout: '10m' },
        { name: 'contract', at: 'after-complete', job: 'shop-contract', timeout: '30m', barrier: true },
      ],
    },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(5), body: hookRan('b1', 'passed', '1 of 1 task succeeded', EXECUTION) },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', ok) },
        { at: s(22), body: traffic('b1', 100) },
        // Complete: the contract step runs, and from its start a rollback is a person's call.
        { at: s(30), body: hookRan('b1', 'passed', '1 of 1 task succeeded', CONTRACT) },
        { at: s(40), body: tick('b1') },
        { at: s(40), body: health('b1', 400, 80) },
        { at: s(60), body: incident('i-1', 'open') },
        { at: s(61), body: command('b1', 'rollback', 'orders failing; restoring the old schema by hand first') },
        { at: s(62), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'a barrier while shifting: a breach after it strands the release instead of rolling back; a person\'s abort crosses it',
    config: { steps: [50, 100], hooks: [{ name: 'backfill', at: 'per-step', job: 'shop-backfill', timeout: '10m', barrier: true }] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', ok) },
        { at: s(22), body: traffic('b1', 50) },
        { at: s(30), body: hookRan('b1', 'passed', '1 of 1 task succeeded') },
        { at: s(40), body: tick('b1') },
        { at: s(40), body: health('b1', 400, 120) },
        // Held: no second notice for the same hold.
        { at: s(45), body: incident('i-2', 'open') },
        { at: s(50), body: command('b1', 'abort', 'backfill reverted by hand') },
        { at: s(51), body: traffic('b1', 0) },
      ]),
  },
];

describe('decide(): golden transcripts of gate hooks and a migration barrier', () => {
  it('match the reviewed transcript in test/unit/golden/decide-hooks.txt', async () => {
    await expect(transcriptOf(stories)).toMatchFileSnapshot('golden/decide-hooks.txt');
  });
});
