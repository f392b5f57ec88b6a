import { releaseIdForBuild, type EventBody, type ServiceConfigInput } from '../../shared/domain/index.js';
import { T0, build, serviceState } from './fixtures.js';
import { Scenario, type Step } from './transcript.js';

/** The steps golden stories are written in (test/unit/decide*.golden.test.ts), and how a list of stories becomes one transcript. */
export const s = (seconds: number) => T0 + seconds * 1000;
export const rid = (b: string) => releaseIdForBuild('checkout', b);
export type Body = (sc: Scenario) => EventBody;

export const deployed = (b: string, stable: string | null = 'checkout-stable', revision = `checkout-${b}`, url = `https://${revision}.run.app`): Body => (sc) => ({
  kind: 'candidateDeployed', releaseId: rid(b), effectId: sc.inFlight(b), revision, url, stableRevision: stable,
});
export const pending = (b: string): Body => (sc) => ({ kind: 'candidatePending', releaseId: rid(b), effectId: sc.inFlight(b), revision: `checkout-${b}`, status: 'ContainerHealthy=Unknown' });
export const verified = (b: string, results: Array<{ path: string; status: number | null; ok: boolean; error?: string }>): Body => (sc) => ({
  kind: 'verificationCompleted', releaseId: rid(b), effectId: sc.inFlight(b), results: results.map((r) => ({ durationMs: 3, error: null, ...r })),
});
export const traffic = (b: string, observedPercent: number): Body => (sc) => ({ kind: 'trafficSet', releaseId: rid(b), effectId: sc.inFlight(b), observedPercent });
export const health = (b: string, requests: number, errors: number, p99LatencyMs: number | null = 120): Body => (sc) => ({
  kind: 'healthMeasured', releaseId: rid(b), effectId: sc.inFlight(b), reading: { ok: true, measurements: { requests, errors, p99LatencyMs, windowStartAt: T0, windowEndAt: T0 + 1 } },
});
export const twinDeployed = (b: string): Body => (sc) => ({ ...(deployed(b)(sc) as object), baselineRevision: `checkout-base-${b}` }) as EventBody;
/** A stream reading of the candidate beside its twin, with Cloud Monitoring's word when the effect asked for it. */
export const judged = (b: string, candidate: [number, number], twin: [number, number], confirmation: 'pending' | [number, number] | null = null): Body => (sc) => ({
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
export const noReading = (b: string, error: string): Body => (sc) => ({ kind: 'healthMeasured', releaseId: rid(b), effectId: sc.inFlight(b), reading: { ok: false, error } });
export const failed = (b: string, effectKind: 'deployCandidate' | 'setTraffic' | 'runVerification' | 'measureHealth', permanent: boolean, error = 'UNAVAILABLE'): Body => (sc) => ({
  kind: 'effectFailed', releaseId: rid(b), effectId: sc.inFlight(b), effectKind, permanent, error,
});
export const tick = (b: string): EventBody => ({ kind: 'tick', releaseId: rid(b) });
export const command = (b: string, name: 'promote' | 'approve' | 'pause' | 'resume' | 'abort' | 'rollback', why: string | null = null): EventBody => ({ kind: 'command', releaseId: rid(b), command: name, actor: 'ops@example.com', why });
export const incident = (id: string, state: 'open' | 'closed', policyName: string | null = 'checkout 5xx'): EventBody => ({ kind: 'incident', incidentId: id, state, policyName, summary: 'error ratio above 5%' });

/** SUCCESS through deployed and verified, landing at the first step with 10% observed. */
export const toFirstStep = (b: string, at = 0): Step[] => [
  { at: s(at), body: build(b, 'SUCCESS') },
  { at: s(at + 20), body: deployed(b) },
  { at: s(at + 21), body: verified(b, [{ path: '/healthz', status: 200, ok: true }]) },
  { at: s(at + 22), body: traffic(b, 10) },
];

export interface Story {
  name: string;
  config?: Partial<ServiceConfigInput>;
  stable?: string | null;
  run: (sc: Scenario) => void;
}

/** Each story from a fresh service, written out under its name. */
export function transcriptOf(stories: Story[]): string {
  return stories
    .map(({ name, config, stable, run }) => {
      const service = serviceState(config ?? {}, { stableRevision: stable === undefined ? 'checkout-stable' : stable });
      const sc = new Scenario(service);
      run(sc);
      return `## ${name}\n${sc.text()}`;
    })
    .join('\n');
}
