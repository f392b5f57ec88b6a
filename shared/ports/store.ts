import type { Decision, ReleaseEvent, World } from '../domain/index.js';
import type { DeliveryDay } from '../domain/delivery.js';
import type { HistoryEntry, Release, ServiceState } from '../domain/model.js';
import type { ServiceConfigInput } from '../domain/service-config.js';

/**
 * The store port: Cutover's state and its exactly-once bookkeeping. `handle` is the heart: one
 * event, one transaction that reads the dedup record and the world, asks `decide`, and commits
 * the decision together with the event id. A redelivered event id returns `duplicate`.
 */
export type HandleResult =
  | { kind: 'duplicate' }
  | { kind: 'unknownService'; service: string }
  | { kind: 'decided'; decision: Decision };

export interface RejectedEvent {
  source: string;
  reason: string;
  message: string;
  receivedAt: number;
  /** The body as received, truncated to a bounded size. */
  body: string;
  bodyBytes: number;
  /** The Pub/Sub attributes as JSON text, bounded: their keys may be anything, which a Firestore map refuses. */
  attributes: string;
}

export interface ChatDeliveryOutcome {
  status: 'delivered' | 'refused';
  at: number;
  why?: string;
}

/** The event transaction (exactly once) and the configs it decides against. */
export interface ReleaseEvents {
  handle(event: ReleaseEvent, decideFor: (world: World) => Decision): Promise<HandleResult>;
  /**
   * Writes a service's config and, in the same transaction, its claim on its traffic target (one
   * target, one service): a target another service claims throws TargetClaimedError and nothing
   * is written; a target the service leaves is released.
   */
  applyServiceConfig(source: ServiceConfigInput & { name: string }, now: number): Promise<ServiceState>;
}

/** What people and the tick read: services, releases, history, what is due. */
export interface ReleaseReads {
  getService(name: string): Promise<ServiceState | null>;
  listServices(): Promise<ServiceState[]>;
  findServicesByAlertPolicy(policyName: string): Promise<string[]>;
  /** The stages of a pipeline right after `service`: the services whose `promotion.from` names it. */
  findServicesPromotingFrom(service: string): Promise<string[]>;
  getRelease(id: string): Promise<Release | null>;
  listReleases(service: string, limit: number): Promise<Release[]>;
  history(releaseId: string, limit: number): Promise<HistoryEntry[]>;
  /** Releases whose nextCheckAt is at or before `now`, oldest first. */
  dueReleases(now: number, limit: number): Promise<Release[]>;
}

/** The kept delivery figures (the four keys), written by `handle` in the event's own transaction. */
export interface DeliveryFigures {
  /** The kept figures of one service for the UTC days from `fromDay` to `toDay` inclusive (YYYY-MM-DD). */
  deliveryDays(service: string, fromDay: string, toDay: string): Promise<DeliveryDay[]>;
  /**
   * Writes the kept figures of one page of a service's releases from the releases themselves
   * (newest first, after `cursor`): for releases that ended before the figures were kept. Each
   * release is read and its facts merged in one transaction, so it never races the release's own
   * decisions; merging is keyed by release id, so rebuilding twice changes nothing.
   */
  rebuildDelivery(service: string, cursor: string | null, limit: number): Promise<{ releases: number; next: string | null }>;
}

/** Which chat posts ended (one key per message and channel): a redelivered event is not posted twice. */
export interface ChatLedger {
  /** Of these deliveries, the ones that already ended: delivered, or refused for good. */
  chatDeliveriesDone(keys: readonly string[]): Promise<Set<string>>;
  recordChatDelivery(key: string, outcome: ChatDeliveryOutcome): Promise<void>;
}

/** Input refused at the edge, kept with its reason for people to read. */
export interface RejectedInput {
  recordRejected(event: RejectedEvent): Promise<string>;
  listRejected(limit: number): Promise<(RejectedEvent & { id: string })[]>;
}

/**
 * The whole store, as one adapter (Firestore, the fake) provides it. Each part has its own
 * contract (test/contracts/store-contract.ts); code that needs one concern asks for that part.
 */
export interface ReleaseStore extends ReleaseEvents, ReleaseReads, DeliveryFigures, ChatLedger, RejectedInput {}

/** The target a config names is another service's (claimed in the store): nothing was written. */
export class TargetClaimedError extends Error {
  constructor(
    readonly target: string,
    readonly claimedBy: string,
  ) {
    super(`target ${target} is already routed by service ${claimedBy}: one target, one service`);
    this.name = 'TargetClaimedError';
  }
}

/** Thrown by store adapters when the backing store cannot be reached; entry points answer "retry". */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
