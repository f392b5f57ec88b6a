import autocannon from 'autocannon';
import { FirestoreStore } from '../shared/adapters/firestore/firestore-store.js';
import { DEFAULT_EFFECT_POLICY, decide, isStepEffect, type EventBody, type Release, type ReleaseEvent } from '../shared/domain/index.js';
import { publishDevRelease } from '../shared/local/dev-messages.js';
import { startFirestoreEmulator } from '../shared/local/emulators.js';
import { SAMPLE_SERVICE, startLocalStack } from '../shared/local/stack.js';
import { silentLogger } from '../shared/runtime/logger.js';
import { releaseIdForBuild } from '../shared/domain/index.js';
import { T0, serviceConfigInput, serviceState } from '../test/support/fixtures.js';
import { Sim, answerEffect, type WorldBehaviour } from '../test/support/sim.js';
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
const WORKERS = Number(process.env.BENCH_WORKERS ?? 32);

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
      const id = releaseIdForBuild(SAMPLE_SERVICE, await publishDevRelease(stack.pubsub, SAMPLE_SERVICE, `v${run}`));
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
      for (let i = 0; i < 200 && (await stack.store.getRelease(id))?.phase !== 'rolled_back'; i += 1) await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    load.stop();
    await stack.close();
  }
  const p50 = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  return [
    `| breach onset → stable at 100% (1 s health interval, 2 s SLO window, 400 req/s, candidate at 10% starts failing 30%), ${BREACH_RUNS} runs | p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (all: ${samples.map((s) => s.toFixed(0)).join(', ')}) | ≤ 2 s | ${p95 <= 2_000 ? 'met' : 'missed'} |`,
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
    const names = Array.from({ length: RELEASES }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
    for (const name of names) await store.applyServiceConfig({ ...serviceConfigInput({ name, concurrency: 'queue' }) }, T0);

    const runService = async (name: string, seed: number) => {
      const random = rng(seed);
      const model = new Sim(serviceState({ concurrency: 'queue' }, { name, stableRevision: null }), T0);
      const behaviour: WorldBehaviour = { failNext: null, errorsPerThousand: 0, verificationFails: false };
      let pending: ReleaseEvent[] = [];
      const handled: ReleaseEvent[] = [];
      const apply = async (event: ReleaseEvent, concurrentCopies = 1) => {
        const started = performance.now();
        const results = await Promise.all(
          Array.from({ length: concurrentCopies }, () => store.handle(event, (world) => decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY }))),
        );
        latencies.push(performance.now() - started);
        events += concurrentCopies;
        duplicatesDelivered += concurrentCopies - 1;
        model.apply(event);
        const decided = results.filter((r) => r.kind === 'decided');
        if (decided.length > 1) mismatches.push(`${name}: event ${event.id} decided ${decided.length} times`);
        for (const r of decided) for (const e of r.decision.effects) if (isStepEffect(e)) pending.push(answerEffect(e, behaviour, model.now));
        handled.push(event);
      };
      let n = 0;
      const send = (body: EventBody, copies = 1) => apply({ id: `${name}:${(n += 1)}`, service: name, at: model.now, body }, copies);
      for (let step = 0; step < STEPS_PER_RELEASE; step += 1) {
        const x = random();
        if (x < 0.12) await send({ kind: 'build', buildId: `b${Math.floor(random() * 3)}`, status: random() < 0.8 ? 'SUCCESS' : 'QUEUED', commit: 'c', image: 'img@sha256:1' });
        else if (x < 0.6 && pending.length) {
          const [event] = pending.splice(Math.floor(random() * pending.length), 1);
          if (event) await apply({ ...event, at: model.now }, random() < 0.2 ? 3 : 1);
        } else if (x < 0.68 && handled.length) await apply(handled[Math.floor(random() * handled.length)] as ReleaseEvent);
        else if (x < 0.85) {
          model.now += 5_000 + Math.floor(random() * 20_000);
          for (const r of await store.listReleases(name, 10)) if (r.nextCheckAt !== null && r.nextCheckAt <= model.now) await send({ kind: 'tick', releaseId: r.id });
        } else if (x < 0.9) await send({ kind: 'incident', incidentId: `i${step}`, state: random() < 0.5 ? 'open' : 'closed', policyName: null, summary: null });
        else if (x < 0.95) behaviour.errorsPerThousand = random() < 0.7 ? 0 : 200;
        else behaviour.failNext = { permanent: random() < 0.3 };
      }
      // Compare every release with the model: same phase, same history, nothing lost or duplicated.
      for (const modelRelease of model.releases.values()) {
        const stored = await store.getRelease(modelRelease.id);
        const history = await store.history(modelRelease.id, 1_000);
        const modelHistory = model.history.get(modelRelease.id) ?? [];
        const key = (h: { seq: number; fromPhase: string | null; toPhase: string; reason: string }) => `${h.seq}:${h.fromPhase}>${h.toPhase}:${h.reason}`;
        if (stored?.phase !== modelRelease.phase) mismatches.push(`${modelRelease.id}: phase ${stored?.phase} vs model ${modelRelease.phase}`);
        if (history.map(key).join('|') !== modelHistory.map(key).join('|')) mismatches.push(`${modelRelease.id}: history differs (${history.length} vs ${modelHistory.length})`);
      }
      pending = [];
    };

    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (next < names.length) {
          const i = next;
          next += 1;
          await runService(names[i] ?? '', i + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const p99 = percentile(latencies, 99);
    return [
      `| ${RELEASES} concurrent releases (${WORKERS} services in flight at once, ${events} deliveries incl. ${duplicatesDelivered} concurrent duplicates, ${seconds.toFixed(0)} s): releases differing from the model | ${mismatches.length} | 0 | ${mismatches.length === 0 ? 'met' : 'missed'} |`,
      `| same run: decision latency p50 / p99 | ${percentile(latencies, 50).toFixed(1)} ms / ${p99.toFixed(1)} ms | p99 ≤ 100 ms | ${p99 <= 100 ? 'met' : 'missed'} |`,
      ...mismatches.slice(0, 5).map((m) => `|  mismatch: ${m} | | | |`),
    ];
  } finally {
    await store.close();
    await emulator.stop();
  }
}

const lines = ['| measure | result | target | verdict |', '| --- | --- | --- | --- |', ...(await breachToStable()), ...(await thousandReleases())];
appendReport('Local stack: breach to stable; 1,000 releases against the model', lines);
console.log(lines.join('\n'));
