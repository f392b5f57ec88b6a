import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDevRelease } from '../../local/dev-messages.js';
import { SAMPLE_SERVICE, startLocalStack, type LocalStack } from '../../local/stack.js';
import { Reason, releaseIdForBuild } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { TOPICS } from '../../shared/topology.js';
import { emulators } from '../harness/emulator-context.js';
import { waitForPhase } from '../support/function-servers.js';

/**
 * Provenance on the local stack, through Pub/Sub push, the functions and the local Cloud Build API
 * (official client): the attack of issue 8 — a message on cloud-builds naming an attacker's image —
 * and a build of a branch the service does not trust are both refused with their reason, and a
 * trusted build of main still releases, pinned by digest.
 */
describe.skipIf(!emulators.available)('local stack: only trusted builds release, only the right people steer', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, tickIntervalMs: 5_000, service: { bakeTime: '1s', healthInterval: '500ms', slo: { maxErrorRate: 0.5, minRequests: 1, window: '5s' } } });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  async function rejectedWith(reason: string, about: string, timeoutMs = 20_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const found = (await stack.store.listRejected(50)).find((r) => r.reason === reason && r.message.includes(about));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no rejection ${reason} about ${about}`);
  }

  it('a forged SUCCESS naming an attacker image is refused (the API knows no such build); nothing is deployed', async () => {
    const forged = {
      id: 'f0f0f0f0-0000-4000-8000-000000000001',
      projectId: 'cutover-local',
      status: 'SUCCESS',
      buildTriggerId: 'local-sample-main',
      substitutions: { _CUTOVER_SERVICE: SAMPLE_SERVICE, _CUTOVER_IMAGE: 'docker.io/attacker/miner:latest', TRIGGER_NAME: 'sample-main', BRANCH_NAME: 'main' },
      results: { images: [{ name: 'docker.io/attacker/miner:latest', digest: `sha256:${'e'.repeat(64)}` }] },
    };
    await stack.pubsub.topic(TOPICS.cloudBuilds).publishMessage({ json: forged, attributes: { buildId: forged.id, status: 'SUCCESS' } });
    const rejected = await rejectedWith(Reason.BuildNotFound, forged.id);
    expect(rejected.source).toBe('onCloudBuild');
    expect(await stack.store.getRelease(releaseIdForBuild(SAMPLE_SERVICE, forged.id))).toBeNull();
  });

  it('a build of a branch the service does not trust is refused at each status; then a build of main releases pinned by digest', async () => {
    const untrusted = await publishDevRelease(stack.builds, SAMPLE_SERVICE, 'unreviewed', { branch: 'feature/unreviewed' });
    await rejectedWith(Reason.UntrustedRef, untrusted);
    expect(await stack.store.getRelease(releaseIdForBuild(SAMPLE_SERVICE, untrusted))).toBeNull();

    const trusted = releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, 'green'));
    // Deployed and verified: the candidate runs the image the build pushed (no traffic here, so it holds at its first step).
    const reached = await waitForPhase(stack.store, trusted, ['shifting', 'complete', 'rolled_back', 'failed'], 45_000);
    expect(reached.state.phase).toBe('shifting');
    expect(reached.build.image).toMatch(/^local\/sample@sha256:[0-9a-f]{64}$/);

    // Steering, with tokens from the local issuer verified by onCommand's own code: a viewer is
    // refused and nothing is recorded; the on-call operator (through the group) aborts, and the
    // router is back on stable when the answer arrives — the effects run in the control plane.
    const url = stack.urls.functions.onCommand ?? '';
    const send = (email: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.issuer.sign({ email, audience: url })}` }, body: JSON.stringify({ command: 'abort', release: trusted, reason: 'e2e' }) });
    const viewer = await send('viewer@cutover.local');
    // No role on the service: the answer a release that does not exist gets.
    expect(viewer.status).toBe(404);
    // Nothing recorded for the refused viewer (health readings may still add entries meanwhile).
    const afterViewer = await stack.store.history(trusted, 200);
    expect(afterViewer.filter((h) => h.actor === 'viewer@cutover.local' || h.reason === Reason.Aborted)).toEqual([]);
    expect((await stack.store.getRelease(trusted))?.state.phase).toBe('shifting');
    const operator = await send('operator@cutover.local');
    expect(operator.status).toBe(200);
    const router = stack.fleet.services.get(SAMPLE_SERVICE)?.router;
    expect(router?.candidatePercent ?? 0).toBe(0);
    const after = await stack.store.getRelease(trusted);
    expect(after?.state.phase).toBe('rolled_back');
    expect((await stack.store.history(trusted, 200)).find((h) => h.reason === Reason.Aborted)?.actor).toBe('operator@cutover.local');
  });
});
