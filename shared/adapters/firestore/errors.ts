import { StoreUnavailableError } from '../../ports/index.js';

/** gRPC codes after which a retry can succeed: the entry point answers 503 so Pub/Sub redelivers. */
const TRANSIENT_CODES = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */]);
/** Codes that say the request itself is wrong: retrying cannot help, so they stay errors (500). */
const PERMANENT_CODES = new Set([3 /* INVALID_ARGUMENT */, 5 /* NOT_FOUND */, 6 /* ALREADY_EXISTS */, 7 /* PERMISSION_DENIED */, 9 /* FAILED_PRECONDITION */, 11 /* OUT_OF_RANGE */, 12 /* UNIMPLEMENTED */, 16 /* UNAUTHENTICATED */]);

/**
 * What the store's caller sees of a Firestore failure. Transient codes, and errors with no code at
 * all (the client's own "retries exhausted" and "total timeout exceeded" are plain Errors), mean the
 * store is away: StoreUnavailableError, answered 503. A permanent code is a bug or a refusal: it stays.
 */
export function asStoreError(error: unknown, what: string): Error {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number' && PERMANENT_CODES.has(code)) return error instanceof Error ? error : new Error(message);
  if ((typeof code === 'number' && TRANSIENT_CODES.has(code)) || (code === undefined && !isProgrammingError(error))) {
    return new StoreUnavailableError(`Firestore unavailable while ${what}: ${message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}

/** Our own bugs (a bad document, a type error) must not be retried as if the store were away. */
function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || (error as { name?: string } | null)?.name === 'ZodError';
}

