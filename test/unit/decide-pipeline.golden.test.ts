import { describe, expect, it } from 'vitest';
import type { ServiceConfigInput } from '../../shared/domain/index.js';
import { s } from '../support/golden-steps.js';
import { PipelineStory, commandIn, completesIn, hookRanIn, stageBuild, tickIn, trafficIn, type StageStep } from '../support/pipeline-steps.js';

/**
 * Golden stories of environments in order (`promotion`): dev → staging → prod, each stage a
 * service. Every decision of every stage, and the release events relayed between them as
 * promoteStages relays them. Reviewed like decide-scenarios.txt.
 */
const ONE_STEP: Partial<ServiceConfigInput> = { steps: [100], watchWindow: '2h' };
const pipeline = (prodApproval: 'auto' | 'manual') => [
  { name: 'shop-dev', config: ONE_STEP },
  { name: 'shop-staging', config: { ...ONE_STEP, source: undefined, promotion: { from: 'shop-dev', soak: '10m' } } },
  { name: 'shop-prod', config: { ...ONE_STEP, source: undefined, promotion: { from: 'shop-staging', soak: '30m', approval: prodApproval } } },
];

/** Staging re-verifies each completed build with an end-to-end suite (a Cloud Run Job) before prod may take it. */
const reverified = (): { name: string; config: Partial<ServiceConfigInput> }[] => {
  const [dev, staging, prod] = pipeline('auto');
  const e2e = { name: 'e2e', at: 'after-complete' as const, job: 'shop-e2e', verify: true, timeout: '1h' };
  return [dev!, { ...staging!, config: { ...staging!.config, hooks: [e2e] } }, prod!];
};
const E2E = 'projects/demo-project/locations/europe-west1/jobs/shop-e2e/executions/shop-e2e-q81zt';
/** b1 through dev into staging; staging's e2e job runs past prod's soak (T+2442s) and ends at T+2500s as `status`. */
const checkedInStaging = (status: 'passed' | 'failed', detail: string): StageStep[] => [
  { stage: 'shop-dev', at: s(0), body: stageBuild('b1') },
  ...completesIn('shop-dev', 'b1', 20),
  { stage: 'shop-staging', at: s(622), body: tickIn('shop-staging', 'b1') },
  ...completesIn('shop-staging', 'b1', 640),
  { stage: 'shop-staging', at: s(650), body: hookRanIn('shop-staging', 'b1', 'running', 'execution started', E2E) },
  { stage: 'shop-prod', at: s(2442), body: tickIn('shop-prod', 'b1') },
  { stage: 'shop-staging', at: s(2500), body: hookRanIn('shop-staging', 'b1', status, detail, E2E) },
];

const stories: { name: string; run: () => PipelineStory }[] = [
  {
    name: 'a build goes dev → staging → prod: into staging once it soaked in dev, into prod on approval once it soaked in staging',
    run: () =>
      new PipelineStory(pipeline('manual')).run([
        { stage: 'shop-dev', at: s(0), body: stageBuild('b1') },
        ...completesIn('shop-dev', 'b1', 20),
        // Soaking in dev until T+622s: an early tick changes nothing, the one at its end starts staging.
        { stage: 'shop-staging', at: s(300), body: tickIn('shop-staging', 'b1') },
        { stage: 'shop-staging', at: s(622), body: tickIn('shop-staging', 'b1') },
        ...completesIn('shop-staging', 'b1', 640),
        { stage: 'shop-prod', at: s(2442), body: tickIn('shop-prod', 'b1') },
        // Prod promotes on approval: the soaked build waits for a person.
        { stage: 'shop-prod', at: s(3000), body: commandIn('shop-prod', 'b1', 'approve', 'CAB-1234') },
        ...completesIn('shop-prod', 'b1', 3020),
      ]),
  },
  {
    name: 'a revoked digest: staging rolls the build back while prod deploys it, and prod rolls back with it',
    run: () =>
      new PipelineStory(pipeline('auto')).run([
        { stage: 'shop-dev', at: s(0), body: stageBuild('b1') },
        ...completesIn('shop-dev', 'b1', 20),
        { stage: 'shop-staging', at: s(622), body: tickIn('shop-staging', 'b1') },
        ...completesIn('shop-staging', 'b1', 640),
        { stage: 'shop-prod', at: s(2442), body: tickIn('shop-prod', 'b1') },
        // Staging's watch finds the build bad: a person rolls it back, and prod, deploying it, follows.
        { stage: 'shop-staging', at: s(2450), body: commandIn('shop-staging', 'b1', 'rollback', 'checkout totals wrong in staging') },
      ]),
  },
  {
    name: 'a revoked digest before it started: the build soaking for prod ends there; staging\'s rolled_back and the soak\'s tick change nothing more',
    run: () =>
      new PipelineStory(pipeline('manual')).run([
        { stage: 'shop-dev', at: s(0), body: stageBuild('b1') },
        ...completesIn('shop-dev', 'b1', 20),
        { stage: 'shop-staging', at: s(622), body: tickIn('shop-staging', 'b1') },
        ...completesIn('shop-staging', 'b1', 640),
        { stage: 'shop-staging', at: s(700), body: commandIn('shop-staging', 'b1', 'rollback') },
        { stage: 'shop-staging', at: s(701), body: trafficIn('shop-staging', 'b1', 0) },
        // The soak's tick finds nothing left to promote.
        { stage: 'shop-prod', at: s(2442), body: tickIn('shop-prod', 'b1') },
      ]),
  },
  {
    name: 'a failed re-verification: staging\'s end-to-end job after completion still runs when prod\'s soak ends, so prod waits; the job fails, staging stays, and prod\'s soaking release of the build ends revoked',
    run: () =>
      new PipelineStory(reverified()).run([
        ...checkedInStaging('failed', '1 of 1 task failed: exit code 1 (checkout total 0.00 for a non-empty cart)'),
        // Prod's own tick afterwards finds nothing more to do.
        { stage: 'shop-prod', at: s(2510), body: tickIn('shop-prod', 'b1') },
      ]),
  },
  {
    name: 'a passed re-verification: prod waits past its soak for staging\'s end-to-end job, and its next tick after the pass starts the build',
    run: () =>
      new PipelineStory(reverified()).run([
        ...checkedInStaging('passed', '1 of 1 task succeeded'),
        { stage: 'shop-prod', at: s(2510), body: tickIn('shop-prod', 'b1') },
      ]),
  },
];

describe('decide(): golden transcripts of a pipeline', () => {
  it('match the reviewed transcript in test/unit/golden/decide-pipeline.txt', async () => {
    const text = stories.map(({ name, run }) => `## ${name}\n${run().text()}`).join('\n');
    await expect(text).toMatchFileSnapshot('golden/decide-pipeline.txt');
  });
});
