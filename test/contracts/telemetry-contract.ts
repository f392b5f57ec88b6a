import { describe, expect, it } from 'vitest';
import { summarize, type RequestSample } from '../../shared/domain/index.js';
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
  });
}
