import type { GlobalOperationsClient, UrlMapsClient, protos } from '@google-cloud/compute';
import type { Failure } from '../../ports/index.js';
import { describeError } from './grpc-errors.js';

type UrlMap = protos.google.cloud.compute.v1.IUrlMap;
type RouteRule = protos.google.cloud.compute.v1.IHttpRouteRule;

/** Where Cutover's traffic rule lives: one route rule (by priority) of one path matcher of one global URL map. */
export interface UrlMapRoute {
  project: string;
  urlMap: string;
  pathMatcher: string;
  /** The priority of the rule whose weights Cutover sets; the platform's Terraform creates it. */
  priority: number;
  /** The rule that sends a cohort (a header value) to the candidate whatever the weights: its priority must be lower (it matches first). */
  cohort?: { priority: number; header: string; value: string; cookie?: string };
}

export interface Weight {
  backendService: string;
  weight: number;
}

export type RoutingOutcome = { ok: true; weights: Weight[]; cohortService: string | null } | Failure;

export interface UrlMapRoutingOptions {
  /** Fingerprint conflicts (someone else changed the map) retried this many times, reading it again each time. */
  attempts?: number;
  timeoutMs?: number;
}

const STALE = new Set([412, 9]);

/**
 * Weighted traffic on a global external Application Load Balancer through the official Compute
 * client: read the URL map, change only Cutover's route rule (its weightedBackendServices) and
 * its cohort rule, patch with the fingerprint read, wait for the global operation, read back what
 * is applied. A stale fingerprint (someone changed the map meanwhile) is read again and retried;
 * nobody else's rule is ever written from a stale copy. A map without Cutover's rule is a
 * permanent failure: the rule is the platform's to create.
 */
export class UrlMapRouting {
  private readonly attempts: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly maps: UrlMapsClient,
    private readonly operations: GlobalOperationsClient,
    options: UrlMapRoutingOptions = {},
  ) {
    this.attempts = options.attempts ?? 3;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async read(route: UrlMapRoute): Promise<RoutingOutcome> {
    try {
      const [map] = await this.maps.get({ project: route.project, urlMap: route.urlMap }, { timeout: this.timeoutMs });
      return appliedIn(map, route);
    } catch (error) {
      return { ok: false, permanent: false, error: `Compute UrlMaps.get ${route.urlMap}: ${describeError(error)}` };
    }
  }

  async setWeights(route: UrlMapRoute, weights: Weight[], cohortService: string | null): Promise<RoutingOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      let map: UrlMap;
      try {
        [map] = await this.maps.get({ project: route.project, urlMap: route.urlMap }, { timeout: this.timeoutMs });
      } catch (error) {
        return { ok: false, permanent: false, error: `Compute UrlMaps.get ${route.urlMap}: ${describeError(error)}` };
      }
      const pathMatchers = withRoute(map, route, weights, cohortService);
      if (typeof pathMatchers === 'string') return { ok: false, permanent: true, error: pathMatchers };
      try {
        const [operation] = await this.maps.patch({ project: route.project, urlMap: route.urlMap, urlMapResource: { pathMatchers, fingerprint: map.fingerprint ?? null } }, { timeout: this.timeoutMs });
        const name = (operation as unknown as { latestResponse?: { name?: string } }).latestResponse?.name ?? (operation as { name?: string }).name;
        if (name) await this.operations.wait({ project: route.project, operation: name }, { timeout: this.timeoutMs });
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code !== undefined && STALE.has(code) && attempt < this.attempts) continue;
        return { ok: false, permanent: false, error: `Compute UrlMaps.patch ${route.urlMap}${code !== undefined && STALE.has(code) ? ' (the map kept changing under us)' : ''}: ${describeError(error)}` };
      }
      return this.read(route);
    }
  }
}

/** The path matchers with Cutover's rule (and cohort rule) set; a string says why that cannot be done. */
function withRoute(map: UrlMap, route: UrlMapRoute, weights: Weight[], cohortService: string | null): protos.google.cloud.compute.v1.IPathMatcher[] | string {
  const matchers = structuredClone(map.pathMatchers ?? []);
  const matcher = matchers.find((m) => m.name === route.pathMatcher);
  if (!matcher) return `URL map ${route.urlMap} has no path matcher ${route.pathMatcher}`;
  const rules = matcher.routeRules ?? [];
  const rule = rules.find((r) => r.priority === route.priority);
  if (!rule) return `URL map ${route.urlMap} has no route rule at priority ${route.priority} in ${route.pathMatcher}: the platform's Terraform creates it`;
  rule.routeAction = { ...rule.routeAction, weightedBackendServices: weights.filter((w) => w.weight > 0).map((w) => ({ backendService: w.backendService, weight: w.weight })) };
  if (route.cohort) {
    const others = rules.filter((r) => r.priority !== route.cohort?.priority);
    const { header, value, cookie } = route.cohort;
    // Match rules are alternatives: the header, or (for browsers) the cookie with the same value.
    const byCookie = cookie ? [{ prefixMatch: '/', headerMatches: [{ headerName: 'cookie', regexMatch: cohortCookiePattern(cookie, value) }] }] : [];
    const cohortRule: RouteRule = { priority: route.cohort.priority, description: 'cutover: cohort to the candidate', matchRules: [{ prefixMatch: '/', headerMatches: [{ headerName: header, exactMatch: value }] }, ...byCookie], service: cohortService };
    matcher.routeRules = cohortService ? [...others, cohortRule].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0)) : others;
  }
  return matchers;
}

/** What the map applies now for Cutover's rule. */
function appliedIn(map: UrlMap, route: UrlMapRoute): RoutingOutcome {
  const matcher = (map.pathMatchers ?? []).find((m) => m.name === route.pathMatcher);
  const rule = matcher?.routeRules?.find((r) => r.priority === route.priority);
  if (!rule) return { ok: false, permanent: true, error: `URL map ${route.urlMap} has no route rule at priority ${route.priority} in ${route.pathMatcher}` };
  const weights = (rule.routeAction?.weightedBackendServices ?? []).map((w) => ({ backendService: w.backendService ?? '', weight: Number(w.weight ?? 0) }));
  const cohort = route.cohort ? matcher?.routeRules?.find((r) => r.priority === route.cohort?.priority)?.service ?? null : null;
  return { ok: true, weights, cohortService: cohort };
}

/** An RE2 pattern for the Cookie header that holds `name=value` as one of its cookies. */
export function cohortCookiePattern(name: string, value: string): string {
  const literal = (text: string) => text.replace(/[.-]/g, (c) => `\\${c}`);
  return `(^|.*;\\s*)${literal(name)}=${literal(value)}(;.*|$)`;
}
