import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import { FirestoreStore } from '../shared/adapters/firestore/firestore-store.js';
import { DEFAULT_EFFECT_POLICY, decide, type EventBody, type ReleaseEvent } from '../shared/domain/index.js';
import { startFirestoreEmulator } from '../local/emulators.js';
import { serviceConfigInput } from '../test/support/fixtures.js';
import { appendReport, percentile } from './bench-report.js';

/**
 * Decision-loop benchmark against the Firestore emulator:
 *  1. latency of one event (transaction + decide + commit), one in flight;
 *  2. events/s with several in flight, next to the emulator's raw throughput for transactions of
 *     the same shape and the same documents (no decide), alternating rounds in the same run so
 *     both see the same emulator state.
 * Targets (issue 2): p99 ≤ 25 ms with one in flight; ≥ 0.7× raw throughput.
 */
process.env.METADATA_SERVER_DETECTION ??= 'none';
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 600);
const ROUND_EVENTS = Number(process.env.BENCH_ROUND_EVENTS ?? 800);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

/** A realistic stream for one service: releases created, started, an incident recorded, aborted. */
function* releaseStream(service: string, prefix: string): Generator<EventBody, never> {
  for (let i = 0; ; i += 1) {
    const buildId = `${prefix}${i}`;
    yield { kind: 'build', buildId, status: 'QUEUED', commit: 'c', image: null };
    yield { kind: 'build', buildId, status: 'WORKING', commit: 'c', image: null };
    yield { kind: 'build', buildId, status: 'SUCCESS', commit: 'c', image: `img@sha256:${i}` };
    yield { kind: 'incident', incidentId: `${service}-${buildId}`, state: 'closed', policyName: null, summary: null };
    yield { kind: 'command', releaseId: `${service}-${buildId}`, command: 'abort', actor: 'bench', why: null };
  }
}

async function main(): Promise<void> {
  const emulator = await startFirestoreEmulator();
  const store = new FirestoreStore({ projectId: 'cutover-bench', databaseId: 'cutover', emulatorHost: emulator.host });
  const db = store.db;
  try {
    let clock = Date.now();
    const handle = async (service: string, body: EventBody, id: string) => {
      clock += 1;
      const event: ReleaseEvent = { id, service, at: clock, body };
      const started = performance.now();
      await store.handle(event, (world) => decide(world, event, { now: event.at, policy: DEFAULT_EFFECT_POLICY }));
      return performance.now() - started;
    };
    const services = Array.from({ length: CONCURRENCY }, (_, i) => `svc-${i}`);
    for (const name of ['lat', ...services]) await store.applyServiceConfig(serviceConfigInput({ name }), clock);

    // Warm-up, then latency with one event in flight.
    const warm = releaseStream('lat', 'w');
    for (let i = 0; i < 100; i += 1) await handle('lat', warm.next().value, `warm-${i}`);
    const latencies: number[] = [];
    const stream = releaseStream('lat', 'l');
    for (let i = 0; i < LATENCY_EVENTS; i += 1) latencies.push(await handle('lat', stream.next().value, `lat-${i}`));

    const perService = Math.ceil(ROUND_EVENTS / CONCURRENCY);
    const timed = async (work: (service: string) => Promise<void>) => {
      const started = performance.now();
      await Promise.all(services.map(work));
      return (perService * CONCURRENCY) / ((performance.now() - started) / 1000);
    };
    const cutoverRound = (round: number) =>
      timed(async (service) => {
        const s = releaseStream(service, `r${round}-`);
        for (let i = 0; i < perService; i += 1) await handle(service, s.next().value, `tp${round}-${service}-${i}`);
      });

    // Documents exactly as Cutover writes them, for the raw transactions.
    await cutoverRound(-1);
    const sample = async (path: string): Promise<DocumentData> => (await db.doc(path).get()).data() ?? {};
    const releaseDoc = await sample('releases/svc-0-r-1-0');
    const historyDoc = await sample('releases/svc-0-r-1-0/history/00000002');
    const serviceDoc = await sample('services/svc-0');
    const dedupDoc = (await db.collection('processedEvents').limit(1).get()).docs[0]?.data() ?? {};
    const rawRound = (round: number) =>
      timed(async (service) => {
        for (let i = 0; i < perService; i += 1) {
          await db.runTransaction(async (tx) => {
            const releaseRef = db.doc(`rawReleases/${service}-${round}-${Math.floor(i / 5)}`);
            const eventRef = db.doc(`rawEvents/${service}-${round}-${i}`);
            const serviceRef = db.doc(`rawServices/${service}`);
            await tx.getAll(eventRef, serviceRef, releaseRef);
            tx.set(releaseRef, { ...releaseDoc, historySeq: i });
            tx.create(releaseRef.collection('history').doc(String(i).padStart(8, '0')), { ...historyDoc, seq: i });
            tx.set(serviceRef, { ...serviceDoc, updatedAt: Timestamp.now() });
            tx.set(eventRef, { ...dedupDoc, eventId: `${service}-${round}-${i}` });
          });
        }
      });

    const cutoverRates: number[] = [];
    const rawRates: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      rawRates.push(await rawRound(round));
      cutoverRates.push(await cutoverRound(round));
    }
    const cutoverRate = percentile(cutoverRates, 50);
    const rawRate = percentile(rawRates, 50);

    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const ratio = cutoverRate / rawRate;
    const lines = [
      '| measure | result | target | verdict |',
      '| --- | --- | --- | --- |',
      `| decision latency, one in flight (${LATENCY_EVENTS} events), p50 | ${p50.toFixed(1)} ms | — | — |`,
      `| decision latency, one in flight, p99 | ${p99.toFixed(1)} ms | ≤ 25 ms | ${p99 <= 25 ? 'met' : 'missed'} |`,
      `| Cutover events/s, ${CONCURRENCY} in flight (median of ${ROUNDS} rounds: ${cutoverRates.map((r) => r.toFixed(0)).join(', ')}) | ${cutoverRate.toFixed(0)} | — | — |`,
      `| raw emulator transactions/s, same documents (median of ${ROUNDS}: ${rawRates.map((r) => r.toFixed(0)).join(', ')}) | ${rawRate.toFixed(0)} | — | — |`,
      `| Cutover / raw | ${ratio.toFixed(2)}× | ≥ 0.7× | ${ratio >= 0.7 ? 'met' : 'missed'} |`,
      '',
      'Event mix per release: build QUEUED, WORKING, SUCCESS, a closed incident, an abort; each is one Firestore transaction (dedup record, service and the releases it names read; release, history entry, service and dedup record written as needed). Effects are not run: this measures the decide loop and its commit. The raw transactions read three documents and write four, using documents Cutover wrote, so the comparison isolates Cutover\'s own overhead (decide, validation, and a second read round trip when the service points at a release this process did not expect).',
    ];
    appendReport('Decision loop on the Firestore emulator', lines);
    console.log(lines.join('\n'));
  } finally {
    await store.close();
    await emulator.stop();
  }
}

await main();
