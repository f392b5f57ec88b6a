import { describe, expect, it } from 'vitest';
import { build } from '../support/fixtures.js';
import { gkeRouter } from '../support/gke.js';
import { command, deployed, health, incident, s, tick, traffic, transcriptOf, verified, type Story } from '../support/golden-steps.js';

/**
 * Golden transcripts of GKE blue/green releases through decide(): the same judgement as on Cloud
 * Run, with a colour for a revision. The deployer answers the idle colour as the candidate and the
 * live one as its stable; verification carries the cohort header to the load balancer's URL; a
 * completed release makes its colour the service's stable (the next release deploys into the
 * other); a rollback sends everything back to the live colour. Reviewed in golden/decide-gke.txt.
 */
const GKE = { router: { ...gkeRouter('p', 'checkout'), cohort: { priority: 10, url: 'https://checkout.example.com' } } };
const LB = 'https://checkout.example.com';
const ok = [{ path: '/healthz', status: 200, ok: true }];

const stories: Story[] = [
  {
    name: 'GKE: blue is live, a release deploys into green, checks it through the cohort, shifts and makes green live',
    config: GKE,
    stable: 'blue',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b1', 'SUCCESS') },
        { at: s(20), body: deployed('b1', 'blue', 'green', LB) },
        { at: s(21), body: verified('b1', ok) },
        { at: s(22), body: traffic('b1', 10) },
        { at: s(90), body: tick('b1') },
        { at: s(90), body: health('b1', 200, 0) },
        { at: s(91), body: traffic('b1', 50) },
        { at: s(151), body: tick('b1') },
        { at: s(151), body: health('b1', 300, 0) },
        { at: s(152), body: traffic('b1', 100) },
      ]),
  },
  {
    name: 'GKE: green is live, the next release deploys into blue; its errors send everything back to green at once',
    config: GKE,
    stable: 'green',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b2', 'SUCCESS') },
        { at: s(20), body: deployed('b2', 'green', 'blue', LB) },
        { at: s(21), body: verified('b2', ok) },
        { at: s(22), body: traffic('b2', 10) },
        { at: s(32), body: tick('b2') },
        { at: s(32), body: health('b2', 100, 30) },
        { at: s(33), body: traffic('b2', 0) },
      ]),
  },
  {
    name: 'GKE: an incident while shifting rolls back to the live colour; a second command changes nothing',
    config: GKE,
    stable: 'blue',
    run: (sc) =>
      sc.run([
        { at: s(0), body: build('b3', 'SUCCESS') },
        { at: s(20), body: deployed('b3', 'blue', 'green', LB) },
        { at: s(21), body: verified('b3', ok) },
        { at: s(22), body: traffic('b3', 10) },
        { at: s(40), body: incident('i-1', 'open') },
        { at: s(41), body: command('b3', 'rollback', 'again') },
        { at: s(42), body: traffic('b3', 0) },
      ]),
  },
];

describe('decide(): golden transcripts of GKE blue/green releases', () => {
  it('match the reviewed transcript in test/unit/golden/decide-gke.txt', async () => {
    await expect(transcriptOf(stories)).toMatchFileSnapshot('golden/decide-gke.txt');
  });
});
