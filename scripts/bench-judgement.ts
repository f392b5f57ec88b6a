import autocannon from 'autocannon';
import { publishDevRelease } from '../local/dev-messages.js';
import type { SampleBehaviour } from '../local/launcher.js';
import { SAMPLE_SERVICE, startLocalStack, type LocalStack } from '../local/stack.js';
import { isTerminal, type Release, releaseIdForBuild, rollbackOf, type ServiceConfigInput } from '../shared/domain/index.js';
import { silentLogger } from '../shared/runtime/logger.js';
import { appendReport, percentile } from './bench-report.js';

/**
 * The judgement benchmark (npm run bench:judgement): labelled releases on the local stack, driven
 * through the production path with real load and the sample service's live controls. For each it
 * records what the judge did (promoted, held, rolled back; when) and, in the same run, what the
 * absolute SLO lines Cutover used before would have done: every health interval while the release
 * shifts, the candidate's own counts over the old sliding window (the local router's counters,
 * the figures the request-log stream carries) judged by the old rules. Prints a confusion matrix
 * and the time to detect per scenario for both, and appends them to docs/benchmarks.md.
 */
process.env.METADATA_SERVER_DETECTION ??= 'none';
const RUNS = Number(process.env.BENCH_JUDGEMENT_RUNS ?? 4);
const ONLY = process.env.BENCH_JUDGEMENT_ONLY ?? '';

const LABEL = process.env.BENCH_JUDGEMENT_LABEL ?? '';
/**
 * Production's shape scaled down (5 m bake, 30 s interval, 30 s warm-up → 15 s, 3 s, 3 s by
 * default). Time scaled down is evidence scaled down: BENCH_JUDGEMENT_BAKE_S and _INTERVAL_S set
 * a shape closer to production's requests per window.
 */
const BAKE_S = Number(process.env.BENCH_JUDGEMENT_BAKE_S ?? 15);
const INTERVAL_S = Number(process.env.BENCH_JUDGEMENT_INTERVAL_S ?? 3);
const SLO = { maxErrorRate: 0.05, minRequests: 50, maxP99LatencyMs: 500, window: `${BAKE_S}s` } as const;
const SERVICE: Partial<ServiceConfigInput> = {
  steps: [10, 50, 100],
  bakeTime: `${BAKE_S}s`,
  healthInterval: `${INTERVAL_S}s`,
  slo: SLO,
  analysis: { warmup: `${INTERVAL_S}s` },
  progressDeadline: `${BAKE_S * 3}s`,
  onInconclusiveDeadline: 'pause',
  watchWindow: '0s',
};
const HEALTH_INTERVAL_MS = INTERVAL_S * 1_000;
/** The SLO window the absolute lines judged over (production's 1 m, scaled like the rest). */
const LINES_WINDOW_MS = Math.max(10, BAKE_S * 2 / 3) * 1_000;

type Label = 'good' | 'bad';
type Image = Partial<Record<SampleBehaviour, number | string>> & { failRate?: number; latencyMs?: number; failHealthz?: boolean };
interface Scenario {
  name: string;
  label: Label;
  rps: number;
  image?: Image;
  /** Something every version suffers while the candidate is at its first step (a shared dependency, noise). */
  everyVersion?: { control: string; forMs: number };
}

export const SCENARIOS: Scenario[] = [
  { name: 'clean', label: 'good', rps: 100 },
  { name: 'cold start: the candidate\'s first 15 requests fail', label: 'good', rps: 100, image: { failFirst: 15 } },
  { name: 'a shared dependency fails 7% of every version\'s requests mid-release', label: 'good', rps: 100, everyVersion: { control: 'failRate=0.07', forMs: 10_000 } },
  { name: '1 req/s with one stray 5xx', label: 'good', rps: 1, image: { failFirst: 1 } },
  { name: 'latency noise: 0–40 ms jitter on every version', label: 'good', rps: 100, everyVersion: { control: 'jitterMs=40', forMs: 60_000 } },
  { name: '+2 points of errors at 100 req/s', label: 'bad', rps: 100, image: { failRate: 0.02 } },
  { name: '+0.5 points of errors at 400 req/s', label: 'bad', rps: 400, image: { failRate: 0.005 } },
  { name: 'errors only on one path (/checkout, 10% of requests)', label: 'bad', rps: 100, image: { failPath: '/checkout' } },
  { name: 'p99 +200 ms, median unchanged (2% of requests)', label: 'bad', rps: 100, image: { slowRate: 0.02, slowMs: 200 } },
  { name: 'crash loop: every request and probe fails', label: 'bad', rps: 100, image: { failRate: 1, failHealthz: true } },
];

