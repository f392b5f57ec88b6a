import { GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCompute } from '../../local/compute.js';
import { UrlMapRouting, type UrlMapRoute } from '../../shared/adapters/gcp/url-map-routing.js';

/**
 * Weighted traffic on a global external Application Load Balancer, through the official Compute
 * client against a local Compute API that behaves like it: fingerprints, operations that finish
 * later, and a map that other people change too.
 */
const BLUE = 'projects/p/global/backendServices/shop-blue';
const GREEN = 'projects/p/global/backendServices/shop-green';
const ROUTE: UrlMapRoute = { project: 'p', urlMap: 'shop', pathMatcher: 'shop', priority: 100, cohort: { priority: 10, header: 'x-cutover-cohort', value: 'canary' } };
const SOMEONE_ELSES = { priority: 50, matchRules: [{ prefixMatch: '/admin' }], service: 'projects/p/global/backendServices/admin' };

let api: LocalCompute;
let maps: UrlMapsClient;
let operations: GlobalOperationsClient;
let routing: UrlMapRouting;
beforeEach(async () => {
  api = new LocalCompute({ project: 'p', operationMs: 150 });
  await api.start();
  api.putUrlMap({ name: 'shop', defaultService: BLUE, hostRules: [{ hosts: ['*'], pathMatcher: 'shop' }], pathMatchers: [{ name: 'shop', defaultService: BLUE, routeRules: [SOMEONE_ELSES, { priority: 100, matchRules: [{ prefixMatch: '/' }], routeAction: { weightedBackendServices: [{ backendService: BLUE, weight: 100 }] } }] }] });
  maps = new UrlMapsClient(api.clientOptions());
  operations = new GlobalOperationsClient(api.clientOptions());
  routing = new UrlMapRouting(maps, operations);
});
afterEach(async () => {
  await Promise.all([maps.close(), operations.close()]);
  await api.stop();
});

const rules = () => ((api.urlMap('shop')?.pathMatchers as { routeRules: { priority: number }[] }[])[0]?.routeRules ?? []);

describe('UrlMapRouting on the Compute API', () => {
  it('sets the weights on its own rule, waits for the operation, and reads back what is applied', async () => {
    const out = await routing.setWeights(ROUTE, [{ backendService: BLUE, weight: 90 }, { backendService: GREEN, weight: 10 }], GREEN);
    expect(out).toEqual({ ok: true, weights: [{ backendService: BLUE, weight: 90 }, { backendService: GREEN, weight: 10 }], cohortService: GREEN });
    expect(api.requests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual(['GET urlMaps/shop', 'PATCH urlMaps/shop', expect.stringMatching(/^POST operation-.+\/wait$/), 'GET urlMaps/shop']);
  });

  it('keeps the cohort rule across weight changes, and drops it only when asked to', async () => {
    await routing.setWeights(ROUTE, [{ backendService: BLUE, weight: 100 }], GREEN);
    expect((await routing.setWeights(ROUTE, [{ backendService: BLUE, weight: 50 }, { backendService: GREEN, weight: 50 }], GREEN)).ok).toBe(true);
    expect(rules().map((r) => r.priority)).toEqual([10, 50, 100]);
    expect(await routing.setWeights(ROUTE, [{ backendService: GREEN, weight: 100 }], null)).toMatchObject({ ok: true, cohortService: null });
    expect(rules().map((r) => r.priority)).toEqual([50, 100]);
  });

  it('never overwrites a change someone else made meanwhile: the stale patch is refused, the map read again, their rule kept', async () => {
    let changed = false;
    const realPatch = maps.patch.bind(maps);
    // Between Cutover's read and its patch, someone adds a rule: the fingerprint Cutover read is stale.
    maps.patch = ((...args: Parameters<typeof realPatch>) => {
      if (!changed) {
        changed = true;
        api.changeAsSomeoneElse('shop', (map) => ((map.pathMatchers as { routeRules: object[] }[])[0]?.routeRules.push({ priority: 60, matchRules: [{ prefixMatch: '/beta' }], service: BLUE })));
      }
      return realPatch(...args);
    }) as typeof maps.patch;
    const out = await routing.setWeights(ROUTE, [{ backendService: BLUE, weight: 90 }, { backendService: GREEN, weight: 10 }], null);
    expect(out.ok).toBe(true);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(rules().map((r) => r.priority).sort((a, b) => a - b)).toEqual([50, 60, 100]);
  });

  it('reports the weights someone else set, as they are, when read', async () => {
    api.changeAsSomeoneElse('shop', (map) => {
      const rule = (map.pathMatchers as { routeRules: { priority: number; routeAction?: object }[] }[])[0]?.routeRules.find((r) => r.priority === 100);
      if (rule) rule.routeAction = { weightedBackendServices: [{ backendService: BLUE, weight: 70 }, { backendService: GREEN, weight: 30 }] };
    });
    expect(await routing.read(ROUTE)).toMatchObject({ ok: true, weights: [{ backendService: BLUE, weight: 70 }, { backendService: GREEN, weight: 30 }] });
  });

  it('a map without Cutover\'s rule is a permanent failure naming it; an unreachable API a transient one', async () => {
    expect(await routing.setWeights({ ...ROUTE, priority: 999 }, [{ backendService: BLUE, weight: 100 }], null)).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('priority 999') });
    await api.stop();
    expect(await routing.setWeights(ROUTE, [{ backendService: BLUE, weight: 100 }], null)).toMatchObject({ ok: false, permanent: false });
  });
});
