import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { LocalIssuer } from '../../local/issuer.js';
import { IdTokenVerifier } from '../../shared/adapters/auth/id-token-verifier.js';
import { Reason, releaseIdForBuild, rollbackOf } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { FakeGroups } from '../fakes/groups.js';
import { build, serviceConfigInput } from '../support/fixtures.js';
import { serveFunctions } from '../support/function-servers.js';
import { fakeSystem } from '../support/system.js';

/**
 * onCommand: a verified Google ID token (here from the local issuer, verified by the same
 * google-auth-library code) and a role in the service config, or nothing happens and nothing is
 * recorded. With both, the verified email is the actor and the effects run at once.
 */
const issuer = new LocalIssuer();
const groups = new FakeGroups({ 'oncall@example.com': ['olga@example.com'] });
let sys = fakeSystem();
let audience = '';
let verifier: IdTokenVerifier;
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger, auth: { identity: verifier, groups, admins: ['user:root@example.com'] } }));

let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  await issuer.start();
  served = await serveFunctions(['onCommand']);
  audience = served.url('onCommand');
  verifier = new IdTokenVerifier({ audiences: [audience], certsUrl: issuer.certsUrl, issuers: [issuer.url] });
});
afterAll(async () => {
  await served.close();
  await issuer.stop();
});

const rid = releaseIdForBuild('checkout', 'b1');
const ACCESS = { operators: ['group:oncall@example.com', 'user:opal@example.com'], approvers: ['user:alan@example.com'], owners: ['user:owen@example.com'] };
beforeEach(async () => {
  sys = fakeSystem();
  await sys.apply({ access: ACCESS });
  await sys.send(build('b1', 'SUCCESS'));
  expect((await sys.store.getRelease(rid))?.state.phase).toBe('shifting');
});

const token = (email: string, claims: { expiresIn?: number; audience?: string } = {}) => issuer.sign({ email, audience: claims.audience ?? audience, expiresIn: claims.expiresIn });
async function send(body: unknown, bearer?: string, headers: Record<string, string> = {}) {
  const res = await fetch(audience, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, auth: res.headers.get('www-authenticate') };
}
const abort = { command: 'abort', release: rid, reason: 'bad deploy' };

/** The release and its history exactly as before: a refusal records nothing. */
async function unchanged(run: () => Promise<{ status: number; json: Record<string, unknown> }>, status: number) {
  const before = await sys.store.getRelease(rid);
  const history = await sys.store.history(rid, 100);
  const res = await run();
  expect(res.status).toBe(status);
  expect(await sys.store.getRelease(rid)).toEqual(before);
  expect(await sys.store.history(rid, 100)).toEqual(history);
  return res;
}

describe('onCommand: authentication', () => {
  it.each([
    ['no token', () => send(abort)],
    ['an expired token', () => send(abort, token('opal@example.com', { expiresIn: -600 }))],
    ['a token for another audience', () => send(abort, token('opal@example.com', { audience: 'https://other.run.app' }))],
    ['a token that is not a JWT', () => send(abort, 'abc.def')],
  ])('refuses %s with 401, recording nothing', async (_name, run) => {
    const res = await unchanged(run, 401);
    expect(res.json.status).toBe('refused');
  });
});

describe('onCommand: authorization from the service config', () => {
  it('a valid token with no role on the service: the answer a release that does not exist gets, nothing recorded', async () => {
    const res = await unchanged(() => send(abort, token('stranger@example.com')), 404);
    const missing = await send({ ...abort, release: 'checkout-nope' }, token('stranger@example.com'));
    expect(missing.status).toBe(404);
    expect(String(res.json.error).replace(rid, 'R')).toBe(String(missing.json.error).replace('checkout-nope', 'R'));
  });

  it('an operator may abort: recorded under the token\'s email, and traffic goes back to stable at once', async () => {
    const res = await send(abort, token('Opal@Example.com'));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'applied', actor: 'opal@example.com' });
    const release = await sys.store.getRelease(rid);
    expect(release?.state.phase).toBe('rolled_back');
    expect((release && rollbackOf(release.state)?.cause)).toBe(Reason.Aborted);
    expect(sys.router.percentFor('checkout')).toBe(0);
    const entry = (await sys.store.history(rid, 100)).find((h) => h.reason === Reason.Aborted);
    expect(entry).toMatchObject({ actor: 'opal@example.com', eventKind: 'command' });
    expect(entry?.message).toContain('bad deploy');
  });

  it('a member of a group named in the config holds its role', async () => {
    expect((await send({ command: 'pause', release: rid }, token('olga@example.com'))).json).toMatchObject({ status: 'applied', actor: 'olga@example.com' });
  });

  it('approve and promote need the approver role: an operator is refused, an approver and an owner may', async () => {
    const res = await unchanged(() => send({ command: 'promote', release: rid }, token('opal@example.com')), 403);
    expect(res.json.missingRole).toBe('approver');
    expect((await send({ command: 'promote', release: rid }, token('alan@example.com'))).json).toMatchObject({ status: 'applied', actor: 'alan@example.com' });
  });

  it('a command the release cannot take: 409 with the reason, nothing recorded', async () => {
    const res = await unchanged(() => send({ command: 'rollback', release: rid }, token('opal@example.com')), 409);
    expect(String(res.json.error)).toContain('use abort');
  });

  it('a platform admin may do anything on any service', async () => {
    expect((await send({ command: 'promote', release: rid }, token('root@example.com'))).status).toBe(200);
  });

  it('the same Idempotency-Key twice applies once', async () => {
    const headers = { 'idempotency-key': 'k-0123456789' };
    expect((await send({ command: 'pause', release: rid }, token('opal@example.com'), headers)).json.status).toBe('applied');
    expect((await send({ command: 'pause', release: rid }, token('opal@example.com'), headers)).json.status).toBe('duplicate');
  });

  it('refuses what it cannot read: a bad body (400), an unknown release (404), a GET (405)', async () => {
    expect((await send({ command: 'abort', release: rid, actor: 'mallory' }, token('opal@example.com'))).status).toBe(400);
    expect((await send({ command: 'explode', release: rid }, token('opal@example.com'))).status).toBe(400);
    expect((await send({ command: 'abort', release: 'checkout-nope' }, token('opal@example.com'))).status).toBe(404);
    expect((await fetch(audience, { headers: { authorization: `Bearer ${token('opal@example.com')}` } })).status).toBe(405);
  });
});

