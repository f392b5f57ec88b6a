import { createHash } from 'node:crypto';
import { FieldPath, Firestore, Timestamp, type Transaction } from '@google-cloud/firestore';
import {
  SCHEMA_VERSION,
  applyConfig,
  deliveryDaySchema,
  deliveryDocId,
  deliveryPatches,
  historyEntrySchema,
  parseServiceConfig,
  serviceConfigSchema,
  targetOf,
  releasePointers,
  serviceStateSchema,
  DELIVERY_DAY_VERSION,
  type Decision,
  type DeliveryDay,
  type HistoryEntry,
  type Release,
  type ReleaseEvent,
  type ServiceConfigInput,
  type ServiceState,
  type World,
} from '../../domain/index.js';
import { TargetClaimedError, type ChatDeliveryOutcome, type HandleResult, type RejectedEvent, type ReleaseStore } from '../../ports/index.js';
import { fromDoc, toDoc } from './codec.js';
import { withDeadline } from '../../runtime/deadline.js';
import { asStoreError } from './errors.js';
import { KeyedQueue } from './keyed-queue.js';
import { readRelease, readService, readWorld } from './world-reader.js';
import { COLLECTIONS, createFirestore, type FirestoreStoreOptions } from './firestore-client.js';

export { COLLECTIONS, createFirestore, type FirestoreStoreOptions } from './firestore-client.js';

const DAY = 86_400_000;
const MAX_REJECTED_BODY = 64 * 1024;
/** Firestore's own retry of contended transactions; 50 concurrent events on one release need headroom. */
const MAX_TRANSACTION_ATTEMPTS = 50;

/** Event ids may hold "/" and be long; the document id is their hash, the id itself a field. */
export const eventDocId = (eventId: string): string => createHash('sha256').update(eventId).digest('hex');
export const historyDocId = (seq: number): string => String(seq).padStart(8, '0');
/** A target (`kind:project/region/name`) holds "/" and ":": its claim's document id is its hash. */
export const targetDocId = (target: string): string => createHash('sha256').update(target).digest('hex');
function targetOfStored(config: unknown): string | null {
  const parsed = serviceConfigSchema.safeParse(config);
  return parsed.success ? targetOf(parsed.data) : null;
}

/** The Firestore store adapter: one transaction per event, dedup record included. */
export class FirestoreStore implements ReleaseStore {
  readonly db: Firestore;
  private readonly dedupRetentionMs: number;
  private readonly perService: KeyedQueue;
  private readonly timeoutMs: number;
  /** Per service, the release ids it pointed at after its last event in this process. */
  private readonly pointerHints = new Map<string, string[]>();

  constructor(options: FirestoreStoreOptions, db?: Firestore) {
    this.db = db ?? createFirestore(options);
    this.dedupRetentionMs = options.dedupRetentionMs ?? 7 * DAY;
    this.timeoutMs = options.operationTimeoutMs ?? 8_000;
    this.perService = new KeyedQueue(this.timeoutMs);
  }

  private services = () => this.db.collection(COLLECTIONS.services);
  private releases = () => this.db.collection(COLLECTIONS.releases);

  async handle(event: ReleaseEvent, decideFor: (world: World) => Decision): Promise<HandleResult> {
    const eventRef = this.db.collection(COLLECTIONS.processedEvents).doc(eventDocId(event.id));
    const serviceRef = this.services().doc(event.service);
    try {
      return await withDeadline(this.perService.run(event.service, () => this.db.runTransaction(
        async (tx): Promise<HandleResult> => {
          const world = await readWorld(tx, event, { eventRef, serviceRef, releases: this.releases(), hinted: this.pointerHints.get(event.service) ?? [] });
          if ('kind' in world) return world;
          const decision = decideFor(world);
          this.pointerHints.set(event.service, releasePointers(decision.service ?? world.service));
          this.write(tx, event, decision, world.releases);
          return { kind: 'decided', decision };
        },
        { maxAttempts: MAX_TRANSACTION_ATTEMPTS },
      )), this.timeoutMs, `handling event ${event.id}`);
    } catch (error) {
      throw asStoreError(error, `handling event ${event.id}`);
    }
  }

