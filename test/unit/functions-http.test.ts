import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHECKOUT_POLICY, serviceConfigInput } from '../support/fixtures.js';
import { registerFunctions } from '../../functions/register.js';
import type { EntryDeps } from '../../functions/entry.js';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { binaryRequest, buildResource, incidentNotification, pushRequest, structuredRequest } from '../support/messages.js';
import { serveFunctions } from '../support/function-servers.js';
import { fakeSystem } from '../support/system.js';

let sys = fakeSystem();
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger }));

let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  served = await serveFunctions(['onCloudBuild', 'onAlert', 'onTick', 'onTimer']);
});
afterAll(async () => {
  await served.close();
});
beforeEach(async () => {
  sys = fakeSystem();
  await sys.apply({ rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY] } });
});

async function post(fn: string, req: { headers: Record<string, string>; body: string }) {
  const response = await fetch(served.url(fn), { method: 'POST', headers: req.headers, body: req.body });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json: json as Record<string, unknown> };
}

const store = () => sys.store;
const rid = releaseIdForBuild('checkout', 'b1');

describe('functions over HTTP with real-shaped bodies', () => {
  it.each([
    ['binary CloudEvent', binaryRequest],
    ['structured CloudEvent', structuredRequest],
    ['legacy Pub/Sub push', pushRequest],
  ])('onCloudBuild accepts a %s and starts the release', async (_name, shape) => {
    const res = await post('onCloudBuild', shape({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })), attributes: { buildId: 'b1', status: 'SUCCESS' } }));
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('handled');
    const release = await store().getRelease(rid);
    expect(release?.state.phase).toBe('shifting');
    expect(release?.build.image).toBe(`europe-west1-docker.pkg.dev/demo-project/apps/checkout@sha256:${'0123456789abcdef'.repeat(4)}`);
    expect(release?.build.commit).toBe('abc123');
  });

  it('acks a redelivered message without a second transition', async () => {
    const req = pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) });
    await post('onCloudBuild', req);
    const calls = sys.router.calls.length;
    const again = await post('onCloudBuild', req);
    expect(again.status).toBe(200);
    expect((again.json.detail as { kind: string }).kind).toBe('duplicate');
    expect(sys.router.calls).toHaveLength(calls);
  });

  it('ignores builds of no Cutover service without storing them', async () => {
    const res = await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b9', status: 'SUCCESS', service: null })) }));
    expect(res).toMatchObject({ status: 200, json: { status: 'ignored' } });
    expect(store().rejected).toEqual([]);
  });

  it.each([
    ['empty body', { headers: { 'content-type': 'application/json' }, body: '' }, 'EmptyBody'],
    ['empty JSON object', { headers: { 'content-type': 'application/json' }, body: '{}' }, 'EmptyBody'],
    ['JSON that is no Pub/Sub message', { headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' }, 'NotPubsubMessage'],
    ['text that is not JSON', { headers: { 'content-type': 'text/plain' }, body: 'not json at all' }, 'NotPubsubMessage'],
    ['data that is not base64', { headers: { 'content-type': 'application/json' }, body: '{"message":{"data":"%%%","messageId":"1"}}' }, 'NotPubsubMessage'],
    ['data that is not JSON', pushRequest({ messageId: 'm2', data: 'garbage' }), 'MalformedBuild'],
    ['a Build with an unknown status', pushRequest({ messageId: 'm3', data: sys.builds.know(buildResource({ id: 'b1', status: 'EXPLODED' })) }), 'MalformedBuild'],
    ['a build of an unregistered service', pushRequest({ messageId: 'm4', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS', service: 'nope' })) }), 'UnknownService'],
    ['a structured CloudEvent without data', { headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":"1.0","id":"x","type":"t","source":"s"}' }, 'NotPubsubMessage'],
  ])('acks and stores %s with its reason', async (_name, req, reason) => {
    const res = await post('onCloudBuild', req);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'rejected', reason });
    expect(store().rejected).toEqual([expect.objectContaining({ source: 'onCloudBuild', reason })]);
  });

  it('stores JSON that does not parse, instead of leaving it to the framework\'s 400 page', async () => {
    const res = await post('onCloudBuild', { headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'rejected', reason: 'NotPubsubMessage' });
    expect(store().rejected).toEqual([expect.objectContaining({ reason: 'NotPubsubMessage', body: '{not json' })]);
  });

  it('acks an oversized body, storing a truncated copy', async () => {
    const huge = pushRequest({ messageId: 'big', data: { id: 'b1', padding: 'x'.repeat(5 * 1024 * 1024) } });
    const res = await post('onCloudBuild', huge);
    expect(res).toMatchObject({ status: 200, json: { status: 'rejected', reason: 'BodyTooLarge' } });
    expect(store().rejected[0]?.bodyBytes).toBeGreaterThan(5 * 1024 * 1024);
  });

  it('answers 503 when the store is unavailable, so Pub/Sub redelivers', async () => {
    store().failNext(1);
    const res = await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
    expect(res.status).toBe(503);
    const retry = await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
    expect(retry.status).toBe(200);
    expect((await store().getRelease(rid))?.state.phase).toBe('shifting');
  });

  it('answers 500 to a bug, so Pub/Sub retries and then dead-letters it: never 2xx, never acknowledged and lost', async () => {
    sys.runtime.handle = () => Promise.reject(new TypeError('a bug in our code'));
    const res = await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ status: 'error' });
    expect(store().rejected).toEqual([]);
    expect(await store().getRelease(rid)).toBeNull();
  });

  describe('onAlert', () => {
    beforeEach(async () => {
      await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
    });

    it('rolls back on an incident of a policy the service lists, once Cloud Monitoring vouches for it', async () => {
      const res = await post('onAlert', binaryRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1' }) }));
      expect(res.status).toBe(200);
      expect(sys.alertPolicies.asked).toEqual([CHECKOUT_POLICY]);
      expect((await store().getRelease(rid))?.state.phase).toBe('rolled_back');
    });

    // Each of these rolled checkout back before incidents were verified; now each is stored, acknowledged, and changes nothing.
    it.each([
      ['a forged label on someone else\'s policy', { labels: { 'cutover-service': 'checkout' }, policy: 'always firing', policyId: 'projects/demo-project/alertPolicies/mallory' }, 'UnmappedIncident'],
      ['the Cloud Run service name alone', { serviceName: 'checkout', policy: 'anything', policyId: null }, 'UnverifiableIncident'],
      ['a display name copied from the listed policy', { policy: 'checkout 5xx ratio', policyId: 'projects/demo-project/alertPolicies/copy' }, 'UnmappedIncident'],
      ['labels the policy does not carry', { labels: { 'cutover-service': 'payments' } }, 'PolicyMismatch'],
      ['another display name than the policy\'s', { policy: 'payments latency' }, 'PolicyMismatch'],
    ] as const)('refuses %s: stored as rejected, acknowledged, no rollback', async (_name, options, reason) => {
      const res = await post('onAlert', pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1', ...options }) }));
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ status: 'rejected', reason });
      expect(store().rejected.map((r) => r.reason)).toEqual([reason]);
      expect((await store().getRelease(rid))?.state.phase).toBe('shifting');
    });

    it('refuses a listed policy Cloud Monitoring does not know (deleted, or never created)', async () => {
      await sys.store.applyServiceConfig(serviceConfigInput({ rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY, 'projects/demo-project/alertPolicies/deleted'] } }), sys.clock.now);
      const res = await post('onAlert', pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1', policyId: 'projects/demo-project/alertPolicies/deleted' }) }));
      expect(res.json).toMatchObject({ status: 'rejected', reason: 'PolicyNotFound' });
      expect((await store().getRelease(rid))?.state.phase).toBe('shifting');
    });

    it('answers 503 when Cloud Monitoring cannot be asked, and acts on the redelivery once it can', async () => {
      sys.alertPolicies.unavailable = 1;
      const req = pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1' }) });
      expect((await post('onAlert', req)).status).toBe(503);
      expect((await store().getRelease(rid))?.state.phase).toBe('shifting');
      expect(store().rejected).toEqual([]);
      expect((await post('onAlert', req)).status).toBe(200);
      expect((await store().getRelease(rid))?.state.phase).toBe('rolled_back');
    });

    it.each([['OPEN'], ['Open']])('reads state %s in any case', async (state) => {
      await post('onAlert', pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1', state, policy: 'checkout 5xx ratio' }) }));
      expect((await store().getRelease(rid))?.state.phase).toBe('rolled_back');
    });

    it.each([[null], ['null'], [1_700_000_100]])('accepts ended_at %s on a closed incident and changes nothing', async (endedAt) => {
      const res = await post('onAlert', pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1', state: 'CLOSED', endedAt, policy: 'checkout 5xx ratio' }) }));
      expect(res.status).toBe(200);
      expect((await store().getRelease(rid))?.state.phase).toBe('shifting');
      expect((await store().getService('checkout'))?.lastIncident).toMatchObject({ incidentId: 'i1', state: 'closed' });
    });

    it('treats one incident delivered again under a new message id as one fact: it rolls back one release, not two', async () => {
      // b1 completes (its watch window is open), then b2 shifts; the incident rolls b2 back.
      for (let i = 0; i < 40 && (await store().getRelease(rid))?.state.phase === 'shifting'; i += 1) {
        sys.clock.now += 10_000;
        await post('onTick', pushRequest({ messageId: `t${i}`, data: {} }));
      }
      expect((await store().getRelease(rid))?.state.phase).toBe('complete');
      const rid2 = releaseIdForBuild('checkout', 'b2');
      await post('onCloudBuild', pushRequest({ messageId: 'm2', data: sys.builds.know(buildResource({ id: 'b2', status: 'SUCCESS' })) }));
      expect((await store().getRelease(rid2))?.state.phase).toBe('shifting');
      const incident = incidentNotification({ id: 'i-repeat', policy: 'checkout 5xx ratio' });
      expect((await post('onAlert', pushRequest({ messageId: 'a1', data: incident }))).status).toBe(200);
      expect((await store().getRelease(rid2))?.state.phase).toBe('rolled_back');
      const again = await post('onAlert', pushRequest({ messageId: 'a2-publisher-retry', data: incident }));
      expect(again.status).toBe(200);
      expect((await store().getRelease(rid))?.state.phase).toBe('complete');
      expect((await store().getService('checkout'))?.lastCompletedReleaseId).toBe(rid);
      // A different incident inside the watch window still rolls the completed release back.
      await post('onAlert', pushRequest({ messageId: 'a3', data: incidentNotification({ id: 'i-other', policy: 'checkout 5xx ratio' }) }));
      expect((await store().getRelease(rid))?.state.phase).toBe('rolled_back');
    });

    it('acks a test notification without acting', async () => {
      const res = await post('onAlert', pushRequest({ messageId: 'a1', data: { version: 'test', incident: { summary: 'test' } } }));
      expect(res.json.status).toBe('ignored');
      expect((await store().getRelease(rid))?.state.phase).toBe('shifting');
    });

    it('stores an incident that maps to no service', async () => {
      const res = await post('onAlert', pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1', policy: 'someone else', policyId: 'projects/demo-project/alertPolicies/9' }) }));
      expect(res.json).toMatchObject({ status: 'rejected', reason: 'UnmappedIncident' });
      expect(sys.alertPolicies.asked).toEqual([]);
      expect((await store().getRelease(rid))?.state.phase).toBe('shifting');
    });
  });

  it('onTick advances due releases', async () => {
    await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
    sys.clock.now += 60_000;
    const res = await post('onTick', pushRequest({ messageId: 't1', data: {} }));
    expect(res.status).toBe(200);
    expect(sys.health.calls).toHaveLength(1);
  });

  describe('onTimer (Cloud Tasks, plain JSON)', () => {
    it('ticks the release it names; a retried task is a no-op', async () => {
      await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
      sys.clock.now += 10_000;
      const at = sys.clock.now;
      const req = { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ releaseId: rid, service: 'checkout', at }) };
      const res = await post('onTimer', req);
      expect(res).toMatchObject({ status: 200, json: { status: 'handled', detail: { kind: 'decided' } } });
      expect(sys.health.calls).toHaveLength(1);
      const again = await post('onTimer', req);
      expect((again.json.detail as { kind: string }).kind).toBe('duplicate');
      expect(sys.health.calls).toHaveLength(1);
    });

    it('acks and stores a malformed timer request', async () => {
      const res = await post('onTimer', { headers: { 'content-type': 'application/json' }, body: '{"releaseId":42}' });
      expect(res.json).toMatchObject({ status: 'rejected', reason: 'MalformedTimer' });
      expect(store().rejected).toEqual([expect.objectContaining({ source: 'onTimer', reason: 'MalformedTimer' })]);
    });
  });
});
