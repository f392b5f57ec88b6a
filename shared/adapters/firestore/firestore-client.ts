import { Firestore } from '@google-cloud/firestore';

/**
 * How Cutover reaches Firestore: the options, the client (with its reconnect backoff capped) and
 * the collections it keeps (docs/state.md). The store adapters build on these.
 */
export interface FirestoreStoreOptions {
  projectId: string;
  databaseId: string;
  /** host:port of the Firestore emulator; unset in production. */
  emulatorHost?: string | undefined;
  /** How long processed-event records are kept for deduplication (TTL field expireAt). */
  dedupRetentionMs?: number;
  /**
   * The longest any one store operation may take, queue wait included, before it fails with
   * StoreUnavailableError (answered 503, well inside Pub/Sub's ack deadline). Default 8 s.
   */
  operationTimeoutMs?: number;
}

export const COLLECTIONS = {
  services: 'services',
  releases: 'releases',
  history: 'history',
  processedEvents: 'processedEvents',
  rejectedEvents: 'rejectedEvents',
  delivery: 'delivery',
  chatDeliveries: 'chatDeliveries',
  /** One document per traffic target, naming the service that routes it (id: sha256 of the target). */
  targets: 'targets',
} as const;

export function createFirestore(options: FirestoreStoreOptions): Firestore {
  const settings = {
    projectId: options.projectId,
    databaseId: options.databaseId,
    ignoreUndefinedProperties: true,
    // gRPC's reconnect backoff grows to 120 s by default: after an outage, handling would resume
    // minutes late. Capped, the channel tries again every few seconds.
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 2_000,
  };
  return options.emulatorHost ? new Firestore({ ...settings, host: options.emulatorHost, ssl: false }) : new Firestore(settings);
}
