import type { EventBody } from '../../shared/domain/index.js';
import { rid, s, type Body } from './golden-steps.js';
import type { Scenario, Step } from './transcript.js';
import { build } from './fixtures.js';

/** Steps for golden stories of releases in several regions: each region's release is `{rollout}@{region}`. */
export const at = (b: string, region: string) => `${rid(b)}@${region}`;
const awaited = (sc: Scenario, id: string): string => {
  const effectId = sc.releases.get(id)?.inFlight?.effectId;
  if (!effectId) throw new Error(`${id} awaits no effect (${sc.releases.get(id)?.state.phase ?? 'no such release'})`);
  return effectId;
};

export const deployedIn = (b: string, region: string): Body => (sc) => ({
  kind: 'candidateDeployed', releaseId: at(b, region), effectId: awaited(sc, at(b, region)), revision: `checkout-${b}-${region.replace(/-/g, '')}`, url: `https://checkout-${b}-${region}.run.app`, stableRevision: `checkout-stable-${region}`,
});
export const verifiedIn = (b: string, region: string): Body => (sc) => ({
  kind: 'verificationCompleted', releaseId: at(b, region), effectId: awaited(sc, at(b, region)), results: [{ path: '/healthz', status: 200, ok: true, durationMs: 3, error: null }],
});
export const trafficIn = (b: string, region: string, observedPercent: number): Body => (sc) => ({ kind: 'trafficSet', releaseId: at(b, region), effectId: awaited(sc, at(b, region)), observedPercent });
export const healthIn = (b: string, region: string, requests: number, errors: number): Body => (sc) => ({
  kind: 'healthMeasured', releaseId: at(b, region), effectId: awaited(sc, at(b, region)),
  reading: { ok: true, measurements: { requests, errors, p99LatencyMs: 120, windowStartAt: 0, windowEndAt: 1 } },
});
export const tickIn = (b: string, region: string): EventBody => ({ kind: 'tick', releaseId: at(b, region) });

/** One region from deployed to complete on two steps (50, 100), healthy, starting at second `t`. */
export const regionCompletes = (b: string, region: string, t: number): Step[] => [
  { at: s(t), body: deployedIn(b, region) },
  { at: s(t + 1), body: verifiedIn(b, region) },
  { at: s(t + 2), body: trafficIn(b, region, 50) },
  { at: s(t + 65), body: tickIn(b, region) },
  { at: s(t + 65), body: healthIn(b, region, 1000, 0) },
  { at: s(t + 66), body: trafficIn(b, region, 100) },
];

export const buildOf = (b: string): EventBody => build(b, 'SUCCESS');
