import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { LocalIssuer } from '../../local/issuer.js';
import { IdTokenVerifier } from '../../shared/adapters/auth/id-token-verifier.js';
import { Reason, platformDeployPolicySchema, releaseIdForBuild } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { FakeGroups } from '../fakes/groups.js';
import { FakeStore } from '../fakes/memory-store.js';
import { FakeRouter } from '../fakes/world-fakes.js';
import { build } from '../support/fixtures.js';
import { serveFunctions } from '../support/function-servers.js';
import { fakeSystem } from '../support/system.js';

/**
 * Deploy policies through onCommand and the page: `cutover policies` lists what covers a service
 * and what is in force; `cutover override` needs the policy's own override role, is recorded with
 * its actor and reason, and the release it held goes on at once.
 */
const issuer = new LocalIssuer();
let sys = fakeSystem();
let verifier: IdTokenVerifier;
// T0 is 2026-11-27 12:00 UTC: the platform's freeze covers it; payments is not covered.
const PLATFORM = [platformDeployPolicySchema.parse({ name: 'black-friday', services: ['check*'], windows: { oneTime: [{ start: '2026-11-27T00:00', end: '2026-11-28T00:00' }] }, blocks: ['start'], overrideRole: 'platform admin' })];
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, deployPolicies: PLATFORM, clock: () => sys.clock.now, log: silentLogger, auth: { identity: verifier, groups: new FakeGroups({}), admins: ['user:root@example.com'], platform: { grants: [], deployPolicies: PLATFORM } } }));
let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  await issuer.start();
  served = await serveFunctions(['onCommand', 'statusPage']);
  verifier = new IdTokenVerifier({ audiences: [served.url('onCommand')], certsUrl: issuer.certsUrl, issuers: [issuer.url] });
});
afterAll(async () => {
  await served.close();
  await issuer.stop();
});

const rid = releaseIdForBuild('checkout', 'b1');
beforeEach(async () => {
  // The platform's freeze alone is in force; the service's own nights rule is not (noon).
  sys = fakeSystem(new FakeStore(), new FakeRouter(), { deployPolicies: PLATFORM });
  await sys.apply({
    access: { operators: ['user:opal@example.com'], approvers: [], owners: ['user:owen@example.com'] },
    policies: [{ name: 'nights', timeZone: 'Europe/Berlin', windows: { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '20:00', end: '07:00' }] }, blocks: ['advance'], overrideRole: 'owner' }],
  });
  await sys.send(build('b1', 'SUCCESS'));
});

async function send(body: object, email: string) {
  const res = await fetch(served.url('onCommand'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign({ email, audience: served.url('onCommand') })}` }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('deploy policies through onCommand', () => {
  it('a build during the platform freeze is held pending, visible to anyone with a role, never dropped', async () => {
    const release = await sys.store.getRelease(rid);
    expect(release).toMatchObject({ state: { phase: 'pending', sub: 'queued' }, hold: { policy: 'black-friday', scope: 'platform', action: 'start' } });
    const listed = await send({ command: 'policies', service: 'checkout' }, 'opal@example.com');
    expect(listed.status).toBe(200);
    expect(listed.json.policies).toEqual([
      expect.objectContaining({ name: 'black-friday', scope: 'platform', active: true, until: '2026-11-28T00:00:00.000Z', overrideRole: 'platform admin' }),
      expect.objectContaining({ name: 'nights', scope: 'service', active: false, until: '2026-11-27T19:00:00.000Z' }),
    ]);
    expect((await send({ command: 'policies', service: 'checkout' }, 'mallory@example.com')).status).toBe(404);
  });

  it('an override needs the policy\'s role: an owner may not lift the platform freeze, a platform admin may; the release starts at once', async () => {
    const refused = await send({ command: 'override', release: rid, policy: 'black-friday', reason: 'hotfix INC-7' }, 'owen@example.com');
    expect(refused).toMatchObject({ status: 403, json: { missingRole: 'platform admin' } });
    expect((await send({ command: 'override', release: rid, policy: 'black-friday' }, 'root@example.com')).status).toBe(400);
    const res = await send({ command: 'override', release: rid, policy: 'black-friday', reason: 'hotfix INC-7' }, 'root@example.com');
    expect(res.status).toBe(200);
    const release = await sys.store.getRelease(rid);
    expect(release?.state.phase).not.toBe('pending');
    expect(release?.overrides).toEqual([{ policy: 'black-friday', actor: 'root@example.com', why: 'hotfix INC-7', at: sys.clock.now }]);
    const audit = (await sys.store.history(rid, 50)).find((h) => h.reason === Reason.PolicyOverridden);
    expect(audit).toMatchObject({ actor: 'root@example.com' });
    expect(audit?.message).toContain('hotfix INC-7');
  });

  it('an override of a policy that does not cover the service is refused', async () => {
    expect((await send({ command: 'override', release: rid, policy: 'made-up', reason: 'because' }, 'root@example.com')).status).toBe(404);
  });

  it('the page says which policy is in force, and is served with headers that forbid framing and sniffing', async () => {
    const res = await fetch(served.url('statusPage'));
    const html = await res.text();
    expect(html).toContain('Deploy policy black-friday (platform) in force until 2026-11-28T00:00:00Z');
    expect(html).toContain('held:black-friday');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
