import { describe, expect, it } from 'vitest';
import type { DeployCandidate, RouterTarget, SetTraffic } from '../../shared/domain/index.js';
import type { TrafficRouter } from '../../shared/ports/index.js';

/** The contract every TrafficRouter adapter passes (fake, local, Cloud Run). */
export function routerContract(name: string, setup: () => Promise<{ router: TrafficRouter; image: string; target: RouterTarget; teardown: () => Promise<void> }>): void {
  describe(`TrafficRouter contract: ${name}`, () => {
    const deploy = (target: RouterTarget, image: string, revisionName: string): DeployCandidate => ({
      kind: 'deployCandidate', effectId: `e-${revisionName}`, releaseId: 'r1', service: target.service, router: target, attempt: 1, image, revisionName,
    });
    const traffic = (target: RouterTarget, candidateRevision: string | null, candidatePercent: number): SetTraffic => ({
      kind: 'setTraffic', effectId: `t-${candidatePercent}`, releaseId: 'r1', service: target.service, router: target, attempt: 1, candidateRevision, stableRevision: null, candidatePercent,
    });

    it('deploys idempotently by revision name, then moves traffic through steps and back', async () => {
      const { router, image, target, teardown } = await setup();
      try {
        const first = await router.deployCandidate(deploy(target, image, `${target.service}-c1`));
        expect(first).toMatchObject({ ok: true, revision: `${target.service}-c1` });
        const again = await router.deployCandidate(deploy(target, image, `${target.service}-c1`));
        expect(again).toEqual(first);
        for (const percent of [10, 50, 0]) {
          expect(await router.setTraffic(traffic(target, `${target.service}-c1`, percent))).toEqual({ ok: true, observedPercent: percent });
        }
        expect(await router.setTraffic(traffic(target, `${target.service}-c1`, 100))).toEqual({ ok: true, observedPercent: 100 });
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
