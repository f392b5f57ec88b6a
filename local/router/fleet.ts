import { launchSample, parseLocalImage, type Launched } from '../launcher.js';
import { LocalRouter, type RouterOptions } from './proxy.js';

/**
 * The local stand-in for Cloud Run: per service, a LocalRouter and the revisions (processes) it
 * routes to. Deploy is idempotent by revision name; revisions no longer stable, candidate or the
 * previous stable are stopped, like Cloud Run keeping only what is tagged.
 */
export interface ServiceRoute {
  router: LocalRouter;
  url: string;
  revisions: Map<string, Launched>;
  /** The image each revision runs: what a baseline twin of the stable is started from. */
  images: Map<string, string>;
  previousStable: string | null;
}

export class FleetError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** How long a revision taken out of the split keeps running for its requests in flight. */
const DRAIN_MS = 2_000;

export class LocalFleet {
  readonly services = new Map<string, ServiceRoute>();
  /** Revisions out of the split, still finishing their requests; close() stops them too. */
  private readonly draining = new Set<Launched>();

  constructor(private readonly routerOptions: (service: string) => RouterOptions = () => ({})) {}

  /** Creates the service's router with its first stable revision serving 100%. */
  async addService(service: string, stableRevision: string, image: string, port = 0): Promise<ServiceRoute> {
    const router = new LocalRouter(this.routerOptions(service));
    const url = await router.listen(port);
    const route: ServiceRoute = { router, url, revisions: new Map(), images: new Map(), previousStable: null };
    this.services.set(service, route);
    const launched = await this.deploy(service, stableRevision, image);
    router.route({ revision: stableRevision, url: launched.url }, null, 0);
    return route;
  }

  /** The router that serves a service's revision: the service's own, or, in several local regions, the region's that runs it. */
  routerOf(service: string, revision: string): LocalRouter | undefined {
    const own = this.services.get(service);
    if (own) return own.router;
    for (const [key, route] of this.services) if (key.startsWith(`${service}@`) && route.revisions.has(revision)) return route.router;
    return undefined;
  }

  private route(service: string): ServiceRoute {
    const route = this.services.get(service);
    if (!route) throw new FleetError(`service ${service} is not served by the local router`, true);
    return route;
  }

  async deploy(service: string, revision: string, image: string): Promise<Launched> {
    const route = this.route(service);
    const existing = route.revisions.get(revision);
    if (existing) return existing;
    const parsed = parseLocalImage(image);
    if (!parsed) throw new FleetError(`image ${image} is not a local image (local/sample:VERSION?failRate=…&latencyMs=…)`, true);
    const launched = await launchSample(revision, parsed);
    route.revisions.set(revision, launched);
    route.images.set(revision, image);
    return launched;
  }

  /** A baseline twin: a fresh process of what the stable runs, under its own revision name (idempotent). */
  async deployTwin(service: string, revision: string): Promise<Launched | null> {
    const route = this.route(service);
    const stable = route.router.stable?.revision;
    const image = stable ? route.images.get(stable) : undefined;
    if (!image) return null;
    return this.deploy(service, revision, image);
  }

  /** Routes candidatePercent to the candidate (and baselinePercent to its twin); a null stable keeps the current one. Returns the observed percent. */
  async setTraffic(service: string, stableRevision: string | null, candidateRevision: string | null, candidatePercent: number, baselineRevision: string | null = null, baselinePercent = 0): Promise<number> {
    const route = this.route(service);
    const current = route.router.stable;
    const stableName = stableRevision ?? current?.revision;
    const stable = stableName ? route.revisions.get(stableName) : undefined;
    if (!stable) throw new FleetError(`stable revision ${stableName ?? '(none)'} is not deployed`, true);
    const candidate = candidateRevision ? route.revisions.get(candidateRevision) : undefined;
    if (candidateRevision && !candidate) throw new FleetError(`candidate revision ${candidateRevision} is not deployed`, true);
    if (candidate && stable.revision === candidate.revision && candidatePercent === 100) return 100; // promoted already (a retry)
    if (candidate && stable.revision === candidate.revision) {
      // Like Cloud Run: with no other revision named, there is nothing to move the candidate's traffic to.
      throw new FleetError(`no stable revision other than ${candidate.revision} serves ${service}`, true);
    }
    if (candidatePercent === 100 && candidate) {
      // Promotion: the candidate becomes the router's stable; the old stable stays up for instant rollback.
      route.router.route({ revision: candidate.revision, url: candidate.url }, { revision: stable.revision, url: stable.url }, 0);
      route.previousStable = stable.revision;
      // The twin's work is done at completion: its process goes.
      await this.collect(route, [candidate.revision, stable.revision]);
      return 100;
    }
    const twin = baselineRevision ? route.revisions.get(baselineRevision) : undefined;
    if (baselineRevision && baselinePercent > 0 && !twin) throw new FleetError(`baseline revision ${baselineRevision} is not deployed`, true);
    route.router.route({ revision: stable.revision, url: stable.url }, candidate && candidatePercent > 0 ? { revision: candidate.revision, url: candidate.url } : null, candidatePercent, twin ? { revision: twin.revision, url: twin.url } : null, baselinePercent);
    if (!candidate || candidatePercent === 0) {
      // Keep a rolled-back candidate's process only if it may be retried; the next deploy makes a new one anyway. The twin goes.
      await this.collect(route, [stable.revision, candidateRevision ?? '', route.previousStable ?? '']);
    }
    return candidate ? candidatePercent : 0;
  }

  /** What the router observes for this release's pair: the candidate's share. */
  observed(service: string, candidateRevision: string | null): number {
    const router = this.route(service).router;
    if (candidateRevision && router.stable?.revision === candidateRevision) return 100;
    return router.candidate?.revision === candidateRevision ? router.candidatePercent : 0;
  }

  /**
   * Stops the revisions no longer kept. A revision that served until this split (the twin, a
   * rolled-back candidate) still has requests in flight: it is stopped after they drain, as Cloud
   * Run lets a revision finish its requests before scaling it down, not under them.
   */
  private collect(route: ServiceRoute, keep: string[]): Promise<void> {
    for (const [name, launched] of route.revisions) {
      if (!keep.includes(name)) {
        route.revisions.delete(name);
        route.images.delete(name);
        this.draining.add(launched);
        const timer = setTimeout(() => void launched.stop().finally(() => this.draining.delete(launched)), DRAIN_MS);
        timer.unref();
      }
    }
    return Promise.resolve();
  }

  async close(): Promise<void> {
    for (const route of this.services.values()) {
      await route.router.close();
      await Promise.all([...route.revisions.values()].map((r) => r.stop()));
    }
    await Promise.all([...this.draining].map((r) => r.stop()));
    this.draining.clear();
    this.services.clear();
  }
}
