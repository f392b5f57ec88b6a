import { describe, expect, it } from 'vitest';
import { releaseIdForBuild, type EventBody, type ServiceConfigInput } from '../../shared/domain/index.js';
import { T0, build, releaseIn, serviceState } from '../support/fixtures.js';
import { Scenario, type Step } from '../support/transcript.js';

/**
 * Golden transcripts of whole release stories through decide(): every outcome, changed field,
 * history line (with its message), deadline and effect payload. The reviewed transcript lives in
 * test/unit/golden/decide-scenarios.txt; a diff there is a change in what Cutover decides or tells
 * people, to be read and accepted on purpose (vitest -u), never by accident.
 */
const s = (seconds: number) => T0 + seconds * 1000;
const rid = (b: string) => releaseIdForBuild('checkout', b);
type Body = (sc: Scenario) => EventBody;

const deployed = (b: string, stable: string | null = 'checkout-stable', revision = `checkout-${b}`): Body => (sc) => ({
  kind: 'candidateDeployed', releaseId: rid(b), effectId: sc.inFlight(b), revision, url: `https://${revision}.run.app`, stableRevision: stable,
});
const pending = (b: string): Body => (sc) => ({ kind: 'candidatePending', releaseId: rid(b), effectId: sc.inFlight(b), revision: `checkout-${b}`, status: 'ContainerHealthy=Unknown' });
const verified = (b: string, results: Array<{ path: string; status: number | null; ok: boolean; error?: string }>): Body => (sc) => ({
  kind: 'verificationCompleted', releaseId: rid(b), effectId: sc.inFlight(b), results: results.map((r) => ({ durationMs: 3, error: null, ...r })),
});
const traffic = (b: string, observedPercent: number): Body => (sc) => ({ kind: 'trafficSet', releaseId: rid(b), effectId: sc.inFlight(b), observedPercent });
const health = (b: string, requests: number, errors: number, p99LatencyMs: number | null = 120): Body => (sc) => ({
  kind: 'healthMeasured', releaseId: rid(b), effectId: sc.inFlight(b), reading: { ok: true, measurements: { requests, errors, p99LatencyMs, windowStartAt: T0, windowEndAt: T0 + 1 } },
});
const twinDeployed = (b: string): Body => (sc) => ({ ...(deployed(b)(sc) as object), baselineRevision: `checkout-base-${b}` }) as EventBody;
/** A stream reading of the candidate beside its twin, with Cloud Monitoring's word when the effect asked for it. */
const judged = (b: string, candidate: [number, number], twin: [number, number], confirmation: 'pending' | [number, number] | null = null): Body => (sc) => ({
  kind: 'healthMeasured', releaseId: rid(b), effectId: sc.inFlight(b),
  reading: {
    ok: true,
    measurements: {
      requests: candidate[0], errors: candidate[1], p99LatencyMs: 120, windowStartAt: T0, windowEndAt: T0 + 1, source: 'telemetry',
      baseline: { revision: `checkout-base-${b}`, requests: twin[0], errors: twin[1], p99LatencyMs: 120, latency: null },
      confirmation: confirmation === null ? null : confirmation === 'pending' ? { status: 'pending', source: 'monitoring', visibleUntil: T0 } : {
        status: 'read', source: 'monitoring', windowStartAt: T0, windowEndAt: T0 + 60_000,
        authority: { candidate: { requests: confirmation[0], errors: confirmation[1] }, baseline: { requests: twin[0], errors: twin[1] } },
        stream: { candidate: { requests: candidate[0], errors: candidate[1] }, baseline: { requests: twin[0], errors: twin[1] } },
      },
    },
  },
});
const noReading = (b: string, error: string): Body => (sc) => ({ kind: 'healthMeasured', releaseId: rid(b), effectId: sc.inFlight(b), reading: { ok: false, error } });
const failed = (b: string, effectKind: 'deployCandidate' | 'setTraffic' | 'runVerification' | 'measureHealth', permanent: boolean, error = 'UNAVAILABLE'): Body => (sc) => ({
  kind: 'effectFailed', releaseId: rid(b), effectId: sc.inFlight(b), effectKind, permanent, error,
});
const tick = (b: string): EventBody => ({ kind: 'tick', releaseId: rid(b) });
const command = (b: string, name: 'promote' | 'approve' | 'pause' | 'resume' | 'abort' | 'rollback', why: string | null = null): EventBody => ({ kind: 'command', releaseId: rid(b), command: name, actor: 'ops@example.com', why });
const incident = (id: string, state: 'open' | 'closed', policyName: string | null = 'checkout 5xx'): EventBody => ({ kind: 'incident', incidentId: id, state, policyName, summary: 'error ratio above 5%' });

