import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerFunctions } from '../../functions/register.js';
import type { EntryDeps } from '../../functions/entry.js';
import { notificationPayload } from '../../shared/adapters/gcp/pubsub-notifier.js';
import { releaseIdForBuild, type EventBody, type Notify, type ServiceConfigInput } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { serveFunctions } from '../support/function-servers.js';
import { pushRequest } from '../support/messages.js';
import { fakeSystem } from '../support/system.js';
import { serviceConfigInput } from '../support/fixtures.js';
import { digest } from '../support/pipeline-steps.js';

/**
 * promoteStages on 127.0.0.1: real `cutover-events` payloads pushed to the function, the stages
 * found by the store's query, each stage deciding on the release of the stage before as the store
 * holds it. The runtime runs every effect on fakes, so a promoted build goes all the way.
 */
let sys = fakeSystem();
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger }));
let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  served = await serveFunctions(['promoteStages']);
});
afterAll(() => served.close());

const stage = (name: string, extra: Partial<ServiceConfigInput> = {}) => serviceConfigInput({ name, router: { kind: 'cloud-run', target: name }, steps: [100], watchWindow: '1h', ...extra });
beforeEach(async () => {
  sys = fakeSystem();
  await sys.store.applyServiceConfig(stage('shop-dev'), sys.clock.now);
  await sys.store.applyServiceConfig(stage('shop-staging', { source: undefined, promotion: { from: 'shop-dev', soak: '0s' } }), sys.clock.now);
  await sys.store.applyServiceConfig(stage('shop-prod', { source: undefined, promotion: { from: 'shop-staging', soak: '0s', approval: 'manual' } }), sys.clock.now);
});

let n = 0;
const send = (service: string, body: EventBody) => sys.runtime.handle({ id: `t${(n += 1)}`, service, at: sys.clock.now, body });
const sent = (type: Notify['type'], service: string): Notify => {
  const found = sys.notifier.sent.filter((x) => x.type === type && x.service === service).at(-1);
  if (!found) throw new Error(`no ${type} of ${service}: ${sys.notifier.sent.map((x) => `${x.service}/${x.type}`).join(', ')}`);
  return found;
};
async function push(data: unknown, messageId = `m${(n += 1)}`) {
  const res = await fetch(served.url('promoteStages'), { method: 'POST', ...pushRequest({ messageId, data: (data as Notify).kind === 'notify' ? notificationPayload(data as Notify) : data }) });
  return { status: res.status, json: (await res.json()) as { status: string; detail?: { stage: string; outcome?: { status: string; reason: string } }[]; reason?: string } };
}
const release = async (service: string, b = 'b1') => sys.store.getRelease(releaseIdForBuild(service, b));

