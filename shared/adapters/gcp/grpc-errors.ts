/**
 * gRPC status handling shared by the Google adapters: which errors a retry can fix, which end in
 * a clear reason, and a small retry loop with exponential backoff.
 */
export const Code = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(Code).map(([k, v]) => [v, k]));
const TRANSIENT = new Set<number>([Code.DEADLINE_EXCEEDED, Code.RESOURCE_EXHAUSTED, Code.INTERNAL, Code.UNAVAILABLE]);
/** Concurrent modification: re-read and try again. */
const CONFLICT = new Set<number>([Code.ABORTED, Code.FAILED_PRECONDITION]);

export const codeOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};
export const isTransient = (error: unknown) => TRANSIENT.has(codeOf(error) ?? Code.UNAVAILABLE);
export const isConflict = (error: unknown) => CONFLICT.has(codeOf(error) ?? -1);
export const describeError = (error: unknown): string => {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.startsWith(`${code} `) ? `${NAMES[code] ?? code}: ${message}` : message;
};

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

/** Runs op, retrying transient errors and conflicts with backoff; other errors are thrown at once. */
export async function withRetries<T>(op: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await op();
    } catch (error) {
      if (attempt >= policy.attempts || !(isTransient(error) || isConflict(error))) throw error;
      await new Promise((r) => setTimeout(r, policy.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}
