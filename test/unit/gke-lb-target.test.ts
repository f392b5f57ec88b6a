import { BackendServicesClient, GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { BackendHealth } from '../../shared/adapters/gcp/backend-health.js';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCompute } from '../../local/compute.js';
import { LocalKubernetes } from '../../local/kubernetes.js';
import { UrlMapRouting } from '../../shared/adapters/gcp/url-map-routing.js';
import { parseServiceConfig, type DeployCandidate, type SetTraffic } from '../../shared/domain/index.js';
import type { DeployOutcome } from '../../shared/ports/index.js';
import { routerTarget } from '../../shared/domain/decide/reconcile.js';
import { GkeLoadBalancerTarget } from '../../shared/targets/gke-lb.js';
import { serviceConfigInput, serviceState } from '../support/fixtures.js';

/**
 * The GKE blue/green target on a local Compute API (the URL map) and a local Kubernetes API (the
 * colours' Deployments), through the official clients: a release deploys into the idle colour,
 * the cohort reaches it at 0%, the weights move it up, and the next release deploys into the
 * colour that is idle then.
 */
const BLUE = 'projects/p/global/backendServices/shop-blue';
const GREEN = 'projects/p/global/backendServices/shop-green';
const ROUTER = {
  kind: 'gke-lb' as const,
  cluster: 'projects/p/locations/europe-west1/clusters/prod',
  namespace: 'shop',
  colours: { blue: { deployment: 'shop-blue', backendService: BLUE }, green: { deployment: 'shop-green', backendService: GREEN } },
  urlMap: { name: 'shop', pathMatcher: 'shop', priority: 100 },
  cohort: { priority: 10 },
};
const image = (n: number) => `europe-west1-docker.pkg.dev/p/apps/shop@sha256:${String(n).repeat(64).slice(0, 64)}`;

let compute: LocalCompute;
let kube: LocalKubernetes;
let target: GkeLoadBalancerTarget;
let clients: { close(): Promise<void> }[] = [];
/** What the load balancer's health check sees of green's endpoints. */
let greenHealth: ('HEALTHY' | 'UNHEALTHY')[] = ['HEALTHY', 'HEALTHY'];
beforeEach(async () => {
  greenHealth = ['HEALTHY', 'HEALTHY'];
  compute = new LocalCompute({ project: 'p', operationMs: 50, endpointHealth: (name) => (name === 'shop-green' ? greenHealth : ['HEALTHY']) });
  kube = new LocalKubernetes({ rolloutMs: 100, progressDeadlineMs: 150 });
  await Promise.all([compute.start(), kube.start()]);
  compute.putUrlMap({ name: 'shop', defaultService: BLUE, pathMatchers: [{ name: 'shop', defaultService: BLUE, routeRules: [{ priority: 100, matchRules: [{ prefixMatch: '/' }], routeAction: { weightedBackendServices: [{ backendService: BLUE, weight: 100 }] } }] }] });
  for (const colour of ['blue', 'green']) kube.put({ namespace: 'shop', name: `shop-${colour}`, containers: [{ name: 'app', image: image(0) }] });
  const maps = new UrlMapsClient(compute.clientOptions());
  const operations = new GlobalOperationsClient(compute.clientOptions());
  const backendServices = new BackendServicesClient(compute.clientOptions());
  clients = [maps, operations, backendServices];
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'prod', server: kube.url, skipTLSVerify: true }], users: [{ name: 'cutover', token: kube.token }], contexts: [{ name: 'prod', cluster: 'prod', user: 'cutover' }], currentContext: 'prod' });
  target = new GkeLoadBalancerTarget(new UrlMapRouting(maps, operations), (cluster) => (cluster === ROUTER.cluster ? Promise.resolve(kc.makeApiClient(AppsV1Api)) : Promise.reject(new Error(`no cluster ${cluster}`))), new BackendHealth(backendServices));
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([compute.stop(), kube.stop()]);
});

