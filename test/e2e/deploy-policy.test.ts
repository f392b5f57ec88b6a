import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDevRelease } from '../../local/dev-messages.js';
import { SAMPLE_SERVICE, sampleServiceConfig, startLocalStack, type LocalStack } from '../../local/stack.js';
import { releaseIdForBuild, type Release } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { browser as chromiumPath, emulators } from '../harness/emulator-context.js';
import { waitForPhase } from '../support/function-servers.js';

/**
 * Deploy policies on the local stack (`npm start`): a release built during a freeze is held
 * pending, an approver's override lets it go, and a release held by a freeze that ends starts by
 * itself when it does (the timer fires at the freeze's end). The page, in Chromium, says so.
 */
const FAST = { bakeTime: '1s', healthInterval: '500ms', slo: { maxErrorRate: 0.5, minRequests: 1, window: '5s' }, progressDeadline: '5m', watchWindow: '5s', analysis: { confirmation: { required: false } } } as const;
const utcLocal = (ms: number) => new Date(ms).toISOString().slice(0, 19);

describe.skipIf(!emulators.available)('deploy policies on the local stack', () => {
  let stack: LocalStack;
  let load: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, tickIntervalMs: 5_000, service: FAST });
    // A little steady traffic: health is judged on requests, and a step advances only on a verdict.
    load = setInterval(() => void fetch(stack.urls.sample).then((r) => r.arrayBuffer()).catch(() => undefined), 20);
  }, 120_000);
  afterAll(async () => {
    clearInterval(load);
    await stack?.close();
  });

  const freeze = async (untilMs: number) => {
    const policies = [{ name: 'freeze', timeZone: 'UTC', windows: { oneTime: [{ start: utcLocal(Date.now() - 60_000), end: utcLocal(untilMs) }] }, overrideRole: 'approver' as const }];
    await stack.store.applyServiceConfig(sampleServiceConfig({ ...FAST, policies }), Date.now());
  };
  const release = async (version: string) => releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, version));
  const heldRelease = async (id: string): Promise<Release> => {
    for (let i = 0; i < 150; i += 1) {
      const r = await stack.store.getRelease(id);
      if (r?.hold) return r;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`${id} was never held: ${JSON.stringify((await stack.store.getRelease(id))?.lastDecision)}`);
  };
  const command = async (email: string, body: object) => {
    const res = await fetch(`${stack.urls.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cutover-local': stack.env.CUTOVER_LOCAL_SECRET ?? '' }, body: JSON.stringify({ email, audience: stack.env.CUTOVER_COMMAND_URL }) });
    const { id_token: token } = (await res.json()) as { id_token: string };
    const answer = await fetch(stack.env.CUTOVER_COMMAND_URL ?? '', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: answer.status, json: (await answer.json()) as Record<string, unknown> };
  };

  it('held during the freeze; an operator may not override, an approver may, and the release goes on', async () => {
    await freeze(Date.now() + 10 * 60_000);
    const id = await release('frozen');
    const held = await heldRelease(id);
    expect(held).toMatchObject({ state: { phase: 'pending' }, hold: { policy: 'freeze', action: 'start' } });
    if (chromiumPath.path) {
      const browser = await chromium.launch({ executablePath: chromiumPath.path, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'] });
      try {
        const page = await browser.newPage();
        await page.goto(stack.urls.functions.statusPage ?? '');
        await expect.poll(() => page.locator('.freeze').first().textContent()).toContain('Deploy policy freeze (service) in force');
        await page.goto(`${stack.urls.functions.statusPage ?? ''}?release=${encodeURIComponent(id)}`);
        expect(await page.locator('table').first().textContent()).toContain('held by service policy freeze');
      } finally {
        await browser.close();
      }
    }
    expect((await command('operator@cutover.local', { command: 'override', release: id, policy: 'freeze', reason: 'on-call says go' })).status).toBe(403);
    const res = await command('lead@cutover.local', { command: 'override', release: id, policy: 'freeze', reason: 'fix for the outage' });
    expect(res.status).toBe(200);
    await waitForPhase(stack.store, id, ['complete'], 60_000);
  }, 120_000);

  it('held during a freeze that ends: starts by itself at its end, and completes', async () => {
    const end = Date.now() + 8_000;
    await freeze(end);
    const id = await release('after-freeze');
    await heldRelease(id);
    const done = await waitForPhase(stack.store, id, ['complete'], 60_000);
    const history = await stack.store.history(id, 50);
    const lifted = history.find((h) => h.reason === 'PolicyLifted');
    expect(lifted?.at).toBeGreaterThanOrEqual(Math.floor(end / 1000) * 1000);
    expect(done.state.phase).toBe('complete');
  }, 120_000);
});
