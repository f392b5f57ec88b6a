import { describe, expect, it } from 'vitest';
import { build, releaseIn, serviceState } from '../support/fixtures.js';
import { command, deployed, failed, health, incident, judged, noReading, pending, s, tick, toFirstStep, traffic, twinDeployed, verified, transcriptOf, type Story } from '../support/golden-steps.js';
import { Scenario, type Step } from '../support/transcript.js';
import type { EventBody } from '../../shared/domain/index.js';

/**
 * Golden transcripts of whole release stories through decide(): every outcome, changed field,
 * history line (with its message), deadline and effect payload. The reviewed transcript lives in
 * test/unit/golden/decide-scenarios.txt; a diff there is a change in what Cutover decides or tells
 * people, to be read and accepted on purpose (vitest -u), never by accident. Stories of releases
 * held (approval, the queue, deploy policies) are in decide-holds.golden.test.ts.
 */
const scenarios: Story[] = [
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
  {
    name: 'a failing smoke hook (after-deploy) fails verification: rolled back before any user traffic',
    config: { hooks: [{ name: 'smoke', at: 'after-deploy', url: 'https://qa.example.com/smoke', timeout: '5s' }, { name: 'tell-qa', at: 'on-rollback', url: 'https://qa.example.com/rolled-back' }] },
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1') },
        { at: s(80), body: verified('b1', [{ path: '/healthz', status: 200, ok: true }, { path: 'hook:smoke', status: 500, ok: false, error: 'hook smoke answered 500' }]) },
        { at: s(81), body: traffic('b1', 0) },
      ]),
  },
];

describe('decide(): golden transcripts of whole release stories', () => {
  it('match the reviewed transcript in test/unit/golden/decide-scenarios.txt', async () => {
    await expect(transcriptOf(scenarios)).toMatchFileSnapshot('golden/decide-scenarios.txt');
  });

  it('a release given in a phase reads back the same (the harness keeps what it is given)', () => {
    const sc = new Scenario(serviceState(), [releaseIn('complete')]);
    expect(sc.release('b1').state.phase).toBe('complete');
    expect(() => sc.inFlight('b1')).toThrow(/awaits no effect/);
  });
});
