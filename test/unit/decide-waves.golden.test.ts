import { describe, expect, it } from 'vitest';
import { command, incident, s, tick, transcriptOf, type Story } from '../support/golden-steps.js';
import type { EventBody } from '../../shared/domain/index.js';
import type { Scenario } from '../support/transcript.js';
import { at } from '../support/wave-steps.js';
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
  {
    name: 'a region whose deploy fails for good takes the rollout back: the other region of its wave is aborted, the first wave rolled back from complete',
    config: WAVES,
    run: (sc) =>
      sc.run([
        { at: s(0), body: buildOf('b1') },
        ...regionCompletes('b1', 'europe-west1', 20),
        { at: s(386), body: tick('b1') },
        { at: s(400), body: deployedIn('b1', 'us-east1') },
        { at: s(401), body: deployFailedIn('b1', 'us-central1') },
        { at: s(402), body: trafficIn('b1', 'us-east1', 0) },
        { at: s(403), body: trafficIn('b1', 'europe-west1', 0) },
      ]),
  },
  {
    name: 'a newer build supersedes the rollout in flight: every region that started goes back, the rollout ends superseded, the newer one starts',
    config: WAVES,
    run: (sc) =>
      sc.run([
        { at: s(0), body: buildOf('b1') },
        { at: s(20), body: deployedIn('b1', 'europe-west1') },
        { at: s(21), body: verifiedIn('b1', 'europe-west1') },
        { at: s(22), body: trafficIn('b1', 'europe-west1', 50) },
        { at: s(30), body: buildOf('b2') },
        { at: s(31), body: trafficIn('b1', 'europe-west1', 0) },
      ]),
  },
  {
    name: 'an incident in the rollout\'s watch window takes every region back from complete; a rollout queued behind another is aborted before it starts',
    config: { ...WAVES, concurrency: 'queue', rollout: { waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1'] }], soak: '1m' } },
    run: (sc) =>
      sc.run([
        { at: s(0), body: buildOf('b1') },
        ...regionCompletes('b1', 'europe-west1', 20),
        { at: s(100), body: buildOf('b2') },
        { at: s(101), body: command('b2', 'abort', 'not this one') },
        { at: s(146), body: tick('b1') },
        ...regionCompletes('b1', 'us-central1', 150),
        { at: s(240), body: incident('i-9', 'open') },
        { at: s(241), body: trafficIn('b1', 'europe-west1', 0) },
        { at: s(242), body: trafficIn('b1', 'us-central1', 0) },
        { at: s(2000), body: tick('b1') },
      ]),
  },
];

/** A region's deploy that failed for good (the image cannot start there). */
const deployFailedIn = (b: string, region: string) => (sc: Scenario): EventBody => ({
  kind: 'effectFailed', releaseId: at(b, region), effectId: sc.releases.get(at(b, region))?.inFlight?.effectId ?? 'none', effectKind: 'deployCandidate', permanent: true, error: 'Container failed to start and listen on PORT=8080',
});

describe('decide(): golden transcripts of releases in several regions', () => {
  it('match the reviewed transcript in test/unit/golden/decide-waves.txt', async () => {
    await expect(transcriptOf(scenarios)).toMatchFileSnapshot('golden/decide-waves.txt');
  });
});
