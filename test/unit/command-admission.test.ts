import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { LocalIssuer } from '../../local/issuer.js';
import { CallerRateLimit } from '../../shared/adapters/auth/caller-rate-limit.js';
import { CloudIdentityGroups } from '../../shared/adapters/auth/cloud-identity-groups.js';
import { IdTokenVerifier } from '../../shared/adapters/auth/id-token-verifier.js';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { FakeCloudIdentityApi } from '../fakes/groups.js';
import { build } from '../support/fixtures.js';
import { serveFunctions } from '../support/function-servers.js';
import { fakeSystem } from '../support/system.js';

/**
 * onCommand is open to any Google identity on the internet (allUsers): who it serves is decided
 * before anything is looked up for a caller, and no caller can spend the directory's quota or
 * the function's time so that the on-call's abort goes unanswered.
 */
const CLIENT = 'cutover-client.apps.googleusercontent.com';
const issuer = new LocalIssuer();
const api = new FakeCloudIdentityApi({ 'oncall@example.com': ['olga@example.com'], 'leads@example.com': ['lee@example.com'] });
let sys = fakeSystem();
let deps: () => EntryDeps;
registerFunctions(() => deps());
let served: Awaited<ReturnType<typeof serveFunctions>>;
let url = '';
beforeAll(async () => {
  await issuer.start();
  const baseUrl = await api.start();
  served = await serveFunctions(['onCommand']);
  url = served.url('onCommand');
  const requester = { request: async <T,>(o: { url: string }) => {
    const res = await fetch(o.url);
    if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { response: { status: res.status } });
    return { data: (await res.json()) as T };
  } };
  const auth = {
    identity: new IdTokenVerifier({ audiences: [url, CLIENT], certsUrl: issuer.certsUrl, issuers: [issuer.url], clients: [CLIENT], domains: ['example.com'] }),
    groups: new CloudIdentityGroups({ baseUrl, requester, maxEntries: 50 }),
    admins: [],
    limiter: new CallerRateLimit({ points: 5, windowSeconds: 60 }),
  };
  deps = () => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger, auth });
});
afterAll(async () => {
  await served.close();
  await api.stop();
  await issuer.stop();
});

const rid = releaseIdForBuild('checkout', 'b1');
beforeEach(async () => {
  sys = fakeSystem();
  await sys.apply({ access: { operators: ['group:oncall@example.com'], approvers: ['group:leads@example.com'], owners: [] } });
  await sys.send(build('b1', 'SUCCESS'));
});

const send = async (email: string, body: object, claims: { hostedDomain?: string; audience?: string; authorizedParty?: string } = { hostedDomain: 'example.com' }) => {
  const token = issuer.sign({ email, audience: claims.audience ?? url, hostedDomain: claims.hostedDomain, authorizedParty: claims.authorizedParty });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
};

describe('onCommand admission', () => {
  it('a flood of strangers from elsewhere asks the directory nothing; one caller past its budget gets 429; the on-call\'s abort is answered', async () => {
    const asked = api.requests.length;
    // 200 distinct Google accounts outside the domains served.
    const strangers = await Promise.all(Array.from({ length: 200 }, (_, i) => send(`bot${i}@gmail.com`, { command: 'pause', release: rid }, {})));
    expect(strangers.every((r) => r.status === 403)).toBe(true);
    expect(api.requests.length).toBe(asked);
    // One account inside the domain, hammering: its budget, then 429 with Retry-After, and no lookups past it.
    const hammer = [];
    for (let i = 0; i < 20; i += 1) hammer.push(await send('mallory@example.com', { command: 'pause', release: rid }));
    expect(hammer.slice(0, 5).every((r) => r.status === 404)).toBe(true);
    expect(hammer.slice(5).every((r) => r.status === 429 && Number(r.retryAfter) > 0)).toBe(true);
    // Two groups on the service, asked once each (lookup + membership) and then cached.
    expect(api.requests.length - asked).toBeLessThanOrEqual(2 * 2 + 2);
    expect((await send('olga@example.com', { command: 'abort', release: rid, reason: 'page' })).status).toBe(200);
    expect((await sys.store.getRelease(rid))?.state.phase).toBe('rolled_back');
  });

  it('a token for Cutover\'s OAuth client obtained by another app is refused before anything is read', async () => {
    const replay = await send('olga@example.com', { command: 'abort', release: rid }, { hostedDomain: 'example.com', audience: CLIENT, authorizedParty: 'other-app.apps.googleusercontent.com' });
    expect(replay.status).toBe(401);
    expect((await sys.store.getRelease(rid))?.state.phase).toBe('shifting');
    expect((await send('olga@example.com', { command: 'pause', release: rid }, { hostedDomain: 'example.com', audience: CLIENT, authorizedParty: CLIENT })).status).toBe(200);
  });
});
