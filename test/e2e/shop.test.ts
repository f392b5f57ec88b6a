import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseIdForBuild, type Release, rollbackOf, type Phase } from '../../shared/domain/index.js';
import { publishDevAlert, publishDevRelease } from '../../local/dev-messages.js';
import type { AccessLogLine } from '../../local/router/proxy.js';
import { SHOP_SERVICE, shopServiceConfig, startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators } from '../harness/emulator-context.js';
import { waitForPhase } from '../support/function-servers.js';

/**
 * The shop on `npm start`: GKE blue/green behind a load balancer, released by the same
 * installation that releases the sample on Cloud Run. Releases enter as Cloud Build messages; the
 * idle colour's Deployment is rolled out on the local Kubernetes API, the weights move in the URL
 * map on the local Compute API, the local load balancer follows the map and logs each request as
 * Google's does, and health is judged from that stream with the live colour as baseline.
 */
const FAST = { bakeTime: '2s', healthInterval: '500ms', slo: { maxErrorRate: 0.05, minRequests: 10, window: '5s' }, progressDeadline: '30s', watchWindow: '30s' } as const;

describe.skipIf(!emulators.available)('the shop: GKE blue/green behind a load balancer, beside Cloud Run', () => {
  let stack: LocalStack;
  const log: AccessLogLine[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, tickIntervalMs: 5_000, service: FAST, accessLog: (line) => log.push(line) });
    await stack.store.applyServiceConfig(shopServiceConfig(stack.urls.shop, FAST), Date.now());
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const waitFor = (id: string, phases: Phase[], timeoutMs?: number) => waitForPhase(stack.store, id, phases, timeoutMs);
  const release = async (service: string, version: string, options: { failRate?: number } = {}) => releaseIdForBuild(service, await publishDevRelease(stack.builds, service, version, options));
  const load = (url: string, headers: Record<string, string> = {}) => {
    let resolveDone: (result: autocannon.Result) => void = () => undefined;
    const done = new Promise<autocannon.Result>((resolve) => (resolveDone = resolve));
    const instance = autocannon({ url, headers, connections: 4, duration: 600, overallRate: 200 }, (error, result) => {
      if (!error) resolveDone(result);
    });
    return { stop: () => (instance.stop(), done) };
  };
  const weights = () => {
    const rules = (stack.shop.compute.urlMap(SHOP_SERVICE)?.pathMatchers as { routeRules: { priority: number; service?: string; routeAction?: { weightedBackendServices: { backendService: string; weight: number }[] } }[] }[])[0]?.routeRules ?? [];
    return { weighted: rules.find((r) => r.priority === 100)?.routeAction?.weightedBackendServices ?? [], cohort: rules.find((r) => r.priority === 10)?.service ?? null };
  };
  /** The colour all traffic is on between releases (tests run in any order, so either may be live). */
  const live = (): 'blue' | 'green' => (weights().weighted.find((w) => w.weight === 100)?.backendService.endsWith('shop-green') ? 'green' : 'blue');
  const other = (c: 'blue' | 'green') => (c === 'blue' ? 'green' : 'blue');
  const served = async (headers: Record<string, string> = {}) => (await fetch(stack.urls.shop, { headers })).headers.get('x-cutover-revision');

  it('a good shop release and a sample release run side by side and both complete; the idle colour becomes live, the cohort reached it before any weight moved', async () => {
    log.length = 0;
    const before = live();
    const idle = other(before);
    expect(await served()).toBe(`shop-${before}`);
    const traffic = [load(stack.urls.shop), load(stack.urls.sample)];
    const shopId = await release(SHOP_SERVICE, 'green');
    const sampleId = await release('sample', 'green');
    // Ready at 0%: the cohort header reaches green while every other request stays on blue.
    const deadline = Date.now() + 30_000;
    while (weights().cohort === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 400));
    if (!log.some((l) => l.revision === `shop-${idle}` && l.candidatePercent > 0)) {
      expect(await served({ 'x-cutover-cohort': 'canary' })).toBe(`shop-${idle}`);
      expect(await served({ cookie: 'theme=dark; cutover-cohort=canary' })).toBe(`shop-${idle}`);
      expect(await served({ cookie: 'cutover-cohort=canaryx' })).toBe(`shop-${before}`);
      expect(await served()).toBe(`shop-${before}`);
    }
    const [shopDone, sampleDone] = await Promise.all([waitFor(shopId, ['complete', 'rolled_back', 'failed']), waitFor(sampleId, ['complete', 'rolled_back', 'failed'])]);
    const [shopLoad] = await Promise.all(traffic.map((t) => t.stop()));
    const why = async (r: Release) => (await stack.store.history(r.id, 200)).map((h) => `${h.reason}: ${h.message.slice(0, 300)}`).join('\n');
    expect(shopDone.state.phase, await why(shopDone)).toBe('complete');
    expect(sampleDone.state.phase, await why(sampleDone)).toBe('complete');
    expect(shopDone.candidate.revision).toBe(idle);
    expect(shopDone.stableRevision).toBe(before);
    expect(shopLoad?.errors).toBe(0);
    expect(shopLoad?.non2xx).toBe(0);
    // The idle colour is live: all weight on it, the cohort rule gone; the next release deploys into the other.
    expect(live()).toBe(idle);
    expect(weights().cohort).toBeNull();
    expect((await stack.store.getService(SHOP_SERVICE))?.stableRevision).toBe(idle);
    expect(stack.shop.kubernetes.deployment(SHOP_SERVICE, `shop-${idle}`)).toMatchObject({ spec: { template: { spec: { containers: [{ image: expect.stringMatching(/^local\/sample@sha256:/) }] } } } });
    // Judged from the load balancer's request log, the candidate colour against the live one.
    const history = await stack.store.history(shopId, 200);
    const judged = history.filter((h) => (h.details as { health?: { verdict?: string } } | null)?.health?.verdict === 'healthy');
    expect(judged.length, history.map((h) => `${h.reason}: ${h.message.slice(0, 200)}`).join('\n')).toBeGreaterThan(0);
    expect(judged.at(-1)?.details).toMatchObject({ health: { measurements: { source: 'telemetry', baseline: { revision: before } } } });
    expect(history.some((h) => h.reason === 'StepAdvanced')).toBe(true);
    // Verification went through the load balancer with the cohort header, so it reached the candidate at 0%.
    expect(shopDone.verification).toMatchObject({ passed: true });
    expect(log.some((l) => l.path === '/healthz' && l.revision === `shop-${idle}` && l.candidatePercent === 0)).toBe(true);
    // The page shows the colours.
    const page = await (await fetch(`${stack.urls.functions.statusPage}?release=${encodeURIComponent(shopId)}`)).text();
    expect(page).toContain(`<tr><th>Candidate colour</th><td>${idle}</td></tr>`);
    expect(page).toContain(`<tr><th>Stable colour</th><td>${before} (what a rollback returns to)</td></tr>`);
    const overview = await (await fetch(stack.urls.functions.statusPage ?? '')).text();
    expect(overview).toContain(`gke-lb · steps 10/50/100 · live colour ${idle}`);
  });

  it('a bad shop release (20% errors) rolls back to the live colour at once', async () => {
    const before = live();
    const traffic = load(stack.urls.shop);
    const id = await release(SHOP_SERVICE, 'red', { failRate: 0.2 });
    const done = await waitFor(id, ['rolled_back', 'complete', 'failed']);
    await traffic.stop();
    expect(done.state.phase).toBe('rolled_back');
    expect(done.candidate.revision).toBe(other(before));
    // Judged against the live colour: the error ratio, or the rank test when the failures also slow it.
    expect(rollbackOf(done.state)?.cause).toMatch(/ErrorRateBreached|ErrorRatioAboveBaseline|LatencyAboveBaseline/);
    expect(live()).toBe(before);
    expect(weights().cohort).toBeNull();
    expect(await served()).toBe(`shop-${before}`);
  });

  it('an incident on the shop rolls its release back', async () => {
    await stack.store.applyServiceConfig(shopServiceConfig(stack.urls.shop, { ...FAST, bakeTime: '30s' }), Date.now());
    const before = live();
    const traffic = load(stack.urls.shop);
    const id = await release(SHOP_SERVICE, 'amber');
    await waitFor(id, ['shifting']);
    await publishDevAlert(stack.pubsub, SHOP_SERVICE);
    const done = await waitFor(id, ['rolled_back', 'complete', 'failed']);
    await traffic.stop();
    expect(done.state.phase).toBe('rolled_back');
    expect(rollbackOf(done.state)?.cause).toBe('IncidentOpened');
    expect(live()).toBe(before);
    expect(await served()).toBe(`shop-${before}`);
    await stack.store.applyServiceConfig(shopServiceConfig(stack.urls.shop, FAST), Date.now());
  });
});
