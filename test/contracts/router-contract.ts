import { describe, expect, it } from 'vitest';
import type { DeployCandidate, RouterTarget, SetTraffic } from '../../shared/domain/index.js';
import type { TrafficRouter } from '../../shared/ports/index.js';

/** The contract every TrafficRouter adapter passes (fake, local, Cloud Run). */
export function routerContract(name: string, setup: () => Promise<{ router: TrafficRouter; image: string; target: RouterTarget; teardown: () => Promise<void> }>): void {
  describe(`TrafficRouter contract: ${name}`, () => {
    const deploy = (target: RouterTarget, image: string, revisionName: string, baselineRevisionName: string | null = null): DeployCandidate => ({
      kind: 'deployCandidate', effectId: `e-${revisionName}`, releaseId: 'r1', service: target.service, router: target, attempt: 1, image, revisionName, baselineRevisionName,
    });
    const traffic = (target: RouterTarget, candidateRevision: string | null, candidatePercent: number, stableRevision: string | null = null, baselineRevision: string | null = null, baselinePercent = 0): SetTraffic => ({
      kind: 'setTraffic', effectId: `t-${candidatePercent}`, releaseId: 'r1', service: target.service, router: target, attempt: 1, candidateRevision, stableRevision, candidatePercent, baselineRevision, baselinePercent,
    });

    /** Deploys do not wait for readiness: ask again, as the release's next check would, until ready. */
    const deployReady = async (router: TrafficRouter, effect: DeployCandidate) => {
      for (let i = 0; i < 50; i += 1) {
        const out = await router.deployCandidate(effect);
        if (out.ok !== 'pending') return out;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`${effect.revisionName} never became ready`);
    };

    it('deploys idempotently by revision name, then moves traffic through steps and back', async () => {
      const { router, image, target, teardown } = await setup();
      try {
        const first = await deployReady(router, deploy(target, image, `${target.service}-c1`));
        expect(first).toMatchObject({ ok: true, revision: `${target.service}-c1` });
        const again = await deployReady(router, deploy(target, image, `${target.service}-c1`));
        expect(again).toEqual(first);
        for (const percent of [10, 50, 0]) {
          expect(await router.setTraffic(traffic(target, `${target.service}-c1`, percent))).toEqual({ ok: true, observedPercent: percent });
        }
        expect(await router.setTraffic(traffic(target, `${target.service}-c1`, 100))).toEqual({ ok: true, observedPercent: 100 });
      } finally {
        await teardown();
      }
    });

    it('reports the revision serving before the candidate, and rolls a promoted candidate back to it (100% → 0%)', async () => {
      const { router, image, target, teardown } = await setup();
      try {
        const deployed = await deployReady(router, deploy(target, image, `${target.service}-c2`));
        expect(deployed.ok).toBe(true);
        const stable = deployed.ok ? deployed.stableRevision : null;
        expect(stable).toEqual(expect.any(String));
        expect(stable).not.toBe(`${target.service}-c2`);
        expect(await router.setTraffic(traffic(target, `${target.service}-c2`, 100, stable))).toEqual({ ok: true, observedPercent: 100 });
        expect(await router.setTraffic(traffic(target, `${target.service}-c2`, 0, stable))).toEqual({ ok: true, observedPercent: 0 });
        // The stable serves again: a new candidate learns it as what serves before it.
        const next = await deployReady(router, deploy(target, image, `${target.service}-c3`));
        expect(next).toMatchObject({ ok: true, stableRevision: stable });
      } finally {
        await teardown();
      }
    });

    it('refuses, permanently, to take a promoted candidate to 0% when no other stable is named', async () => {
      const { router, image, target, teardown } = await setup();
      try {
        await deployReady(router, deploy(target, image, `${target.service}-c4`));
        expect(await router.setTraffic(traffic(target, `${target.service}-c4`, 100))).toEqual({ ok: true, observedPercent: 100 });
        // Never "ok" at 100% for a request of 0%: that answer made a rollback spin forever.
        expect(await router.setTraffic(traffic(target, `${target.service}-c4`, 0))).toMatchObject({ ok: false, permanent: true });
      } finally {
        await teardown();
      }
    });

    it('starts a baseline twin of the stable beside the candidate, splits three ways (10/10/80, 50/50/0) and drops the twin at 100% or 0%', async () => {
      const { router, image, target, teardown } = await setup();
      try {
        const twin = `${target.service}-base-t1`;
        const deployed = await deployReady(router, deploy(target, image, `${target.service}-t1`, twin));
        expect(deployed).toMatchObject({ ok: true, revision: `${target.service}-t1`, baselineRevision: twin });
        expect(await deployReady(router, deploy(target, image, `${target.service}-t1`, twin))).toEqual(deployed);
        const stable = deployed.ok ? deployed.stableRevision : null;
        expect(await router.setTraffic(traffic(target, `${target.service}-t1`, 10, stable, twin, 10))).toEqual({ ok: true, observedPercent: 10 });
        expect(await router.setTraffic(traffic(target, `${target.service}-t1`, 50, stable, twin, 50))).toEqual({ ok: true, observedPercent: 50 });
        expect(await router.setTraffic(traffic(target, `${target.service}-t1`, 0, stable, twin, 0))).toEqual({ ok: true, observedPercent: 0 });
        expect(await router.setTraffic(traffic(target, `${target.service}-t1`, 100, stable, twin, 0))).toEqual({ ok: true, observedPercent: 100 });
      } finally {
        await teardown();
      }
    });

    it('reports an unknown candidate revision as a permanent failure', async () => {
      const { router, target, teardown } = await setup();
      try {
        expect(await router.setTraffic(traffic(target, 'never-deployed', 10))).toMatchObject({ ok: false, permanent: true });
      } finally {
        await teardown();
      }
    });
  });
}