type Outcome = 'promoted' | 'held' | 'rolled back';
interface Judged {
  outcome: Outcome;
  /** From the candidate's first traffic to the rollback decision (null: never rolled back, or before traffic). */
  detectMs: number | null;
  cause: string | null;
}
interface Run {
  scenario: Scenario;
  release: string;
  judge: Judged;
  lines: Judged;
}

/** The rules Cutover used before the judge: fixed lines on the candidate alone, a few requests could breach. */
function absoluteLinesBreach(m: { requests: number; errors: number; p99LatencyMs: number | null }): string | null {
  const enough = m.requests >= SLO.minRequests;
  if (enough && m.errors / m.requests > SLO.maxErrorRate) return 'ErrorRateBreached';
  if (!enough && m.errors > SLO.maxErrorRate * SLO.minRequests) return 'ErrorBudgetExhausted';
  if (enough && m.p99LatencyMs !== null && m.p99LatencyMs > SLO.maxP99LatencyMs) return 'LatencyBreached';
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function control(stack: LocalStack, query: string): Promise<void> {
  const route = stack.fleet.services.get(SAMPLE_SERVICE);
  const urls = [...(route?.revisions.values() ?? [])].map((r) => r.url);
  await Promise.all(urls.map((url) => fetch(`${url}/__control?${query}`, { method: 'POST' }).catch(() => undefined)));
}

async function runOne(stack: LocalStack, scenario: Scenario, n: number): Promise<Run> {
  const requests = [...Array.from({ length: 9 }, () => ({ method: 'GET' as const, path: '/' })), { method: 'GET' as const, path: '/checkout' }];
  const load = autocannon({ url: stack.urls.sample, connections: scenario.rps < 10 ? 1 : 8, duration: 3_600, overallRate: scenario.rps, requests }, () => undefined);
  const id = releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, `j${n}`, scenario.image ?? {}));
  let trafficAt: number | null = null;
  let linesBreach: { at: number; cause: string } | null = null;
  let seen = 0;
  let release: Release | null = null;
  let everyVersionUntil: number | null = null;
  try {
    for (const until = Date.now() + 240_000 + BAKE_S * 8_000; Date.now() < until; await sleep(100)) {
      release = await stack.store.getRelease(id);
      if (!release) continue;
      if (trafficAt === null && release.state.phase === 'shifting' && (release.traffic.observedPercent ?? 0) > 0) trafficAt = release.stepStartedAt ?? Date.now();
      if (scenario.everyVersion && trafficAt !== null && everyVersionUntil === null) {
        await control(stack, scenario.everyVersion.control);
        everyVersionUntil = Date.now() + scenario.everyVersion.forMs;
      }
      if (everyVersionUntil !== null && Date.now() > everyVersionUntil) {
        await control(stack, scenario.everyVersion?.control.replace(/=.*/, '=0') ?? '');
        everyVersionUntil = Number.POSITIVE_INFINITY;
      }
      // Every health interval while shifting, the absolute lines on the candidate's counts over their sliding window.
      const now = Date.now();
      const candidate = release.candidate.revision;
      if (release.state.phase === 'shifting' && release.stepStartedAt !== null && candidate && now - seen >= HEALTH_INTERVAL_MS && now - release.stepStartedAt >= HEALTH_INTERVAL_MS) {
        seen = now;
        const counted = stack.fleet.services.get(SAMPLE_SERVICE)?.router.countersFor(candidate).window(Math.max(release.stepStartedAt, now - LINES_WINDOW_MS), now);
        const breach = counted ? absoluteLinesBreach(counted) : null;
        if (breach && !linesBreach) linesBreach = { at: now, cause: breach };
      }
      if (isTerminal(release.state.phase) || release.state.sub === 'paused') break;
    }
  } finally {
    load.stop();
    await control(stack, 'failRate=0&jitterMs=0');
  }
  const history = await stack.store.history(id, 300);
  const rollback = history.find((h) => h.toPhase === 'rolling_back');
  const outcome: Outcome = rollback ? 'rolled back' : release?.state.phase === 'complete' ? 'promoted' : 'held';
  const judge: Judged = { outcome, detectMs: rollback && trafficAt !== null ? rollback.at - trafficAt : null, cause: release ? (rollbackOf(release.state)?.cause ?? null) : null };
  // The lines roll back where they breach, or where the judge rolled back on a probe or a verification (shared rules).
  const shared = rollback && (trafficAt === null || rollback.reason === 'ProbesFailed' || rollback.reason === 'VerificationFailed');
  const lines: Judged = linesBreach && (!rollback || linesBreach.at <= rollback.at)
    ? { outcome: 'rolled back', detectMs: trafficAt === null ? null : linesBreach.at - trafficAt, cause: linesBreach.cause }
    : shared
      ? { ...judge }
      : { outcome: outcome === 'rolled back' ? 'promoted' : outcome, detectMs: null, cause: null };
  // A release left held is stopped so the next one starts from the same stable.
  if (release && !isTerminal(release.state.phase)) await abort(stack, id);
  return { scenario, release: id, judge, lines };
}

