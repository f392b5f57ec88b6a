import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isGate, parseDuration, parseServiceConfig, ServiceConfigError } from '../../shared/domain/index.js';
import { serviceConfigJsonSchema } from '../../shared/domain/service-config-json-schema.js';
import { serviceConfigInput } from '../support/fixtures.js';

describe('service config', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['5 minutes', null],
    ['', null],
    ['-1s', null],
  ])('parses duration %j', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('parses the example service with defaults filled in', () => {
    const config = parseServiceConfig(parse(readFileSync('examples/checkout.service.yaml', 'utf8')));
    expect(config).toMatchObject({ name: 'checkout', steps: [10, 50, 100], bakeTime: 300_000, slo: { maxErrorRate: 0.01, window: 300_000 } });
    expect(config.verification.checks[0]).toEqual({ path: '/healthz', expectStatus: 200, timeout: 5_000 });
  });

  it('parses the production stage example: promoted from checkout on approval, with gate hooks and a barrier', () => {
    const config = parseServiceConfig(parse(readFileSync('examples/checkout-prod.service.yaml', 'utf8')));
    expect(config.source).toBeUndefined();
    expect(config.promotion).toEqual({ from: 'checkout', soak: 3_600_000, approval: 'manual' });
    expect(config.hooks.map((h) => `${h.at}:${h.name}${h.barrier ? ':barrier' : ''}`)).toEqual(['pre-deploy:expand', 'per-step:load', 'before-promotion:sign-off', 'after-complete:contract:barrier']);
  });

  it.each([
    [{ steps: [10, 50] }, 'steps: the last step must be 100'],
    [{ steps: [50, 10, 100] }, 'steps: steps must be strictly increasing'],
    [{ bakeTime: 'later' }, 'bakeTime: "later" is not a duration'],
    [{ slo: { maxErrorRate: 2 } }, 'slo.maxErrorRate'],
    [{ concurrency: 'parallel' }, 'concurrency'],
    [{ unknownField: true }, 'unknownField'],
    [{ verification: { checks: [{ path: 'healthz' }] } }, 'verification.checks.0.path: a check path starts with "/"'],
  ])('names the field and the problem: %j', (patch, message) => {
    const base = { name: 'svc', project: 'p', region: 'r', slo: { maxErrorRate: 0.01 } };
    try {
      parseServiceConfig({ ...base, ...patch });
      expect.fail('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ServiceConfigError);
      expect((error as ServiceConfigError).problems.join('\n')).toContain(message);
    }
  });

  it('the committed JSON Schema is current (npm run schema:json)', () => {
    const committed = JSON.parse(readFileSync('docs/service-config.schema.json', 'utf8')) as unknown;
    expect(committed).toEqual(serviceConfigJsonSchema());
  });
});

describe('service config bounds (checked at services apply)', () => {
  const base = { name: 'checkout', project: 'p', region: 'r', slo: { maxErrorRate: 0.01 } };
  const problems = (overrides: Record<string, unknown>) => {
    try {
      parseServiceConfig({ ...base, ...overrides });
      return [];
    } catch (error) {
      return (error as ServiceConfigError).problems;
    }
  };

  it.each([
    ['bakeTime', '100000000h', /bakeTime must be between 1s and 24h/],
    ['bakeTime', '1000000000h', /not a duration/],
    ['bakeTime', `${'9'.repeat(400)}s`, /not a duration/],
    ['bakeTime', '0s', /bakeTime must be between 1s and 24h/],
    ['healthInterval', '0ms', /healthInterval must be between 250ms and 1h/],
    ['progressDeadline', '200h', /progressDeadline must be between 10s and 168h/],
    ['watchWindow', '169h', /watchWindow must be between 0s and 168h/],
  ])('refuses %s: %s', (field, value, message) => {
    expect(problems({ [field]: value }).join('\n')).toMatch(message);
  });

  it('accepts the bounds themselves, and bounds counts too', () => {
    expect(problems({ bakeTime: '1s', healthInterval: '250ms', watchWindow: '0s', progressDeadline: '168h' })).toEqual([]);
    expect(problems({ slo: { maxErrorRate: 0.01, minRequests: 10_000_000 } }).join('\n')).toMatch(/slo.minRequests/);
    expect(problems({ steps: Array.from({ length: 21 }, (_, i) => i + 1).concat([100]) }).join('\n')).toMatch(/steps/);
    expect(problems({ rollbackTriggers: { alertPolicies: ['p'.repeat(513)] } }).join('\n')).toMatch(/alertPolicies/);
  });

  it('states the bounds in the JSON Schema', () => {
    const schema = serviceConfigJsonSchema() as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.bakeTime).toMatchObject({ 'x-cutover-min': '1s', 'x-cutover-max': '24h' });
    expect(schema.properties.watchWindow).toMatchObject({ 'x-cutover-min': '0s', 'x-cutover-max': '168h' });
  });
});

