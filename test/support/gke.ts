import { BackendServicesClient, GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalCompute, type LocalComputeOptions } from '../../local/compute.js';
import { LocalKubernetes, type LocalKubernetesOptions } from '../../local/kubernetes.js';
import { BackendHealth } from '../../shared/adapters/gcp/backend-health.js';
import { UrlMapRouting } from '../../shared/adapters/gcp/url-map-routing.js';
import { GkeLoadBalancerTarget } from '../../shared/targets/gke-lb.js';

/** A GKE blue/green `router` block: two Deployments behind two backend services, Cutover's rule at priority 100, a cohort rule at 10. */
export function gkeRouter(project: string, name: string) {
  const backendService = (colour: string) => `projects/${project}/global/backendServices/${name}-${colour}`;
  return {
    kind: 'gke-lb' as const,
    cluster: `projects/${project}/locations/europe-west1/clusters/prod`,
    namespace: name,
    colours: { blue: { deployment: `${name}-blue`, backendService: backendService('blue') }, green: { deployment: `${name}-green`, backendService: backendService('green') } },
    urlMap: { name, pathMatcher: name, priority: 100 },
    cohort: { priority: 10 },
  };
}

export const gkeImage = (project: string, name: string, n: number) => `europe-west1-docker.pkg.dev/${project}/apps/${name}@sha256:${String(n).repeat(64).slice(0, 64)}`;

type Rule = { priority: number; service?: string; routeAction?: { weightedBackendServices?: { backendService: string; weight: number }[] } };

/**
 * The world a GKE target works in, on 127.0.0.1: a local Compute API holding the URL map (blue
 * live at 100%), a local Kubernetes API holding both colours' Deployments, and the GKE target on
 * them through the official Compute client and @kubernetes/client-node.
 */
export async function localGkeWorld(project: string, name: string, options: { compute?: Partial<LocalComputeOptions>; kube?: LocalKubernetesOptions } = {}) {
  const router = gkeRouter(project, name);
  const { blue, green } = router.colours;
  const compute = new LocalCompute({ project, operationMs: 50, ...options.compute });
  const kube = new LocalKubernetes({ rolloutMs: 60, progressDeadlineMs: 300, ...options.kube });
  await Promise.all([compute.start(), kube.start()]);
  compute.putUrlMap({ name, defaultService: blue.backendService, pathMatchers: [{ name, defaultService: blue.backendService, routeRules: [{ priority: 100, matchRules: [{ prefixMatch: '/' }], routeAction: { weightedBackendServices: [{ backendService: blue.backendService, weight: 100 }] } }] }] });
  for (const colour of [blue, green]) kube.put({ namespace: name, name: colour.deployment, containers: [{ name: 'app', image: gkeImage(project, name, 0) }] });
  const maps = new UrlMapsClient(compute.clientOptions());
  const operations = new GlobalOperationsClient(compute.clientOptions());
  const backendServices = new BackendServicesClient(compute.clientOptions());
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'prod', server: kube.url, skipTLSVerify: true }], users: [{ name: 'cutover', token: kube.token }], contexts: [{ name: 'prod', cluster: 'prod', user: 'cutover' }], currentContext: 'prod' });
  const apps = kc.makeApiClient(AppsV1Api);
  const target = new GkeLoadBalancerTarget(new UrlMapRouting(maps, operations), (cluster) => (cluster === router.cluster ? Promise.resolve(apps) : Promise.reject(new Error(`no cluster ${cluster}`))), new BackendHealth(backendServices, 2_000));
  const rules = (): Rule[] => (compute.urlMap(name)?.pathMatchers as { routeRules: Rule[] }[])[0]?.routeRules ?? [];
  return {
    router,
    compute,
    kube,
    target,
    image: (n: number) => gkeImage(project, name, n),
    rules,
    /** The weight the URL map gives a backend service now. */
    share: (backendService: string) => rules().find((r) => r.priority === 100)?.routeAction?.weightedBackendServices?.find((w) => w.backendService === backendService)?.weight ?? 0,
    /** Where the cohort rule sends requests now, if anywhere. */
    cohort: () => rules().find((r) => r.priority === 10)?.service ?? null,
    close: async () => {
      await Promise.all([maps.close(), operations.close(), backendServices.close()]);
      await Promise.all([compute.stop(), kube.stop()]);
    },
  };
}
