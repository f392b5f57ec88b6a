import fc from 'fast-check';
import { CHECKOUT_POLICY } from '../support/fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { buildResource, incidentNotification, pushBody } from '../support/messages.js';
import { serveFunctions } from '../support/function-servers.js';
import { fakeSystem } from '../support/system.js';

/**
 * A fuzz of every Pub/Sub entry point over generated envelopes, attributes, bodies and content
 * types: never a 500, and never a 2xx without a record (a rejected event stored with its reason,
 * or an event handled — its dedup record written) unless the answer says it was ignored.
 */
let sys = fakeSystem();
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger }));
let served: Awaited<ReturnType<typeof serveFunctions>>;
beforeAll(async () => {
  served = await serveFunctions(['onCloudBuild', 'onAlert', 'onTick', 'onTimer']);
  sys = fakeSystem();
  await sys.apply({ rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY] } });
});
afterAll(async () => {
  await served.close();
});

const hostileString = fc.oneof(fc.string(), fc.constantFrom('', '__x__', 'a/b', '.', '..', 'checkout', 'Checkout', 'x'.repeat(2_000)));
const attributes = fc.dictionary(hostileString, fc.string(), { maxKeys: 4 });
const data = fc.oneof(
  fc.json(),
  hostileString,
  fc.record({ id: hostileString, status: fc.constantFrom('QUEUED', 'SUCCESS', 'FAILURE', 'bogus'), service: hostileString }).map((b) => buildResource({ ...b, service: b.service })),
  fc.record({ id: hostileString, state: fc.constantFrom('open', 'CLOSED', 'weird'), policy: hostileString, label: hostileString }).map((i) => incidentNotification({ id: i.id, state: i.state, policy: i.policy, labels: { 'cutover-service': i.label } })),
);
const envelope = fc.record({ messageId: fc.oneof(fc.string({ minLength: 1 }), fc.constant('x'.repeat(300))), data, attributes }).map((p) => JSON.stringify(pushBody(p)));
const body = fc.oneof(envelope, fc.json(), fc.string());
const contentType = fc.constantFrom('application/json', 'application/cloudevents+json', 'text/plain', 'application/octet-stream', undefined);

describe('every entry point under generated input', () => {
  it('never answers 500, and never 2xx without a stored record unless it says it ignored the input', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('onCloudBuild', 'onAlert', 'onTick', 'onTimer'), body, contentType, async (fn, text, type) => {
        n += 1;
        const rejectedBefore = sys.store.rejected.length;
        const seenBefore = sys.store.seenEvents.size;
        const response = await fetch(served.url(fn), { method: 'POST', headers: type ? { 'content-type': type } : {}, body: text });
        const json = (await response.json()) as { status: string; rejectedId?: string; detail?: unknown };
        expect(response.status, `${fn} ${type ?? '(none)'} ${text.slice(0, 200)}`).not.toBe(500);
        expect(response.status).toBe(200);
        if (json.status === 'rejected') {
          expect(sys.store.rejected.length).toBe(rejectedBefore + 1);
          expect(sys.store.rejected.at(-1)?.id).toBe(json.rejectedId);
        } else if (json.status === 'handled') {
          // Handled: a decision (its dedup record now exists), a duplicate of one, or a tick that found nothing due.
          const duplicate = JSON.stringify(json.detail).includes('"duplicate"');
          if (fn !== 'onTick' && !duplicate) expect(sys.store.seenEvents.size).toBeGreaterThan(seenBefore);
        } else {
          expect(json.status).toBe('ignored');
        }
      }),
      { numRuns: 300 },
    );
    expect(n).toBe(300);
  });
});
