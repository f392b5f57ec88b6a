/**
 * Runs tasks one at a time per key (here: per service) within this process. Events of one service
 * touch the same documents; run concurrently they only make Firestore abort and retry each other,
 * and the client's retry backoff starts at one second. Queued locally, a redelivered duplicate
 * finds its dedup record at once. Other processes can still contend; the transaction keeps that
 * correct, this only keeps it rare.
 *
 * A task holds its key for at most `maxHoldMs`: after that the next task starts anyway. A
 * transaction stuck on an unreachable store must not hold an incident (a rollback) for the same
 * service behind it; running the two concurrently is still correct, only slower.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly maxHoldMs = Number.POSITIVE_INFINITY) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const released = this.bounded(result.catch(() => undefined));
    this.tails.set(key, released);
    void released.then(() => {
      if (this.tails.get(key) === released) this.tails.delete(key);
    });
    return result;
  }

  /** Settles when the task settles or when it has held its key for maxHoldMs, whichever is first. */
  private bounded(settled: Promise<unknown>): Promise<unknown> {
    if (!Number.isFinite(this.maxHoldMs)) return settled;
    let timer: NodeJS.Timeout | undefined;
    const held = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.maxHoldMs);
      timer.unref();
    });
    return Promise.race([settled, held]).finally(() => clearTimeout(timer));
  }
}