describe('promoteStages: a stage\'s release events to the stages that promote from it', () => {
  it('promotes the completed build to the next stage: the same digest, where it came from kept; a manual stage waits for approval', async () => {
    await send('shop-dev', { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c1', image: digest('b1') });
    expect((await release('shop-dev'))?.state.phase).toBe('complete');

    const relayed = await push(sent('release.completed', 'shop-dev'));
    expect(relayed.json.detail).toEqual([{ stage: 'shop-staging', outcome: expect.objectContaining({ status: 'applied', reason: 'PromotionReceived' }) }]);
    const staging = await release('shop-staging');
    expect(staging).toMatchObject({ state: { phase: 'complete' }, build: { id: 'b1', image: digest('b1'), commit: 'c1' }, promotion: { from: 'shop-dev', releaseId: 'shop-dev-b1', revokedAt: null } });

    await push(sent('release.completed', 'shop-staging'));
    expect((await release('shop-prod'))?.state).toEqual({ phase: 'pending', sub: 'awaitingApproval' });
    await send('shop-prod', { kind: 'command', releaseId: 'shop-prod-b1', command: 'approve', actor: 'ops@example.com', why: null });
    expect((await release('shop-prod'))?.state.phase).toBe('complete');
  });

  it('revokes downstream: a rollback in the stage before rolls back the build that was promoted from it', async () => {
    await send('shop-dev', { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c1', image: digest('b1') });
    await push(sent('release.completed', 'shop-dev'));
    expect((await release('shop-staging'))?.state.phase).toBe('complete');
    await send('shop-dev', { kind: 'command', releaseId: 'shop-dev-b1', command: 'rollback', actor: 'ops@example.com', why: 'bad totals' });
    const relayed = await push(sent('release.rolled_back', 'shop-dev'));
    expect(relayed.json.detail?.[0]?.outcome).toMatchObject({ status: 'applied', reason: 'DigestRevoked' });
    expect(await release('shop-staging')).toMatchObject({ state: { phase: 'rolled_back', rollback: { cause: 'DigestRevoked', from: 'complete' } }, promotion: { revokedAt: sys.clock.now } });
    expect((await sys.store.getService('shop-staging'))?.stableRevision).toBe('shop-staging-initial');
  });

  it('trusts the store, not the message: an unknown release is refused, a redelivery is a no-op, a service no stage follows is ignored', async () => {
    await send('shop-dev', { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c1', image: digest('b1') });
    const completed = sent('release.completed', 'shop-dev');
    expect((await push({ ...completed, releaseId: 'shop-dev-forged' })).json).toMatchObject({ status: 'rejected', reason: 'UnknownRelease' });
    expect(await release('shop-staging')).toBeNull();
    await push(completed, 'same');
    const again = await push(completed, 'same');
    expect(again.json.detail).toEqual([{ stage: 'shop-staging', kind: 'duplicate' }]);
    expect((await push({ ...completed, service: 'shop-prod', releaseId: 'shop-prod-b1' })).json.status).toBe('ignored');
    expect((await push({ ...completed, type: 'release.verified' })).json.status).toBe('ignored');
  });

  it('refuses an upstream event that does not hold against the facts: another service\'s release, another build, no promotion configured', async () => {
    await send('shop-dev', { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c1', image: digest('b1') });
    const refused = async (service: string, upstreamReleaseId: string, buildId = 'b1') => {
      const report = await send(service, { kind: 'upstream', upstreamReleaseId, buildId });
      return report.kind === 'decided' ? report.outcome : report;
    };
    expect(await refused('shop-prod', 'shop-dev-b1')).toMatchObject({ status: 'rejected', reason: 'NotPromotable', message: expect.stringContaining('promotes from shop-staging') });
    expect(await refused('shop-staging', 'shop-dev-b1', 'b2')).toMatchObject({ status: 'rejected', reason: 'NotPromotable' });
    expect(await refused('shop-dev', 'shop-dev-b1')).toMatchObject({ status: 'rejected', message: expect.stringContaining('takes no promotions') });
    expect(await refused('shop-staging', 'shop-dev-nothing')).toMatchObject({ status: 'rejected', reason: 'NotPromotable' });
    expect(await release('shop-prod')).toBeNull();
  });

  it('holds a promoted image to the repositories a stage names itself, when it names any', async () => {
    await sys.store.applyServiceConfig(stage('shop-staging', { promotion: { from: 'shop-dev', soak: '0s' }, source: { triggers: ['t'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/trusted'] } }), sys.clock.now);
    await send('shop-dev', { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c1', image: digest('b1') });
    const report = await send('shop-staging', { kind: 'upstream', upstreamReleaseId: 'shop-dev-b1', buildId: 'b1' });
    expect(report.kind === 'decided' && report.outcome).toMatchObject({ status: 'rejected', reason: 'NotPromotable', message: expect.stringContaining('not from a repository shop-staging trusts') });
  });

  it('promotes only a digest-pinned image: a tag could move between the stages', async () => {
    await send('shop-dev', { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c1', image: 'europe-west1-docker.pkg.dev/demo-project/apps/shop:latest' });
    const report = await send('shop-staging', { kind: 'upstream', upstreamReleaseId: 'shop-dev-b1', buildId: 'b1' });
    expect(report.kind === 'decided' && report.outcome).toMatchObject({ status: 'rejected', message: expect.stringContaining('pinned by digest') });
  });
});