async function abort(stack: LocalStack, id: string): Promise<void> {
  const url = stack.urls.functions.onCommand ?? '';
  const token = stack.issuer.sign({ email: 'dev@cutover.local', audience: url });
  // onCommand answers 503 when the store did not answer in time: ask again, as the CLI's user would.
  for (let attempt = 1; ; attempt += 1) {
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ command: 'abort', release: id, reason: 'benchmark: held, next scenario' }) });
    if (answer.ok) break;
    if (answer.status !== 503 || attempt >= 5) throw new Error(`abort ${id}: ${answer.status} ${await answer.text()}`);
    await sleep(1_000 * attempt);
  }
  for (let i = 0; i < 200 && !isTerminal((await stack.store.getRelease(id))?.state.phase ?? 'rolled_back'); i += 1) await sleep(100);
}

function matrix(runs: Run[], pick: (r: Run) => Judged): string[] {
  const outcomes: Outcome[] = ['promoted', 'held', 'rolled back'];
  const lines = ['| label | promoted | held | rolled back |', '| --- | --- | --- | --- |'];
  for (const label of ['good', 'bad'] as const) {
    const of = runs.filter((r) => r.scenario.label === label);
    lines.push(`| ${label} (${of.length}) | ${outcomes.map((o) => of.filter((r) => pick(r).outcome === o).length).join(' | ')} |`);
  }
  return lines;
}

function perScenario(runs: Run[]): string[] {
  const fmt = (r: Run[], pick: (r: Run) => Judged) => {
    const counts = (['promoted', 'held', 'rolled back'] as const).map((o) => `${r.filter((x) => pick(x).outcome === o).length}`).join('/');
    const detect = r.map((x) => pick(x).detectMs).filter((v): v is number => v !== null);
    const median = detect.length ? `${(percentile(detect, 50) / 1000).toFixed(1)} s (${(percentile(detect, 50) / HEALTH_INTERVAL_MS).toFixed(1)} intervals)` : '—';
    return `${counts} | ${median}`;
  };
  const lines = ['| scenario | label | judge: promoted/held/rolled back | judge: median detection | lines: promoted/held/rolled back | lines: median detection |', '| --- | --- | --- | --- | --- | --- |'];
  for (const s of SCENARIOS) {
    const of = runs.filter((r) => r.scenario === s);
    if (of.length) lines.push(`| ${s.name} | ${s.label} | ${fmt(of, (r) => r.judge)} | ${fmt(of, (r) => r.lines)} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const stack = await startLocalStack({ log: silentLogger, service: SERVICE, monitoringDelayMs: 2_000 });
  const runs: Run[] = [];
  try {
    let n = 0;
    for (let round = 0; round < RUNS; round += 1) {
      for (const scenario of SCENARIOS.filter((s) => (!ONLY || s.name.includes(ONLY)) && (!LABEL || s.label === LABEL))) {
        const run = await runOne(stack, scenario, (n += 1));
        runs.push(run);
        console.log(`${run.scenario.label.padEnd(4)} ${run.scenario.name.padEnd(72)} judge: ${run.judge.outcome}${run.judge.detectMs === null ? '' : ` in ${(run.judge.detectMs / 1000).toFixed(1)}s`}${run.judge.cause ? ` (${run.judge.cause})` : ''} | lines: ${run.lines.outcome}${run.lines.detectMs === null ? '' : ` in ${(run.lines.detectMs / 1000).toFixed(1)}s`}`);
      }
    }
  } finally {
    await stack.close();
  }
  const report = [
    `${runs.length} labelled releases on the local stack (steps 10/50/100, bake ${BAKE_S} s, health every ${INTERVAL_S} s, warm-up ${INTERVAL_S} s, progress deadline ${BAKE_S * 3} s then pause, baseline twin, SLO lines: 5% errors, p99 500 ms, minimum 50 requests per arm, local Cloud Monitoring delay 2 s). "Lines" are the absolute SLO rules Cutover used before the judge (5% errors, p99 500 ms, 50 requests or the error budget), applied every ${INTERVAL_S} s to the candidate's own counts over their ${LINES_WINDOW_MS / 1000} s sliding window while the judge drove the release; "held" ended paused at the progress deadline (the default onInconclusiveDeadline, rollback, would have rolled it back there); a detection time counts from the candidate's first traffic to the rollback decision (or the lines' first breach).`,
    '',
    '**The judge**',
    '',
    ...matrix(runs, (r) => r.judge),
    '',
    '**Absolute lines (before)**',
    '',
    ...matrix(runs, (r) => r.lines),
    '',
    ...perScenario(runs),
  ];
  console.log(`\n${report.join('\n')}`);
  appendReport('Judgement: labelled releases, the judge against the absolute lines', report);
}

await main();
