import autocannon from 'autocannon';
import { plainLine, renderWatch } from '../cli/watch-view.js';
import { snapshotOf } from '../cli/program.js';
import { table } from '../cli/format.js';
import { dayOf, dayWindow, isTerminal, keysFromDays, type Phase, type Release, releaseIdForBuild, rollbackOf } from '../shared/domain/index.js';
import { statsRows } from '../shared/views/rows.js';
import { publishDevAlert, publishDevRelease } from './dev-messages.js';
import { GLOBE_SERVICE, SAMPLE_SERVICE, SHOP_SERVICE, type LocalStack } from './stack.js';

/**
 * The guided demo `npm start` runs: under continuous generated load, a good release completes, a
 * bad one is rolled back by Cutover's judge (its errors against the stable's), a third is rolled
 * back by an alert, and a fourth, bad only in latency, by the rank test — all entering through the
 * production path (Cloud Build–shaped messages, Monitoring-shaped incidents on the Pub/Sub
 * emulator). Then the shop, blue/green on GKE behind a load balancer, released by the same
 * installation: a good release makes the idle colour live, a bad one goes back to the live colour.
 * Then the globe, in three local regions released in two waves: a good release reaches all three,
 * and an alert while wave 2 takes traffic rolls back every region at once. A live view shows it.
 */
export interface DemoStep {
  title: string;
  /** The sample (Cloud Run) when absent. */
  service?: string;
  version: string;
  failRate?: number;
  latencyMs?: number;
  alert?: boolean;
  /** For a release in waves: the alert waits until this region's release takes traffic. */
  alertIn?: string;
  expect: Phase;
  expectCause?: string;
}

export const DEMO_STEPS: DemoStep[] = [
  { title: 'a good release', version: 'green', expect: 'complete' },
  { title: 'a bad release (fails 30% of requests): rolled back by health checks', version: 'red', failRate: 0.3, expect: 'rolled_back', expectCause: 'ErrorRat' },
  { title: 'a release hit by a Cloud Monitoring alert while shifting', version: 'violet', alert: true, expect: 'rolled_back', expectCause: 'IncidentOpened' },
  { title: 'a release bad only in latency (+80 ms on every request): rolled back by the rank test', version: 'amber', latencyMs: 80, expect: 'rolled_back', expectCause: 'LatencyAboveBaseline' },
  { title: 'the shop on GKE: a good release, the idle colour goes live', service: SHOP_SERVICE, version: 'green', expect: 'complete' },
  { title: 'the shop on GKE: a bad release (30% errors), back to the live colour', service: SHOP_SERVICE, version: 'red', failRate: 0.3, expect: 'rolled_back', expectCause: 'ErrorRat' },
  { title: 'the globe in three regions: wave 1 (europe-west1) soaks, then wave 2 (us-central1, asia-northeast1); complete everywhere', service: GLOBE_SERVICE, version: 'green', expect: 'complete' },
  { title: 'the globe: an alert while wave 2 takes traffic rolls back all three regions at once', service: GLOBE_SERVICE, version: 'violet', alert: true, alertIn: 'us-central1', expect: 'rolled_back', expectCause: 'IncidentOpened' },
];

export interface DemoOutcome {
  step: DemoStep;
  releaseId: string;
  phase: Phase;
  cause: string | null;
  ok: boolean;
}

export interface DemoOptions {
  out: (text: string) => void;
  tty: boolean;
  requestsPerSecond?: number;
  stepTimeoutMs?: number;
}

