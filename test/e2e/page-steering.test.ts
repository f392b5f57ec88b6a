import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDevRelease } from '../../local/dev-messages.js';
import { LocalIssuer } from '../../local/issuer.js';
import { SAMPLE_SERVICE, startLocalStack, type LocalStack } from '../../local/stack.js';
import { Reason, releaseIdForBuild } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { browser as chromiumPath, emulators } from '../harness/emulator-context.js';
import { waitForPhase } from '../support/function-servers.js';

/**
 * The status page steers, in Debian's Chromium driven by playwright-core, on the local stack:
 * people sign in with the local issuer; a viewer sees no buttons; the on-call operator aborts a
 * shifting release with a reason and a confirmation, and the router is back on stable; a POST
 * to onCommand without a valid token is refused. Screenshots land in .cutover/screenshots/.
 */
describe.skipIf(!emulators.available || !chromiumPath.path)('status page: steering in a real browser', () => {
  let stack: LocalStack;
  let browser: Browser;
  let release = '';
  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, tickIntervalMs: 5_000, service: { bakeTime: '1s', healthInterval: '500ms', progressDeadline: '5m', slo: { maxErrorRate: 0.5, minRequests: 1, window: '5s' } } });
    browser = await chromium.launch({
      executablePath: chromiumPath.path ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    release = releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, 'green'));
    await waitForPhase(stack.store, release, ['shifting'], 45_000);
    mkdirSync('.cutover/screenshots', { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const releasePage = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${stack.urls.functions.statusPage}?release=${encodeURIComponent(release)}`);
    return page;
  };
  const signIn = async (page: Page, email: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-who]').filter({ hasText: `Signed in as ${email}` }).waitFor();
  };

  it('a viewer signs in and sees no buttons; the page names them read-only', async () => {
    const page = await releasePage();
    try {
      expect(await page.locator('[data-buttons] button').count()).toBe(0);
      await signIn(page, 'viewer@cutover.local');
      await expect.poll(() => page.locator('[data-who]').textContent()).toContain('read-only');
      expect(await page.locator('[data-buttons] button').count()).toBe(0);
      await page.screenshot({ path: '.cutover/screenshots/steering-viewer.png', fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('the on-call operator aborts the shifting release from the page: confirmed, recorded under their name, router back on stable', async () => {
    const page = await releasePage();
    try {
      await signIn(page, 'operator@cutover.local');
      const buttons = await page.locator('[data-buttons] button').allTextContents();
      expect(buttons.sort()).toEqual(['abort', 'pause']);
      await page.getByRole('button', { name: 'abort' }).click();
      await page.getByLabel('Reason').fill('page test: bad candidate');
      await page.screenshot({ path: '.cutover/screenshots/steering-confirm.png', fullPage: true });
      await page.getByRole('button', { name: 'Confirm abort' }).click();
      await page.locator('[data-status]').filter({ hasText: 'abort applied by operator@cutover.local' }).waitFor();
      expect(stack.fleet.services.get(SAMPLE_SERVICE)?.router.candidatePercent ?? 0).toBe(0);
      const after = await stack.store.getRelease(release);
      expect(after?.state.phase).toBe('rolled_back');
      const entry = (await stack.store.history(release, 200)).find((h) => h.reason === Reason.Aborted);
      expect(entry).toMatchObject({ actor: 'operator@cutover.local', message: expect.stringContaining('page test: bad candidate') });
      await page.waitForLoadState();
    } finally {
      await page.close();
    }
  });

  it('the release view draws its timeline from the history: a marker per decision, the traffic steps, a text alternative', async () => {
    const page = await releasePage();
    try {
      const history = await stack.store.history(release, 200);
      const chart = page.locator('figure.timeline svg[role="img"]');
      await chart.waitFor();
      expect(await chart.locator('[data-series="decision"]').count()).toBe(history.length);
      expect(await chart.locator('[data-series="traffic"]').count()).toBe(1);
      const reasons = await chart.locator('[data-series="decision"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-reason')));
      expect(reasons).toEqual([...history].sort((a, b) => a.seq - b.seq).map((h) => h.reason));
      // Shuffled order: before or after the abort test, the first step was 10%.
      expect(await page.locator('#tl-desc').textContent()).toMatch(/^Candidate traffic 10%/);
      await page.screenshot({ path: '.cutover/screenshots/release-timeline.png', fullPage: true });
      const overview = await browser.newPage();
      await overview.goto(stack.urls.functions.statusPage ?? '');
      await overview.screenshot({ path: '.cutover/screenshots/overview.png', fullPage: true });
      await overview.close();
    } finally {
      await page.close();
    }
  });

  it('a forged POST to onCommand from the page, with no token or a token from another key, is refused', async () => {
    const page = await releasePage();
    const commandUrl = stack.urls.functions.onCommand ?? '';
    const stranger = new LocalIssuer();
    await stranger.start();
    try {
      const forged = stranger.sign({ email: 'dev@cutover.local', audience: commandUrl, issuer: stack.urls.issuer });
      const statuses = await page.evaluate(
        async ({ url, release, forged }) => {
          const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ command: 'rollback', release }) }).then((r) => r.status);
          return [await post({}), await post({ authorization: `Bearer ${forged}` })];
        },
        { url: commandUrl, release, forged },
      );
      expect(statuses).toEqual([401, 401]);
    } finally {
      await stranger.stop();
      await page.close();
    }
  });
});
