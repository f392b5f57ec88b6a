import type { IncomingMessage } from 'node:http';
import { backendServiceName } from '../shared/domain/index.js';
import { launchSample, parseLocalImage, type Launched } from './launcher.js';
import { LocalRouter, type AccessLogLine, type Backend } from './router/proxy.js';

/**
 * A local global external Application Load Balancer in front of a GKE blue/green pair: it follows
 * the URL map the local Compute API holds (as the real proxies follow the map once a change's
 * operation is done) — the weighted rule's backend services and shares, and the header rule that
 * sends a cohort to one backend first — and each backend service is the process of its colour's
 * Deployment, restarted with the new image when the local Kubernetes API rolls it out.
 */
type Json = Record<string, unknown>;
interface RouteRule {
  priority?: number;
  service?: string | null;
  matchRules?: { headerMatches?: { headerName?: string; exactMatch?: string; regexMatch?: string }[] }[];
  routeAction?: { weightedBackendServices?: { backendService?: string; weight?: number }[] };
}

export interface LocalLoadBalancerOptions {
  urlMap: string;
  pathMatcher: string;
  /** Each colour: its Deployment and backend service (full resource name). */
  colours: Record<'blue' | 'green', { deployment: string; backendService: string }>;
  accessLog?: (line: AccessLogLine) => void;
}

export class LocalLoadBalancer {
  readonly router: LocalRouter;
  private readonly processes = new Map<string, Launched>();
  private readonly retired = new Set<Launched>();
  /** Backend services whose new pods are starting: the health check does not pass them yet. */
  private readonly starting = new Set<string>();
  private map: Json | null = null;
  /** The cohort rule's match rules (alternatives), each a header that must equal a value or match a pattern whole. */
  private cohortMatches: { name: string; test: (value: string) => boolean }[] = [];
  url = '';

  constructor(private readonly options: LocalLoadBalancerOptions) {
    this.router = new LocalRouter({ accessLog: options.accessLog, cohortMatch: (req) => this.matchesCohort(req) });
  }

  async listen(): Promise<string> {
    this.url = await this.router.listen(0);
    return this.url;
  }

  /** A colour's Deployment rolled out: its backend service now answers with a fresh process of the image. */
  async rolledOut(deployment: string, image: string): Promise<void> {
    const colour = (['blue', 'green'] as const).find((c) => this.options.colours[c].deployment === deployment);
    const parsed = parseLocalImage(image);
    if (!colour || !parsed) return;
    const backend = backendServiceName(this.options.colours[colour].backendService);
    this.starting.add(backend);
    const launched = await launchSample(backend, parsed).finally(() => this.starting.delete(backend));
    const previous = this.processes.get(backend);
    this.processes.set(backend, launched);
    this.follow();
    if (previous) {
      // The old pods finish their requests before they go.
      this.retired.add(previous);
      setTimeout(() => void previous.stop().finally(() => this.retired.delete(previous)), 2_000).unref();
    }
  }

  /** What the health check sees of a backend service's endpoints: unhealthy while its process (re)starts. */
  endpointHealth(backendService: string): ('HEALTHY' | 'UNHEALTHY')[] {
    const name = backendServiceName(backendService);
    return [this.starting.has(name) || !this.processes.has(name) ? 'UNHEALTHY' : 'HEALTHY'];
  }

  /** The map changed (its operation is done): route as it says from the next request. */
  apply(map: Json): void {
    if (map.name !== this.options.urlMap) return;
    this.map = map;
    this.follow();
  }

  private follow(): void {
    const matcher = (this.map?.pathMatchers as { name?: string; routeRules?: RouteRule[] }[] | undefined)?.find((m) => m.name === this.options.pathMatcher);
    const rules = [...(matcher?.routeRules ?? [])].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    const weighted = rules.find((r) => r.routeAction?.weightedBackendServices?.length)?.routeAction?.weightedBackendServices ?? [];
    const shares = weighted.map((w) => ({ backend: this.backend(w.backendService ?? ''), weight: w.weight ?? 0 })).sort((a, b) => b.weight - a.weight);
    const total = shares.reduce((n, s) => n + s.weight, 0);
    const [stable, candidate] = shares;
    if (stable?.backend) {
      const percent = candidate?.backend && total > 0 ? Math.round((candidate.weight / total) * 100) : 0;
      this.router.route(stable.backend, candidate?.backend && percent > 0 ? candidate.backend : null, percent);
    }
    const cohortRule = rules.find((r) => r.service && r.matchRules?.some((m) => m.headerMatches?.length));
    this.cohortMatches = (cohortRule?.matchRules ?? []).flatMap((m) => m.headerMatches ?? []).flatMap((h) => {
      if (!h.headerName) return [];
      const name = h.headerName.toLowerCase();
      if (h.exactMatch !== undefined) return [{ name, test: (v: string) => v === h.exactMatch }];
      // The URL map's regexMatch is RE2 matched against the whole value; the patterns Cutover writes are in the common subset.
      const pattern = h.regexMatch ? new RegExp(`^(?:${h.regexMatch})$`) : null;
      return pattern ? [{ name, test: (v: string) => pattern.test(v) }] : [];
    });
    this.router.cohort = cohortRule?.service ? this.backend(cohortRule.service) : null;
  }

  private backend(backendService: string): Backend | null {
    const name = backendServiceName(backendService);
    const process = this.processes.get(name);
    return process ? { revision: name, url: process.url } : null;
  }

  private matchesCohort(req: IncomingMessage): boolean {
    return this.cohortMatches.some((m) => {
      const value = req.headers[m.name];
      return typeof value === 'string' && m.test(value);
    });
  }

  async close(): Promise<void> {
    await this.router.close();
    await Promise.all([...this.processes.values(), ...this.retired].map((p) => p.stop()));
    this.processes.clear();
  }
}
