import { describe, expect, it } from 'vitest';
import { confirmStep, decide, DEFAULT_ANALYSIS, Reason, type Confirmation, type EventBody } from '../../../shared/domain/index.js';
import { ctxAt, ev, releaseIn, serviceState, T0 } from '../../support/fixtures.js';

const look = { elapsedMs: 60_000, previousElapsedMs: 30_000, bakeMs: 300_000, horizonMs: 1_800_000 };
const context = { baselineRevision: 'stable', slo: { maxErrorRate: 0.05, minRequests: 100 }, config: DEFAULT_ANALYSIS, look };
const read = (authority: [number, number], stream: [number, number], base: [number, number] = [9000, 9]): Confirmation => ({
  status: 'read', source: 'monitoring', windowStartAt: T0, windowEndAt: T0 + 60_000,
  authority: { candidate: { requests: authority[0], errors: authority[1] }, baseline: { requests: base[0], errors: base[1] } },
  stream: { candidate: { requests: stream[0], errors: stream[1] }, baseline: { requests: base[0], errors: base[1] } },
});

describe('confirmStep: the stream against the counts no workload can write', () => {
  it('confirms when both agree and the figures pass', () => {
    expect(confirmStep(read([1000, 2], [1010, 2]), context, 0.1).verdict).toBe('confirmed');
  });

  it('a flood of forged 200s under a failing candidate: the authority fails it on its own figures', () => {
    const result = confirmStep(read([1000, 300], [25_000, 300]), context, 0.1);
    expect(result.verdict).toBe('fail');
    expect(result.analysis?.metrics.find((m) => m.metric === 'error-ratio')).toMatchObject({ verdict: 'fail', candidate: 0.3 });
  });

  it('forged 200s under a healthy candidate still hold the step: the sources disagree', () => {
    const result = confirmStep(read([1000, 1], [4000, 1]), context, 0.1);
    expect(result.verdict).toBe('disagrees');
    expect(result.detail).toContain('the stream counted 4000 requests, monitoring 1000');
  });

  it('holds while the authority cannot see the step, or could not be asked, or saw too little', () => {
    expect(confirmStep({ status: 'pending', source: 'monitoring', visibleUntil: T0 }, context, 0.1).verdict).toBe('pending');
    expect(confirmStep({ status: 'unavailable', source: 'monitoring', error: 'DEADLINE_EXCEEDED' }, context, 0.1).verdict).toBe('unavailable');
    expect(confirmStep(null, context, 0.1).verdict).toBe('unavailable');
    expect(confirmStep(read([40, 0], [40, 0]), context, 0.1).verdict).toBe('pending');
  });

  it('a stream behind the authority (entries still in transit) is less evidence, not false evidence', () => {
    expect(confirmStep(read([1000, 2], [700, 1]), context, 0.1).verdict).toBe('confirmed');
  });

  it('an error ratio apart by more than two points disagrees even when the counts match', () => {
    expect(confirmStep(read([1000, 30], [1000, 0]), { ...context, slo: { maxErrorRate: 0.5, minRequests: 100 }, config: { ...DEFAULT_ANALYSIS, errorRatio: { ...DEFAULT_ANALYSIS.errorRatio, enabled: false } } }, 0.1).verdict).toBe('disagrees');
  });
});

describe('decide: a step advances on the stream only when the authority confirms it', () => {
  const service = serviceState({}, { activeReleaseId: 'checkout-b1' });
  const shifting = releaseIn('shifting', { inFlight: { effectId: 'checkout-b1/1/measureHealth/1', kind: 'measureHealth', target: null, attempt: 1, issuedAt: T0, deadlineAt: T0 + 60_000, lastError: null, progress: 'issued' } });
  const reading = (confirmation: Confirmation | null, source: 'telemetry' | 'monitoring' = 'telemetry'): EventBody => ({
    kind: 'healthMeasured', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/measureHealth/1',
    reading: { ok: true, measurements: { requests: 1000, errors: 0, p99LatencyMs: 10, windowStartAt: T0, windowEndAt: T0 + 61_000, source, confirmation } },
  });
  const after = (body: EventBody) => decide({ service, releases: [structuredClone(shifting)] }, ev(body), ctxAt(T0 + 61_000));

  it('confirmed: moves on to the next step', () => {
    expect(after(reading(read([1000, 0], [1000, 0]))).releases[0]?.traffic.desiredPercent).toBe(50);
  });

  it('not yet visible: holds, says why, and keeps the figures', () => {
    const decision = after(reading({ status: 'pending', source: 'monitoring', visibleUntil: T0 + 1_000 }));
    expect(decision.releases[0]?.traffic.desiredPercent).toBe(10);
    expect(decision.history.at(-1)).toMatchObject({ reason: Reason.AwaitingConfirmation });
    expect(decision.releases[0]?.health?.confirmation).toMatchObject({ verdict: 'pending' });
  });

  it('the sources disagree: holds with EvidenceDisagrees', () => {
    const decision = after(reading(read([1000, 0], [5000, 0])));
    expect(decision.releases[0]?.traffic.desiredPercent).toBe(10);
    expect(decision.history.at(-1)).toMatchObject({ reason: Reason.EvidenceDisagrees });
  });

  it('the authority fails the candidate: rolls back on the fact', () => {
    const decision = after(reading(read([1000, 300], [20_000, 300])));
    expect(decision.releases[0]).toMatchObject({ state: { phase: 'rolling_back', rollback: { cause: Reason.ErrorRateBreached } } });
    expect(decision.history.at(-1)?.message).toContain('the stream looked healthy, but monitoring');
  });

  it('unconfirmed past the progress deadline: rolled back, as an inconclusive step is', () => {
    const late = decide({ service, releases: [structuredClone(shifting)] }, ev(reading(read([1000, 0], [5000, 0]))), ctxAt(T0 + 11 * 60_000));
    expect(late.releases[0]).toMatchObject({ state: { phase: 'rolling_back', rollback: { cause: Reason.ProgressDeadlineExceeded } } });
    expect(late.history.at(-1)?.message).toContain('unconfirmed (EvidenceDisagrees)');
  });

  it('asks for confirmation only once the step has baked, over the stretch the judge reads (after the warm-up)', () => {
    const waiting = releaseIn('shifting', { inFlight: null, health: null, stepStartedAt: T0 });
    const tick = (at: number) => decide({ service, releases: [structuredClone(waiting)] }, ev({ kind: 'tick', releaseId: 'checkout-b1' }), ctxAt(at)).effects.find((e) => e.kind === 'measureHealth');
    expect(tick(T0 + 30_000)).toMatchObject({ confirmSince: null });
    const baked = tick(T0 + 61_000);
    expect(baked).toMatchObject({ confirmSince: T0 + 30_000, windowStartAt: T0 + 30_000, baseline: { revision: 'checkout-stable', windowStartAt: T0 + 30_000 } });
  });

  it('a reading Cloud Monitoring itself made needs no second word', () => {
    expect(after(reading(null, 'monitoring')).releases[0]?.traffic.desiredPercent).toBe(50);
  });

  it('a service that turns confirmation off advances on the stream', () => {
    const off = serviceState({ analysis: { confirmation: { required: false } } }, { activeReleaseId: 'checkout-b1' });
    expect(decide({ service: off, releases: [structuredClone(shifting)] }, ev(reading(null)), ctxAt(T0 + 61_000)).releases[0]?.traffic.desiredPercent).toBe(50);
  });
});
