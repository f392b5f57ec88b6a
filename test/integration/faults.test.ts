import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_POLICY } from '../support/fixtures.js';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { DEFAULT_EFFECT_POLICY, releaseIdForBuild } from '../../shared/domain/index.js';
import { startFirestoreEmulator, type Emulator } from '../../local/emulators.js';
import type { ReleaseStore } from '../../shared/ports/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { buildResource, incidentNotification, pushRequest } from '../support/messages.js';
import { serveFunctions } from '../support/function-servers.js';
import { fakeSystem } from '../support/system.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Faults on the emulators: Firestore behind a TCP proxy that drops, cuts (blackhole) and delays,
 * and an emulator killed and restarted mid-burst. The functions answer with a short deadline here
 * (4 s; 9 s in production) — the same code path. What must hold: every request ends either 2xx
 * with its record in Firestore, or non-2xx (Pub/Sub redelivers); an incident sent while the store
 * is away is answered 503 and rolls back once the store is back; handling resumes without a restart.
 */
const DEADLINE_MS = 4_000;
let sys = fakeSystem<ReleaseStore>();
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger, requestDeadlineMs: DEADLINE_MS }));

describe.skipIf(!emulators.available)('faults: Firestore dropped, cut, delayed, killed and restarted', () => {
  let served: Awaited<ReturnType<typeof serveFunctions>>;
  const proxy = new TcpProxy(emulators.firestoreHost ?? '');
  const stores: FirestoreStore[] = [];
  let emulator: Emulator | null = null;

  beforeAll(async () => {
    served = await serveFunctions(['onCloudBuild', 'onAlert']);
  });
  afterAll(async () => {
    await served.close();
    await proxy.stop();
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    await emulator?.stop();
  });

  async function freshSystem(): Promise<void> {
    const host = await proxy.start().catch(() => proxyHost);
    proxyHost = host;
    const store = new FirestoreStore({ projectId: uniqueProjectId('faults'), databaseId: 'cutover', emulatorHost: host, operationTimeoutMs: DEADLINE_MS - 1_000 });
    stores.push(store);
    sys = fakeSystem<ReleaseStore>(store);
    // A loaded machine can make the emulator slower than the test's short deadline: retry, as a person would.
    await deliverApply();
  }

  /**
   * Waits for the state asserted. A request answered 503 may still have committed (its answer lost
   * in the fault) without running its effects; the redelivery is then a duplicate, and the release
   * converges when its effect's deadline passes and a tick re-issues it — so, if the state is not
   * reached at once, move the clock past that deadline and tick, as the minute tick would.
   */
  async function phaseOf(id: string, want: string): Promise<string | undefined> {
    let phase: string | undefined;
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 20; i += 1) {
        phase = (await sys.store.getRelease(id).catch(() => null))?.state.phase;
        if (phase === want) return phase;
        await new Promise((r) => setTimeout(r, 150));
      }
      await sys.advance(DEFAULT_EFFECT_POLICY.deployTimeoutMs + 1_000).catch(() => undefined);
    }
    return phase;
  }
  let proxyHost = '';

  async function post(fn: string, req: { headers: Record<string, string>; body: string }) {
    // The client gives up long after the deadline: a hang fails the test instead of passing slowly.
    const response = await fetch(served.url(fn), { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(DEADLINE_MS * 3) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  /** Redelivers like Pub/Sub until the answer is 2xx. */
  async function deliver(fn: string, req: { headers: Record<string, string>; body: string }, attempts = 20) {
    for (let i = 0; i < attempts; i += 1) {
      const res = await post(fn, req);
      if (res.status < 300) return res;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${fn} never answered 2xx`);
  }

  it('answers 503 to an incident while the store is cut, and rolls back once it is back', async () => {
    proxy.set('pass');
    await freshSystem();
    await deliver('onCloudBuild', pushRequest({ messageId: 'm1', data: sys.builds.know(buildResource({ id: 'b1', status: 'SUCCESS' })) }));
    const rid = releaseIdForBuild('checkout', 'b1');
    expect(await phaseOf(rid, 'shifting')).toBe('shifting');

    proxy.set('blackhole');
    const incident = pushRequest({ messageId: 'a1', data: incidentNotification({ id: 'i1', policy: 'checkout 5xx ratio' }) });
    const during = await post('onAlert', incident);
    expect(during.status).toBe(503);
    expect(during.json.status).toBe('retry');
    // A second request for the same service is not held behind the stuck one.
    expect((await post('onAlert', incident)).status).toBe(503);

    proxy.set('pass');
    const after = await deliver('onAlert', incident);
    expect(after.status).toBe(200);
    expect(await phaseOf(rid, 'rolled_back')).toBe('rolled_back');
  });

  it('answers 503 when the store is unreachable from the start (connections refused)', async () => {
    proxy.set('pass');
    await freshSystem();
    proxy.set('drop');
    const res = await post('onCloudBuild', pushRequest({ messageId: 'm9', data: sys.builds.know(buildResource({ id: 'b9', status: 'SUCCESS' })) }));
    expect(res.status).toBe(503);
    proxy.set('pass');
    await deliver('onCloudBuild', pushRequest({ messageId: 'm9', data: sys.builds.know(buildResource({ id: 'b9', status: 'SUCCESS' })) }));
    expect(await phaseOf(releaseIdForBuild('checkout', 'b9'), 'shifting')).toBe('shifting');
  });

  it('a mixed burst through drops and delays: every 2xx is in Firestore, every non-2xx is redelivered until it is', async () => {
    proxy.set('pass');
    await freshSystem();
    const requests: { fn: string; req: { headers: Record<string, string>; body: string }; check: (json: Record<string, unknown>) => Promise<void> }[] = [];
    for (let i = 0; i < 12; i += 1) {
      const id = `burst${i}`;
      requests.push({
        fn: 'onCloudBuild',
        req: pushRequest({ messageId: `mb${i}`, data: sys.builds.know(buildResource({ id, status: i % 3 === 0 ? 'SUCCESS' : 'QUEUED' })) }),
        check: async () => expect(await sys.store.getRelease(releaseIdForBuild('checkout', id))).not.toBeNull(),
      });
      requests.push({
        fn: 'onCloudBuild',
        req: pushRequest({ messageId: `bad${i}`, data: `not json ${i}` }),
        check: async (json) => expect((await sys.store.listRejected(100)).map((r) => r.id)).toContain(json.rejectedId),
      });
    }
    for (let i = 0; i < 4; i += 1) {
      requests.push({
        fn: 'onAlert',
        req: pushRequest({ messageId: `ai${i}`, data: incidentNotification({ id: `burst-inc-${i}`, state: 'closed', policy: 'checkout 5xx ratio' }) }),
        check: async () => expect((await sys.store.getService('checkout'))?.lastIncident).not.toBeNull(),
      });
    }
    const send = (batch: typeof requests) => Promise.all(batch.map(async (r) => ({ r, res: await post(r.fn, r.req).catch(() => ({ status: 599, json: {} })) })));
    const third = Math.ceil(requests.length / 3);
    // A: the store refuses connections; B: slow, then reset mid-flight; C: cut, then back.
    proxy.set('drop');
    const a = await send(requests.slice(0, third));
    proxy.set('pass');
    proxy.delayMs = 150;
    const bDone = send(requests.slice(third, 2 * third));
    await new Promise((r) => setTimeout(r, 200));
    proxy.set('drop');
    await new Promise((r) => setTimeout(r, 300));
    proxy.delayMs = 0;
    proxy.set('pass');
    const b = await bDone;
    proxy.set('blackhole');
    const cDone = send(requests.slice(2 * third));
    await new Promise((r) => setTimeout(r, 1_500));
    proxy.set('pass');
    const c = await cDone;
    const first = [...a, ...b, ...c];
    proxy.set('pass');
    // Every answer is 2xx-and-recorded or non-2xx; the non-2xx ones come again, as Pub/Sub would send them.
    for (const { r, res } of first) {
      const final = res.status < 300 ? res : await deliver(r.fn, r.req);
      await r.check(final.json);
    }
    expect(first.some(({ res }) => res.status >= 500)).toBe(true);
    expect(first.every(({ res }) => res.status === 200 || res.status === 503 || res.status === 599)).toBe(true);
  });

  it('resumes within seconds, without a restart, after the emulator is killed and started again', async () => {
    emulator = await startFirestoreEmulator();
    proxy.setUpstream(emulator.host);
    proxy.set('pass');
    await freshSystem();
    await deliver('onCloudBuild', pushRequest({ messageId: 'k1', data: sys.builds.know(buildResource({ id: 'k1', status: 'QUEUED' })) }));
    // A burst in flight when the emulator dies: each answer is 200 (it committed first) or 503, never 500 or a hang.
    const burst = Array.from({ length: 12 }, (_, i) => post('onCloudBuild', pushRequest({ messageId: `kb${i}`, data: sys.builds.know(buildResource({ id: `kb${i}`, status: 'QUEUED' })) })).catch(() => ({ status: 599, json: {} })));
    await emulator.stop();
    const answers = await Promise.all(burst);
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const down = await post('onCloudBuild', pushRequest({ messageId: 'k2', data: sys.builds.know(buildResource({ id: 'k2', status: 'QUEUED' })) }));
    expect(down.status).toBe(503);
    emulator = await startFirestoreEmulator();
    proxy.setUpstream(emulator.host);
    // The emulator keeps no data across a restart: register the service again, through the same client.
    await deliverApply();
    const back = await deliver('onCloudBuild', pushRequest({ messageId: 'k2', data: sys.builds.know(buildResource({ id: 'k2', status: 'QUEUED' })) }));
    expect(back.status).toBe(200);
    expect(await sys.store.getRelease(releaseIdForBuild('checkout', 'k2'))).not.toBeNull();
    proxy.setUpstream(emulators.firestoreHost ?? '');
  });

  async function deliverApply(): Promise<void> {
    for (let i = 0; i < 40; i += 1) {
      try {
        await sys.apply({ rollbackTriggers: { alertPolicies: [CHECKOUT_POLICY] } });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new Error('the store never came back');
  }
});
