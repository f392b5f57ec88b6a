import { describe, expect, it } from 'vitest';
import { asStoreError } from '../../shared/adapters/firestore/errors.js';
import { KeyedQueue } from '../../shared/adapters/firestore/keyed-queue.js';
import { StoreUnavailableError } from '../../shared/ports/index.js';
import { withDeadline } from '../../shared/runtime/deadline.js';

describe('what a Firestore failure becomes (503 when retrying can help, 500 when it cannot)', () => {
  it.each([
    ['UNAVAILABLE', Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 })],
    ['DEADLINE_EXCEEDED', Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 })],
    ['ABORTED', Object.assign(new Error('10 ABORTED: contention'), { code: 10 })],
    ['the client\'s plain Error when its retries run out', new Error('Total timeout of API google.firestore.v1.Firestore exceeded 60000 milliseconds before any response was received.')],
  ])('%s is the store being away', (_name, error) => {
    expect(asStoreError(error, 'reading')).toBeInstanceOf(StoreUnavailableError);
  });

  it.each([
    ['INVALID_ARGUMENT (a document too large)', Object.assign(new Error('3 INVALID_ARGUMENT: invalid nested entity'), { code: 3 })],
    ['PERMISSION_DENIED', Object.assign(new Error('7 PERMISSION_DENIED'), { code: 7 })],
    ['a TypeError (our bug)', new TypeError('x is undefined')],
    ['a ZodError (a stored document that does not parse)', Object.assign(new Error('invalid'), { name: 'ZodError' })],
  ])('%s is not retried as an outage', (_name, error) => {
    expect(asStoreError(error, 'reading')).not.toBeInstanceOf(StoreUnavailableError);
  });

  it('a deadline turns a hang into StoreUnavailableError, and a result in time passes through', async () => {
    await expect(withDeadline(new Promise(() => undefined), 20, 'hanging')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(withDeadline(Promise.resolve(7), 1_000, 'quick')).resolves.toBe(7);
  });

  it('a task holds its key no longer than maxHoldMs: the next one starts while it hangs', async () => {
    const queue = new KeyedQueue(30);
    const order: string[] = [];
    void queue.run('svc', () => new Promise(() => order.push('stuck started')));
    await queue.run('svc', () => Promise.resolve(order.push('rollback ran')));
    expect(order).toEqual(['stuck started', 'rollback ran']);
    // Without a bound, the same queue would wait for ever; with Infinity it keeps strict order.
    const strict = new KeyedQueue();
    const seen: number[] = [];
    await Promise.all([strict.run('k', async () => { await new Promise((r) => setTimeout(r, 10)); seen.push(1); }), strict.run('k', () => Promise.resolve(seen.push(2)))]);
    expect(seen).toEqual([1, 2]);
  });
});
