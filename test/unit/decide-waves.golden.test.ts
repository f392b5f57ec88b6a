import { describe, expect, it } from 'vitest';
import { command, s, tick, transcriptOf, type Story } from '../support/golden-steps.js';
import { buildOf, healthIn, regionCompletes, tickIn, trafficIn, deployedIn, verifiedIn } from '../support/wave-steps.js';

/**
 * Golden stories of releases in several regions, in waves (`rollout.waves`): the rollout and each
 * region's release, every decision and effect. Reviewed like decide-scenarios.txt.
 */
const WAVES = { steps: [50, 100], bakeTime: '1m', watchWindow: '30m', rollout: { waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1', 'us-east1'] }, { regions: ['asia-northeast1'] }], soak: '5m' } };

const scenarios: Story[] = [
  {
    name: 'a three-wave release completes: each wave soaks before the next starts',
    config: WAVES,
    run: (sc) =>
      sc.run([
        { at: s(0), body: buildOf('b1') },
        ...regionCompletes('b1', 'europe-west1', 20),
        // Soaking until T+386s: a tick before does nothing, the tick at its end starts wave 2.
        { at: s(200), body: tick('b1') },
        { at: s(386), body: tick('b1') },
        ...regionCompletes('b1', 'us-central1', 400),
        // The wave soaks from its last region's completion (T+546s), not its first.
        ...regionCompletes('b1', 'us-east1', 480),
        { at: s(846), body: tick('b1') },
        ...regionCompletes('b1', 'asia-northeast1', 870),
      ]),
  },
  {
    name: 'a breach in wave 2 rolls back waves 1 and 2 at once; the release reports one outcome',
    config: WAVES,
    run: (sc) =>
      sc.run([
        { at: s(0), body: buildOf('b1') },
        ...regionCompletes('b1', 'europe-west1', 20),
        { at: s(386), body: tick('b1') },
        { at: s(400), body: deployedIn('b1', 'us-central1') },
        { at: s(401), body: verifiedIn('b1', 'us-central1') },
        { at: s(402), body: trafficIn('b1', 'us-central1', 50) },
        { at: s(403), body: deployedIn('b1', 'us-east1') },
        { at: s(430), body: tickIn('b1', 'us-central1') },
        { at: s(430), body: healthIn('b1', 'us-central1', 1000, 200) },
        { at: s(431), body: trafficIn('b1', 'us-central1', 0) },
        { at: s(432), body: trafficIn('b1', 'us-east1', 0) },
        { at: s(433), body: trafficIn('b1', 'europe-west1', 0) },
      ]),
  },
  {
    name: 'aborting the rollout takes back the region in flight; a region-level command is pointed at the region',
    config: WAVES,
    run: (sc) =>
      sc.run([
        { at: s(0), body: buildOf('b1') },
        { at: s(20), body: deployedIn('b1', 'europe-west1') },
        { at: s(21), body: command('b1', 'pause') },
        { at: s(22), body: command('b1', 'abort', 'wrong build') },
        { at: s(23), body: trafficIn('b1', 'europe-west1', 0) },
      ]),
  },
];

describe('decide(): golden transcripts of releases in several regions', () => {
  it('match the reviewed transcript in test/unit/golden/decide-waves.txt', async () => {
    await expect(transcriptOf(scenarios)).toMatchFileSnapshot('golden/decide-waves.txt');
  });
});
