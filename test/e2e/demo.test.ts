import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../local/demo.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators } from '../harness/emulator-context.js';

/** The demo `npm start` runs, end to end: three releases, three expected outcomes, under load. */
describe.skipIf(!emulators.available)('npm start demo', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, service: { bakeTime: '2s', healthInterval: '500ms', slo: { maxErrorRate: 0.05, minRequests: 10, window: '5s' } } });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('completes a good release, rolls back a bad one by health and a third by an alert', async () => {
    const lines: string[] = [];
    const { outcomes, load } = await runDemo(stack, { out: (t) => lines.push(t), tty: false, requestsPerSecond: 200, stepTimeoutMs: 60_000 });
    expect(outcomes.map((o) => [o.phase, o.ok])).toEqual([
      ['complete', true],
      ['rolled_back', true],
      ['rolled_back', true],
    ]);
    expect(outcomes[1]?.cause).toMatch(/ErrorRate|ErrorBudget/);
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
    expect(keys).toContain('67% (2/3)');
    const overview = await (await fetch(stack.urls.functions.statusPage ?? '')).text();
    expect(overview).toMatch(/data-keys><strong>Last 30 days:<\/strong> 1 deploys/);
    // The sample service's chat channel was told each outcome (notifyChat, Secret Manager, webhook), each once.
    const told = () => stack.chat.received.map((m) => m.text.split('\n')[0] ?? '');
    await expect.poll(told, { timeout: 20_000 }).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`\\*sample\\* released: \`${outcomes[0]?.releaseId}\``)),
      expect.stringMatching(new RegExp(`\\*sample\\* rolled back: \`${outcomes[1]?.releaseId}\``)),
      expect.stringMatching(new RegExp(`\\*sample\\* rolled back: \`${outcomes[2]?.releaseId}\``)),
    ]));
    const outcomesTold = told().filter((t) => / (released|rolled back): /.test(t));
    expect(new Set(outcomesTold).size).toBe(outcomesTold.length);
  }, 240_000);
});