const router = routerTarget(serviceState({ name: 'shop', project: 'p', router: ROUTER }));
const deploy = (n: number): DeployCandidate => ({ kind: 'deployCandidate', effectId: `e${n}`, releaseId: `shop-b${n}`, service: 'shop', router, attempt: 1, image: image(n), revisionName: `shop-b${n}`, baselineRevisionName: null });
const traffic = (candidate: string, stable: string, candidatePercent: number): SetTraffic => ({ kind: 'setTraffic', effectId: 'e', releaseId: 'shop-b1', service: 'shop', router, attempt: 1, candidateRevision: candidate, stableRevision: stable, candidatePercent, baselineRevision: null, baselinePercent: 0 });
const weights = () => {
  const rules = (compute.urlMap('shop')?.pathMatchers as { routeRules: { priority: number; service?: string; routeAction?: { weightedBackendServices: { backendService: string; weight: number }[] } }[] }[])[0]?.routeRules ?? [];
  return { weighted: rules.find((r) => r.priority === 100)?.routeAction?.weightedBackendServices, cohort: rules.find((r) => r.priority === 10)?.service ?? null };
};
async function deployed(n: number): Promise<DeployOutcome> {
  let out = await target.deployCandidate(deploy(n));
  for (let i = 0; i < 50 && out.ok === 'pending'; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
    out = await target.deployCandidate(deploy(n));
  }
  return out;
}

describe('GKE blue/green behind the load balancer', () => {
  it('the config names both colours, the URL map rule and a cohort that matches first', () => {
    expect(() => parseServiceConfig(serviceConfigInput({ name: 'shop', router: { ...ROUTER, colours: { blue: ROUTER.colours.blue, green: ROUTER.colours.blue } } }))).toThrow(/two Deployments/);
    expect(() => parseServiceConfig(serviceConfigInput({ name: 'shop', router: { ...ROUTER, cohort: { priority: 200 } } }))).toThrow(/matches first/);
    expect(router.settings?.kind === 'gke-lb' && router.settings.cohort).toEqual({ header: 'x-cutover-cohort', value: 'canary', priority: 10 });
  });

  it('deploys into the idle colour, opens the cohort at 0%, shifts by weights, and drops the cohort at 100%', async () => {
    const first = await target.deployCandidate(deploy(1));
    expect(first, JSON.stringify(first)).toMatchObject({ ok: 'pending', revision: 'green' });
    expect(await deployed(1)).toEqual({ ok: true, revision: 'green', url: null, stableRevision: 'blue', baselineRevision: null });
    expect((kube.deployment('shop', 'shop-green') as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]?.image).toBe(image(1));
    expect(weights()).toEqual({ weighted: [{ backendService: BLUE, weight: 100 }], cohort: GREEN });
    expect(await target.setTraffic(traffic('green', 'blue', 10))).toEqual({ ok: true, observedPercent: 10 });
    expect(weights()).toEqual({ weighted: [{ backendService: BLUE, weight: 90 }, { backendService: GREEN, weight: 10 }], cohort: GREEN });
    expect(await target.setTraffic(traffic('green', 'blue', 100))).toEqual({ ok: true, observedPercent: 100 });
    expect(weights()).toEqual({ weighted: [{ backendService: GREEN, weight: 100 }], cohort: null });
    // The next release: green is live, blue idle.
    expect(await deployed(2)).toMatchObject({ ok: true, revision: 'blue', stableRevision: 'green' });
  });

  it('a rollback puts everything back on the live colour at once, and the cohort goes', async () => {
    await deployed(1);
    await target.setTraffic(traffic('green', 'blue', 50));
    expect(await target.setTraffic(traffic('green', 'blue', 0))).toEqual({ ok: true, observedPercent: 0 });
    expect(weights()).toEqual({ weighted: [{ backendService: BLUE, weight: 100 }], cohort: null });
  });

  it('a rolled-out colour is not ready until the load balancer sees all its endpoints healthy; until then no cohort reaches it', async () => {
    greenHealth = ['HEALTHY', 'UNHEALTHY'];
    const out = await deployed(1);
    expect(out).toMatchObject({ ok: 'pending', revision: 'green', status: 'load balancer health: 1/2 endpoints of green healthy' });
    expect(weights().cohort).toBeNull();
    greenHealth = ['HEALTHY', 'HEALTHY'];
    expect(await target.deployCandidate(deploy(1))).toMatchObject({ ok: true, revision: 'green', stableRevision: 'blue' });
    expect(weights().cohort).toBe(GREEN);
    expect(compute.requests.filter((r) => r.path.endsWith('/backendServices/shop-green/getHealth')).length).toBeGreaterThanOrEqual(2);
  });

  it('a rollout that stalls fails the deploy with the reason; a cluster the function cannot reach is transient', async () => {
    kube.stallImage(image(3));
    const out = await deployed(3);
    expect(out).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('progress deadline') });
    const elsewhere = routerTarget(serviceState({ name: 'shop', project: 'p', router: { ...ROUTER, cluster: 'projects/p/locations/x/clusters/gone' } }));
    expect(await target.deployCandidate({ ...deploy(4), router: elsewhere })).toMatchObject({ ok: false, permanent: false });
  });
});
