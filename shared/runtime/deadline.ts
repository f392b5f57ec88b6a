import { StoreUnavailableError } from '../ports/index.js';

/**
 * Rejects with StoreUnavailableError when `op` has not settled within `ms`, so the caller can
 * answer 503 in time (Pub/Sub redelivers; the event's dedup record makes a late commit harmless).
 * The operation itself is not cancelled: it may still finish, and its result is then ignored.
 */
export async function withDeadline<T>(op: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`no answer within ${ms} ms while ${what}`)), ms);
  });
  try {
    return await Promise.race([op, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
