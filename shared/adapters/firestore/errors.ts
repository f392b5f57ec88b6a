import { StoreUnavailableError } from '../../ports/index.js';

/** gRPC codes after which a retry can succeed: the entry point answers 5xx so Pub/Sub redelivers. */
const TRANSIENT_CODES = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */]);

export function asStoreError(error: unknown, what: string): Error {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && TRANSIENT_CODES.has(code)) {
    return new StoreUnavailableError(`Firestore unavailable while ${what}: ${(error as Error).message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
