import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { LocalIssuer } from '../../local/issuer.js';
import { IdTokenVerifier } from '../../shared/adapters/auth/id-token-verifier.js';
import { parseServiceConfig, type PlatformPolicy } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { FakeGroups } from '../fakes/groups.js';
import { serviceConfigInput } from '../support/fixtures.js';
import { serveFunctions } from '../support/function-servers.js';
import { buildResource, pushRequest } from '../support/messages.js';
import { fakeSystem } from '../support/system.js';

/**
 * An owner of one service may not reach beyond it: what a service deploys into and trusts is the
 * platform's (admins, or a platform grant), and a target another service routes is nobody's to take.
 */
const issuer = new LocalIssuer();
let sys = fakeSystem();
let platform: PlatformPolicy = { grants: [], deployPolicies: [] };
let verifier: IdTokenVerifier;
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger, auth: { identity: verifier, groups: new FakeGroups({}), admins: ['user:root@example.com'], platform } }));
let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  await issuer.start();
  served = await serveFunctions(['onCommand', 'onCloudBuild']);
  verifier = new IdTokenVerifier({ audiences: [served.url('onCommand')], certsUrl: issuer.certsUrl, issuers: [issuer.url] });
});
afterAll(async () => {
  await served.close();
  await issuer.stop();
});

const worker = (over: object = {}) => ({ ...serviceConfigInput({ name: 'checkout-worker', access: { owners: ['user:wendy@example.com'], operators: [], approvers: [] } }), ...over });
beforeEach(async () => {
  sys = fakeSystem();
  platform = { grants: [], deployPolicies: [] };
  await sys.apply({ access: { owners: ['user:owen@example.com'], operators: [], approvers: [] } });
  await sys.store.applyServiceConfig(worker(), sys.clock.now);
});

