import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { AddressInfo } from 'node:net';
import { registerFunctions } from '../functions/register.js';
import { FirestoreStore } from '../shared/adapters/firestore/firestore-store.js';
import { MAX_BODY_BYTES } from '../shared/ingest/envelope.js';
import { LogNotifier } from '../shared/adapters/basic/log-notifier.js';
import { TickOnlyScheduler } from '../shared/adapters/basic/tick-only-scheduler.js';
import { startFirestoreEmulator } from '../local/emulators.js';
import { silentLogger } from '../shared/runtime/logger.js';
import { ReleaseRuntime } from '../shared/runtime/runtime.js';
import type { DeployOutcome, HealthSource, TrafficRouter, VerificationChecker } from '../shared/ports/index.js';

/**
 * Peak memory of one functions instance at its configured concurrency (8) with maximum-size
 * messages (just under the 4 MiB body limit, and over it), on the Firestore emulator. The figure
 * sets `available_memory` and `max_instance_request_concurrency` in infra/functions.tf.
 */
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 15);

const emulator = await startFirestoreEmulator();
const store = new FirestoreStore({ projectId: 'bench-memory', databaseId: 'cutover', emulatorHost: emulator.host });
const idle: TrafficRouter & HealthSource & VerificationChecker = {
  deployCandidate: (): Promise<DeployOutcome> => Promise.resolve({ ok: false, permanent: false, error: 'not in this bench' }),
  setTraffic: () => Promise.resolve({ ok: true, observedPercent: 0 }),
  measure: () => Promise.resolve({ ok: false, error: 'not in this bench' }),
  run: () => Promise.resolve([]),
};
const runtime = new ReleaseRuntime({ store, router: idle, health: idle, verifier: idle, scheduler: new TickOnlyScheduler(), notifier: new LogNotifier(silentLogger), clock: Date.now, log: silentLogger });
// The service has no `source`: every build is refused (and stored) after parsing, the path a flood takes.
registerFunctions(() => ({ runtime, store, builds: { getBuild: () => Promise.resolve(null), getTrigger: () => Promise.resolve(null) }, alertPolicies: { getPolicy: () => Promise.resolve(null) }, clock: Date.now, log: silentLogger }));
await store.applyServiceConfig({ name: 'checkout', project: 'p', region: 'r', router: { kind: 'local' }, slo: { maxErrorRate: 0.01 } }, Date.now());
const server = getTestServer('onCloudBuild');
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

function message(i: number, bytes: number): string {
  const build = { id: `b${i}`, status: 'QUEUED', substitutions: { _CUTOVER_SERVICE: 'checkout' }, padding: '' };
  const overhead = 200;
  build.padding = 'x'.repeat(Math.max(0, Math.floor(((bytes - overhead) * 3) / 4) - JSON.stringify(build).length));
  return JSON.stringify({ message: { data: Buffer.from(JSON.stringify(build)).toString('base64'), messageId: `m${i}` }, subscription: 's' });
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const baseline = process.memoryUsage().rss;
const statuses = new Map<number, number>();
for (let round = 0; round < ROUNDS; round += 1) {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, k) => {
      const size = k % 2 === 0 ? MAX_BODY_BYTES - 1024 : MAX_BODY_BYTES * 2;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: message(round * CONCURRENCY + k, size) });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      await res.arrayBuffer();
    }),
  );
}
clearInterval(sampler);
const mib = (n: number) => (n / 1024 / 1024).toFixed(0);
console.log(`| peak RSS, ${CONCURRENCY} concurrent pushes × ${ROUNDS} rounds, half just under the 4 MiB body limit, half at 8 MiB (refused before parsing) | ${mib(peak)} MiB (baseline ${mib(baseline)} MiB; answers ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}) |`);
server.close();
await store.close();
await emulator.stop();
process.exit(0);
