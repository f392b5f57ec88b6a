import fc from 'fast-check';
import { CHECKOUT_POLICY, serviceConfigInput } from '../support/fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { LocalIssuer } from '../../local/issuer.js';
import { StaticGroups } from '../../local/static-groups.js';
import { IdTokenVerifier } from '../../shared/adapters/auth/id-token-verifier.js';
import { COMMANDS, type CommandName } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { serveFunctions } from '../support/function-servers.js';
import { buildResource, incidentNotification, pushRequest } from '../support/messages.js';
import { fakeSystem } from '../support/system.js';

/**
 * Over random streams of builds (trusted and forged or untrusted in each way), commands (by people
 * with and without the role, with valid, forged, expired or no tokens, or tokens another OAuth
 * client obtained), incidents (real, and forged by someone who can edit alert policies or publish
 * on the topic) and an owner of another service trying to take this one's target, sent to the
 * functions over HTTP: no untrusted build ever reaches the router or creates a release, no
 * untrusted incident or apply changes anything, and every actor in history is the verified email
 * of a request onCommand accepted.
 */
const CLIENT = 'cutover-client.apps.googleusercontent.com';
const issuer = new LocalIssuer();
const forger = new LocalIssuer();
let sys = fakeSystem();
let verifier: IdTokenVerifier;
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger, auth: { identity: verifier, groups: new StaticGroups({ 'oncall@example.com': ['olga@example.com'] }), admins: ['user:root@example.com'], platform: { grants: [], deployPolicies: [] } } }));
let served: Awaited<ReturnType<typeof serveFunctions>>;
let commandUrl = '';
beforeAll(async () => {
  await issuer.start();
  await forger.start();
  served = await serveFunctions(['onCloudBuild', 'onCommand', 'onAlert']);
  commandUrl = served.url('onCommand');
  verifier = new IdTokenVerifier({ audiences: [commandUrl, CLIENT], certsUrl: issuer.certsUrl, issuers: [issuer.url], clients: [CLIENT] });
});
afterAll(async () => {
  await served.close();
  await issuer.stop();
  await forger.stop();
});

const ACCESS = { operators: ['group:oncall@example.com', 'user:opal@example.com'], approvers: ['user:alan@example.com'], owners: [] };
const PEOPLE = ['opal@example.com', 'olga@example.com', 'alan@example.com', 'root@example.com', 'sam@example.com', 'wendy@example.com'];
const FORGED_INCIDENTS = ['label', 'copiedName', 'unlisted', 'noPolicy'] as const;
const UNTRUSTED = ['forged', 'branch', 'trigger', 'unpinned', 'repository', 'image'] as const;
type Step =
  | { t: 'build'; n: number; status: string; kind: 'trusted' | (typeof UNTRUSTED)[number] }
  | { t: 'command'; who: number; name: CommandName; n: number; token: 'valid' | 'forged' | 'expired' | 'none' | 'audience' | 'foreignClient' }
  | { t: 'incident'; open: boolean; kind: 'real' | (typeof FORGED_INCIDENTS)[number] }
  | { t: 'retarget'; field: 'router' | 'source' | 'project' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('build' as const), n: fc.integer({ min: 0, max: 4 }), status: fc.constantFrom('QUEUED', 'SUCCESS', 'SUCCESS', 'FAILURE'), kind: fc.constantFrom('trusted' as const, 'trusted' as const, ...UNTRUSTED) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('command' as const), who: fc.integer({ min: 0, max: PEOPLE.length - 1 }), name: fc.constantFrom(...COMMANDS), n: fc.integer({ min: 0, max: 4 }), token: fc.constantFrom('valid' as const, 'valid' as const, 'valid' as const, 'forged' as const, 'expired' as const, 'none' as const, 'audience' as const, 'foreignClient' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('incident' as const), open: fc.boolean(), kind: fc.constantFrom('real' as const, ...FORGED_INCIDENTS) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('retarget' as const), field: fc.constantFrom('router' as const, 'source' as const, 'project' as const) }) },
);

function buildFor(s: Extract<Step, { t: 'build' }>) {
  const id = `${s.kind}-${s.n}`;
  const real = buildResource({ id, status: s.status });
  if (s.kind === 'branch') real.substitutions.BRANCH_NAME = 'feature/x';
  if (s.kind === 'trigger') Object.assign(real, { buildTriggerId: 'other' }, { substitutions: { ...real.substitutions, TRIGGER_NAME: 'other' } });
  if (s.kind === 'unpinned') delete (real as { results?: unknown }).results;
  if (s.kind === 'repository') return sys.builds.know(buildResource({ id, status: s.status, image: 'docker.io/attacker/miner' }));
  if (s.kind !== 'forged') sys.builds.know(real);
  // The message: as Cloud Build sent it, except a forged one and one whose image was swapped in transit.
  if (s.kind === 'image' || s.kind === 'forged') return buildResource({ id, status: s.status, image: 'docker.io/attacker/miner' });
  return real;
}

function tokenFor(s: Extract<Step, { t: 'command' }>): string | null {
  const email = PEOPLE[s.who] ?? 'sam@example.com';
  switch (s.token) {
    case 'valid':
      return issuer.sign({ email, audience: commandUrl });
    case 'forged':
      return forger.sign({ email: 'root@example.com', audience: commandUrl, issuer: issuer.url });
    case 'expired':
      return issuer.sign({ email, audience: commandUrl, expiresIn: -600 });
    case 'audience':
      return issuer.sign({ email, audience: 'https://elsewhere.example' });
    case 'none':
      return null;
    case 'foreignClient':
      // A person's real token for Cutover's client id, obtained by some other app and replayed here.
      return issuer.sign({ email, audience: CLIENT, authorizedParty: 'other-app.apps.googleusercontent.com' });
  }
}