async function apply(config: object, email: string) {
  const res = await fetch(served.url('onCommand'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign({ email, audience: served.url('onCommand') })}` }, body: JSON.stringify({ command: 'apply', config }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('services apply: platform-owned fields', () => {
  it('an owner of checkout-worker cannot point it at checkout; its next build deploys nowhere but its own target', async () => {
    const before = await sys.store.getService('checkout-worker');
    const res = await apply(worker({ router: { kind: 'cloud-run', target: 'checkout' } }), 'wendy@example.com');
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ missingRole: 'platform admin', fields: ['router.target'] });
    expect(await sys.store.getService('checkout-worker')).toEqual(before);
    sys.builds.know(buildResource({ id: 'w1', status: 'SUCCESS', service: 'checkout-worker' }));
    const req = pushRequest({ messageId: 'm-w1', data: buildResource({ id: 'w1', status: 'SUCCESS', service: 'checkout-worker' }) });
    expect((await fetch(served.url('onCloudBuild'), { method: 'POST', headers: req.headers, body: req.body })).status).toBe(200);
    const deploys = sys.router.calls.filter((c) => c.kind === 'deployCandidate');
    expect(deploys.length).toBeGreaterThan(0);
    for (const call of deploys) expect(call.router.service).toBe('checkout-worker');
  });

  it.each([
    ['project', { project: 'payments-prod' }, 'project'],
    ['region', { region: 'us-central1' }, 'region'],
    ['a branch wildcard', { source: { triggers: ['trig-checkout-main'], branches: ['*'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps'] } }, 'source.branches'],
    ['another registry', { source: { triggers: ['trig-checkout-main'], branches: ['main'], repositories: ['docker.io/attacker'] } }, 'source.repositories'],
    ['another project\'s builds', { source: { project: 'attacker-ci', triggers: ['trig-checkout-main'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps'] } }, 'source.project'],
    ['another service\'s chat secret', { notifications: [{ format: 'slack', secret: 'chat-payments' }] }, 'notifications.secret'],
    ['the source, by removing it', { source: undefined }, 'source'],
  ])('an owner may not change %s: 403 naming the field and the role, nothing stored', async (_name, over, field) => {
    const before = await sys.store.getService('checkout-worker');
    const res = await apply(worker(over), 'wendy@example.com');
    expect(res.status).toBe(403);
    expect(res.json.fields).toContain(field);
    expect(String(res.json.error)).toContain('platform');
    expect(await sys.store.getService('checkout-worker')).toEqual(before);
  });

  it('an owner keeps what is theirs: steps, SLO, access, and platform values re-applied unchanged', async () => {
    const res = await apply(worker({ steps: [5, 25, 100], slo: { maxErrorRate: 0.02, minRequests: 100 } }), 'wendy@example.com');
    expect(res.status).toBe(200);
    expect((await sys.store.getService('checkout-worker'))?.config.steps).toEqual([5, 25, 100]);
  });

  it('a platform grant lets the owners of matching services choose within it, and no further', async () => {
    platform = { deployPolicies: [], grants: [parseGrant({ services: ['checkout-*'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps/checkout-*'], secrets: ['chat-checkout-*'] })] };
    const mine = { source: { triggers: ['trig-checkout-main'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps/checkout-worker'] }, notifications: [{ format: 'slack', secret: 'chat-checkout-team' }] };
    expect((await apply(worker(mine), 'wendy@example.com')).status).toBe(200);
    const theirs = { source: { triggers: ['trig-checkout-main'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps/payments'] } };
    expect((await apply(worker(theirs), 'wendy@example.com')).json.fields).toEqual(['source.repositories']);
  });

  it('a target another service routes is refused to everyone, platform admins included', async () => {
    const res = await apply(worker({ router: { kind: 'cloud-run', target: 'checkout' } }), 'root@example.com');
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ field: 'router.target', claimedBy: 'checkout' });
    expect((await apply(worker({ router: { kind: 'cloud-run', target: 'checkout-worker-v2' } }), 'root@example.com')).status).toBe(200);
  });

  it('a target does not change under a release in flight, even for a platform admin', async () => {
    sys.builds.know(buildResource({ id: 'w2', status: 'SUCCESS', service: 'checkout-worker' }));
    const req = pushRequest({ messageId: 'm-w2', data: buildResource({ id: 'w2', status: 'SUCCESS', service: 'checkout-worker' }) });
    await fetch(served.url('onCloudBuild'), { method: 'POST', headers: req.headers, body: req.body });
    expect((await sys.store.getService('checkout-worker'))?.activeReleaseId).not.toBeNull();
    const res = await apply(worker({ router: { kind: 'local', target: 'checkout-worker' } }), 'root@example.com');
    expect(res).toMatchObject({ status: 409, json: { field: 'router' } });
    expect((await apply(worker({ bakeTime: '2m' }), 'root@example.com')).status).toBe(200);
  });

  it('a stranger learns nothing: applying an existing and a new service read the same', async () => {
    const existing = await apply(worker({ bakeTime: '2m' }), 'mallory@example.com');
    const fresh = await apply(worker({ name: 'ghost' }), 'mallory@example.com');
    expect(existing.status).toBe(403);
    expect(fresh.status).toBe(403);
    expect(String(existing.json.error).replace('checkout-worker', 'X')).toBe(String(fresh.json.error).replace('ghost', 'X'));
  });
});

describe('services apply: triggers are stored by id', () => {
  it('a trigger name is resolved through the Cloud Build API once and stored as its id; an unknown one is refused', async () => {
    const res = await apply(serviceConfigInput({ access: { owners: ['user:owen@example.com'], operators: [], approvers: [] }, source: { triggers: ['checkout-main'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps'] } }), 'owen@example.com');
    expect(res.status).toBe(200);
    expect(res.json.warnings).toEqual([expect.stringContaining('stored as its id trig-checkout-main')]);
    expect((await sys.store.getService('checkout'))?.config.source?.triggers).toEqual(['trig-checkout-main']);
    const unknown = await apply(serviceConfigInput({ source: { triggers: ['nope'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps'] } }), 'root@example.com');
    expect(unknown.status).toBe(400);
  });
});

function parseGrant(grant: object) {
  // Through the schema, as CUTOVER_PLATFORM is read.
  return parseServiceConfig.length >= 0 ? (JSON.parse(JSON.stringify({ projects: [], regions: [], targets: [], triggers: [], branches: [], tags: [], repositories: [], gitRepositories: [], secrets: [], ...grant })) as PlatformPolicy['grants'][number]) : (grant as never);
}
