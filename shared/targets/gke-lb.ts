import type { AppsV1Api } from '@kubernetes/client-node';
import type { DeployCandidate, RouterTarget, SetTraffic } from '../domain/index.js';
import type { DeployOutcome, TrafficOutcome, TrafficRouter } from '../ports/index.js';
import { DeploymentRollout } from '../adapters/k8s/deployment-rollout.js';
import type { UrlMapRoute, UrlMapRouting, Weight } from '../adapters/gcp/url-map-routing.js';
import type { BackendHealth } from '../adapters/gcp/backend-health.js';

type Gke = Extract<NonNullable<RouterTarget['settings']>, { kind: 'gke-lb' }>;
const gkeOf = (router: RouterTarget): Gke | undefined => (router.settings?.kind === 'gke-lb' ? router.settings : undefined);
type Colour = 'blue' | 'green';
const COLOURS: readonly Colour[] = ['blue', 'green'];
const other = (c: Colour): Colour => (c === 'blue' ? 'green' : 'blue');
const isColour = (v: string | null): v is Colour => v === 'blue' || v === 'green';

/**
 * Blue/green on GKE behind a global external Application Load Balancer. The live colour is the
 * one the URL map sends the most traffic to (blue when none has any); a release deploys into the
 * idle colour's Deployment and its "revision" is that colour, the live one its stable; it is ready
 * when the rollout is complete and the load balancer sees every endpoint of the colour healthy. Traffic is
 * the weights of Cutover's own route rule (UrlMapRouting); while a candidate takes part of the
 * traffic, and from the moment it is ready at 0%, the cohort header reaches it. At 0% (rollback)
 * or 100% (complete) the cohort rule goes.
 */
export class GkeLoadBalancerTarget implements TrafficRouter {
  constructor(
    private readonly routing: UrlMapRouting,
    private readonly apps: (cluster: string) => Promise<AppsV1Api>,
    private readonly backends: BackendHealth,
  ) {}

  async deployCandidate(effect: DeployCandidate): Promise<DeployOutcome> {
    const gke = gkeOf(effect.router);
    if (!gke) return { ok: false, permanent: true, error: `service ${effect.service} names kind gke-lb but no cluster, colours or URL map` };
    const route = routeOf(effect.router.project, gke);
    const applied = await this.routing.read(route);
    if (!applied.ok) return applied;
    const live = liveColour(applied.weights, gke);
    const idle = other(live);
    let apps: AppsV1Api;
    try {
      apps = await this.apps(gke.cluster);
    } catch (error) {
      return { ok: false, permanent: false, error: `GKE cluster ${gke.cluster}: ${error instanceof Error ? error.message : String(error)}` };
    }
    const rolled = await new DeploymentRollout(apps).roll({ namespace: gke.namespace, deployment: gke.colours[idle].deployment, container: gke.container }, effect.image);
    if (rolled.ok === 'pending') return { ok: 'pending', revision: idle, status: rolled.status };
    if (!rolled.ok) return rolled;
    // Rolled out is not yet reachable: the load balancer must see every endpoint of the colour healthy.
    const health = await this.backends.of(effect.router.project, gke.colours[idle].backendService);
    if (!health.ok) return health;
    if (health.total === 0 || health.healthy < health.total) return { ok: 'pending', revision: idle, status: `load balancer health: ${health.healthy}/${health.total} endpoints of ${idle} healthy` };
    // Ready at 0%: the cohort reaches it now, before any user does.
    if (gke.cohort && applied.cohortService !== gke.colours[idle].backendService) {
      const cohort = await this.routing.setWeights(route, applied.weights, gke.colours[idle].backendService);
      if (!cohort.ok) return cohort;
    }
    // Checks reach the candidate through the load balancer with the cohort header (verification adds it).
    return { ok: true, revision: idle, url: gke.cohort?.url ?? null, stableRevision: live, baselineRevision: null };
  }

  async setTraffic(effect: SetTraffic): Promise<TrafficOutcome> {
    const gke = gkeOf(effect.router);
    if (!gke) return { ok: false, permanent: true, error: `service ${effect.service} names kind gke-lb but no cluster, colours or URL map` };
    const candidate = effect.candidateRevision;
    const stable = effect.stableRevision ?? (isColour(candidate) ? other(candidate) : null);
    if (!isColour(candidate) || !isColour(stable) || candidate === stable) return { ok: false, permanent: true, error: `on GKE a release moves traffic between the colours; got candidate ${String(candidate)} and stable ${String(stable)}` };
    const percent = effect.candidatePercent;
    const weights: Weight[] = [
      { backendService: gke.colours[stable].backendService, weight: 100 - percent },
      { backendService: gke.colours[candidate].backendService, weight: percent },
    ];
    const cohort = gke.cohort && percent > 0 && percent < 100 ? gke.colours[candidate].backendService : null;
    const out = await this.routing.setWeights(routeOf(effect.router.project, gke), weights, cohort);
    if (!out.ok) return out;
    const total = out.weights.reduce((n, w) => n + w.weight, 0);
    const served = out.weights.filter((w) => w.backendService === gke.colours[candidate].backendService).reduce((n, w) => n + w.weight, 0);
    return { ok: true, observedPercent: total === 0 ? 0 : Math.round((served / total) * 100) };
  }
}

export function routeOf(project: string, gke: Gke): UrlMapRoute {
  return { project, urlMap: gke.urlMap.name, pathMatcher: gke.urlMap.pathMatcher, priority: gke.urlMap.priority, ...(gke.cohort ? { cohort: gke.cohort } : {}) };
}

/** The colour the URL map sends the most traffic to; blue when it sends none to either. */
export function liveColour(weights: readonly Weight[], gke: Gke): Colour {
  const share = (c: Colour) => weights.filter((w) => w.backendService === gke.colours[c].backendService).reduce((n, w) => n + w.weight, 0);
  return COLOURS.reduce((best, c) => (share(c) > share(best) ? c : best), 'blue' as Colour);
}
