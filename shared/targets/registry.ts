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
  /** What docs/architecture.md's table says of the kind (npm run docs:targets writes it from here). */
  docs: { deploys: string; traffic: string; cohort: string; health: string };
  create(config: CutoverConfig, log: Logger): Target;
}

export function localRouterClient(config: CutoverConfig): LocalRouterClient {
  if (!config.localRouterUrl) throw new ConfigError(['CUTOVER_LOCAL_ROUTER_URL: required with the local router and health adapters (npm start prints it)']);
  return new LocalRouterClient(config.localRouterUrl);
}

const both = <T extends Target['deployer'] & Target['splitter']>(adapter: T): Target => ({ deployer: adapter, splitter: adapter });

export const TARGETS: Record<TargetKind, TargetEntry> = {
  'cloud-run': {
    docs: {
      deploys: 'a revision per release, named from the build (Admin API v2, `CloudRunRouter`)',
      traffic: 'revision percentages on the service, with its etag; the baseline twin tagged `baseline`',
      cohort: 'the candidate\'s tag URL (`candidate---…run.app`) reaches it at any weight',
      health: 'Cloud Run\'s request log (`run.googleapis.com/requests`) through the sink; `run.googleapis.com/request_count` confirms',
    },
    create: () => both(new CloudRunRouter(new ServicesClient(), new RevisionsClient())),
  },
  local: {
    docs: {
      deploys: 'a process per version (the local router\'s admin API, `LocalRouterClient`)',
      traffic: 'the local router\'s weights (sticky by header or cookie)',
      cohort: 'the candidate\'s own local URL',
      health: 'the request log the local router writes in Cloud Run\'s shape; the local Monitoring confirms',
    },
    create: (config) => both(localRouterClient(config)),
  },
  'gke-lb': {
    docs: {
      deploys: 'the idle colour\'s Deployment gets the image by digest (`DeploymentRollout`, cluster endpoint from the GKE API); ready when rolled out and every NEG endpoint is healthy (`BackendHealth`)',
      traffic: 'the weights of Cutover\'s route rule in the URL map (`UrlMapRouting`: fingerprint, operation, read back)',
      cohort: 'a header (`x-cutover-cohort: canary`) or cookie rule to the candidate colour from ready at 0%; verification goes through it',
      health: 'the load balancer\'s request log (`http_load_balancer`, by backend service) through its sink; `loadbalancing.googleapis.com/https/backend_request_count` confirms; the live colour is the baseline',
    },
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

/** The docs table of the kinds, from their entries (docs/architecture.md, between its targets markers). */
export function targetsTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = Object.entries(TARGETS).map(([kind, e]) => `| \`${kind}\` | ${cell(e.docs.deploys)} | ${cell(e.docs.traffic)} | ${cell(e.docs.cohort)} | ${cell(e.docs.health)} |`);
  return ['| kind | deploys | moves traffic | cohort before any user | health |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
