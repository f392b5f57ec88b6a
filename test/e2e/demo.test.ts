import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../local/demo.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators } from '../harness/emulator-context.js';

/** The demo `npm start` runs, end to end: eight releases of three services (Cloud Run, GKE, and Cloud Run in three regions in waves), eight expected outcomes, under load. */
describe.skipIf(!emulators.available)('npm start demo', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    const fast = { bakeTime: '2s', healthInterval: '500ms', slo: { maxErrorRate: 0.05, minRequests: 10, window: '5s' }, watchWindow: '2m' } as const;
    stack = await startLocalStack({ log: silentLogger, service: fast, shop: fast, globe: { ...fast, rollout: { waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1', 'asia-northeast1'] }], soak: '5s' } } });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('completes a good release (still complete when its watch window ends after the load stopped), rolls back a bad one by health, a third by an alert and a fourth, slow one by the rank test', async () => {
    const lines: string[] = [];
    const { outcomes, load } = await runDemo(stack, { out: (t) => lines.push(t), tty: false, requestsPerSecond: 200, stepTimeoutMs: 60_000 });
    const loadStoppedAt = Date.now();
    expect(outcomes.map((o) => [o.phase, o.ok])).toEqual([
      ['complete', true],
      ['rolled_back', true],
      ['rolled_back', true],
      ['rolled_back', true],
      ['complete', true],
      ['rolled_back', true],
      ['complete', true],
      ['rolled_back', true],
    ]);
    // The globe: every region completed in its wave; then an alert during wave 2 took back all three.
    const regions = ['europe-west1', 'us-central1', 'asia-northeast1'];
    const regionPhases = async (id: string) => Promise.all(regions.map(async (r) => (await stack.store.getRelease(`${id}@${r}`))?.state.phase));
    expect(await regionPhases(outcomes[6]?.releaseId ?? '')).toEqual(['complete', 'complete', 'complete']);
    const wave1 = await stack.store.getRelease(`${outcomes[7]?.releaseId}@europe-west1`);
    expect(wave1?.completedAt).not.toBeNull();
    expect(await regionPhases(outcomes[7]?.releaseId ?? '')).toEqual(['rolled_back', 'rolled_back', 'rolled_back']);
    // Each region's router serves the good release's revision again, its own in each region.
    for (const region of regions) {
      const good = await stack.store.getRelease(`${outcomes[6]?.releaseId}@${region}`);
      expect(good?.candidate.revision).toMatch(new RegExp(`${region.replace(/-/g, '')}$`));
      expect(stack.fleet.services.get(`globe@${region}`)?.router.stable?.revision, region).toBe(good?.candidate.revision);
    }
    // The shop: the idle colour went live, then a bad release went back to it.
    expect(outcomes[4]?.step.service).toBe('shop');
    expect((await stack.store.getRelease(outcomes[4]?.releaseId ?? ''))?.candidate.revision).toBe('green');
    expect((await stack.store.getRelease(outcomes[5]?.releaseId ?? ''))?.candidate.revision).toBe('blue');
    expect((await stack.store.getService('shop'))?.stableRevision).toBe('green');
    expect(outcomes[1]?.cause).toMatch(/ErrorRatioAboveBaseline|ErrorRateBreached/);
    expect(outcomes[3]?.cause).toBe('LatencyAboveBaseline');
    const slow = (await stack.store.history(outcomes[3]?.releaseId ?? '', 200)).find((h) => h.toPhase === 'rolling_back');
    expect(slow?.details).toMatchObject({ health: { analysis: { metrics: expect.arrayContaining([expect.objectContaining({ metric: 'latency-rank', verdict: 'fail' })]) } } });
    // The bad release was judged through the production health path: the request-log stream.
    const breach = (await stack.store.history(outcomes[1]?.releaseId ?? '', 200)).find((h) => h.toPhase === 'rolling_back');
    expect(breach?.details).toMatchObject({ health: { measurements: { source: 'telemetry' } } });
    expect(outcomes[2]?.cause).toBe('IncidentOpened');
    expect(load.errors).toBe(0);
    expect(lines.some((l) => l.startsWith('demo ok: a good release'))).toBe(true);
    expect(lines.some((l) => l.includes('shifting step 1/3 candidate 10%'))).toBe(true);
    // The four keys after the three releases: one deploy, two rolled back after reaching traffic.
    const keys = lines.find((l) => l.startsWith('demo four keys')) ?? '';
    expect(keys).toMatch(/sample\s+1\s/);
    expect(keys).toContain('75% (3/4)');
    expect(keys).toMatch(/shop\s+1\s/);
    expect(keys).toContain('50% (1/2)');
    expect(keys).toMatch(/globe\s+1\s/);
    const overview = await (await fetch(stack.urls.functions.statusPage ?? '')).text();
    expect(overview).toMatch(/data-keys><strong>Last 30 days:<\/strong> 1 deploys.*change failure 75% \(3\/4\)/);
    expect(overview).toMatch(/data-keys><strong>Last 30 days:<\/strong> 1 deploys.*change failure 50% \(1\/2\)/);
    // The sample service's chat channel was told each outcome (notifyChat, Secret Manager, webhook), each once.
    const told = () => stack.chat.received.map((m) => m.text.split('\n')[0] ?? '');
    await expect.poll(told, { timeout: 20_000 }).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`\\*sample\\* released: \`${outcomes[0]?.releaseId}\``)),
      expect.stringMatching(new RegExp(`\\*sample\\* rolled back: \`${outcomes[1]?.releaseId}\``)),
      expect.stringMatching(new RegExp(`\\*sample\\* rolled back: \`${outcomes[2]?.releaseId}\``)),
    ]));
    // The rollback messages carry the judge's figures, not just "rolled back".
    const rollingBack = stack.chat.received.find((m) => m.text.includes(outcomes[1]?.releaseId ?? '?') && /error-(ratio|ceiling) fail: \d/.test(m.text));
    expect(rollingBack?.text).toMatch(/vs (baseline|line) \d/);
    const outcomesTold = told().filter((t) => / (released|rolled back): /.test(t));
    expect(new Set(outcomesTold).size).toBe(outcomesTold.length);
    // The load has stopped (its last connections were cut); the good release is still watched, on a
    // handful of requests at most. It stays complete through the end of its window.
    const good = await stack.store.getRelease(outcomes[0]?.releaseId ?? '');
    const watchUntil = good?.state.phase === 'complete' ? good.state.watchUntil : 0;
    expect(watchUntil).toBeGreaterThan(loadStoppedAt);
    await new Promise((r) => setTimeout(r, Math.max(0, watchUntil - Date.now()) + 3_000));
    await stack.publishTick();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await stack.store.getRelease(outcomes[0]?.releaseId ?? '')).toMatchObject({ state: { phase: 'complete' } });
  }, 600_000);
});
