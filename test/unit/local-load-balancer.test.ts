import { GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCompute } from '../../local/compute.js';
import { localImage, pushLocalImage } from '../../local/launcher.js';
import { LocalLoadBalancer } from '../../local/load-balancer.js';
import { UrlMapRouting, cohortCookiePattern, type UrlMapRoute } from '../../shared/adapters/gcp/url-map-routing.js';

/**
 * The local load balancer follows the URL map the way Google's proxies do: what Cutover writes
 * through the official client (weights, the cohort rule by header or cookie) takes effect when the
 * change's operation is done, and each backend service answers with its colour's process.
 */
const BLUE = 'projects/p/global/backendServices/shop-blue';
const GREEN = 'projects/p/global/backendServices/shop-green';
const ROUTE: UrlMapRoute = { project: 'p', urlMap: 'shop', pathMatcher: 'shop', priority: 100, cohort: { priority: 10, header: 'x-cutover-cohort', value: 'can.ary', cookie: 'cutover-cohort' } };

let api: LocalCompute;
let lb: LocalLoadBalancer;
let clients: { close(): Promise<void> }[];
let routing: UrlMapRouting;
beforeEach(async () => {
  lb = new LocalLoadBalancer({ urlMap: 'shop', pathMatcher: 'shop', colours: { blue: { deployment: 'shop-blue', backendService: BLUE }, green: { deployment: 'shop-green', backendService: GREEN } } });
  await lb.listen();
  api = new LocalCompute({ project: 'p', operationMs: 300, onApplied: (map) => lb.apply(map) });
  await api.start();
  await lb.rolledOut('shop-blue', localImage('blue'));
  await lb.rolledOut('shop-green', pushLocalImage(localImage('green')).name);
  api.putUrlMap({ name: 'shop', defaultService: BLUE, pathMatchers: [{ name: 'shop', defaultService: BLUE, routeRules: [{ priority: 100, matchRules: [{ prefixMatch: '/' }], routeAction: { weightedBackendServices: [{ backendService: BLUE, weight: 100 }] } }] }] });
  const maps = new UrlMapsClient(api.clientOptions());
  const operations = new GlobalOperationsClient(api.clientOptions());
  clients = [maps, operations];
  routing = new UrlMapRouting(maps, operations);
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await api.stop();
  await lb.close();
});

const served = async (headers: Record<string, string> = {}) => (await fetch(lb.url, { headers })).headers.get('x-cutover-revision');

describe('the local load balancer', () => {
  it('sends the cohort (header, or the cookie among others) to the candidate at 0%, everyone else to the live colour', async () => {
    expect(await routing.setWeights(ROUTE, [{ backendService: BLUE, weight: 100 }], GREEN)).toMatchObject({ ok: true });
    expect(await served()).toBe('shop-blue');
    expect(await served({ 'x-cutover-cohort': 'can.ary' })).toBe('shop-green');
    expect(await served({ cookie: 'a=1; cutover-cohort=can.ary; b=2' })).toBe('shop-green');
    // The value is a literal: a dot is not "any character", and a longer value is another value.
    expect(await served({ cookie: 'cutover-cohort=canXary' })).toBe('shop-blue');
    expect(await served({ cookie: 'cutover-cohort=can.ary2' })).toBe('shop-blue');
    expect(await served({ 'x-cutover-cohort': 'other' })).toBe('shop-blue');
  });

  it('splits by the weights once the change is done, not when it is accepted', async () => {
    await routing.setWeights(ROUTE, [{ backendService: BLUE, weight: 50 }, { backendService: GREEN, weight: 50 }], GREEN);
    const answers = await Promise.all(Array.from({ length: 40 }, () => served()));
    expect(answers.filter((a) => a === 'shop-green').length).toBe(20);
    // Someone else's change is accepted at once but reaches the proxies only when its operation is done.
    api.changeAsSomeoneElse('shop', (map) => void (map.description = 'edited'));
    expect(lb.router.candidatePercent).toBe(50);
    await routing.setWeights(ROUTE, [{ backendService: GREEN, weight: 100 }], null);
    expect(await served({ 'x-cutover-cohort': 'can.ary' })).toBe('shop-green');
    expect(await served()).toBe('shop-green');
  });

  it('the cookie pattern is RE2 the URL map accepts: literal name and value, whole header', () => {
    const pattern = new RegExp(`^(?:${cohortCookiePattern('cutover-cohort', 'can.ary')})$`);
    expect(['cutover-cohort=can.ary', 'x=1; cutover-cohort=can.ary', 'cutover-cohort=can.ary; y=2'].every((c) => pattern.test(c))).toBe(true);
    expect(['cutover-cohort=canXary', 'my-cutover-cohort=can.ary', 'cutover-cohort=can.ary2'].some((c) => pattern.test(c))).toBe(false);
  });
});
