import autocannon from 'autocannon';
import { FirestoreStore } from '../shared/adapters/firestore/firestore-store.js';
import { DEFAULT_EFFECT_POLICY, decide, isStepEffect, type EventBody, type Release, type ReleaseEvent } from '../shared/domain/index.js';
import { publishDevRelease } from '../local/dev-messages.js';
import { startFirestoreEmulator } from '../local/emulators.js';
import { SAMPLE_SERVICE, startLocalStack } from '../local/stack.js';
import { silentLogger } from '../shared/runtime/logger.js';
import { releaseIdForBuild } from '../shared/domain/index.js';
import { T0, serviceConfigInput, serviceState } from '../test/support/fixtures.js';
import { Sim, answerEffect, type WorldBehaviour } from '../test/support/sim.js';
import { gkeRouter } from '../test/support/gke.js';
import { appendReport, percentile } from './bench-report.js';

/**
 * Local-stack benchmarks (issue 4):
 *  1. breach onset (the candidate starts failing) → stable serving 100%, 1 s health interval;
 *  2. 1,000 concurrent releases on one control plane, random event streams, every release's
 *     history compared with the pure model; decision latency under that load.
 */
process.env.METADATA_SERVER_DETECTION ??= 'none';
const BREACH_RUNS = Number(process.env.BENCH_BREACH_RUNS ?? 12);
const RELEASES = Number(process.env.BENCH_RELEASES ?? 1000);
const STEPS_PER_RELEASE = Number(process.env.BENCH_STEPS ?? 30);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 8);

