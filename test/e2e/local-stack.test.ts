import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseIdForBuild, rollbackOf, type Phase } from '../../shared/domain/index.js';
import { publishDevAlert, publishDevRelease } from '../../local/dev-messages.js';
import type { AccessLogLine } from '../../local/router/proxy.js';
import { SAMPLE_SERVICE, sampleServiceConfig, startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { requestLogEntry } from '../../shared/ingest/request-log.js';
import { TOPICS } from '../../shared/topology.js';
import { emulators } from '../harness/emulator-context.js';
import { waitForPhase } from '../support/function-servers.js';

/**
 * End to end on the local stack (what `npm start` runs): releases enter as Cloud Build messages on
 * the Pub/Sub emulator, and real HTTP load (autocannon) flows through the local router to the
 * sample service's versions while Cutover shifts, measures and rolls back.
 */
const FAST = { bakeTime: '2s', healthInterval: '500ms', slo: { maxErrorRate: 0.05, minRequests: 10, window: '5s' }, progressDeadline: '30s', watchWindow: '1m' } as const;

describe.skipIf(!emulators.available)('local stack end to end (real traffic)', () => {
  let stack: LocalStack;
  const log: AccessLogLine[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ log: silentLogger, tickIntervalMs: 5_000, service: FAST, accessLog: (line) => log.push(line) });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const waitFor = (id: string, phases: Phase[], timeoutMs?: number) => waitForPhase(stack.store, id, phases, timeoutMs);

  /** Constant load through the router until stopped. */
  function load() {
    let resolveDone: (result: autocannon.Result) => void = () => undefined;
    const done = new Promise<autocannon.Result>((resolve) => (resolveDone = resolve));
    const instance = autocannon({ url: stack.urls.sample, connections: 8, duration: 600, overallRate: 400 }, (error, result) => {
      if (!error) resolveDone(result);
    });
    return {
      stop: async () => {
        instance.stop();
        return done;
      },
    };
  }

  const release = async (version: string, options: { failRate?: number } = {}) =>
    releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, version, options));
  const share = (revision: string | undefined) => {
    const route = stack.fleet.services.get(SAMPLE_SERVICE)?.router;
    if (!route) return 0;
    return route.stable?.revision === revision ? 100 : route.candidate?.revision === revision ? route.candidatePercent : 0;
  };

  it('a good release under constant load completes with zero failed requests, each step split as configured, judged from the request-log stream', async () => {
    log.length = 0;
    const traffic = load();
    const id = await release('green');
    const done = await waitFor(id, ['complete', 'rolled_back', 'failed']);
    const result = await traffic.stop();
    expect(done.state.phase).toBe('complete');
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.requests.total).toBeGreaterThan(1_000);
    // Observed split per configured step, from the access log (each line names its version and the split it was served under).
    for (const step of [10, 50]) {
      const lines = log.filter((l) => l.candidatePercent === step);
      const candidate = lines.filter((l) => l.revision === done.candidate.revision).length;
      expect(lines.length).toBeGreaterThan(100);
      expect(Math.abs((candidate / lines.length) * 100 - step)).toBeLessThanOrEqual(2);
    }
    const after = await stack.store.history(id, 200);
    expect(share(done.candidate.revision ?? undefined), `after completion: ${after.slice(-6).map((h) => `${h.reason}: ${h.message.slice(0, 300)}`).join(' | ')}`).toBe(100);
    const healthy = after.filter((h) => h.reason === 'Healthy');
    expect(healthy.length).toBeGreaterThan(0);
    for (const h of healthy) expect(h.details).toMatchObject({ health: { measurements: { source: 'telemetry' } } });
    // Judged against its baseline twin, with the sample's dry-run PromQL metric asked of the local Prometheus API for both arms.
    expect(done.baselineRevision).toMatch(/^sample-base-/);
    const promql = done.health?.analysis?.metrics.find((m) => m.metric === 'error-ratio-promql');
    expect(promql).toMatchObject({ dryRun: true, verdict: 'pass', candidate: 0, baseline: 0 });
    // People can read the same outcome from the status page the stack serves.
    const page = await (await fetch(`${stack.urls.functions.statusPage}?release=${encodeURIComponent(id)}`)).text();
    expect(page).toContain('<th>Phase</th><td>complete</td>');
  });

  it('a bad release (20% errors) is rolled back by health, with the reason and measurements in history', async () => {
    const traffic = load();
    const id = await release('red', { failRate: 0.2 });
    const done = await waitFor(id, ['rolled_back', 'complete', 'failed']);
    await traffic.stop();
    expect(done.state.phase).toBe('rolled_back');
    expect(rollbackOf(done.state)?.cause).toMatch(/ErrorRateBreached|ErrorRatioAboveBaseline/);
    expect(share(done.candidate.revision ?? undefined)).toBe(0);
    const stable = stack.fleet.services.get(SAMPLE_SERVICE)?.router;
    expect(stable?.candidate).toBeNull();
    const history = await stack.store.history(id, 100);
    const breach = history.find((h) => h.toPhase === 'rolling_back');
    // Seen through the production health path: the request log entries the router wrote, counted in Firestore.
    expect(breach?.details).toMatchObject({ health: { verdict: 'unhealthy', measurements: { errors: expect.any(Number), requests: expect.any(Number), source: 'telemetry' } } });
  });

  it('a flood of forged 200s under the candidate\'s labels cannot advance a step that Monitoring does not confirm', async () => {
    await stack.store.applyServiceConfig(sampleServiceConfig({ ...FAST, progressDeadline: '15s' }), Date.now());
    const traffic = load();
    const id = await release('forged');
    const shifting = await waitFor(id, ['shifting']);
    const revision = shifting.candidate.revision ?? '';
    // Anyone who can publish on the request-log topic (or write log entries) writes 400 "200"s a second as the candidate.
    const topic = stack.pubsub.topic(TOPICS.requestLogs, { batching: { maxMessages: 100, maxMilliseconds: 10 } });
    let n = 0;
    const flood = setInterval(() => {
      for (let i = 0; i < 40; i += 1, n += 1) {
        const entry = requestLogEntry({ id: `forged-${n}`, project: 'cutover-local', location: 'local', service: SAMPLE_SERVICE, revision, at: Date.now(), status: 200, latencyMs: 1, method: 'GET', url: '/' });
        topic.publishMessage({ json: entry }).catch(() => undefined);
      }
    }, 100);
    try {
      const done = await waitFor(id, ['rolled_back', 'complete', 'failed'], 80_000);
      expect(done.state.phase).toBe('rolled_back');
      expect(rollbackOf(done.state)?.cause).toBe('ProgressDeadlineExceeded');
      const history = await stack.store.history(id, 200);
      expect(history.some((h) => h.reason === 'StepAdvanced')).toBe(false);
      const held = history.find((h) => h.reason === 'EvidenceDisagrees');
      expect(held?.message).toMatch(/candidate: the stream counted \d+ requests, monitoring \d+/);
    } finally {
      clearInterval(flood);
      await traffic.stop();
      await stack.store.applyServiceConfig(sampleServiceConfig(FAST), Date.now());
    }
  }, 120_000);

  it('an alert rolls back a release while shifting', async () => {
    const traffic = load();
    const id = await release('amber');
    await waitFor(id, ['shifting']);
    await publishDevAlert(stack.pubsub, SAMPLE_SERVICE);
    const done = await waitFor(id, ['rolled_back']);
    const result = await traffic.stop();
    expect(rollbackOf(done.state)?.cause).toBe('IncidentOpened');
    expect(result.errors).toBe(0);
  });

  it('an alert inside the watch window rolls a completed release back to the previous stable', async () => {
    const traffic = load();
    const before = stack.fleet.services.get(SAMPLE_SERVICE)?.router.stable?.revision;
    const id = await release('teal');
    const completed = await waitFor(id, ['complete']);
    expect(share(completed.candidate.revision ?? undefined)).toBe(100);
    await publishDevAlert(stack.pubsub, SAMPLE_SERVICE);
    await waitFor(id, ['rolled_back']);
    const result = await traffic.stop();
    expect(stack.fleet.services.get(SAMPLE_SERVICE)?.router.stable?.revision).toBe(before);
    expect((await stack.store.getService(SAMPLE_SERVICE))?.stableRevision).toBe(completed.stableRevision);
    expect(result.errors).toBe(0);
  });

  it.each(['supersede', 'queue'] as const)('a second release arriving mid-flight (%s)', async (concurrency) => {
    await stack.store.applyServiceConfig(sampleServiceConfig({ ...FAST, concurrency }), Date.now());
    const traffic = load();
    const first = await release(`first-${concurrency}`);
    await waitFor(first, ['shifting']);
    const second = await release(`second-${concurrency}`);
    const firstDone = await waitFor(first, concurrency === 'supersede' ? ['superseded'] : ['complete']);
    const secondDone = await waitFor(second, ['complete']);
    const result = await traffic.stop();
    expect(firstDone.state.phase).toBe(concurrency === 'supersede' ? 'superseded' : 'complete');
    expect(secondDone.state.phase).toBe('complete');
    const now = await stack.store.getRelease(second);
    const trail = (await stack.store.history(second, 10)).map((h) => `${h.reason}: ${h.message.slice(0, 200)}`).join(' | ');
    expect(share(secondDone.candidate.revision ?? undefined), `${second} is ${now?.state.phase}: ${trail}`).toBe(100);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
  });
});