function incidentFor(s: Extract<Step, { t: 'incident' }>, n: number) {
  const base = { id: `i${n}`, state: s.open ? 'open' : 'closed' };
  switch (s.kind) {
    case 'real':
      return incidentNotification(base);
    case 'label':
      // An always-firing policy someone labelled for checkout.
      return incidentNotification({ ...base, policy: 'always firing', labels: { 'cutover-service': 'checkout' }, policyId: 'projects/demo-project/alertPolicies/mallory' });
    case 'copiedName':
      return incidentNotification({ ...base, policy: 'checkout 5xx ratio', policyId: 'projects/demo-project/alertPolicies/copy' });
    case 'unlisted':
      return incidentNotification({ ...base, labels: { team: 'payments' } });
    case 'noPolicy':
      return incidentNotification({ ...base, policyId: null, serviceName: 'checkout' });
  }
}

/** wendy owns checkout-worker; she tries to make it deploy into checkout, or to trust what checkout does not. */
function retargetConfig(s: Extract<Step, { t: 'retarget' }>) {
  const over = s.field === 'router' ? { router: { kind: 'cloud-run', target: 'checkout' } } : s.field === 'project' ? { project: 'payments-prod' } : { source: { triggers: ['trig-checkout-main'], branches: ['*'], repositories: ['docker.io/attacker'] } };
  return { ...serviceConfigInput({ name: 'checkout-worker', access: { owners: ['user:wendy@example.com'], operators: [], approvers: [] } }), ...over };
}

async function historyOf() {
  const releases = await sys.store.listReleases('checkout', 100);
  return (await Promise.all(releases.map((r) => sys.store.history(r.id, 500)))).flat();
}

describe('trust (property): untrusted builds never move traffic; every actor is verified', () => {
  it('holds over random streams of builds, commands and incidents', async () => {
    let messages = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (steps) => {
        sys = fakeSystem();
        await sys.apply({ access: ACCESS, rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY] } });
        await sys.store.applyServiceConfig(serviceConfigInput({ name: 'checkout-worker', access: { owners: ['user:wendy@example.com'], operators: [], approvers: [] } }), sys.clock.now);
        const accepted = new Set<string>();
        for (const s of steps) {
          messages += 1;
          if (s.t === 'build') {
            const req = pushRequest({ messageId: `m${messages}`, data: buildFor(s) });
            const res = await fetch(served.url('onCloudBuild'), { method: 'POST', headers: req.headers, body: req.body });
            expect(res.status).toBe(200);
          } else if (s.t === 'incident') {
            const before = JSON.stringify([await sys.store.listReleases('checkout', 100), sys.router.calls.length]);
            const req = pushRequest({ messageId: `m${messages}`, data: incidentFor(s, messages) });
            const res = await fetch(served.url('onAlert'), { method: 'POST', headers: req.headers, body: req.body });
            expect(res.status).toBe(200);
            if (s.kind !== 'real') {
              expect(((await res.json()) as { status: string }).status).toBe('rejected');
              expect(JSON.stringify([await sys.store.listReleases('checkout', 100), sys.router.calls.length])).toBe(before);
            }
          } else if (s.t === 'retarget') {
            const services = JSON.stringify(await sys.store.listServices());
            const token = issuer.sign({ email: 'wendy@example.com', audience: commandUrl });
            const res = await fetch(commandUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ command: 'apply', config: retargetConfig(s) }) });
            expect([403, 409]).toContain(res.status);
            expect(JSON.stringify(await sys.store.listServices())).toBe(services);
          } else {
            const releases = await sys.store.listReleases('checkout', 10);
            const target = releases[s.n % Math.max(1, releases.length)]?.id ?? 'checkout-none';
            const before = (await historyOf()).length;
            const token = tokenFor(s);
            const res = await fetch(commandUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ command: s.name, release: target }) });
            if (s.token !== 'valid') expect(res.status).toBe(401);
            // An owner of another service holds no role here: she is told what a stranger is told.
            if (PEOPLE[s.who] === 'wendy@example.com') expect(res.status).not.toBe(200);
            if (res.status === 200) accepted.add(PEOPLE[s.who] ?? '');
            else expect((await historyOf()).length).toBe(before);
          }
          // No untrusted build became a release, or reached the router. A build from a trusted trigger, branch
          // and repository that pushes no digest is trusted until its SUCCESS is refused: it may wait pending (or
          // fail with its build, or be aborted or superseded while pending), never deploy.
          for (const r of await sys.store.listReleases('checkout', 100)) {
            if (r.build.id.startsWith('unpinned-')) {
              expect(['pending', 'failed', 'rolled_back', 'superseded'], `release ${r.id}`).toContain(r.state.phase);
              expect(r.candidate.revision, `release ${r.id} deployed`).toBeNull();
            }
            else expect(r.build.id, `release ${r.id}`).toMatch(/^trusted-/);
          }
          for (const call of sys.router.calls) expect(call.releaseId).toMatch(/^checkout-trusted-/);
        }
        // Every actor recorded is the verified email of an accepted request.
        for (const entry of await historyOf()) if (entry.actor !== null) expect(accepted.has(entry.actor), `actor ${entry.actor}`).toBe(true);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40), ...(process.env.PROPERTY_SEED === 'random' ? {} : { seed: Number(process.env.PROPERTY_SEED ?? 20261127) }) },
    );
    expect(messages).toBeGreaterThan(100);
  }, 120_000);
});
