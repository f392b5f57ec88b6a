import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHECKOUT_POLICY } from '../support/fixtures.js';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { LIMITS } from '../../shared/ingest/limits.js';
import type { ReleaseStore } from '../../shared/ports/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { buildResource, incidentNotification, pushBody, pushRequest } from '../support/messages.js';
import { serveFunctions } from '../support/function-servers.js';
import { fakeSystem } from '../support/system.js';

/**
 * Hostile input against the functions on the Firestore emulator, which refuses what production
 * Firestore refuses (map keys "" and __x__, ids with "/", "." and "..", entities over 1 MiB).
 * Each case must end 2xx with a stored record, or be handled: never a 500 loop, never lost.
 */
const stores: FirestoreStore[] = [];
let sys: ReturnType<typeof fakeSystem<ReleaseStore>> = fakeSystem<ReleaseStore>();
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger }));

describe.skipIf(!emulators.available)('hostile input on the Firestore emulator', () => {
  let served: Awaited<ReturnType<typeof serveFunctions>>;
  beforeAll(async () => {
    served = await serveFunctions(['onCloudBuild', 'onAlert', 'onTimer']);
  });
  afterAll(async () => {
    await served.close();
    await Promise.all(stores.map((s) => s.close()));
  });
  beforeEach(async () => {
    const store = new FirestoreStore({ projectId: uniqueProjectId('hostile'), databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    stores.push(store);
    sys = fakeSystem<ReleaseStore>(store);
    await sys.apply({ rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY] } });
  });

  async function post(fn: string, req: { headers: Record<string, string>; body: string }) {
    const response = await fetch(served.url(fn), { method: 'POST', headers: req.headers, body: req.body });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { text };
    }
    return { status: response.status, json };
  }
  const rejected = async () => sys.store.listRejected(50);
  const expectStoredRejection = async (res: { status: number; json: Record<string, unknown> }, reason: string) => {
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'rejected', reason });
    expect((await rejected()).map((r) => r.id)).toContain(res.json.rejectedId);
  };

  it.each([['__x__'], [''], ['a.b']])('stores a malformed message whose attributes hold the key %j', async (key) => {
    const res = await post('onCloudBuild', pushRequest({ messageId: 'm1', data: 'not json', attributes: { [key]: 'v', status: 'SUCCESS' } }));
    await expectStoredRejection(res, 'MalformedBuild');
    const stored = (await rejected()).find((r) => r.id === res.json.rejectedId);
    expect(JSON.parse(stored?.attributes ?? '{}')).toMatchObject({ [key]: 'v' });
  });

  it.each([['a/b'], ['__x__'], ['.'], ['..'], ['x'.repeat(64)], ['Checkout']])('stores a build whose _CUTOVER_SERVICE is %j as malformed', async (service) => {
    const res = await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS', service })) }));
    await expectStoredRejection(res, 'MalformedBuild');
  });

  it.each([
    ['a label a/b on an unlisted policy', { labels: { 'cutover-service': 'a/b' }, policyId: 'projects/demo-project/alertPolicies/x' }, 'UnmappedIncident'],
    ['a policy path with a / in its id', { policyId: 'projects/demo-project/alertPolicies/a/b' }, 'UnverifiableIncident'],
    ['a policy path of 900 characters', { policyId: `projects/demo-project/alertPolicies/${'p'.repeat(860)}` }, 'UnverifiableIncident'],
    ['a Cloud Run service name .. and no policy', { serviceName: '..', policyId: null }, 'UnverifiableIncident'],
    ['a policy_name of 2,000 characters', { policy: 'p'.repeat(2_000) }, 'PolicyMismatch'],
  ] as const)('stores an incident with %s as rejected', async (_name, options, reason) => {
    const res = await post('onAlert', pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1', ...options }) }));
    await expectStoredRejection(res, reason);
  });

  it('rolls back on an OPEN incident with a 1.1 MB summary, keeping the summary truncated', async () => {
    await post('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
    const rid = releaseIdForBuild('checkout', 'b1');
    expect((await sys.store.getRelease(rid))?.state.phase).toBe('shifting');
    const notification = incidentNotification({ id: 'i-big', policy: 'checkout 5xx ratio' });
    notification.incident.summary = 's'.repeat(1_100_000);
    const res = await post('onAlert', pushRequest({ messageId: 'a1', data: notification }));
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('handled');
    expect((await sys.store.getRelease(rid))?.state.phase).toBe('rolled_back');
    const summary = (await sys.store.getService('checkout'))?.lastIncident?.summary ?? '';
    expect(summary.length).toBeLessThanOrEqual(LIMITS.summaryChars);
    expect(summary.endsWith('[truncated]')).toBe(true);
  });

  it('reads a valid envelope sent with no content type instead of losing its body', async () => {
    const body = Buffer.from(JSON.stringify(pushBody({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) })));
    const response = await fetch(served.url('onCloudBuild'), { method: 'POST', body: new Blob([body]), headers: {} });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('handled');
    expect((await sys.store.getRelease(releaseIdForBuild('checkout', 'b1')))?.state.phase).toBe('shifting');
  });

  it('refuses a body over the limit sent with no content type, as the parsers refuse one that has one', async () => {
    const response = await fetch(served.url('onCloudBuild'), { method: 'POST', body: new Blob([Buffer.alloc(5 * 1024 * 1024, 0x78)]), headers: {} });
    const json = (await response.json()) as Record<string, unknown>;
    await expectStoredRejection({ status: response.status, json }, 'BodyTooLarge');
  });

  it('stores invalid JSON sent as application/json (not the framework\'s 400 page)', async () => {
    const res = await post('onCloudBuild', { headers: { 'content-type': 'application/json' }, body: '{"message": {"data": ' });
    await expectStoredRejection(res, 'NotPubsubMessage');
    expect(JSON.stringify(res.json)).not.toContain('at ');
    const stored = (await rejected()).find((r) => r.id === res.json.rejectedId);
    expect(stored?.body).toBe('{"message": {"data": ');
  });

  it('refuses a body over the limit before parsing it, and stores that it came', async () => {
    const res = await post('onCloudBuild', { headers: { 'content-type': 'application/json' }, body: `{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}` });
    await expectStoredRejection(res, 'BodyTooLarge');
    const stored = (await rejected()).find((r) => r.id === res.json.rejectedId);
    expect(stored?.bodyBytes).toBeGreaterThan(5 * 1024 * 1024);
  });

  it.each([
    ['a service with a slash', { releaseId: 'checkout-b1', service: 'a/b', at: 1 }],
    ['a release id with a slash', { releaseId: 'checkout/../x', service: 'checkout', at: 1 }],
    ['a release id of __x__', { releaseId: '__x__', service: 'checkout', at: 1 }],
  ])('stores a timer naming %s as malformed', async (_name, body) => {
    const res = await post('onTimer', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await expectStoredRejection(res, 'MalformedTimer');
  });
});
