import { BackendServicesClient, GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { BackendHealth } from '../shared/adapters/gcp/backend-health.js';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { UrlMapRouting } from '../shared/adapters/gcp/url-map-routing.js';
import type { Target } from '../shared/targets/dispatch.js';
import { GkeLoadBalancerTarget } from '../shared/targets/gke-lb.js';
import { LocalCompute } from './compute.js';
import { LocalKubernetes } from './kubernetes.js';
import { localImage } from './launcher.js';
import { LocalLoadBalancer } from './load-balancer.js';
import type { AccessLogLine } from './router/proxy.js';
import { LOCAL_PROJECT, SHOP_ROUTER } from './services.js';

/**
 * The shop's world on one machine: a local Kubernetes API with the blue and green Deployments, a
 * local Compute API with the URL map, and the local load balancer that follows that map and runs
 * each colour's image. Cutover reaches it through the production target (GkeLoadBalancerTarget on
 * the official Compute client and @kubernetes/client-node); only the endpoints differ.
 */
export interface LocalShop {
  compute: LocalCompute;
  kubernetes: LocalKubernetes;
  loadBalancer: LocalLoadBalancer;
  target: Target;
}

export async function startLocalShop(options: { accessLog?: (line: AccessLogLine) => void; keep: (...fns: (() => Promise<void> | void)[]) => void }): Promise<LocalShop> {
  const { colours, urlMap } = SHOP_ROUTER;
  const loadBalancer = new LocalLoadBalancer({ urlMap: urlMap.name, pathMatcher: urlMap.pathMatcher, colours, accessLog: options.accessLog });
  options.keep(() => loadBalancer.close());
  await loadBalancer.listen();
  const compute = new LocalCompute({ project: LOCAL_PROJECT, operationMs: 300, onApplied: (map) => loadBalancer.apply(map), endpointHealth: (backend) => loadBalancer.endpointHealth(backend) });
  await compute.start();
  options.keep(() => compute.stop());
  const kubernetes = new LocalKubernetes({ rolloutMs: 1_000, progressDeadlineMs: 10_000, onRolledOut: (d) => loadBalancer.rolledOut(d.name, d.containers.find((c) => c.name === SHOP_ROUTER.container)?.image ?? '') });
  await kubernetes.start();
  options.keep(() => kubernetes.stop());
  // Both colours run the first version; blue is live.
  const first = localImage('blue');
  for (const colour of [colours.blue, colours.green]) {
    kubernetes.put({ namespace: SHOP_ROUTER.namespace, name: colour.deployment, containers: [{ name: SHOP_ROUTER.container, image: first }] });
    await loadBalancer.rolledOut(colour.deployment, first);
  }
  compute.putUrlMap({
    name: urlMap.name,
    defaultService: colours.blue.backendService,
    hostRules: [{ hosts: ['*'], pathMatcher: urlMap.pathMatcher }],
    pathMatchers: [{ name: urlMap.pathMatcher, defaultService: colours.blue.backendService, routeRules: [{ priority: urlMap.priority, matchRules: [{ prefixMatch: '/' }], routeAction: { weightedBackendServices: [{ backendService: colours.blue.backendService, weight: 100 }, { backendService: colours.green.backendService, weight: 0 }] } }] }],
  });
  const maps = new UrlMapsClient(compute.clientOptions());
  const operations = new GlobalOperationsClient(compute.clientOptions());
  const backendServices = new BackendServicesClient(compute.clientOptions());
  options.keep(() => maps.close(), () => operations.close(), () => backendServices.close());
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromOptions({ clusters: [{ name: 'local', server: kubernetes.url, skipTLSVerify: true }], users: [{ name: 'cutover', token: kubernetes.token }], contexts: [{ name: 'local', cluster: 'local', user: 'cutover' }], currentContext: 'local' });
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const gke = new GkeLoadBalancerTarget(new UrlMapRouting(maps, operations), (cluster) => (cluster === SHOP_ROUTER.cluster ? Promise.resolve(apps) : Promise.reject(new Error(`the local Kubernetes API serves ${SHOP_ROUTER.cluster} only, not ${cluster}`))), new BackendHealth(backendServices));
  return { compute, kubernetes, loadBalancer, target: { deployer: gke, splitter: gke } };
}
