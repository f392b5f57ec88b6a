import { describe, expect, it } from 'vitest';
import type { DeployCandidate, RouterTarget, SetTraffic } from '../../shared/domain/index.js';
import type { DeployOutcome, Deployer, TrafficSplitter } from '../../shared/ports/index.js';

/**
 * The contract every target kind's Deployer and TrafficSplitter pass together (Cloud Run on its
 * fake Admin API, the local router, GKE + the URL map on their fakes). It speaks of the revision
 * the deployer answers, never of a naming scheme: on Cloud Run that is the revision, on GKE the
 * colour. The faults a kind's API can show are exercised where the setup can cause them:
 * a concurrent change (etag, fingerprint), a rollout that never becomes ready, weights someone
 * else set, and a cohort rule kept across weight changes.
 */
export interface TargetSetup {
  deployer: Deployer;
  splitter: TrafficSplitter;
  target: RouterTarget;
  image: (n: number) => string;
  /** Makes the next write meet a concurrent change (a stale etag or fingerprint). */
  conflictNextWrite?: () => void;
  /** An image whose rollout never becomes ready. */
  neverReady?: (n: number) => string;
  /** Someone else puts all traffic on the given revision. */
  moveAllTrafficTo?: (revision: string) => Promise<void> | void;
  /** Where the cohort reaches now (a revision), when the kind has cohorts. */
  cohort?: () => Promise<string | null> | string | null;
  teardown: () => Promise<void>;
}

/** The faults a kind's stand-in can cause; the cases that need one are skipped, visibly, for a kind without it. */
export type TargetFault = 'conflict' | 'neverReady' | 'moveTraffic' | 'cohort';

export function targetContract(name: string, faults: readonly TargetFault[], setup: () => Promise<TargetSetup>): void {
  describe(`Deployer and TrafficSplitter contract: ${name}`, () => {
    let n = 0;
    const deploy = (s: TargetSetup, image: string): DeployCandidate => {
      n += 1;
      return { kind: 'deployCandidate', effectId: `d${n}`, releaseId: `r-${image.slice(-6)}`, service: s.target.service, router: s.target, attempt: 1, image, revisionName: `${s.target.service}-r${image.replace(/[^a-z0-9]/g, '').slice(-8)}`, baselineRevisionName: null };
    };
    const traffic = (s: TargetSetup, candidate: string, stable: string | null, candidatePercent: number): SetTraffic => ({ kind: 'setTraffic', effectId: `t${candidatePercent}`, releaseId: 'r', service: s.target.service, router: s.target, attempt: 1, candidateRevision: candidate, stableRevision: stable, candidatePercent, baselineRevision: null, baselinePercent: 0 });
    /** Deploys do not wait: ask again, as the release's next check would, until ready (or a bound). */
    const ready = async (s: TargetSetup, effect: DeployCandidate, polls = 100): Promise<DeployOutcome> => {
      let out: DeployOutcome = { ok: false, permanent: false, error: 'not asked' };
      for (let i = 0; i < polls; i += 1) {
        out = await s.deployer.deployCandidate(effect);
        if (out.ok !== 'pending') return out;
        await new Promise((r) => setTimeout(r, 20));
      }
      return out;
    };
    const run = (title: string, body: (s: TargetSetup) => Promise<void>, needs?: TargetFault) =>
      it.skipIf(needs !== undefined && !faults.includes(needs))(title, async () => {
        const s = await setup();
        try {
          await body(s);
        } finally {
          await s.teardown();
        }
      });

    run('deploys beside what serves, idempotently: asked again it answers the same candidate and stable', async (s) => {
      const effect = deploy(s, s.image(1));
      const first = await ready(s, effect);
      expect(first).toMatchObject({ ok: true, revision: expect.any(String), stableRevision: expect.any(String) });
      if (first.ok !== true) return;
      expect(first.revision).not.toBe(first.stableRevision);
      expect(await ready(s, effect)).toMatchObject({ ok: true, revision: first.revision, stableRevision: first.stableRevision });
    });

    run('moves traffic through the steps, reads back what is applied, and a promoted candidate is what the next release replaces', async (s) => {
      const first = await ready(s, deploy(s, s.image(2)));
      if (first.ok !== true) throw new Error(`deploy failed: ${JSON.stringify(first)}`);
      for (const percent of [10, 50, 100]) expect(await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, percent))).toEqual({ ok: true, observedPercent: percent });
      const next = await ready(s, deploy(s, s.image(3)));
      expect(next).toMatchObject({ ok: true, stableRevision: first.revision });
    });

    run('a rollback puts all traffic back on the stable at once, and the stable stays what the next release replaces', async (s) => {
      const first = await ready(s, deploy(s, s.image(4)));
      if (first.ok !== true) throw new Error(`deploy failed: ${JSON.stringify(first)}`);
      expect(await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, 50))).toEqual({ ok: true, observedPercent: 50 });
      expect(await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, 0))).toEqual({ ok: true, observedPercent: 0 });
      const next = await ready(s, deploy(s, s.image(5)));
      expect(next).toMatchObject({ ok: true, stableRevision: first.stableRevision });
    });

    run('a candidate it never deployed is a permanent failure, never a guess', async (s) => {
      expect(await s.splitter.setTraffic(traffic(s, 'never-deployed', null, 10))).toMatchObject({ ok: false, permanent: true });
    });

    run('a concurrent change to the same object is re-read and retried: the write lands', async (s) => {
      const first = await ready(s, deploy(s, s.image(6)));
      if (first.ok !== true) throw new Error(`deploy failed: ${JSON.stringify(first)}`);
      s.conflictNextWrite?.();
      expect(await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, 10))).toEqual({ ok: true, observedPercent: 10 });
    }, 'conflict');

    run('a rollout that never becomes ready is never reported ready: pending, then a failure', async (s) => {
      const out = await ready(s, deploy(s, s.neverReady?.(7) ?? ''), 60);
      expect(out.ok).not.toBe(true);
    }, 'neverReady');

    run('weights someone else set are replaced by the release\'s, and what is applied is read back', async (s) => {
      const first = await ready(s, deploy(s, s.image(8)));
      if (first.ok !== true) throw new Error(`deploy failed: ${JSON.stringify(first)}`);
      expect(await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, 10))).toEqual({ ok: true, observedPercent: 10 });
      await s.moveAllTrafficTo?.(first.revision);
      expect(await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, 0))).toEqual({ ok: true, observedPercent: 0 });
      expect(await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, 50))).toEqual({ ok: true, observedPercent: 50 });
    }, 'moveTraffic');

    run('the cohort reaches the candidate from ready at 0%, stays across weight changes, and goes at 100% or 0%', async (s) => {
      const first = await ready(s, deploy(s, s.image(9)));
      if (first.ok !== true) throw new Error(`deploy failed: ${JSON.stringify(first)}`);
      expect(await s.cohort?.()).toBe(first.revision);
      for (const percent of [10, 50]) {
        await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, percent));
        expect(await s.cohort?.()).toBe(first.revision);
      }
      await s.splitter.setTraffic(traffic(s, first.revision, first.stableRevision, 0));
      expect(await s.cohort?.()).toBeNull();
    }, 'cohort');
  });
}