describe('onCommand: services apply', () => {
  const config = (over: object = {}) => ({ ...serviceConfigInput({ access: ACCESS }), ...over });

  it('the owner may change the config; an approver may not (403 owner), and nothing changes', async () => {
    const before = await sys.store.getService('checkout');
    const refused = await send({ command: 'apply', config: config({ bakeTime: '2m' }) }, token('alan@example.com'));
    expect(refused.status).toBe(403);
    expect(refused.json.missingRole).toBe('owner');
    expect(await sys.store.getService('checkout')).toEqual(before);
    const res = await send({ command: 'apply', config: config({ bakeTime: '2m' }) }, token('owen@example.com'));
    expect(res.status).toBe(200);
    expect((await sys.store.getService('checkout'))?.config.bakeTime).toBe(120_000);
  });

  it('a new service can be registered by a platform admin only; an invalid config is 400 with its problems', async () => {
    expect((await send({ command: 'apply', config: config({ name: 'payments' }) }, token('owen@example.com'))).status).toBe(403);
    expect(await sys.store.getService('payments')).toBeNull();
    expect((await send({ command: 'apply', config: config({ name: 'payments' }) }, token('root@example.com'))).status).toBe(200);
    const bad = await send({ command: 'apply', config: config({ verification: { checks: [{ path: '//127.0.0.1:18292/x' }] } }) }, token('root@example.com'));
    expect(bad.status).toBe(400);
    expect(bad.json.problems).toEqual([expect.stringContaining('verification.checks.0.path')]);
  });

  it('says so when a service is applied without a source (it accepts no build; only a platform admin may remove it)', async () => {
    const res = await send({ command: 'apply', config: { ...config(), source: undefined } }, token('root@example.com'));
    expect(res.json.warnings).toEqual([expect.stringContaining('accepts no build')]);
  });

  it('refuses a promotion.from that closes a loop of stages (409, with the loop), and says so when the stage before is not applied yet', async () => {
    const stage = (name: string, from: string) => config({ name, router: { kind: 'cloud-run', target: name }, source: undefined, promotion: { from } });
    const staging = await send({ command: 'apply', config: stage('checkout-staging', 'checkout') }, token('root@example.com'));
    expect(staging.status).toBe(200);
    expect(staging.json.warnings).toEqual([]);
    expect((await send({ command: 'apply', config: stage('checkout-prod', 'checkout-staging') }, token('root@example.com'))).status).toBe(200);
    const before = await sys.store.getService('checkout');
    const loop = await send({ command: 'apply', config: config({ promotion: { from: 'checkout-prod' } }) }, token('root@example.com'));
    expect(loop).toMatchObject({ status: 409, json: { field: 'promotion.from', cycle: ['checkout', 'checkout-prod', 'checkout-staging', 'checkout'] } });
    expect(await sys.store.getService('checkout')).toEqual(before);
    expect((await send({ command: 'apply', config: stage('checkout-dr', 'checkout-dr') }, token('root@example.com'))).status).toBe(400);
    const early = await send({ command: 'apply', config: stage('checkout-qa', 'checkout-dev') }, token('root@example.com'));
    expect(early).toMatchObject({ status: 200, json: { warnings: ['promotion.from: no service checkout-dev yet; checkout-qa takes its builds once it is applied'] } });
  });
});

describe('onCommand: rebuild-stats', () => {
  async function complete(): Promise<void> {
    for (let i = 0; i < 30 && (await sys.store.getRelease(rid))?.state.phase !== 'complete'; i += 1) await sys.advance(65_000);
  }

  it('an owner rebuilds the kept four keys from the releases, a page at a time; an operator may not', async () => {
    await complete();
    sys.store.delivery.clear();
    expect((await send({ command: 'rebuild-stats', service: 'checkout' }, token('opal@example.com'))).status).toBe(403);
    expect(sys.store.delivery.size).toBe(0);
    const res = await send({ command: 'rebuild-stats', service: 'checkout' }, token('owen@example.com'));
    expect(res).toMatchObject({ status: 200, json: { status: 'applied', actor: 'owen@example.com', service: 'checkout', releases: 1, next: null } });
    const [day] = [...sys.store.delivery.values()];
    expect(Object.keys(day?.deployed ?? {})).toEqual([rid]);
  });

  it('refuses a cursor that is not a release of the service, and a service that does not exist', async () => {
    expect((await send({ command: 'rebuild-stats', service: 'checkout', cursor: 'checkout-nope' }, token('owen@example.com'))).status).toBe(400);
    expect((await send({ command: 'rebuild-stats', service: 'ghost' }, token('root@example.com'))).status).toBe(404);
    expect((await send({ command: 'rebuild-stats', service: '../x' }, token('root@example.com'))).status).toBe(400);
  });
});
