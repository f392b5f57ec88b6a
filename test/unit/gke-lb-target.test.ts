import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCompute } from '../../local/compute.js';
import type { LocalKubernetes } from '../../local/kubernetes.js';
import { parseServiceConfig, type DeployCandidate, type SetTraffic } from '../../shared/domain/index.js';
import type { DeployOutcome } from '../../shared/ports/index.js';
import { routerTarget } from '../../shared/domain/decide/reconcile.js';
import type { GkeLoadBalancerTarget } from '../../shared/targets/gke-lb.js';
import { serviceConfigInput, serviceState } from '../support/fixtures.js';
import { gkeImage, gkeRouter, localGkeWorld } from '../support/gke.js';

/**
 * The GKE blue/green target on a local Compute API (the URL map) and a local Kubernetes API (the
 * colours' Deployments), through the official clients: a release deploys into the idle colour,
 * the cohort reaches it at 0%, the weights move it up, and the next release deploys into the
 * colour that is idle then.
 */
const ROUTER = gkeRouter('p', 'shop');
const BLUE = ROUTER.colours.blue.backendService;
const GREEN = ROUTER.colours.green.backendService;
const image = (n: number) => gkeImage('p', 'shop', n);

let world: Awaited<ReturnType<typeof localGkeWorld>>;
let compute: LocalCompute;
let kube: LocalKubernetes;
let target: GkeLoadBalancerTarget;
/** What the load balancer's health check sees of green's endpoints. */
let greenHealth: ('HEALTHY' | 'UNHEALTHY')[] = ['HEALTHY', 'HEALTHY'];
beforeEach(async () => {
  greenHealth = ['HEALTHY', 'HEALTHY'];
  world = await localGkeWorld('p', 'shop', { compute: { endpointHealth: (name) => (name === 'shop-green' ? greenHealth : ['HEALTHY']) }, kube: { rolloutMs: 100, progressDeadlineMs: 150 } });
  ({ compute, kube, target } = world);
});
afterEach(() => world.close());

const router = routerTarget(serviceState({ name: 'shop', project: 'p', router: ROUTER }));
const deploy = (n: number): DeployCandidate => ({ kind: 'deployCandidate', effectId: `e${n}`, releaseId: `shop-b${n}`, service: 'shop', router, attempt: 1, image: image(n), revisionName: `shop-b${n}`, baselineRevisionName: null });
const traffic = (candidate: string, stable: string, candidatePercent: number): SetTraffic => ({ kind: 'setTraffic', effectId: 'e', releaseId: 'shop-b1', service: 'shop', router, attempt: 1, candidateRevision: candidate, stableRevision: stable, candidatePercent, baselineRevision: null, baselinePercent: 0 });
const weights = () => ({ weighted: world.rules().find((r) => r.priority === 100)?.routeAction?.weightedBackendServices, cohort: world.cohort() });
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
