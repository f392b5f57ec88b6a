import { RevisionsClient, ServicesClient } from '@google-cloud/run';
import { grpc } from 'google-gax';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudRunRouter } from '../../shared/adapters/gcp/cloud-run-router.js';
import type { DeployCandidate, SetTraffic } from '../../shared/domain/index.js';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { routerContract } from '../contracts/router-contract.js';
import { build } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';
import { FakeCloudRun } from '../fakes/grpc/fake-cloud-run.js';

const target = { kind: 'cloud-run' as const, project: 'demo', region: 'europe-west1', service: 'svc' };
const SVC = 'projects/demo/locations/europe-west1/services/svc';

function clients(fake: FakeCloudRun) {
  const options = { ...fake.server.clientOptions(), projectId: 'demo' };
  const services = new ServicesClient(options);
  const revisions = new RevisionsClient(options);
  return { services, revisions, router: new CloudRunRouter(services, revisions, { retry: { attempts: 4, baseDelayMs: 10 } }) };
}

const deploy = (revisionName: string, image = 'europe-docker.pkg.dev/demo/apps/svc@sha256:abc'): DeployCandidate => ({
  kind: 'deployCandidate', effectId: 'e1', releaseId: 'r1', service: 'svc', router: target, attempt: 1, image, revisionName, baselineRevisionName: null,
});
const traffic = (candidateRevision: string | null, candidatePercent: number, stableRevision: string | null = null): SetTraffic => ({
  kind: 'setTraffic', effectId: 't1', releaseId: 'r1', service: 'svc', router: target, attempt: 1, candidateRevision, stableRevision, candidatePercent, baselineRevision: null, baselinePercent: 0,
});

routerContract('Cloud Run (fake Admin API from the shipped protos)', async () => {
  const fake = new FakeCloudRun();
  // Like Cloud Run: revisions take a few polls to become ready, updates are operations to poll.
  fake.readyAfterPolls = 2;
  fake.operationPolls = 2;
  await fake.start();
  fake.seed('demo', 'europe-west1', 'svc', 'svc-00001');
  const { router, services, revisions } = clients(fake);
  return {
    router,
    image: 'img@sha256:1',
    target,
    teardown: async () => {
      await services.close();
      await revisions.close();
      await fake.stop();
    },
  };
});

