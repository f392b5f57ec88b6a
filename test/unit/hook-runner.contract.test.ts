import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionsClient, JobsClient } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudRunJobRunner } from '../../shared/adapters/gcp/cloud-run-job-runner.js';
import { HookDispatch, WebhookGateRunner } from '../../shared/adapters/http/webhook-gate.js';
import { HOOK_ROUTER, hookEffect, hookRunnerContract } from '../contracts/hook-runner-contract.js';
import { FakeCloudRunJobs } from '../fakes/grpc/fake-cloud-run-jobs.js';
import { FakeHookRunner } from '../fakes/memory-hooks.js';

/**
 * Gate hooks: the in-memory runner and the real ones — webhooks against a receiver on 127.0.0.1,
 * Cloud Run Jobs through the official client against a Jobs API served from its protos — pass one contract.
 */
hookRunnerContract('in memory', () => {
  const fake = new FakeHookRunner();
  return {
    runner: fake,
    webhook: (answer) => {
      const url = `https://hooks.example.com/${answer}`;
      fake.webhooks.set(url, answer);
      return url;
    },
    job: (name, behaviour) => fake.jobs.set(name, behaviour),
    started: (name) => fake.started.filter((s) => s.job === name).length,
  };
});

const received: { path: string; body: unknown; authorization: string | undefined }[] = [];
let receiver: Server;
let origin = '';
const jobsApi = new FakeCloudRunJobs();
let jobs: JobsClient;
let executions: ExecutionsClient;
beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body || 'null') as unknown, authorization: req.headers.authorization });
      // A hook that never answers in time: held past any timeout the tests use, then closed.
      if (req.url === '/silent') return void setTimeout(() => res.end(), 2_000).unref();
      res.statusCode = Number(req.url?.slice(1)) || 500;
      res.end('checked');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  await jobsApi.start();
  const options = { ...jobsApi.server.clientOptions(), projectId: HOOK_ROUTER.project };
  jobs = new JobsClient(options);
  executions = new ExecutionsClient(options);
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await jobs.close();
  await executions.close();
  await jobsApi.stop();
});

const jobPath = (name: string) => `projects/${HOOK_ROUTER.project}/locations/${HOOK_ROUTER.region}/jobs/${name}`;
const real = () => new HookDispatch({ webhook: new WebhookGateRunner((audience) => Promise.resolve(`token-for-${audience}`)), job: new CloudRunJobRunner(jobs, executions) });

hookRunnerContract('webhooks on 127.0.0.1 and Cloud Run Jobs (fake Admin API from the shipped protos)', () => ({
  runner: real(),
  webhook: (answer) => `${origin}/${answer}`,
  job: (name, { polls, fails }) => jobsApi.seed(jobPath(name), { pollsToFinish: polls, failedTasks: fails ? 1 : 0 }),
  started: (name) => jobsApi.executionsOf(jobPath(name)).length,
}));

describe('the real gate runners: what a hook is told', () => {
  it('posts the release\'s facts to a webhook with an ID token for its origin', async () => {
    received.length = 0;
    await real().run({ ...hookEffect({ name: 'sign-off', at: 'before-promotion', url: `${origin}/200` }), candidateUrl: 'https://checkout-b1.run.app', stepIndex: 1, trafficPercent: 50 });
    expect(received[0]).toEqual({ path: '/200', authorization: `Bearer token-for-${origin}`, body: expect.objectContaining({ hook: 'sign-off', at: 'before-promotion', releaseId: 'checkout-b1', candidateUrl: 'https://checkout-b1.run.app', stepIndex: 1, trafficPercent: 50 }) });
  });

  it('starts a job in the service\'s project and region with the release in its environment, and a full name as written', async () => {
    jobsApi.seed(jobPath('shop-migrate'));
    jobsApi.seed('projects/other-project/locations/us-central1/jobs/shared-load');
    await real().run(hookEffect({ name: 'migrate', job: 'shop-migrate' }));
    await real().run(hookEffect({ name: 'load', at: 'per-step', job: 'projects/other-project/locations/us-central1/jobs/shared-load' }));
    expect(jobsApi.executionsOf(jobPath('shop-migrate'))[0]?.env).toMatchObject({ CUTOVER_RELEASE: 'checkout-b1', CUTOVER_HOOK: 'migrate', CUTOVER_HOOK_AT: 'pre-deploy', CUTOVER_IMAGE: expect.stringContaining('@sha256:') });
    expect(jobsApi.executionsOf('projects/other-project/locations/us-central1/jobs/shared-load')).toHaveLength(1);
  });

  it('refuses a job where this installation runs none', async () => {
    const webhookOnly = new HookDispatch({ webhook: new WebhookGateRunner(null), job: null });
    expect(await webhookOnly.run(hookEffect({ job: 'shop-migrate' }))).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('runs no jobs') });
  });
});
