import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseIdForBuild, type Phase } from '../../shared/domain/index.js';
import { publishDevAlert, publishDevRelease } from '../../local/dev-messages.js';
import { LOCAL_PROJECT, SAMPLE_SERVICE, startLocalStack, type LocalStack } from '../../local/stack.js';
import { localPolicyName } from '../../local/metric-apis.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators } from '../harness/emulator-context.js';
import { waitForPhase } from '../support/function-servers.js';
import { incidentNotification, pushRequest } from '../support/messages.js';

/**
 * The README's own commands on a fresh stack: the first release completes, then an alert. Its own
 * stack, so nothing completed before it (the bug hid behind an earlier test's release).
 */
const FAST = { bakeTime: '1s', healthInterval: '500ms', slo: { maxErrorRate: 0.5, minRequests: 1, window: '5s' }, progressDeadline: '30s', watchWindow: '5m' } as const;

describe.skipIf(!emulators.available)('local stack: the first release and a repeated incident', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, tickIntervalMs: 5_000, service: FAST });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const waitFor = (id: string, phases: Phase[], timeoutMs?: number) => waitForPhase(stack.store, id, phases, timeoutMs);
  const router = () => stack.fleet.services.get(SAMPLE_SERVICE)?.router;
  const release = async (version: string) => releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, version));

  /** A trickle of real requests through the router, so health has something to measure. */
  function trickle(): () => Promise<void> {
    let running = true;
    const loop = (async () => {
      while (running) {
        await fetch(stack.urls.sample).then((r) => r.arrayBuffer()).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  }

  it('rolls the first release back to what served before it, and an incident repeated under a new message id changes nothing', async () => {
    const stop = trickle();
    try {
      const before = router()?.stable?.revision;
      expect(before).toBe(`${SAMPLE_SERVICE}-blue`);
      expect((await stack.store.getService(SAMPLE_SERVICE))?.stableRevision).toBeNull();
      const first = await release('green');
      const completed = await waitFor(first, ['complete', 'rolled_back', 'failed']);
      expect(completed).toMatchObject({ state: { phase: 'complete' }, stableRevision: before });
      const incident = await publishDevAlert(stack.pubsub, SAMPLE_SERVICE);
      await waitFor(first, ['rolled_back']);
      expect(router()?.stable?.revision).toBe(before);
      expect(router()?.candidate).toBeNull();
      expect((await stack.store.getService(SAMPLE_SERVICE))?.stableRevision).toBe(before);

      // A second release completes; the first incident arrives again (a new Pub/Sub message).
      const second = await release('violet');
      await waitFor(second, ['complete']);
      // Delivered straight to onAlert so the answer is known: handled (a duplicate), no rollback.
      const repeat = incidentNotification({ id: incident, policy: `${SAMPLE_SERVICE} 5xx ratio`, policyId: localPolicyName(LOCAL_PROJECT, SAMPLE_SERVICE), serviceName: SAMPLE_SERVICE });
      const { headers, body } = pushRequest({ messageId: `repeat-${incident}`, data: repeat });
      const answer = await fetch(stack.urls.functions.onAlert ?? '', { method: 'POST', headers, body });
      expect(answer.status).toBe(200);
      expect(JSON.stringify(await answer.json())).toContain('duplicate');
      expect((await stack.store.getRelease(second))?.state.phase).toBe('complete');
      expect(router()?.stable?.revision).toBe((await stack.store.getRelease(second))?.candidate.revision);
    } finally {
      await stop();
    }
  });
});
