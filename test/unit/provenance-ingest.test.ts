import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { Reason, releaseIdForBuild } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { serveFunctions } from '../support/function-servers.js';
import { buildResource, pushRequest } from '../support/messages.js';
import { fakeSystem } from '../support/system.js';

/**
 * onCloudBuild trusts a build only for what the Cloud Build API says of it. Each forged or
 * untrusted message is acknowledged as rejected, stored with its reason, and changes nothing:
 * the release in flight keeps its phase, its traffic and its router.
 */
let sys = fakeSystem();
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger }));
let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  served = await serveFunctions(['onCloudBuild']);
});
afterAll(() => served.close());

const inFlight = releaseIdForBuild('checkout', 'good-1');
beforeEach(async () => {
  sys = fakeSystem();
  await sys.apply();
  const good = sys.builds.know(buildResource({ id: 'good-1', status: 'SUCCESS' }));
  expect((await post({ messageId: 'm-good', data: good })).json).toMatchObject({ status: 'handled' });
  expect((await sys.store.getRelease(inFlight))?.state.phase).toBe('shifting');
});

async function post(p: { messageId: string; data: unknown }) {
  const req = pushRequest({ ...p, attributes: { buildId: 'x', status: 'SUCCESS' } });
  const res = await fetch(served.url('onCloudBuild'), { method: 'POST', headers: req.headers, body: req.body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A forged message must be acknowledged as rejected with `reason`, stored, and leave the release in flight as it was. */
async function refused(data: unknown, reason: string) {
  const before = await sys.store.getRelease(inFlight);
  const routerCalls = sys.router.calls.length;
  const res = await post({ messageId: `m-${reason}-${Math.random()}`, data });
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ status: 'rejected', reason });
  const stored = await sys.store.listRejected(50);
  expect(stored.find((r) => r.id === res.json.rejectedId)).toMatchObject({ source: 'onCloudBuild', reason });
  const after = await sys.store.getRelease(inFlight);
  expect(after?.state.phase).toBe('shifting');
  expect(after?.traffic).toEqual(before?.traffic);
  expect(after?.historySeq).toBe(before?.historySeq);
  expect(sys.router.calls.length).toBe(routerCalls);
  expect(await sys.store.listReleases('checkout', 10)).toHaveLength(1);
}

describe('onCloudBuild: provenance from the Cloud Build API', () => {
  it('a SUCCESS the API has never heard of (forged) is refused: BuildNotFound', async () => {
    await refused(buildResource({ id: 'forged-1', status: 'SUCCESS', image: 'docker.io/attacker/miner' }), Reason.BuildNotFound);
  });

  it('a message whose image differs from the real build\'s is refused: BuildMismatch', async () => {
    sys.builds.know(buildResource({ id: 'real-2', status: 'SUCCESS' }));
    await refused(buildResource({ id: 'real-2', status: 'SUCCESS', image: 'docker.io/attacker/miner' }), Reason.BuildMismatch);
  });

  it('a message naming another trigger than the real build\'s: the API\'s trigger decides (UntrustedTrigger)', async () => {
    const real = sys.builds.know({ ...buildResource({ id: 'real-3', status: 'SUCCESS' }), buildTriggerId: 'someone-elses' });
    real.substitutions.TRIGGER_NAME = 'someone-elses';
    sys.builds.know(real);
    await refused({ ...real, buildTriggerId: 'trig-checkout-main', substitutions: { ...real.substitutions, TRIGGER_NAME: 'checkout-main' } }, Reason.UntrustedTrigger);
  });

  it('a build from a trigger, a branch or a repository the service does not allow is refused', async () => {
    const byHand = sys.builds.know({ ...buildResource({ id: 'hand-4', status: 'SUCCESS' }), buildTriggerId: '' });
    await refused(byHand, Reason.UntrustedTrigger);
    const branch = buildResource({ id: 'branch-5', status: 'SUCCESS' });
    branch.substitutions.BRANCH_NAME = 'feature/unreviewed';
    await refused(sys.builds.know(branch), Reason.UntrustedRef);
    await refused(sys.builds.know(buildResource({ id: 'repo-6', status: 'SUCCESS', image: 'europe-west1-docker.pkg.dev/demo-project/scratch/checkout' })), Reason.UntrustedImage);
  });

  it('a build that pushed no image digest is refused: ImageNotPinned', async () => {
    const unpinned = buildResource({ id: 'nodigest-7', status: 'SUCCESS' });
    delete (unpinned as { results?: unknown }).results;
    await refused(sys.builds.know(unpinned), Reason.ImageNotPinned);
  });

  it('a service with no `source` accepts no build: NoSourcePolicy', async () => {
    await sys.apply({ source: undefined });
    await refused(sys.builds.know(buildResource({ id: 'any-8', status: 'SUCCESS' })), Reason.NoSourcePolicy);
  });

  it('when the Cloud Build API cannot answer, the message is answered 503 (redelivered), not trusted and not dropped', async () => {
    const build = sys.builds.know(buildResource({ id: 'later-9', status: 'SUCCESS' }));
    sys.builds.unavailable = 1;
    const res = await post({ messageId: 'm-later', data: build });
    expect(res.status).toBe(503);
    expect(await sys.store.getRelease(releaseIdForBuild('checkout', 'later-9'))).toBeNull();
    const again = await post({ messageId: 'm-later', data: build });
    expect(again.json).toMatchObject({ status: 'handled' });
    // Trusted once asked: it supersedes the release in flight, as any new build of the service does.
    expect(await sys.store.getRelease(releaseIdForBuild('checkout', 'later-9'))).toMatchObject({ build: { id: 'later-9' } });
    expect((await sys.store.getRelease(inFlight))?.state.phase).toBe('superseded');
  });

  it('asks the API in the project and location the service config names, never the message\'s', async () => {
    await sys.apply({ source: { project: 'ci-project', location: 'europe-west1', triggers: ['checkout-main'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps'] } });
    await refused({ ...buildResource({ id: 'b-10', status: 'SUCCESS' }), projectId: 'ci-project' }, Reason.BuildNotFound);
    expect(sys.builds.asked.at(-1)).toEqual({ project: 'ci-project', location: 'europe-west1', buildId: 'b-10' });
  });
});
