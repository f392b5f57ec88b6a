import { describe, expect, it } from 'vitest';
import { LocalRouterClient } from '../../shared/adapters/local/local-router-client.js';
import { localImage } from '../../local/launcher.js';
import { startAdminApi } from '../../local/router/admin.js';
import { VersionCounters } from '../../local/router/counters.js';
import { LocalFleet } from '../../local/router/fleet.js';
import { WeightedSplit, bucketOf } from '../../local/router/split.js';
import { routerContract } from '../contracts/router-contract.js';
import { FakeRouter } from '../fakes/world-fakes.js';

const target = (service: string) => ({ kind: 'local' as const, project: 'p', region: 'local', service });

describe('WeightedSplit', () => {
  it.each([0, 1, 10, 33, 50, 99, 100])('sends %i%% to the candidate within one request', (percent) => {
    const split = new WeightedSplit();
    split.set(percent);
    let candidate = 0;
    for (let i = 0; i < 10_000; i += 1) if (split.pick() === 'candidate') candidate += 1;
    expect(Math.abs(candidate - percent * 100)).toBeLessThanOrEqual(1);
  });

  it('keeps a sticky key on its version, and only moves keys to the candidate as the weight grows', () => {
    const split = new WeightedSplit();
    const keys = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    split.set(10);
    const at10 = keys.filter((k) => split.pick(k) === 'candidate');
    expect(keys.filter((k) => split.pick(k) === 'candidate')).toEqual(at10);
    split.set(50);
    const at50 = new Set(keys.filter((k) => split.pick(k) === 'candidate'));
    expect(at10.every((k) => at50.has(k))).toBe(true);
    expect(at50.size / keys.length).toBeGreaterThan(0.4);
    expect(bucketOf('user-1')).toBe(bucketOf('user-1'));
  });
});

describe('VersionCounters', () => {
  it('sums requests, 5xx and p99 over a window of seconds', () => {
    const counters = new VersionCounters();
    for (let i = 0; i < 100; i += 1) counters.record(10_000 + i * 10, i < 5 ? 503 : 200, i === 99 ? 700 : 3);
    counters.record(50_000, 500, 1);
    expect(counters.window(10_000, 11_999)).toEqual({ requests: 100, errors: 5, p99LatencyMs: 5 });
    expect(counters.window(49_000, 50_999)).toEqual({ requests: 1, errors: 1, p99LatencyMs: 1 });
    expect(counters.window(0, 1_000)).toEqual({ requests: 0, errors: 0, p99LatencyMs: null });
  });
});

routerContract('FakeRouter', () => Promise.resolve({ router: new FakeRouter(), image: 'img', target: target('svc'), teardown: () => Promise.resolve() }));

routerContract('local router (admin API + processes)', async () => {
  const fleet = new LocalFleet();
  await fleet.addService('svc', 'svc-blue', localImage('blue'));
  const admin = await startAdminApi(fleet);
  return {
    router: new LocalRouterClient(admin.url),
    image: localImage('green'),
    target: target('svc'),
    teardown: async () => {
      await admin.close();
      await fleet.close();
    },
  };
});

