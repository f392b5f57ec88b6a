import { describe, expect, it } from 'vitest';
import { build } from '../support/fixtures.js';
import { command, deployed, health, rid, s, tick, toFirstStep, traffic, verified, transcriptOf, type Story } from '../support/golden-steps.js';

/**
 * Golden transcripts of releases that wait: for approval, in the queue, behind a deploy policy
 * (held pending, held at a step, overridden, and a rollback a policy never holds). Reviewed like
 * decide-scenarios.txt: a diff is a change in what Cutover decides or says, accepted on purpose.
 */
const scenarios: Story[] = [
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
];

describe('decide(): golden transcripts of releases that wait', () => {
  it('match the reviewed transcript in test/unit/golden/decide-holds.txt', async () => {
    await expect(transcriptOf(scenarios)).toMatchFileSnapshot('golden/decide-holds.txt');
  });
});