describe('service config: hooks', () => {
  const hooks = (list: unknown[]) => parseServiceConfig(serviceConfigInput({ hooks: list as never }));
  it('takes https hooks (and plain http to 127.0.0.1), each named once, with a bounded timeout', () => {
    expect(hooks([{ name: 'smoke', at: 'after-deploy', url: 'https://qa.example.com/smoke' }, { name: 'tell', at: 'on-rollback', url: 'http://127.0.0.1:8080/x', timeout: '2s' }]).hooks).toEqual([
      { name: 'smoke', at: 'after-deploy', url: 'https://qa.example.com/smoke', timeout: 5_000, barrier: false, verify: false },
      { name: 'tell', at: 'on-rollback', url: 'http://127.0.0.1:8080/x', timeout: 2_000, barrier: false, verify: false },
    ]);
  });
  it('takes Cloud Run Jobs where the release waits for them, with a longer timeout, and a barrier where the release runs it', () => {
    const parsed = hooks([
      { name: 'migrate', at: 'pre-deploy', job: 'shop-migrate', timeout: '10m' },
      { name: 'load', at: 'per-step', job: 'projects/p/locations/europe-west1/jobs/shop-load' },
      { name: 'contract', at: 'after-complete', job: 'shop-contract', barrier: true, timeout: '30m' },
      { name: 'e2e', at: 'after-complete', job: 'shop-e2e', verify: true, timeout: '1h' },
    ]).hooks;
    expect(parsed.map((h) => [h.name, h.job, h.timeout, h.barrier, h.verify])).toEqual([['migrate', 'shop-migrate', 600_000, false, false], ['load', 'projects/p/locations/europe-west1/jobs/shop-load', 5_000, false, false], ['contract', 'shop-contract', 1_800_000, true, false], ['e2e', 'shop-e2e', 3_600_000, false, true]]);
    expect(parsed.map(isGate)).toEqual([true, true, true, true]);
  });
  it.each([
    ['plain http elsewhere', [{ name: 'a', at: 'after-deploy', url: 'http://qa.example.com/' }], /an https URL \(plain http only to 127.0.0.1\)/],
    ['a scheme that is neither https nor http', [{ name: 'a', at: 'after-deploy', url: 'ftp://127.0.0.1/x' }], /an https URL/],
    ['credentials in the URL', [{ name: 'a', at: 'after-deploy', url: 'https://user:pw@qa.example.com/' }], /no credentials in the URL/],
    ['a point that does not exist', [{ name: 'a', at: 'before-lunch', url: 'https://qa.example.com/' }], /hooks\.0\.at/],
    ['a timeout longer than a request', [{ name: 'a', at: 'after-deploy', url: 'https://qa.example.com/', timeout: '5m' }], /a webhook answers within 8s/],
    ['a hook that is both a webhook and a job', [{ name: 'a', at: 'pre-deploy', url: 'https://qa.example.com/', job: 'j' }], /a hook is a `url` \(webhook\) or a `job`/],
    ['a hook that is neither', [{ name: 'a', at: 'pre-deploy' }], /a hook is a `url` \(webhook\) or a `job`/],
    ['a job nobody waits for (told only)', [{ name: 'a', at: 'on-rollback', job: 'j' }], /a job runs only where the release waits for it/],
    ['a job beside the checks (after-deploy answers within a request)', [{ name: 'a', at: 'after-deploy', job: 'j' }], /a job runs only where the release waits for it/],
    ['a barrier on a hook the release does not run', [{ name: 'a', at: 'on-rollback', url: 'https://qa.example.com/', barrier: true }], /a barrier is a step the release runs/],
    ['a re-verification anywhere but after completion', [{ name: 'a', at: 'per-step', job: 'j', verify: true }], /verify re-checks a completed release/],
    ['an after-complete job that is neither a barrier nor a re-verification', [{ name: 'a', at: 'after-complete', job: 'j' }], /after-complete with barrier or verify/],
    ['a job name that is not one', [{ name: 'a', at: 'pre-deploy', job: 'projects/p/jobs/../x' }], /a Cloud Run Job: its name/],
    ['two hooks of one name', [{ name: 'a', at: 'after-deploy', url: 'https://qa.example.com/' }, { name: 'a', at: 'on-rollback', url: 'https://qa.example.com/' }], /hook names are unique/],
  ])('refuses %s', (_why, list, problem) => {
    expect(() => hooks(list)).toThrow(problem);
  });

  it('refuses, with waves, a contract step or a re-verification after completion (each region would run it while others serve the old version); takes the other gates per region', () => {
    const withHooks = (hooks: unknown[]) => parseServiceConfig({ ...serviceConfigInput(), rollout: { waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1'] }] }, hooks });
    expect(() => withHooks([{ name: 'contract', at: 'after-complete', job: 'c', barrier: true }])).toThrow(/would run per region/);
    expect(() => withHooks([{ name: 'e2e', at: 'after-complete', job: 'e', verify: true }])).toThrow(/would run per region/);
    expect(withHooks([{ name: 'migrate', at: 'pre-deploy', job: 'm' }, { name: 'tell', at: 'after-complete', url: 'https://qa.example.com/' }]).hooks.map((h) => h.name)).toEqual(['migrate', 'tell']);
  });

  it('takes regions in waves with a soak, and refuses a region twice, an array of arrays, or a load balancer shared by every region', () => {
    const waves = (rollout: unknown, router: unknown = { kind: 'cloud-run' }) => parseServiceConfig({ ...serviceConfigInput(), router, rollout });
    expect(waves({ waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1', 'us-east1'] }], soak: '15m' }).rollout).toEqual({ waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1', 'us-east1'] }], soak: 900_000 });
    expect(waves({ waves: [{ regions: ['europe-west1'] }] }).rollout?.soak).toBe(600_000);
    expect(() => waves({ waves: [{ regions: ['europe-west1'] }, { regions: ['europe-west1'] }] })).toThrow(/one wave only/);
    // Firestore keeps the config as written and holds no array of arrays.
    expect(() => waves({ waves: [['europe-west1']] })).toThrow(ServiceConfigError);
    expect(() => waves({ waves: [{ regions: ['Europe West'] }] })).toThrow(/region name/);
    expect(() => waves({ waves: [{ regions: ['europe-west1'] }] }, { kind: 'gke-lb', cluster: 'projects/p/locations/l/clusters/c', namespace: 'n', container: 'app', colours: { blue: { deployment: 'b', backendService: 'projects/p/global/backendServices/b' }, green: { deployment: 'g', backendService: 'projects/p/global/backendServices/g' } }, urlMap: { name: 'm', pathMatcher: 'm', priority: 1 } })).toThrow(/a service per region/);
  });
});
