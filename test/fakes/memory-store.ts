import {
  applyConfig,
  deliveryDocId,
  deliveryPatches,
  mergeDelivery,
  type DeliveryDay,
  parseServiceConfig,
  targetOf,
  releasesToLoad,
  upstreamToLoad,
  type Decision,
  type HistoryEntry,
  type Release,
  type ReleaseEvent,
  type ServiceConfigInput,
  type ServiceState,
  type World,
} from '../../shared/domain/index.js';
import { StoreUnavailableError, TargetClaimedError, type ChatDeliveryOutcome, type HandleResult, type RejectedEvent, type ReleaseStore } from '../../shared/ports/index.js';

/**
 * FakeStore: an in-memory ReleaseStore for unit and property tests. Transactions are
 * serialised, so it shows what the Firestore adapter must guarantee. `failNext(n)` makes the
 * next n calls throw StoreUnavailableError.
 */
export class FakeStore implements ReleaseStore {
  readonly services = new Map<string, ServiceState>();
  /** Target → the service that routes it (as the `targets` collection). */
  readonly claims = new Map<string, string>();
  readonly releases = new Map<string, Release>();
  readonly historyByRelease = new Map<string, HistoryEntry[]>();
  readonly seenEvents = new Set<string>();
  readonly delivery = new Map<string, DeliveryDay>();
  readonly chatDeliveries = new Map<string, ChatDeliveryOutcome>();
  readonly rejected: (RejectedEvent & { id: string })[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private failures = 0;

  failNext(count: number): void {
    this.failures = count;
  }

  private check(): void {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new StoreUnavailableError('fake store unavailable');
    }
  }

  handle(event: ReleaseEvent, decideFor: (world: World) => Decision): Promise<HandleResult> {
    const run = this.queue.then(() => this.handleNow(event, decideFor));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private handleNow(event: ReleaseEvent, decideFor: (world: World) => Decision): HandleResult {
    this.check();
    if (this.seenEvents.has(event.id)) return { kind: 'duplicate' };
    const service = this.services.get(event.service);
    if (!service) return { kind: 'unknownService', service: event.service };
    const releases = releasesToLoad(service, event)
      .map((id) => this.releases.get(id))
      .filter((r): r is Release => r !== undefined);
    const upstream = upstreamToLoad(event, releases)
      .map((id) => this.releases.get(id))
      .filter((r): r is Release => r !== undefined);
    const decision = decideFor(structuredClone({ service, releases, upstream }));
    if (decision.service) this.services.set(event.service, structuredClone(decision.service));
    for (const release of decision.releases) {
      this.keepDelivery(releases.find((r) => r.id === release.id), release);
      this.releases.set(release.id, structuredClone(release));
    }
    for (const entry of decision.history) {
      const list = this.historyByRelease.get(entry.releaseId) ?? [];
      if (list.some((e) => e.seq === entry.seq)) throw new Error(`history seq ${entry.seq} written twice for ${entry.releaseId}`);
      list.push(structuredClone(entry));
      this.historyByRelease.set(entry.releaseId, list);
    }
    this.seenEvents.add(event.id);
    return { kind: 'decided', decision };
  }

  applyServiceConfig(source: ServiceConfigInput & { name: string }, now: number): Promise<ServiceState> {
    this.check();
    const config = parseServiceConfig(source);
    const target = targetOf(config);
    const claimant = this.claims.get(target);
    if (claimant !== undefined && claimant !== config.name) return Promise.reject(new TargetClaimedError(target, claimant));
    const previous = this.services.get(config.name) ?? null;
    if (previous && targetOf(previous.config) !== target) this.claims.delete(targetOf(previous.config));
    this.claims.set(target, config.name);
    const next = applyConfig(previous, config, now);
    this.services.set(config.name, next);
    return Promise.resolve(structuredClone(next));
  }

  getService(name: string): Promise<ServiceState | null> {
    this.check();
    return Promise.resolve(structuredClone(this.services.get(name) ?? null));
  }

  listServices(): Promise<ServiceState[]> {
    this.check();
    return Promise.resolve([...this.services.values()].map((s) => structuredClone(s)));
  }

  findServicesByAlertPolicy(policyName: string): Promise<string[]> {
    this.check();
    return Promise.resolve([...this.services.values()].filter((s) => s.alertPolicies.includes(policyName)).map((s) => s.name));
  }

  findServicesPromotingFrom(service: string): Promise<string[]> {
    this.check();
    return Promise.resolve([...this.services.values()].filter((s) => s.promotesFrom === service).map((s) => s.name));
  }

  getRelease(id: string): Promise<Release | null> {
    this.check();
    return Promise.resolve(structuredClone(this.releases.get(id) ?? null));
  }

  listReleases(service: string, limit: number): Promise<Release[]> {
    this.check();
    const list = [...this.releases.values()].filter((r) => r.service === service).sort((a, b) => b.createdAt - a.createdAt);
    return Promise.resolve(structuredClone(list.slice(0, limit)));
  }

  history(releaseId: string, limit: number): Promise<HistoryEntry[]> {
    this.check();
    return Promise.resolve(structuredClone((this.historyByRelease.get(releaseId) ?? []).slice(-limit)));
  }

  dueReleases(now: number, limit: number): Promise<Release[]> {
    this.check();
    const due = [...this.releases.values()].filter((r) => r.nextCheckAt !== null && r.nextCheckAt <= now);
    due.sort((a, b) => (a.nextCheckAt ?? 0) - (b.nextCheckAt ?? 0));
    return Promise.resolve(structuredClone(due.slice(0, limit)));
  }

  deliveryDays(service: string, fromDay: string, toDay: string): Promise<DeliveryDay[]> {
    this.check();
    const days = [...this.delivery.values()].filter((d) => d.service === service && d.day >= fromDay && d.day <= toDay);
    return Promise.resolve(structuredClone(days.sort((a, b) => a.day.localeCompare(b.day))));
  }

  /** The kept four keys, merged by release id as Firestore's merge does. */
  private keepDelivery(before: Release | undefined, after: Release): void {
    for (const patch of deliveryPatches(before, after)) {
      const key = deliveryDocId(patch.service, patch.day);
      this.delivery.set(key, mergeDelivery(this.delivery.get(key) ?? null, structuredClone(patch)));
    }
  }

  rebuildDelivery(service: string, cursor: string | null, limit: number): Promise<{ releases: number; next: string | null }> {
    this.check();
    const all = [...this.releases.values()].filter((r) => r.service === service).sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
    const start = cursor === null ? 0 : all.findIndex((r) => r.id === cursor) + 1;
    const page = all.slice(start, start + limit);
    for (const release of page) this.keepDelivery(undefined, release);
    return Promise.resolve({ releases: page.length, next: page.length === limit && start + limit < all.length ? (page.at(-1)?.id ?? null) : null });
  }

  chatDeliveriesDone(keys: readonly string[]): Promise<Set<string>> {
    this.check();
    return Promise.resolve(new Set(keys.filter((k) => this.chatDeliveries.has(k))));
  }

  recordChatDelivery(key: string, outcome: ChatDeliveryOutcome): Promise<void> {
    this.check();
    this.chatDeliveries.set(key, { ...outcome });
    return Promise.resolve();
  }

  recordRejected(event: RejectedEvent): Promise<string> {
    this.check();
    const id = `rej-${this.rejected.length + 1}`;
    this.rejected.push({ ...event, id });
    return Promise.resolve(id);
  }

  listRejected(limit: number): Promise<(RejectedEvent & { id: string })[]> {
    this.check();
    return Promise.resolve(this.rejected.slice(-limit));
  }
}
