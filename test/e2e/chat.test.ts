import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { publishDevRelease } from '../../local/dev-messages.js';
import { SAMPLE_SERVICE, startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators } from '../harness/emulator-context.js';
import { waitForPhase } from '../support/function-servers.js';

const FAST = { bakeTime: '1s', healthInterval: '500ms', slo: { maxErrorRate: 0.5, minRequests: 1, window: '5s' }, progressDeadline: '30s', watchWindow: '10s' } as const;

/**
 * Chat on the local stack: the production path (cutover-events → push → notifyChat → Secret
 * Manager → webhook). A chat that is down holds no release back, and once it is back every
 * message Pub/Sub kept redelivering arrives, once.
 */
describe.skipIf(!emulators.available)('local stack: chat notifications', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, tickIntervalMs: 5_000, service: FAST });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('a release completes while the chat is down; the chat gets its messages, once each, when it is back', async () => {
    stack.chat.outage = { status: 503 };
    let running = true;
    const traffic = (async () => {
      while (running) {
        await fetch(stack.urls.sample).then((r) => r.arrayBuffer()).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      const id = releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, 'green'));
      const done = await waitForPhase(stack.store, id, ['complete', 'rolled_back', 'failed'], 60_000);
      expect(done.state.phase).toBe('complete');
      // notifyChat was trying all along, and nothing got through: the release did not wait for it.
      await expect.poll(() => stack.chat.attempts, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(stack.chat.received).toHaveLength(0);

      stack.chat.outage = null;
      const released = () => stack.chat.received.filter((m) => m.text.includes(`released: \`${id}\``));
      // Pub/Sub redelivers with backoff (1–10 s on the local stack's subscription).
      await expect.poll(() => released().length, { timeout: 40_000, interval: 250 }).toBe(1);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(released()).toHaveLength(1);
      expect(released()[0]?.kind).toBe('google-chat');
      expect(released()[0]?.text).toContain(`<${stack.urls.functions.statusPage ?? ''}?release=${id}|Open the release>`);
    } finally {
      running = false;
      await traffic;
      stack.chat.outage = null;
    }
  }, 120_000);
});