describe('CloudRunRouter against a fake Cloud Run Admin API', () => {
  const fake = new FakeCloudRun();
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    await fake.start();
    c = clients(fake);
  });
  afterAll(async () => {
    await c.services.close();
    await c.revisions.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.server.calls.length = 0;
    fake.seed('demo', 'europe-west1', 'svc', 'svc-00001', [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'svc-beta', percent: 0, tag: 'beta' }]);
  });

  const updates = () => fake.server.requests('UpdateService') as { updateMask: { paths: string[] }; service: { traffic: unknown[]; etag: string; template?: { revision: string; containers: { image: string }[] } } }[];

  it('starts the baseline twin from the stable revision\'s own image, tagged at 0%, then splits three ways keeping user tags', async () => {
    const deployed = await c.router.deployCandidate({ ...deploy('svc-c9'), baselineRevisionName: 'svc-base-c9' });
    expect(deployed).toMatchObject({ ok: true, stableRevision: 'svc-00001', baselineRevision: 'svc-base-c9' });
    const twin = updates().at(-1);
    expect(twin?.service.template?.revision).toBe('svc-base-c9');
    expect(twin?.service.template?.containers[0]?.image).toBe('img:stable');
    expect(fake.services.get(SVC)?.trafficStatuses.find((t) => t.tag === 'baseline')).toMatchObject({ revision: 'svc-base-c9', percent: 0 });
    expect(fake.services.get(SVC)?.trafficStatuses.find((t) => t.tag === 'candidate')).toMatchObject({ revision: 'svc-c9', percent: 0 });
    await c.router.setTraffic({ ...traffic('svc-c9', 10, 'svc-00001'), baselineRevision: 'svc-base-c9', baselinePercent: 10 });
    const split = (fake.services.get(SVC)?.traffic ?? []).map((t) => [t.revision, t.percent, t.tag || null]);
    expect(split).toEqual(expect.arrayContaining([['svc-00001', 80, null], ['svc-c9', 10, 'candidate'], ['svc-base-c9', 10, 'baseline'], ['svc-beta', 0, 'beta']]));
    await c.router.setTraffic({ ...traffic('svc-c9', 50, 'svc-00001'), baselineRevision: 'svc-base-c9', baselinePercent: 50 });
    expect((fake.services.get(SVC)?.traffic ?? []).filter((t) => (t.percent ?? 0) > 0).map((t) => [t.revision, t.percent])).toEqual([['svc-c9', 50], ['svc-base-c9', 50]]);
    await c.router.setTraffic({ ...traffic('svc-c9', 100, 'svc-00001'), baselineRevision: 'svc-base-c9', baselinePercent: 0 });
    expect((fake.services.get(SVC)?.traffic ?? []).some((t) => t.revision === 'svc-base-c9')).toBe(false);
  });

  it('deploys the candidate at 0% with its tag, pinning today\'s traffic to its revision and keeping user tags', async () => {
    const out = await c.router.deployCandidate(deploy('svc-abc123'));
    expect(out).toEqual({ ok: true, revision: 'svc-abc123', url: 'https://candidate---svc-abc-ew.a.run.app', stableRevision: 'svc-00001', baselineRevision: null });
    const [update] = updates();
    expect(update?.updateMask.paths).toEqual(['template', 'traffic']);
    expect(update?.service.template?.revision).toBe('svc-abc123');
    expect(update?.service.template?.containers[0]?.image).toBe('europe-docker.pkg.dev/demo/apps/svc@sha256:abc');
    expect(update?.service.traffic).toEqual([
      expect.objectContaining({ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'svc-00001', percent: 100 }),
      expect.objectContaining({ revision: 'svc-beta', percent: 0, tag: 'beta' }),
      expect.objectContaining({ revision: 'svc-abc123', percent: 0, tag: 'candidate' }),
    ]);
    expect(fake.services.get(SVC)?.latestReadyRevision).toBe('svc-abc123');
  });

  it('moves the split, promotes keeping the old stable tagged, and rolls back', async () => {
    await c.router.deployCandidate(deploy('svc-abc123'));
    expect(await c.router.setTraffic(traffic('svc-abc123', 10))).toEqual({ ok: true, observedPercent: 10 });
    expect(updates().at(-1)?.updateMask.paths).toEqual(['traffic']);
    expect(updates().at(-1)?.service.traffic).toEqual([
      expect.objectContaining({ revision: 'svc-00001', percent: 90 }),
      expect.objectContaining({ revision: 'svc-abc123', percent: 10, tag: 'candidate' }),
      expect.objectContaining({ revision: 'svc-beta', percent: 0, tag: 'beta' }),
    ]);
    expect(await c.router.setTraffic(traffic('svc-abc123', 100, 'svc-00001'))).toEqual({ ok: true, observedPercent: 100 });
    expect(updates().at(-1)?.service.traffic).toEqual(
      expect.arrayContaining([expect.objectContaining({ revision: 'svc-00001', percent: 0, tag: 'previous' }), expect.objectContaining({ revision: 'svc-abc123', percent: 100 })]),
    );
    expect(await c.router.setTraffic(traffic('svc-abc123', 0, 'svc-00001'))).toEqual({ ok: true, observedPercent: 0 });
    const served = fake.services.get(SVC)?.trafficStatuses.filter((s) => (s.percent ?? 0) > 0);
    expect(served).toEqual([expect.objectContaining({ revision: 'svc-00001', percent: 100 })]);
  });

  it('re-reads and retries when the etag shows a concurrent change', async () => {
    await c.router.deployCandidate(deploy('svc-abc123'));
    fake.server.calls.length = 0;
    fake.server.inject('UpdateService', { code: grpc.status.ABORTED, message: 'etag mismatch' });
    expect(await c.router.setTraffic(traffic('svc-abc123', 50))).toEqual({ ok: true, observedPercent: 50 });
    expect(fake.server.requests('GetService').length).toBeGreaterThanOrEqual(2);
    expect(updates()).toHaveLength(2);
  });

  it('sends the etag it read, so a change in between is detected', async () => {
    await c.router.deployCandidate(deploy('svc-abc123'));
    const before = fake.services.get(SVC)?.etag;
    await c.router.setTraffic(traffic('svc-abc123', 10));
    expect(updates().at(-1)?.service.etag).toBe(before);
  });

  it('retries UNAVAILABLE and slowness, then succeeds', async () => {
    fake.server.inject('GetService', { code: grpc.status.UNAVAILABLE }, 2);
    fake.server.inject('UpdateService', { delayMs: 200 });
    expect(await c.router.deployCandidate(deploy('svc-slow'))).toMatchObject({ ok: true });
  });

  it.each([
    ['PERMISSION_DENIED', grpc.status.PERMISSION_DENIED],
    ['NOT_FOUND', grpc.status.NOT_FOUND],
  ])('ends in a permanent failure naming %s, without a retry loop', async (name, code) => {
    fake.server.inject('UpdateService', { code, message: 'caller lacks run.services.update' });
    const out = await c.router.setTraffic(traffic(null, 0, 'svc-00001'));
    expect(out).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining(name) });
    expect(updates()).toHaveLength(1);
  });

  it('reports a missing service as permanent', async () => {
    const out = await c.router.setTraffic({ ...traffic(null, 0), router: { ...target, service: 'nope' } });
    expect(out).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('NOT_FOUND') });
  });

  it('reports a candidate that fails to become ready, stable untouched', async () => {
    fake.failingRevisions.add('svc-broken');
    const out = await c.router.deployCandidate(deploy('svc-broken'));
    expect(out).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('failed to become ready') });
    expect(fake.services.get(SVC)?.trafficStatuses.find((s) => (s.percent ?? 0) === 100)?.revision).toBe('svc-00001');
  });

  it('reads an existing revision once per poll', async () => {
    await c.router.deployCandidate(deploy('svc-abc123'));
    fake.server.calls.length = 0;
    await c.router.deployCandidate(deploy('svc-abc123'));
    expect(fake.server.requests('GetRevision')).toHaveLength(1);
  });

  it('is idempotent: a retried deploy finds the revision it made', async () => {
    await c.router.deployCandidate(deploy('svc-abc123'));
    const count = updates().length;
    expect(await c.router.deployCandidate(deploy('svc-abc123'))).toMatchObject({ ok: true, revision: 'svc-abc123' });
    expect(updates()).toHaveLength(count);
  });
});