  private write(tx: Transaction, event: ReleaseEvent, decision: Decision, before: readonly Release[]): void {
    const now = event.at;
    if (decision.service) {
      const { config: _config, ...state } = decision.service;
      tx.set(this.services().doc(decision.service.name), toDoc(state) as Record<string, unknown>, { merge: true });
    }
    for (const release of decision.releases) {
      tx.set(this.releases().doc(release.id), toDoc(release) as Record<string, unknown>);
      // The kept four keys change in the same transaction as the release that ended: exactly once.
      this.mergeDelivery(tx, before.find((r) => r.id === release.id), release);
    }
    for (const entry of decision.history) {
      tx.create(this.releases().doc(entry.releaseId).collection(COLLECTIONS.history).doc(historyDocId(entry.seq)), toDoc(entry) as Record<string, unknown>);
    }
    const eventRef = this.db.collection(COLLECTIONS.processedEvents).doc(eventDocId(event.id));
    tx.set(eventRef, {
      schemaVersion: SCHEMA_VERSION,
      eventId: event.id,
      kind: event.body.kind,
      service: event.service,
      outcome: decision.outcome,
      handledAt: Timestamp.fromMillis(now),
      expireAt: Timestamp.fromMillis(now + this.dedupRetentionMs),
    });
  }

  /** The kept four keys, merged by release id (docs/state.md `delivery`): what `before` → `after` changes. */
  private mergeDelivery(tx: Transaction, before: Release | undefined, after: Release): void {
    for (const patch of deliveryPatches(before, after)) {
      tx.set(this.db.collection(COLLECTIONS.delivery).doc(deliveryDocId(patch.service, patch.day)), { schemaVersion: DELIVERY_DAY_VERSION, ...patch }, { merge: true });
    }
  }

  async applyServiceConfig(source: ServiceConfigInput & { name: string }, now: number): Promise<ServiceState> {
    const config = parseServiceConfig(source);
    const ref = this.services().doc(config.name);
    try {
      return await withDeadline(this.db.runTransaction(async (tx) => {
        const target = targetOf(config);
        const claimRef = this.db.collection(COLLECTIONS.targets).doc(targetDocId(target));
        const [snap, claim] = await Promise.all([tx.get(ref), tx.get(claimRef)]);
        const claimant = claim.exists ? String(claim.get('service')) : null;
        if (claimant !== null && claimant !== config.name) throw new TargetClaimedError(target, claimant);
        const previous = snap.exists ? serviceStateSchema.parse(fromDoc(snap.data())) : null;
        // A target the service leaves is free for another (a stored config that no longer parses names none).
        const left = previous ? targetOfStored(previous.config) : null;
        if (left !== null && left !== target) tx.delete(this.db.collection(COLLECTIONS.targets).doc(targetDocId(left)));
        tx.set(claimRef, { schemaVersion: SCHEMA_VERSION, target, service: config.name, claimedAt: Timestamp.fromMillis(now) });
        const next = applyConfig(previous, config, now);
        // Stored with the config as the user wrote it ("5m"), so people read it back the same way.
        tx.set(ref, toDoc({ ...next, config: source }) as Record<string, unknown>);
        return next;
      }), this.timeoutMs, `applying service ${config.name}`);
    } catch (error) {
      if (error instanceof TargetClaimedError) throw error;
      throw asStoreError(error, `applying service ${config.name}`);
    }
  }

  async getService(name: string): Promise<ServiceState | null> {
    const snap = await this.read(() => this.services().doc(name).get(), `reading service ${name}`);
    return snap.exists ? readService(snap) : null;
  }

  async listServices(): Promise<ServiceState[]> {
    const snap = await this.read(() => this.services().orderBy('name').get(), 'listing services');
    return snap.docs.map(readService);
  }

  async findServicesByAlertPolicy(policyName: string): Promise<string[]> {
    const snap = await this.read(() => this.services().where('alertPolicies', 'array-contains', policyName).get(), 'matching alert policy');
    return snap.docs.map((d) => d.id);
  }

  async findServicesPromotingFrom(service: string): Promise<string[]> {
    const snap = await this.read(() => this.services().where('promotesFrom', '==', service).get(), `finding the stages after ${service}`);
    return snap.docs.map((d) => d.id);
  }

  async getRelease(id: string): Promise<Release | null> {
    const snap = await this.read(() => this.releases().doc(id).get(), `reading release ${id}`);
    return snap.exists ? readRelease(snap) : null;
  }

  async listReleases(service: string, limit: number): Promise<Release[]> {
    const snap = await this.read(
      () => this.releases().where('service', '==', service).orderBy('createdAt', 'desc').limit(limit).get(),
      `listing releases of ${service}`,
    );
    return snap.docs.map(readRelease);
  }

