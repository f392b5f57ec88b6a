import { BackendServicesClient, GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { BackendHealth } from '../../shared/adapters/gcp/backend-health.js';
import { RevisionsClient, ServicesClient } from '@google-cloud/run';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalCompute } from '../../local/compute.js';
import { LocalKubernetes } from '../../local/kubernetes.js';
import { localImage } from '../../local/launcher.js';
import { startAdminApi } from '../../local/router/admin.js';
import { LocalFleet } from '../../local/router/fleet.js';
import { CloudRunRouter } from '../../shared/adapters/gcp/cloud-run-router.js';
import { UrlMapRouting } from '../../shared/adapters/gcp/url-map-routing.js';
import { LocalRouterClient } from '../../shared/adapters/local/local-router-client.js';
import { routerTarget } from '../../shared/domain/decide/reconcile.js';
import { GkeLoadBalancerTarget } from '../../shared/targets/gke-lb.js';
import { targetContract } from '../contracts/target-contract.js';
import { FakeCloudRun } from '../fakes/grpc/fake-cloud-run.js';
import { serviceState } from '../support/fixtures.js';

/** Every target kind's Deployer and TrafficSplitter, each on what stands for its API, through one contract. */
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

// Cloud Run's cohort is a tag URL, not a rule: it has no cohort case here.
targetContract('cloud-run (CloudRunRouter, official client on the fake Admin API from the shipped protos)', ['conflict', 'neverReady', 'moveTraffic'], async () => {
  const fake = new FakeCloudRun();
  fake.readyAfterPolls = 2;
  fake.operationPolls = 2;
  await fake.start();
  const name = fake.seed('demo', 'europe-west1', 'svc', 'svc-00001');
  const options = { ...fake.server.clientOptions(), projectId: 'demo' };
  const services = new ServicesClient(options);
  const revisions = new RevisionsClient(options);
  const router = new CloudRunRouter(services, revisions, { retry: { attempts: 4, baseDelayMs: 10 } });
  const image = (n: number) => `europe-docker.pkg.dev/demo/apps/svc@${digest(n)}`;
  return {
    deployer: router,
    splitter: router,
    target: { kind: 'cloud-run', project: 'demo', region: 'europe-west1', service: 'svc' },
    image,
    conflictNextWrite: () => fake.touchBeforeNextUpdate(name),
    neverReady: (n) => (fake.failingImages.add(image(n)), image(n)),
    moveAllTrafficTo: (revision) => fake.setTrafficAsSomeoneElse(name, [{ revision, percent: 100 }]),
    teardown: async () => {
      await Promise.all([services.close(), revisions.close()]);
      await fake.stop();
    },
  };
});

// The local router has one writer (no etag) and starts a version or fails at once.
targetContract('local (LocalRouterClient on the local router\'s admin API, a process per version)', ['moveTraffic'], async () => {
  const fleet = new LocalFleet();
  await fleet.addService('svc', 'svc-blue', localImage('blue'));
  const admin = await startAdminApi(fleet);
  const client = new LocalRouterClient(admin.url);
  return {
    deployer: client,
    splitter: client,
    target: { kind: 'local', project: 'p', region: 'local', service: 'svc' },
    image: (n) => localImage(`v${n}`),
    moveAllTrafficTo: async (revision) => void (await fleet.setTraffic('svc', null, revision, 100)),
    teardown: async () => {
      await admin.close();
      await fleet.close();
    },
  };
});

targetContract('gke-lb (GkeLoadBalancerTarget: official Compute client on the local Compute API, @kubernetes/client-node on the local Kubernetes API)', ['conflict', 'neverReady', 'moveTraffic', 'cohort'], async () => {
  const BLUE = 'projects/p/global/backendServices/shop-blue';
  const GREEN = 'projects/p/global/backendServices/shop-green';
  const gke = {
    kind: 'gke-lb' as const,
    cluster: 'projects/p/locations/europe-west1/clusters/prod',
    namespace: 'shop',
    colours: { blue: { deployment: 'shop-blue', backendService: BLUE }, green: { deployment: 'shop-green', backendService: GREEN } },
    urlMap: { name: 'shop', pathMatcher: 'shop', priority: 100 },
    cohort: { priority: 10 },
  };
  const compute = new LocalCompute({ project: 'p', operationMs: 50 });
  const kube = new LocalKubernetes({ rolloutMs: 60, progressDeadlineMs: 300 });
  await Promise.all([compute.start(), kube.start()]);
  const image = (n: number) => `europe-west1-docker.pkg.dev/p/apps/shop@${digest(n)}`;
  compute.putUrlMap({ name: 'shop', defaultService: BLUE, pathMatchers: [{ name: 'shop', defaultService: BLUE, routeRules: [{ priority: 100, matchRules: [{ prefixMatch: '/' }], routeAction: { weightedBackendServices: [{ backendService: BLUE, weight: 100 }] } }] }] });
  for (const colour of ['blue', 'green']) kube.put({ namespace: 'shop', name: `shop-${colour}`, containers: [{ name: 'app', image: image(0) }] });
  const maps = new UrlMapsClient(compute.clientOptions());
  const operations = new GlobalOperationsClient(compute.clientOptions());
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'prod', server: kube.url, skipTLSVerify: true }], users: [{ name: 'cutover', token: kube.token }], contexts: [{ name: 'prod', cluster: 'prod', user: 'cutover' }], currentContext: 'prod' });
  const backendServices = new BackendServicesClient(compute.clientOptions());
  const target = new GkeLoadBalancerTarget(new UrlMapRouting(maps, operations), () => Promise.resolve(kc.makeApiClient(AppsV1Api)), new BackendHealth(backendServices));
  type Rule = { priority: number; service?: string; routeAction?: { weightedBackendServices: { backendService: string; weight: number }[] } };
  const rules = () => (compute.urlMap('shop')?.pathMatchers as { routeRules: Rule[] }[])[0]?.routeRules ?? [];
  const colourOf = (backend: string | undefined) => (backend === BLUE ? 'blue' : backend === GREEN ? 'green' : null);
  return {
    deployer: target,
    splitter: target,
    target: routerTarget(serviceState({ name: 'shop', project: 'p', router: gke })),
    image,
    conflictNextWrite: () => compute.changeBeforeNextPatch('shop', (map) => void (map.description = 'edited by someone else')),
    neverReady: (n) => (kube.stallImage(image(n)), image(n)),
    moveAllTrafficTo: (colour) =>
      compute.changeAsSomeoneElse('shop', (map) => {
        const rule = (map.pathMatchers as { routeRules: Rule[] }[])[0]?.routeRules.find((r) => r.priority === 100);
        if (rule) rule.routeAction = { weightedBackendServices: [{ backendService: colour === 'blue' ? BLUE : GREEN, weight: 100 }] };
      }),
    cohort: () => colourOf(rules().find((r) => r.priority === 10)?.service),
    teardown: async () => {
      await Promise.all([maps.close(), operations.close(), backendServices.close()]);
      await Promise.all([compute.stop(), kube.stop()]);
    },
  };
});
