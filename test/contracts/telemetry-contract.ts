import { describe, expect, it } from 'vitest';
import { MAX_BUCKET_IDS, summarize, type RequestSample } from '../../shared/domain/index.js';
import type { TelemetryStore } from '../../shared/ports/index.js';

const T = Date.UTC(2026, 10, 27, 12, 0, 0);
const s = (id: string, ms: number, status = 200, revision = 'checkout-r2'): RequestSample => ({ id, service: 'checkout', revision, at: T + ms, status, latencyMs: 20 });

/** The contract every TelemetryStore passes (in memory; Firestore on the emulator). */
export function telemetryContract(name: string, setup: () => Promise<{ store: TelemetryStore; teardown: () => Promise<void> }>): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    it('counts per revision and second, each entry once across redeliveries and concurrent adds', async () => {
      const { store, teardown } = await setup();
      try {
        await store.add([s('a', 100), s('b', 900, 500), s('c', 1_100), s('x', 200, 500, 'checkout-r1')]);
        await Promise.all([store.add([s('a', 100), s('d', 300)]), store.add([s('b', 900, 500), s('e', 400, 503)])]);
        const window = await store.read('checkout', 'checkout-r2', T, T + 2_000);
        expect(summarize(window, T, T + 2_000)).toMatchObject({ requests: 5, errors: 2 });
        expect(summarize(await store.read('checkout', 'checkout-r2', T + 1_000, T + 2_000), T + 1_000, T + 2_000)).toMatchObject({ requests: 1, errors: 0 });
        expect(summarize(await store.read('checkout', 'checkout-r1', T, T + 2_000), T, T + 2_000)).toMatchObject({ requests: 1, errors: 1 });
        expect(await store.read('checkout', 'checkout-r2', T + 10_000, T + 20_000)).toEqual([]);
      } finally {
        await teardown();
      }
    });

    it('survives a flood of distinct ids in one revision-second, and other revisions keep flowing', async () => {
      const { store, teardown } = await setup();
      try {
        const flood = Array.from({ length: 30_000 }, (_, i) => s(`forged-${i}-${'x'.repeat(100)}`, 500, 200, 'checkout-flooded'));
        await store.add([...flood, s('ok-1', 600, 500, 'checkout-r3')]);
        await store.add([s('ok-2', 700, 200, 'checkout-r3'), s('forged-0-' + 'x'.repeat(100), 500, 200, 'checkout-flooded')]);
        const [bucket] = await store.read('checkout', 'checkout-flooded', T, T + 1_000);
        expect(bucket?.requests).toBe(30_000);
        expect(bucket?.ids.length).toBeLessThanOrEqual(MAX_BUCKET_IDS);
        expect(JSON.stringify(bucket).length).toBeLessThan(1_000_000);
        expect(summarize(await store.read('checkout', 'checkout-r3', T, T + 1_000), T, T + 1_000)).toMatchObject({ requests: 2, errors: 1 });
      } finally {
        await teardown();
      }
    });
  });
}