async function breachToStable(): Promise<string[]> {
  const stack = await startLocalStack({
    log: silentLogger,
    service: { steps: [10, 100], bakeTime: '10m', healthInterval: '1s', slo: { maxErrorRate: 0.05, minRequests: 10, window: '2s' }, progressDeadline: '10m', verification: { checks: [] } },
  });
  const load = autocannon({ url: stack.urls.sample, connections: 8, duration: 3_600, overallRate: 400 }, () => undefined);
  const samples: number[] = [];
  try {
    const route = () => stack.fleet.services.get(SAMPLE_SERVICE);
    for (let run = 0; run < BREACH_RUNS; run += 1) {
      const id = releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.builds, SAMPLE_SERVICE, `v${run}`));
      let release: Release | null = null;
      for (let i = 0; i < 600 && release?.health?.verdict !== 'healthy'; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        release = await stack.store.getRelease(id);
      }
      const candidate = release?.candidate.revision ?? '';
      const url = route()?.revisions.get(candidate)?.url;
      if (!url || route()?.router.candidate?.revision !== candidate) throw new Error(`run ${run}: candidate not serving`);
      const started = performance.now();
      await fetch(`${url}/__control?failRate=0.3`, { method: 'POST' });
      while (route()?.router.candidate?.revision === candidate && route()?.router.candidatePercent !== 0) {
        if (performance.now() - started > 30_000) throw new Error(`run ${run}: no rollback within 30 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      samples.push(performance.now() - started);
      for (let i = 0; i < 200 && (await stack.store.getRelease(id))?.state.phase !== 'rolled_back'; i += 1) await new Promise((r) => setTimeout(r, 50));
      // The rollback must have been decided from the request-log stream (the production path), not another source.
      const breach = (await stack.store.history(id, 100)).find((h) => h.toPhase === 'rolling_back');
      const source = (breach?.details as { health?: { measurements?: { source?: string } } } | null)?.health?.measurements?.source;
      if (source !== 'telemetry') throw new Error(`run ${run}: rolled back from ${source ?? 'no'} health source, not telemetry`);
    }
  } finally {
    load.stop();
    await stack.close();
  }
  const p50 = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  return [
    `| first failing request → stable at 100%, through the request-log telemetry path (router → LogEntry on Pub/Sub → drained into Firestore buckets; 1 s health interval, 2 s SLO window, 400 req/s, candidate at 10% starts failing 30%), ${BREACH_RUNS} runs | p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (all: ${samples.map((s) => s.toFixed(0)).join(', ')}) | ≤ 2 s | ${p95 <= 2_000 ? 'met' : 'missed'} |`,
  ];
}

/** Deterministic pseudo-random numbers, so the model and the store see the same streams. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function thousandReleases(): Promise<string[]> {
  const emulator = await startFirestoreEmulator();
  const store = new FirestoreStore({ projectId: 'cutover-bench-1000', databaseId: 'cutover', emulatorHost: emulator.host });
  const latencies: number[] = [];
  let events = 0;
  let duplicatesDelivered = 0;
  const mismatches: string[] = [];
  try {
    const names = Array.from({ length: RELEASES }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
    // Every other service is GKE blue/green behind a load balancer; the rest Cloud Run.
    const configOf = (name: string, i: number) => ({ concurrency: 'queue' as const, ...(i % 2 === 1 ? { router: gkeRouter('demo-project', name) } : {}) });
    const configsStarted = performance.now();
    for (let i = 0; i < names.length; i += WORKERS * 4) {
      await Promise.all(names.slice(i, i + WORKERS * 4).map((name, k) => store.applyServiceConfig({ ...serviceConfigInput({ name, ...configOf(name, i + k) }) }, T0)));
    }
    const configSeconds = (performance.now() - configsStarted) / 1000;

    // One context per release; all advance round by round, so all 1,000 are in flight together.
    const contexts = names.map((name, i) => {
      const random = rng(i + 1);
      const model = new Sim(serviceState(configOf(name, i), { name, stableRevision: null }), T0);
      const behaviour: WorldBehaviour = { failNext: null, errorsPerThousand: 0, verificationFails: false, ...(i % 2 === 1 ? { live: 'blue' as const } : {}) };
      return { name, random, model, behaviour, pending: [] as ReleaseEvent[], handled: [] as ReleaseEvent[], n: 0 };
    });
    type Ctx = (typeof contexts)[number];
    const apply = async (c: Ctx, event: ReleaseEvent, concurrentCopies = 1) => {
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: concurrentCopies }, () => store.handle(event, (world) => decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY }))),
      );
      latencies.push(performance.now() - started);
      events += concurrentCopies;
      duplicatesDelivered += concurrentCopies - 1;
      c.model.apply(event);
      const decided = results.filter((r) => r.kind === 'decided');
      if (decided.length > 1) mismatches.push(`${c.name}: event ${event.id} decided ${decided.length} times`);
      for (const r of decided) for (const e of r.decision.effects) if (isStepEffect(e)) c.pending.push(answerEffect(e, c.behaviour, c.model.now));
      c.handled.push(event);
    };
    const send = (c: Ctx, body: EventBody, copies = 1) => apply(c, { id: `${c.name}:${(c.n += 1)}`, service: c.name, at: c.model.now, body }, copies);
    const step = async (c: Ctx, index: number) => {
      const { random, model, behaviour } = c;
      const x = random();
      if (x < 0.12) await send(c, { kind: 'build', buildId: `b${Math.floor(random() * 3)}`, status: random() < 0.8 ? 'SUCCESS' : 'QUEUED', commit: 'c', image: 'img@sha256:1' });
      else if (x < 0.6 && c.pending.length) {
        const [event] = c.pending.splice(Math.floor(random() * c.pending.length), 1);
        if (event) await apply(c, { ...event, at: model.now }, random() < 0.2 ? 3 : 1);
      } else if (x < 0.68 && c.handled.length) await apply(c, c.handled[Math.floor(random() * c.handled.length)] as ReleaseEvent);
      else if (x < 0.85) {
        model.now += 5_000 + Math.floor(random() * 20_000);
        for (const r of model.releases.values()) if (r.nextCheckAt !== null && r.nextCheckAt <= model.now) await send(c, { kind: 'tick', releaseId: r.id });
      } else if (x < 0.9) await send(c, { kind: 'incident', incidentId: `i${index}`, state: random() < 0.5 ? 'open' : 'closed', policyName: null, summary: null });
      else if (x < 0.95) behaviour.errorsPerThousand = random() < 0.7 ? 0 : 200;
      else behaviour.failNext = { permanent: random() < 0.3 };
    };

    const started = performance.now();
    for (let round = 0; round < STEPS_PER_RELEASE; round += 1) {
      let next = 0;
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (next < contexts.length) {
            const c = contexts[next];
            next += 1;
            if (c) await step(c, round);
          }
        }),
      );
    }
    // Compare every release with the model: same phase, same history, nothing lost or duplicated.
    let releasesChecked = 0;
    for (const c of contexts) {
      for (const modelRelease of c.model.releases.values()) {
        releasesChecked += 1;
        const stored = await store.getRelease(modelRelease.id);
        const history = await store.history(modelRelease.id, 1_000);
        const modelHistory = c.model.history.get(modelRelease.id) ?? [];
        const key = (h: { seq: number; fromPhase: string | null; toPhase: string; reason: string }) => `${h.seq}:${h.fromPhase}>${h.toPhase}:${h.reason}`;
        if (stored?.state.phase !== modelRelease.state.phase) mismatches.push(`${modelRelease.id}: phase ${stored?.state.phase} vs model ${modelRelease.state.phase}`);
        if (history.map(key).join('|') !== modelHistory.map(key).join('|')) mismatches.push(`${modelRelease.id}: history differs (${history.length} vs ${modelHistory.length})`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const p99 = percentile(latencies, 99);
    return [
      `| ${RELEASES} services (half Cloud Run, half GKE blue/green) with releases in flight together (${releasesChecked} releases, ${events} deliveries incl. ${duplicatesDelivered} concurrent duplicates, ${WORKERS} events handled at once, ${STEPS_PER_RELEASE} rounds, ${seconds.toFixed(0)} s): releases whose state or history differs from the model | ${mismatches.length} | 0 | ${mismatches.length === 0 ? 'met' : 'missed'} |`,
      `| same run: ${RELEASES} service configs applied (each with its target claim, ${WORKERS * 4} at once) | ${configSeconds.toFixed(0)} s (${((configSeconds * 1000) / RELEASES).toFixed(1)} ms each) | — | — |`,
      `| same run: events decided per second on one emulator | ${(events / seconds).toFixed(0)} | — | — |`,
      `| same run: decision latency p50 / p99 | ${percentile(latencies, 50).toFixed(1)} ms / ${p99.toFixed(1)} ms | p99 ≤ 100 ms | ${p99 <= 100 ? 'met' : 'missed'} |`,
      ...mismatches.slice(0, 5).map((m) => `|  mismatch: ${m} | | | |`),
    ];
  } finally {
    await store.close();
    await emulator.stop();
  }
}

// BENCH_ONLY=breach runs the first measure alone; BENCH_ONLY=scale the releases against the model alone (BENCH_RELEASES=10000 for the scale figure).
const only = process.env.BENCH_ONLY;
const lines = ['| measure | result | target | verdict |', '| --- | --- | --- | --- |', ...(only === 'scale' ? [] : await breachToStable()), ...(only === 'breach' ? [] : await thousandReleases())];
appendReport(only === 'breach' ? 'Local stack: breach to stable through the request-log telemetry path' : only === 'scale' ? `Scale: ${RELEASES.toLocaleString('en')} services with releases in flight on one emulator, against the model` : 'Local stack: breach to stable; 1,000 releases against the model', lines);
console.log(lines.join('\n'));