describe('local router with real traffic', () => {
  it('splits requests, counts 5xx per version, and the health adapter reads them', async () => {
    const fleet = new LocalFleet();
    const route = await fleet.addService('svc', 'svc-blue', localImage('blue'));
    const admin = await startAdminApi(fleet);
    const client = new LocalRouterClient(admin.url);
    try {
      const from = Date.now();
      const deployed = await client.deployCandidate({ kind: 'deployCandidate', effectId: 'e', releaseId: 'r', service: 'svc', router: target('svc'), attempt: 1, image: localImage('green', { failRate: 0.5 }), revisionName: 'svc-green', baselineRevisionName: null });
      expect(deployed.ok).toBe(true);
      await client.setTraffic({ kind: 'setTraffic', effectId: 't', releaseId: 'r', service: 'svc', router: target('svc'), attempt: 1, candidateRevision: 'svc-green', stableRevision: null, candidatePercent: 50 , baselineRevision: null, baselinePercent: 0});
      const served: Record<string, number> = {};
      for (let i = 0; i < 200; i += 1) {
        const response = await fetch(`${route.url}/`);
        await response.text();
        const revision = response.headers.get('x-cutover-revision') ?? '?';
        served[revision] = (served[revision] ?? 0) + 1;
      }
      expect(served).toEqual({ 'svc-blue': 100, 'svc-green': 100 });
      const reading = await client.measure({ kind: 'measureHealth', effectId: 'm', releaseId: 'r', service: 'svc', router: target('svc'), attempt: 1, candidateRevision: 'svc-green', windowStartAt: from, windowEndAt: Date.now() , baseline: null, confirmSince: null, metrics: [], probe: null});
      expect(reading).toMatchObject({ ok: true, measurements: { requests: 100, errors: 50 } });
    } finally {
      await admin.close();
      await fleet.close();
    }
  });

  it('runs the baseline twin as its own process of the stable\'s image and splits 10/10/80 between them', async () => {
    const fleet = new LocalFleet();
    const route = await fleet.addService('svc', 'svc-blue', localImage('blue'));
    const admin = await startAdminApi(fleet);
    const client = new LocalRouterClient(admin.url);
    try {
      const deployed = await client.deployCandidate({ kind: 'deployCandidate', effectId: 'e', releaseId: 'r', service: 'svc', router: target('svc'), attempt: 1, image: localImage('green'), revisionName: 'svc-green', baselineRevisionName: 'svc-base-green' });
      expect(deployed).toMatchObject({ ok: true, stableRevision: 'svc-blue', baselineRevision: 'svc-base-green' });
      await client.setTraffic({ kind: 'setTraffic', effectId: 't', releaseId: 'r', service: 'svc', router: target('svc'), attempt: 1, candidateRevision: 'svc-green', stableRevision: 'svc-blue', candidatePercent: 10, baselineRevision: 'svc-base-green', baselinePercent: 10 });
      const served: Record<string, number> = {};
      const versions = new Set<string>();
      for (let i = 0; i < 200; i += 1) {
        const response = await fetch(`${route.url}/`);
        await response.text();
        served[response.headers.get('x-cutover-revision') ?? '?'] = (served[response.headers.get('x-cutover-revision') ?? '?'] ?? 0) + 1;
        if (response.headers.get('x-cutover-revision') === 'svc-base-green') versions.add(response.headers.get('x-version') ?? '?');
      }
      expect(served).toEqual({ 'svc-blue': 160, 'svc-green': 20, 'svc-base-green': 20 });
      // The twin runs what the stable runs, in a process of its own.
      expect([...versions]).toEqual(['blue']);
      expect(route.revisions.get('svc-base-green')?.url).not.toBe(route.revisions.get('svc-blue')?.url);
      await client.setTraffic({ kind: 'setTraffic', effectId: 't2', releaseId: 'r', service: 'svc', router: target('svc'), attempt: 1, candidateRevision: 'svc-green', stableRevision: 'svc-blue', candidatePercent: 100, baselineRevision: 'svc-base-green', baselinePercent: 0 });
      expect(route.revisions.has('svc-base-green')).toBe(false);
    } finally {
      await admin.close();
      await fleet.close();
    }
  });

  it('keeps a client on its version by sticky header or cookie, and logs the version of every request', async () => {
    const lines: { revision: string; candidatePercent: number }[] = [];
    const fleet = new LocalFleet(() => ({ stickyHeader: 'x-cutover-sticky', stickyCookie: 'cutover-sticky', accessLog: (l) => lines.push(l) }));
    const route = await fleet.addService('svc', 'svc-blue', localImage('blue'));
    try {
      await fleet.deploy('svc', 'svc-green', localImage('green'));
      await fleet.setTraffic('svc', null, 'svc-green', 50);
      const versionFor = async (headers: Record<string, string>) => {
        const seen = new Set<string>();
        for (let i = 0; i < 20; i += 1) {
          const response = await fetch(`${route.url}/`, { headers });
          await response.text();
          seen.add(response.headers.get('x-cutover-revision') ?? '?');
        }
        return [...seen];
      };
      for (const user of ['alice', 'bob', 'carol', 'dave']) {
        expect(await versionFor({ 'x-cutover-sticky': user })).toHaveLength(1);
        expect(await versionFor({ cookie: `theme=dark; cutover-sticky=${user}` })).toEqual(await versionFor({ 'x-cutover-sticky': user }));
      }
      expect(await versionFor({})).toHaveLength(2);
      expect(lines.length).toBe(4 * 60 + 20);
      expect(lines.every((l) => l.candidatePercent === 50 && ['svc-blue', 'svc-green'].includes(l.revision))).toBe(true);
    } finally {
      await fleet.close();
    }
  });

  it('logs a request its client abandoned as 499 (client closed request), not as the version\'s 5xx', async () => {
    const lines: { status: number; revision: string }[] = [];
    const fleet = new LocalFleet(() => ({ accessLog: (l) => lines.push(l) }));
    const route = await fleet.addService('svc', 'svc-slow', localImage('blue', { latencyMs: 3_000 }));
    try {
      const from = Date.now();
      await expect(fetch(`${route.url}/`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
      await expect.poll(() => lines.length, { timeout: 10_000 }).toBe(1);
      expect(lines[0]).toMatchObject({ status: 499, revision: 'svc-slow' });
      expect(route.router.countersFor('svc-slow').window(from, Date.now())).toMatchObject({ requests: 1, errors: 0 });
    } finally {
      await fleet.close();
    }
  });

  it('reports a refused connection as a transient failure', async () => {
    const client = new LocalRouterClient('http://127.0.0.1:1');
    const out = await client.setTraffic({ kind: 'setTraffic', effectId: 't', releaseId: 'r', service: 'svc', router: target('svc'), attempt: 1, candidateRevision: null, stableRevision: null, candidatePercent: 0 , baselineRevision: null, baselinePercent: 0});
    expect(out).toMatchObject({ ok: false, permanent: false });
  });
});