/** SUCCESS through deployed and verified, landing at the first step with 10% observed. */
const toFirstStep = (b: string, at = 0): Step[] => [
  { at: s(at), body: build(b, 'SUCCESS') },
  { at: s(at + 20), body: deployed(b) },
  { at: s(at + 21), body: verified(b, [{ path: '/healthz', status: 200, ok: true }]) },
  { at: s(at + 22), body: traffic(b, 10) },
];

const scenarios: Array<{ name: string; config?: Partial<ServiceConfigInput>; stable?: string | null; run: (sc: Scenario) => void }> = [
  {
    name: 'a release through every step to complete, then its watch window ends',
    run: (sc) =>
      sc.run([
        { at: s(-30), body: build('b1', 'QUEUED') },
        ...toFirstStep('b1'),
        { at: s(32), body: tick('b1') },
        { at: s(32), body: health('b1', 10, 0) },
        { at: s(42), body: tick('b1') },
        { at: s(42), body: health('b1', 40, 1) },
        { at: s(90), body: tick('b1') },
        { at: s(90), body: health('b1', 200, 2, null) },
        { at: s(91), body: traffic('b1', 50) },
        { at: s(151), body: tick('b1') },
        { at: s(151), body: health('b1', 300, 0) },
        { at: s(152), body: traffic('b1', 100) },
        { at: s(152 + 1800), body: tick('b1') },
      ]),
  },
  {
    name: 'the first release learns its stable from the router, then a rollback returns to it',
    stable: null,
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1', 'checkout-00001-abc') },
        { at: s(21), body: verified('b1', [{ path: '/', status: 200, ok: true }]) },
        { at: s(22), body: traffic('b1', 10) },
        { at: s(32), body: tick('b1') },
        { at: s(32), body: health('b1', 100, 30) },
        { at: s(33), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'a first release with nothing served before it cannot be rolled back: held and told',
    stable: null,
    config: { steps: [100] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1', null) },
        { at: s(21), body: verified('b1', [{ path: '/', status: 200, ok: true }]) },
        { at: s(22), body: traffic('b1', 100) },
        { at: s(60), body: incident('i-1', 'open') },
        { at: s(61), body: command('b1', 'rollback', 'bad') },
      ]),
  },
  {
    name: 'a deploy whose revision is slow to become ready is asked again, then times out',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(1), body: pending('b1') },
        { at: s(6), body: tick('b1') },
        { at: s(7), body: pending('b1') },
        { at: s(360), body: tick('b1') },
        { at: s(361), body: pending('b1') },
      ]),
  },
  {
    name: 'failing checks roll back, naming each failing path',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }, { path: '/ready', status: 503, ok: false }, { path: '/db', status: null, ok: false, error: 'ECONNREFUSED' }, { path: '/x', status: null, ok: false }]) },
        { at: s(22), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'paused before verification passes: shifting waits for resume',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(1), body: command('b1', 'pause', 'freeze') },
        { at: s(2), body: command('b1', 'pause') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }]) },
        { at: s(30), body: command('b1', 'resume') },
        { at: s(31), body: command('b1', 'resume') },
        { at: s(32), body: traffic('b1', 10) },
      ]),
  },
  {
    name: 'a router that does not apply the traffic is retried with backoff, then given up',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }]) },
        { at: s(22), body: traffic('b1', 0) },
        { at: s(23), body: tick('b1') },
        { at: s(23), body: failed('b1', 'setTraffic', false, 'DEADLINE_EXCEEDED') },
        { at: s(26), body: tick('b1') },
        { at: s(26), body: failed('b1', 'setTraffic', false) },
        { at: s(31), body: tick('b1') },
        { at: s(31), body: failed('b1', 'setTraffic', false) },
        { at: s(40), body: tick('b1') },
        { at: s(40), body: failed('b1', 'setTraffic', false) },
        { at: s(56), body: tick('b1') },
        { at: s(56), body: failed('b1', 'setTraffic', false) },
        { at: s(57), body: failed('b1', 'setTraffic', true, 'PERMISSION_DENIED') },
        { at: s(60), body: tick('b1') },
        { at: s(60), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'an effect with no result before its deadline is issued again, naming the lost attempt',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(80), body: tick('b1') },
        { at: s(81), body: failed('b1', 'runVerification', true, 'bad URL') },
        { at: s(82), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'permanent failures: a deploy fails the release; a health read gives up into rollback',
    run: (sc) => {
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(5), body: failed('b1', 'deployCandidate', true, 'PERMISSION_DENIED') },
        ...toFirstStep('b2', 10),
        { at: s(42), body: tick('b2') },
        { at: s(42), body: failed('b2', 'measureHealth', true, 'metric not found') },
      ]);
    },
  },
  {
    name: 'health: no data holds, latency breaches, inconclusive past the deadline rolls back',
    config: { slo: { maxErrorRate: 0.05, minRequests: 20, window: '1m', maxP99LatencyMs: 500 }, progressDeadline: '2m' },
    run: (sc) =>
      sc.run([
        ...toFirstStep('b1'),
        { at: s(32), body: tick('b1') },
        { at: s(32), body: noReading('b1', 'monitoring UNAVAILABLE') },
        { at: s(42), body: tick('b1') },
        { at: s(42), body: health('b1', 5, 0) },
        { at: s(52), body: tick('b1') },
        { at: s(52), body: health('b1', 6, 0) },
        { at: s(200), body: tick('b1') },
        { at: s(200), body: health('b1', 7, 0) },
        { at: s(201), body: traffic('b1', 0) },
        ...toFirstStep('b2', 300),
        { at: s(332), body: tick('b2') },
        { at: s(332), body: health('b2', 100, 0, 900) },
      ]),
  },
  {
    name: 'inconclusive past the deadline pauses when the service says so; paused never rolls back for it',
    config: { progressDeadline: '1m', onInconclusiveDeadline: 'pause' },
    run: (sc) =>
      sc.run([
        ...toFirstStep('b1'),
        { at: s(90), body: tick('b1') },
        { at: s(90), body: health('b1', 3, 0) },
        { at: s(200), body: tick('b1') },
        { at: s(200), body: health('b1', 3, 0) },
        { at: s(210), body: tick('b1') },
        { at: s(210), body: health('b1', 100, 50) },
      ]),
  },
  {
    name: 'approval: held before 100%, approve moves on; promote jumps to the last step',
    config: { requireApproval: true, steps: [10, 100], bakeTime: '30s' },
    run: (sc) =>
      sc.run([
        ...toFirstStep('b1'),
        { at: s(60), body: tick('b1') },
        { at: s(60), body: health('b1', 100, 0) },
        { at: s(61), body: command('b1', 'promote', 'urgent') },
        { at: s(62), body: command('b1', 'approve', 'looks good') },
        { at: s(63), body: command('b1', 'approve') },
        { at: s(64), body: traffic('b1', 100) },
        { at: s(65), body: command('b1', 'abort') },
        { at: s(66), body: command('b1', 'rollback', 'customer reports') },
        { at: s(67), body: traffic('b1', 0) },
        { at: s(68), body: command('b1', 'rollback') },
      ]),
  },
  {
    name: 'approval with a single 100% step: held at 0% after verification until approved',
    config: { requireApproval: true, steps: [100] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }]) },
        { at: s(60), body: tick('b1') },
        { at: s(61), body: command('b1', 'pause') },
        { at: s(62), body: command('b1', 'resume') },
        { at: s(63), body: command('b1', 'approve', 'reviewed') },
        { at: s(64), body: traffic('b1', 100) },
      ]),
  },
  {
    name: 'watch window: the completed release is still measured; a breach rolls it back, healthy readings change nothing',
    config: { steps: [100] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }]) },
        { at: s(22), body: traffic('b1', 100) },
        { at: s(32), body: tick('b1') },
        { at: s(32), body: health('b1', 500, 1) },
        { at: s(42), body: tick('b1') },
        { at: s(42), body: (sc) => ({ ...(health('b1', 500, 0)(sc) as Extract<EventBody, { kind: 'healthMeasured' }>), probes: { total: 1, failed: 1, failing: ['/healthz (503)'] } }) },
        { at: s(43), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'queue mode: a newer build waits, a third replaces it in the queue, and it starts when the slot frees',
    config: { concurrency: 'queue' },
    run: (sc) =>
      sc.run([
        ...toFirstStep('b1'),
        { at: s(30), body: build('b2', 'SUCCESS') },
        { at: s(31), body: build('b3', 'SUCCESS') },
        { at: s(32), body: command('b1', 'abort', 'wrong branch') },
        { at: s(33), body: traffic('b1', 0) },
        { at: s(34), body: command('b2', 'resume') },
      ]),
  },
  {
    name: 'supersede mode: a newer build takes traffic back first, and the old one ends superseded',
    run: (sc) =>
      sc.run([
        { at: s(-5), body: build('b0', 'QUEUED') },
        ...toFirstStep('b1'),
        { at: s(30), body: build('b2', 'SUCCESS') },
        { at: s(31), body: traffic('b1', 0) },
        { at: s(32), body: build('b0', 'FAILURE') },
      ]),
  },
  {
    name: 'incidents: closed is recorded; open rolls back the completed release inside its window, once',
    config: { steps: [100] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(5), body: incident('i-0', 'open', null) },
        { at: s(20), body: deployed('b1') },
        { at: s(21), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }]) },
        { at: s(22), body: traffic('b1', 100) },
        { at: s(100), body: incident('i-1', 'closed') },
        { at: s(200), body: incident('i-2', 'open') },
        { at: s(201), body: incident('i-2', 'open') },
        { at: s(202), body: traffic('b1', 100) },
        { at: s(203), body: traffic('b1', 0) },
        { at: s(204), body: incident('i-3', 'open') },
      ]),
  },
  {
    name: 'a baseline twin beside the candidate: split three ways, an advance waits for Cloud Monitoring, worse than its twin rolls back',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: twinDeployed('b1') },
        { at: s(21), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }]) },
        { at: s(22), body: traffic('b1', 10) },
        { at: s(62), body: tick('b1') },
        { at: s(62), body: judged('b1', [400, 0], [400, 0]) },
        { at: s(92), body: tick('b1') },
        { at: s(92), body: judged('b1', [600, 0], [600, 0], 'pending') },
        { at: s(102), body: tick('b1') },
        { at: s(102), body: judged('b1', [700, 0], [700, 0], [690, 0]) },
        { at: s(103), body: traffic('b1', 50) },
        { at: s(143), body: tick('b1') },
        { at: s(143), body: judged('b1', [2000, 80], [2000, 2]) },
        { at: s(144), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'deploy policy: a build during a freeze is held pending, a newer build replaces it in the hold, and it starts when the freeze ends',
    config: { policies: [{ name: 'freeze', windows: { oneTime: [{ start: '2026-11-27T11:00', end: '2026-11-27T12:05' }] } }] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(30), body: build('b2', 'SUCCESS') },
        { at: s(60), body: tick('b2') },
        { at: s(300), body: tick('b2') },
        { at: s(320), body: deployed('b2') },
      ]),
  },
  {
    name: 'deploy policy: no more traffic during a freeze; promote is refused, an override lets this one release past and is recorded',
    config: { policies: [{ name: 'evening', windows: { oneTime: [{ start: '2026-11-27T12:01', end: '2026-11-27T18:00' }] }, blocks: ['advance'], overrideRole: 'owner' }] },
    run: (sc) =>
      sc.run([
        ...toFirstStep('b1'),
        { at: s(90), body: tick('b1') },
        { at: s(90), body: health('b1', 100, 0) },
        { at: s(95), body: command('b1', 'promote', 'customer waiting') },
        { at: s(100), body: { kind: 'override', releaseId: rid('b1'), policy: 'evening', actor: 'owen@example.com', why: 'hotfix for INC-42' } },
        { at: s(101), body: { kind: 'override', releaseId: rid('b1'), policy: 'evening', actor: 'owen@example.com', why: 'again' } },
        { at: s(110), body: tick('b1') },
        { at: s(110), body: health('b1', 100, 0) },
      ]),
  },
  {
    name: 'deploy policy: a rollback during a freeze is never held',
    config: { policies: [{ name: 'freeze', windows: { oneTime: [{ start: '2026-11-27T12:01', end: '2026-11-28T00:00' }] }, overrideRole: 'platform admin' }] },
    run: (sc) =>
      sc.run([
        ...toFirstStep('b1'),
        { at: s(90), body: tick('b1') },
        { at: s(90), body: health('b1', 100, 0) },
        { at: s(100), body: tick('b1') },
        { at: s(100), body: health('b1', 200, 60) },
        { at: s(101), body: traffic('b1', 0) },
      ]),
  },
  {
    name: 'a rollback never gives up: it keeps retrying at the capped backoff',
    run: (sc) =>
      sc.run([
        ...toFirstStep('b1'),
        { at: s(30), body: command('b1', 'abort') },
        ...Array.from({ length: 8 }, (_, i): Step[] => [
          { at: s(31 + i * 70), body: failed('b1', 'setTraffic', i === 3, 'UNAVAILABLE') },
          { at: s(31 + i * 70 + 65), body: tick('b1') },
        ]).flat(),
      ]),
  },
];

describe('decide(): golden transcripts of whole release stories', () => {
  it('match the reviewed transcript in test/unit/golden/decide-scenarios.txt', async () => {
    const text = scenarios
      .map(({ name, config, stable, run }) => {
        const service = serviceState(config ?? {}, { stableRevision: stable === undefined ? 'checkout-stable' : stable });
        const sc = new Scenario(service);
        run(sc);
        return `## ${name}\n${sc.text()}`;
      })
      .join('\n');
    await expect(text).toMatchFileSnapshot('golden/decide-scenarios.txt');
  });

  it('a release given in a phase reads back the same (the harness keeps what it is given)', () => {
    const sc = new Scenario(serviceState(), [releaseIn('complete')]);
    expect(sc.release('b1').phase).toBe('complete');
    expect(() => sc.inFlight('b1')).toThrow(/awaits no effect/);
  });
});