export async function runDemo(stack: LocalStack, options: DemoOptions): Promise<{ outcomes: DemoOutcome[]; load: autocannon.Result }> {
  const { out, tty } = options;
  let resolveLoad: (r: autocannon.Result) => void = () => undefined;
  const loadDone = new Promise<autocannon.Result>((r) => (resolveLoad = r));
  const load = autocannon({ url: stack.urls.sample, connections: 4, duration: 3_600, overallRate: options.requestsPerSecond ?? 150 }, (error, result) => {
    if (!error) resolveLoad(result);
  });
  const shopLoad = autocannon({ url: stack.urls.shop, connections: 4, duration: 3_600, overallRate: options.requestsPerSecond ?? 150 }, () => undefined);
  const globeLoad = Object.values(stack.urls.globe).map((url) => autocannon({ url, connections: 2, duration: 3_600, overallRate: Math.round((options.requestsPerSecond ?? 150) / 2) }, () => undefined));
  let service = SAMPLE_SERVICE;
  let narration = 'starting load…';
  let keysLine = '';
  const outcomes: DemoOutcome[] = [];
  const lastLines = new Map<string, string>();

  const draw = async () => {
    const snapshot = await snapshotOf(stack.store, service, 4);
    const now = Date.now();
    const routers = service === SHOP_SERVICE ? [stack.shop.loadBalancer.router] : service === GLOBE_SERVICE ? Object.keys(stack.urls.globe).map((region) => stack.fleet.services.get(`${GLOBE_SERVICE}@${region}`)?.router) : [stack.fleet.services.get(service)?.router];
    const traffic = routers.flatMap((router) => [router?.stable, router?.candidate].filter((b) => b !== null && b !== undefined).map((b) => {
      const w = router?.countersFor(b.revision).window(now - 5_000, now);
      const rate = w && w.requests ? ((w.errors / w.requests) * 100).toFixed(1) : '0.0';
      return `  ${b.revision.padEnd(26)} ${String(Math.round((w?.requests ?? 0) / 5)).padStart(4)} req/s  5xx ${rate.padStart(5)}%  p99≤${w?.p99LatencyMs ?? '-'}ms`;
    }));
    snapshot.footer = [
      `live traffic through the local ${service === SHOP_SERVICE ? 'load balancer' : 'router'} (last 5 s):`,
      ...traffic,
      '',
      `demo: ${narration}`,
      ...outcomes.map((o) => `  ${o.ok ? 'ok ' : 'NOT'} ${o.step.title} → ${o.phase}${o.cause ? ` (${o.cause})` : ''}`),
      ...(keysLine ? ['', 'the four keys (last 30 days; cutover stats, and the status page):', keysLine] : []),
      '',
      'try, in another terminal: npm run -s cutover -- status sample | watch sample | history <release> | pause <release> | stats',
    ];
    if (tty) {
      out(`\x1b[H\x1b[2J${renderWatch(snapshot, true, now)}`);
      return;
    }
    for (const { service, releases } of snapshot.services) {
      const newest = releases[0];
      if (!newest) continue;
      const line = plainLine(newest, service);
      if (lastLines.get(newest.id) !== line) out(line);
      lastLines.set(newest.id, line);
    }
  };
  const waitFor = async (id: string, done: (r: Release | null) => boolean, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      await draw().catch(() => undefined);
      const release = await stack.store.getRelease(id);
      if (done(release) || Date.now() > until) return release;
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  try {
    for (const [i, step] of DEMO_STEPS.entries()) {
      narration = `${i + 1}/${DEMO_STEPS.length} ${step.title} — expect ${step.expect}`;
      if (!tty) out(`demo ${narration}`);
      service = step.service ?? SAMPLE_SERVICE;
      const buildId = await publishDevRelease(stack.builds, service, step.version, { failRate: step.failRate ?? 0, latencyMs: step.latencyMs ?? 0 });
      const id = releaseIdForBuild(service, buildId);
      if (step.alert) {
        const watched = step.alertIn ? `${id}@${step.alertIn}` : id;
        await waitFor(watched, (r) => (r?.state.phase === 'shifting' && (r.traffic.observedPercent ?? 0) > 0) || (r !== null && isTerminal(r.state.phase)), options.stepTimeoutMs ?? 120_000);
        narration = `${i + 1}/${DEMO_STEPS.length} ${step.title} — alert published, expect ${step.expect}`;
        if (!tty) out(`demo ${narration}`);
        await publishDevAlert(stack.pubsub, service);
      }
      const release = await waitFor(id, (r) => r !== null && isTerminal(r.state.phase), options.stepTimeoutMs ?? 120_000);
      const phase = release?.state.phase ?? 'pending';
      const cause = release ? (rollbackOf(release.state)?.cause ?? null) : null;
      const ok = phase === step.expect && (!step.expectCause || new RegExp(step.expectCause).test(cause ?? ''));
      outcomes.push({ step, releaseId: id, phase, cause, ok });
      if (!tty) out(`demo ${ok ? 'ok' : 'UNEXPECTED'}: ${step.title} → ${phase}${cause ? ` (${cause})` : ''}`);
    }
    narration = outcomes.every((o) => o.ok) ? `finished: all ${outcomes.length} outcomes as expected` : 'finished: some outcomes were not as expected';
    // What the releases did to the service's delivery figures (also on the status page's overview).
    const { from, to } = dayWindow(Date.now(), 30);
    const keys = async (name: string) => ({ service: name, keys: keysFromDays(await stack.store.deliveryDays(name, dayOf(from), dayOf(to - 1)), from, to) });
    keysLine = table(statsRows([await keys(SAMPLE_SERVICE), await keys(SHOP_SERVICE), await keys(GLOBE_SERVICE)]));
    if (!tty) out(`demo four keys (last 30 days):\n${keysLine}`);
    await draw().catch(() => undefined);
  } finally {
    load.stop();
    shopLoad.stop();
    for (const l of globeLoad) l.stop();
  }
  return { outcomes, load: await loadDone };
}