  async history(releaseId: string, limit: number): Promise<HistoryEntry[]> {
    const snap = await this.read(
      () => this.releases().doc(releaseId).collection(COLLECTIONS.history).orderBy('seq', 'desc').limit(limit).get(),
      `reading history of ${releaseId}`,
    );
    return snap.docs.map((d) => historyEntrySchema.parse(fromDoc(d.data()))).reverse();
  }

  async dueReleases(now: number, limit: number): Promise<Release[]> {
    const snap = await this.read(
      () => this.releases().where('nextCheckAt', '<=', Timestamp.fromMillis(now)).orderBy('nextCheckAt').limit(limit).get(),
      'querying due releases',
    );
    return snap.docs.map(readRelease);
  }

  async deliveryDays(service: string, fromDay: string, toDay: string): Promise<DeliveryDay[]> {
    // Document ids sort by service then day: one range read, no index.
    const col = this.db.collection(COLLECTIONS.delivery);
    const snap = await this.read(
      () => col.orderBy(FieldPath.documentId()).startAt(deliveryDocId(service, fromDay)).endAt(deliveryDocId(service, toDay)).get(),
      `reading the delivery figures of ${service}`,
    );
    return snap.docs.map((d) => deliveryDaySchema.parse(d.data())).filter((d) => d.service === service);
  }

  async rebuildDelivery(service: string, cursor: string | null, limit: number): Promise<{ releases: number; next: string | null }> {
    const what = `rebuilding the delivery figures of ${service}`;
    // Newest first, the order of the (service, createdAt desc) index; the cursor is a release id.
    let query = this.releases().where('service', '==', service).orderBy('createdAt', 'desc').orderBy(FieldPath.documentId(), 'desc').limit(limit);
    if (cursor !== null) {
      const at = await this.read(() => this.releases().doc(cursor).get(), what);
      if (!at.exists) throw new Error(`rebuild cursor ${cursor}: no such release`);
      query = query.startAfter(at);
    }
    const page = await this.read(() => query.select().get(), what);
    for (const doc of page.docs) {
      await this.read(() => this.db.runTransaction(async (tx) => {
        const snap = await tx.get(doc.ref);
        if (!snap.exists) return;
        this.mergeDelivery(tx, undefined, readRelease(snap));
      }), what);
    }
    return { releases: page.size, next: page.size === limit ? (page.docs.at(-1)?.id ?? null) : null };
  }

  async chatDeliveriesDone(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const col = this.db.collection(COLLECTIONS.chatDeliveries);
    const snaps = await this.read(() => this.db.getAll(...keys.map((k) => col.doc(eventDocId(k)))), 'reading chat deliveries');
    return new Set(keys.filter((_, i) => snaps[i]?.exists));
  }

  async recordChatDelivery(key: string, outcome: ChatDeliveryOutcome): Promise<void> {
    const ref = this.db.collection(COLLECTIONS.chatDeliveries).doc(eventDocId(key));
    await this.read(
      () => ref.set({ schemaVersion: SCHEMA_VERSION, key, ...outcome, expireAt: Timestamp.fromMillis(outcome.at + this.dedupRetentionMs) }),
      'recording a chat delivery',
    );
  }

  async recordRejected(event: RejectedEvent): Promise<string> {
    const body = event.body.length > MAX_REJECTED_BODY ? `${event.body.slice(0, MAX_REJECTED_BODY)}…[truncated]` : event.body;
    const ref = this.db.collection(COLLECTIONS.rejectedEvents).doc();
    await this.read(
      () => ref.set(toDoc({ schemaVersion: SCHEMA_VERSION, ...event, body, expireAt: event.receivedAt + 30 * DAY }) as Record<string, unknown>),
      'recording a rejected event',
    );
    return ref.id;
  }

  async listRejected(limit: number): Promise<(RejectedEvent & { id: string })[]> {
    const snap = await this.read(() => this.db.collection(COLLECTIONS.rejectedEvents).orderBy('receivedAt', 'desc').limit(limit).get(), 'listing rejected events');
    return snap.docs.map((d) => ({ ...(fromDoc(d.data()) as RejectedEvent), id: d.id }));
  }

  private async read<T>(op: () => Promise<T>, what: string): Promise<T> {
    try {
      return await withDeadline(op(), this.timeoutMs, what);
    } catch (error) {
      throw asStoreError(error, what);
    }
  }

  close(): Promise<void> {
    return this.db.terminate();
  }
}
