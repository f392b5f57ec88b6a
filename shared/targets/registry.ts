import { BackendServicesClient, GlobalOperationsClient, UrlMapsClient } from '@google-cloud/compute';
import { BackendHealth } from '../adapters/gcp/backend-health.js';
import { RevisionsClient, ServicesClient } from '@google-cloud/run';
import { UrlMapRouting } from '../adapters/gcp/url-map-routing.js';
import { GkeClusters } from '../adapters/k8s/gke-clusters.js';
import { GkeLoadBalancerTarget } from './gke-lb.js';
import { CloudRunRouter } from '../adapters/gcp/cloud-run-router.js';
import { LocalRouterClient } from '../adapters/local/local-router-client.js';
import { ConfigError, type CutoverConfig } from '../config.js';
import { TARGET_KINDS, type TargetKind } from '../domain/index.js';
import type { Logger } from '../runtime/logger.js';
import { TargetDispatch, type Target } from './dispatch.js';

/**
 * Every target kind, once: what it is, and how its deployer and splitter are built from the
 * configuration. The service config's `router.kind` comes from the same list (domain/targets.ts);
 * adding a kind is an entry here plus its adapters.
 */
export interface TargetEntry {
  summary: string;
  create(config: CutoverConfig, log: Logger): Target;
}

export function localRouterClient(config: CutoverConfig): LocalRouterClient {
  if (!config.localRouterUrl) throw new ConfigError(['CUTOVER_LOCAL_ROUTER_URL: required with the local router and health adapters (npm start prints it)']);
  return new LocalRouterClient(config.localRouterUrl);
}

const both = <T extends Target['deployer'] & Target['splitter']>(adapter: T): Target => ({ deployer: adapter, splitter: adapter });

export const TARGETS: Record<TargetKind, TargetEntry> = {
  'cloud-run': {
    summary: 'Cloud Run: a revision per release, traffic split by revision (Admin API v2)',
    create: () => both(new CloudRunRouter(new ServicesClient(), new RevisionsClient())),
  },
  local: {
    summary: 'the local router of `npm start`: processes per version behind a weighted proxy',
    create: (config) => both(localRouterClient(config)),
  },
  'gke-lb': {
    summary: 'GKE blue/green behind a global external Application Load Balancer: Deployments per colour, weights in the URL map',
    create: () => {
      const clusters = new GkeClusters();
      return both(new GkeLoadBalancerTarget(new UrlMapRouting(new UrlMapsClient(), new GlobalOperationsClient()), (cluster) => clusters.apps(cluster), new BackendHealth(new BackendServicesClient())));
    },
  },
};

/** The targets this installation enables (CUTOVER_TARGETS), built now so a missing setting is named at start-up. */
export function targetsFor(config: CutoverConfig, log: Logger, problems: string[]): TargetDispatch | undefined {
  if (config.targets.length === 0) {
    problems.push(`CUTOVER_TARGETS: choose the target kinds this installation releases to (${TARGET_KINDS.join(', ')})`);
    return undefined;
  }
  const built: Partial<Record<TargetKind, Target>> = {};
  for (const kind of config.targets) {
    try {
      built[kind] = TARGETS[kind].create(config, log);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  return Object.keys(built).length === config.targets.length ? new TargetDispatch(built) : undefined;
}
