import { BackendServicesClient, GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCompute } from '../../local/compute.js';
import { LocalKubernetes } from '../../local/kubernetes.js';
import { BackendHealth } from '../../shared/adapters/gcp/backend-health.js';
import { UrlMapRouting } from '../../shared/adapters/gcp/url-map-routing.js';
import { isTerminal, releaseIdForBuild, type Release } from '../../shared/domain/index.js';
import { TargetDispatch } from '../../shared/targets/dispatch.js';
import { GkeLoadBalancerTarget } from '../../shared/targets/gke-lb.js';
import { FakeRouter } from '../fakes/world-fakes.js';
import { FakeStore } from '../fakes/memory-store.js';
import { build } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';

/**
 * Chaos for a GKE release: the runtime with the real GKE target on the local Compute and
 * Kubernetes APIs (the fakes at the other ports), while the Compute API goes away, someone keeps
 * editing the URL map, or a rollout stalls. What must hold: a release never takes traffic it did
 * not ask for, a rollback is committed at once and lands as soon as the API answers, and the live
 * colour at the end is the one the service calls stable.
 */
const BLUE = 'projects/demo-project/global/backendServices/checkout-blue';
const GREEN = 'projects/demo-project/global/backendServices/checkout-green';
const ROUTER = {
  kind: 'gke-lb' as const,
  cluster: 'projects/demo-project/locations/europe-west1/clusters/prod',
  namespace: 'checkout',
  colours: { blue: { deployment: 'checkout-blue', backendService: BLUE }, green: { deployment: 'checkout-green', backendService: GREEN } },
  urlMap: { name: 'checkout', pathMatcher: 'checkout', priority: 100 },
  cohort: { priority: 10 },
};
const image = (n: number) => `europe-docker.pkg.dev/demo-project/apps/checkout@sha256:${String(n).repeat(64).slice(0, 64)}`;

let compute: LocalCompute;
let kube: LocalKubernetes;
let clients: { close(): Promise<void> }[];
let sys: ReturnType<typeof fakeSystem<FakeStore, TargetDispatch>>;
beforeEach(async () => {
  compute = new LocalCompute({ project: 'demo-project', operationMs: 30 });
  kube = new LocalKubernetes({ rolloutMs: 40, progressDeadlineMs: 200 });
  await Promise.all([compute.start(), kube.start()]);
  compute.putUrlMap({ name: 'checkout', defaultService: BLUE, pathMatchers: [{ name: 'checkout', defaultService: BLUE, routeRules: [{ priority: 100, matchRules: [{ prefixMatch: '/' }], routeAction: { weightedBackendServices: [{ backendService: BLUE, weight: 100 }] } }] }] });
  for (const colour of ['blue', 'green']) kube.put({ namespace: 'checkout', name: `checkout-${colour}`, containers: [{ name: 'app', image: image(0) }] });
  const maps = new UrlMapsClient(compute.clientOptions());
  const operations = new GlobalOperationsClient(compute.clientOptions());
  const backendServices = new BackendServicesClient(compute.clientOptions());
  clients = [maps, operations, backendServices];
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'prod', server: kube.url, skipTLSVerify: true }], users: [{ name: 'cutover', token: kube.token }], contexts: [{ name: 'prod', cluster: 'prod', user: 'cutover' }], currentContext: 'prod' });
  const gke = new GkeLoadBalancerTarget(new UrlMapRouting(maps, operations), () => Promise.resolve(kc.makeApiClient(AppsV1Api)), new BackendHealth(backendServices, 2_000));
  const cloudRun = new FakeRouter();
  sys = fakeSystem(new FakeStore(), new TargetDispatch({ 'gke-lb': { deployer: gke, splitter: gke }, 'cloud-run': { deployer: cloudRun, splitter: cloudRun } }));
  await sys.apply({ router: ROUTER, steps: [10, 50, 100], bakeTime: '10s', healthInterval: '5s' });
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([compute.stop(), kube.stop()]);
});

