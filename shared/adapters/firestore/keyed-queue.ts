/**
 * Runs tasks one at a time per key (here: per service) within this process. Events of one service
 * touch the same documents; run concurrently they only make Firestore abort and retry each other,
 * and the client's retry backoff starts at one second. Queued locally, a redelivered duplicate
 * finds its dedup record at once. Other processes can still contend; the transaction keeps that
 * correct, this only keeps it rare.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