describe('a first release through the runtime on Cloud Run (fake Admin API)', () => {
  it('rolls back to the revision that served before it, although no stable was recorded when it started', async () => {
    const fake = new FakeCloudRun();
    fake.readyAfterPolls = 1;
    fake.operationPolls = 1;
    await fake.start();
    fake.seed('demo', 'europe-west1', 'checkout', 'checkout-00001');
    const { router, services, revisions } = clients(fake);
    try {
      const sys = fakeSystem(undefined, router);
      await sys.apply({ router: { kind: 'cloud-run' }, project: 'demo', region: 'europe-west1' });
      expect((await sys.store.getService('checkout'))?.stableRevision).toBeNull();
      await sys.send(build('b1', 'SUCCESS'));
      const id = releaseIdForBuild('checkout', 'b1');
      // The revision is not ready at once: the deploy is asked about again by later checks, not waited on.
      expect((await sys.store.getRelease(id))?.state.phase).toBe('deploying');
      for (let i = 0; i < 10 && (await sys.store.getRelease(id))?.state.phase === 'deploying'; i += 1) await sys.advance(5_000);
      expect(await sys.store.getRelease(id)).toMatchObject({ state: { phase: 'shifting' }, stableRevision: 'checkout-00001' });
      for (let i = 0; i < 40 && (await sys.store.getRelease(id))?.state.phase === 'shifting'; i += 1) await sys.advance(10_000);
      const completed = await sys.store.getRelease(id);
      expect(completed?.state.phase).toBe('complete');
      await sys.send({ kind: 'incident', incidentId: 'i1', state: 'open', policyName: null, summary: null });
      expect((await sys.store.getRelease(id))?.state.phase).toBe('rolled_back');
      const served = fake.services.get('projects/demo/locations/europe-west1/services/checkout')?.trafficStatuses.filter((s) => (s.percent ?? 0) > 0);
      expect(served).toEqual([expect.objectContaining({ revision: 'checkout-00001', percent: 100 })]);
      expect((await sys.store.getService('checkout'))?.stableRevision).toBe('checkout-00001');
    } finally {
      await services.close();
      await revisions.close();
      await fake.stop();
    }
  });
});