type Rule = { priority: number; service?: string; routeAction?: { weightedBackendServices?: { backendService: string; weight: number }[] } };
const rules = () => (compute.urlMap('checkout')?.pathMatchers as { routeRules: Rule[] }[])[0]?.routeRules ?? [];
const share = (backend: string) => rules().find((r) => r.priority === 100)?.routeAction?.weightedBackendServices?.find((w) => w.backendService === backend)?.weight ?? 0;
const release = async (id: string) => (await sys.store.getRelease(id)) as Release;
/** Time moves on (ticks) while the local APIs do their work in real time. */
async function until(id: string, done: (r: Release) => boolean, rounds = 150): Promise<Release> {
  for (let i = 0; i < rounds; i += 1) {
    const r = await release(id);
    if (done(r)) return r;
    await sys.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return release(id);
}

describe('chaos on a GKE release (runtime, GKE target, local Compute and Kubernetes APIs)', () => {
  it('the Compute API goes away mid-release: the step holds, no weight moves; an abort then is committed at once and lands when it is back', async () => {
    const id = releaseIdForBuild('checkout', 'b1');
    await sys.send(build('b1', 'SUCCESS', image(1)));
    const shifting = await until(id, (r) => r.phase === 'shifting' && r.traffic.observedPercent === 10);
    expect(shifting.candidate.revision).toBe('green');
    compute.unavailable = true;
    const weightsBefore = JSON.stringify(rules());
    await until(id, () => false, 6);
    expect(JSON.stringify(rules())).toBe(weightsBefore);
    const answer = await sys.send({ kind: 'command', releaseId: id, command: 'abort', actor: 'oncall@example.com', why: 'compute outage drill' });
    expect(answer, JSON.stringify(answer)).toMatchObject({ kind: 'decided', outcome: { status: 'applied' } });
    expect((await release(id)).phase).toBe('rolling_back');
    await until(id, () => false, 4);
    expect(share(GREEN)).toBe(10);
    compute.unavailable = false;
    const done = await until(id, (r) => isTerminal(r.phase));
    expect(done.phase).toBe('rolled_back');
    expect(share(BLUE)).toBe(100);
    expect(share(GREEN)).toBe(0);
    expect(rules().some((r) => r.priority === 10)).toBe(false);
    expect((await sys.store.getService('checkout'))?.stableRevision).toBe('blue');
  });

  it('someone edits the URL map before each of Cutover\'s next five patches (more than one call retries): each is refused as stale and retried, their edits survive, the release completes on green', async () => {
    const id = releaseIdForBuild('checkout', 'b2');
    let edits = 0;
    const editNextPatch = (): void => compute.changeBeforeNextPatch('checkout', (map) => {
      map.description = `edit ${(edits += 1)}`;
      if (edits < 5) editNextPatch();
    });
    editNextPatch();
    await sys.send(build('b2', 'SUCCESS', image(2)));
    const done = await until(id, (r) => isTerminal(r.phase), 300);
    expect(done.phase).toBe('complete');
    expect(edits).toBe(5);
    expect(compute.urlMap('checkout')?.description).toBe(`edit ${edits}`);
    expect(share(GREEN)).toBe(100);
    expect((await sys.store.getService('checkout'))?.stableRevision).toBe('green');
  });

  it('a rollout that stalls never takes traffic: the release fails at deploy and blue keeps everything', async () => {
    kube.stallImage(image(3));
    const id = releaseIdForBuild('checkout', 'b3');
    await sys.send(build('b3', 'SUCCESS', image(3)));
    const done = await until(id, (r) => isTerminal(r.phase));
    expect(done.phase).toBe('failed');
    expect(share(BLUE)).toBe(100);
    expect(rules().some((r) => r.priority === 10)).toBe(false);
    expect(done.traffic.observedPercent ?? 0).toBe(0);
  });
});
