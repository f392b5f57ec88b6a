import { describe, expect, it } from 'vitest';
import { decide, Reason, type EventBody, type Phase, type Release, type ServiceConfigInput, type ServiceState } from '../../shared/domain/index.js';
import { T0, build, ctxAt, ev, releaseIn, serviceState } from '../support/fixtures.js';

interface Row {
  name: string;
  config?: Partial<ServiceConfigInput>;
  service?: Partial<ServiceState>;
  releases?: Release[];
  event: EventBody;
  at?: number;
  expect: {
    status?: 'applied' | 'ignored' | 'rejected';
    phase?: Phase;
    release?: string;
    effects?: string[];
    reason?: string;
    desired?: number;
  };
}

const active = (r: Release) => ({ activeReleaseId: r.id });
const inflight = (kind: 'deployCandidate' | 'setTraffic' | 'runVerification' | 'measureHealth', extra: Partial<NonNullable<Release['inFlight']>> = {}) => ({
  effectId: `checkout-b1/1/${kind}/1`,
  kind,
  target: kind === 'setTraffic' ? 10 : null,
  attempt: 1,
  issuedAt: T0,
  deadlineAt: T0 + 60_000,
  lastError: null,
  progress: 'issued' as const,
  ...extra,
});
const step = (kinds: string[]) => kinds;
const deploying = releaseIn('deploying', { inFlight: inflight('deployCandidate') });
const verifying = releaseIn('verifying', { inFlight: inflight('runVerification') });
const shifting = releaseIn('shifting', { inFlight: inflight('measureHealth') });
const complete = releaseIn('complete');
const health = (requests: number, errors: number): EventBody => ({
  kind: 'healthMeasured',
  releaseId: 'checkout-b1',
  effectId: 'checkout-b1/1/measureHealth/1',
  reading: { ok: true, measurements: { requests, errors, p99LatencyMs: 10, windowStartAt: T0, windowEndAt: T0 + 1 } },
});
const cmd = (command: 'promote' | 'approve' | 'pause' | 'resume' | 'abort' | 'rollback'): EventBody => ({ kind: 'command', releaseId: 'checkout-b1', command, actor: 'alice', why: null });

const rows: Row[] = [
  // Builds
  { name: 'QUEUED creates a pending release', event: build('b1', 'QUEUED'), expect: { phase: 'pending', effects: [] } },
  { name: 'SUCCESS with nothing active starts deploying', event: build('b1', 'SUCCESS'), expect: { phase: 'deploying', effects: step(['notify', 'deployCandidate', 'scheduleCheck']) } },
  { name: 'SUCCESS without an image fails the release and says so, as every failed release does', event: build('b1', 'SUCCESS', null), expect: { phase: 'failed', reason: Reason.BuildFailed, effects: ['notify'] } },
  ...(['FAILURE', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCELLED', 'EXPIRED'] as const).map((status) => ({
    name: `${status} ends a pending release failed, stable untouched`,
    releases: [releaseIn('pending')],
    event: build('b1', status),
    expect: { phase: 'failed' as const, reason: Reason.BuildFailed, effects: ['notify'] },
  })),
  { name: 'WORKING after SUCCESS is ignored', releases: [deploying], service: active(deploying), event: build('b1', 'WORKING'), expect: { status: 'ignored', phase: 'deploying' } },
  { name: 'a second SUCCESS is ignored', releases: [shifting], service: active(shifting), event: build('b1', 'SUCCESS'), expect: { status: 'ignored', phase: 'shifting' } },
  {
    name: 'a new build supersedes the active release (traffic back first)',
    releases: [shifting],
    service: active(shifting),
    event: build('b2', 'SUCCESS'),
    expect: { phase: 'rolling_back', reason: Reason.Superseded, desired: 0 },
  },
  {
    name: 'a new build queues behind the active release in queue mode',
    config: { concurrency: 'queue' },
    releases: [shifting],
    service: active(shifting),
    event: build('b2', 'SUCCESS'),
    expect: { phase: 'pending', release: 'checkout-b2' },
  },
  // Results
  { name: 'a deployed candidate moves to verifying', releases: [deploying], service: active(deploying), event: { kind: 'candidateDeployed', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/deployCandidate/1', revision: 'r1', url: 'http://x', stableRevision: 'r0' }, expect: { phase: 'verifying', effects: ['runVerification'] } },
  { name: 'a permanent deploy failure fails the release', releases: [deploying], service: active(deploying), event: { kind: 'effectFailed', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/deployCandidate/1', effectKind: 'deployCandidate', permanent: true, error: 'PERMISSION_DENIED' }, expect: { phase: 'failed', reason: Reason.DeployFailed } },
  { name: 'a transient deploy failure retries later', releases: [deploying], service: active(deploying), event: { kind: 'effectFailed', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/deployCandidate/1', effectKind: 'deployCandidate', permanent: false, error: 'UNAVAILABLE' }, expect: { phase: 'deploying', reason: Reason.EffectFailedTransient, effects: ['scheduleCheck'] } },
  { name: 'a result of an effect no longer awaited is stale', releases: [deploying], service: active(deploying), event: { kind: 'candidateDeployed', releaseId: 'checkout-b1', effectId: 'old', revision: 'r1', url: null, stableRevision: 'r0' }, expect: { status: 'ignored', reason: Reason.StaleResultIgnored, phase: 'deploying' } },
  { name: 'passed checks start the first step', releases: [verifying], service: active(verifying), event: { kind: 'verificationCompleted', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/runVerification/1', results: [{ path: '/', status: 200, ok: true, durationMs: 1, error: null }] }, expect: { phase: 'shifting', desired: 10 } },
  { name: 'a failed check rolls back', releases: [verifying], service: active(verifying), event: { kind: 'verificationCompleted', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/runVerification/1', results: [{ path: '/', status: 500, ok: false, durationMs: 1, error: null }] }, expect: { phase: 'rolling_back', reason: Reason.VerificationFailed } },
  { name: 'unhealthy while shifting rolls back at once', releases: [shifting], service: active(shifting), event: health(1000, 100), at: T0 + 30_000, expect: { phase: 'rolling_back', reason: Reason.ErrorRateBreached, effects: ['notify', 'setTraffic', 'scheduleCheck'] } },
  { name: 'inconclusive holds the step', releases: [shifting], service: active(shifting), event: health(3, 0), at: T0 + 70_000, expect: { phase: 'shifting', desired: 10 } },
  { name: 'inconclusive past the progress deadline rolls back', releases: [shifting], service: active(shifting), event: health(3, 0), at: T0 + 11 * 60_000, expect: { phase: 'rolling_back', reason: Reason.ProgressDeadlineExceeded } },
  { name: 'inconclusive past the deadline pauses when configured', config: { onInconclusiveDeadline: 'pause' }, releases: [shifting], service: active(shifting), event: health(3, 0), at: T0 + 11 * 60_000, expect: { phase: 'shifting', reason: Reason.ProgressDeadlineExceeded } },
  { name: 'healthy before the bake time holds', releases: [shifting], service: active(shifting), event: health(1000, 0), at: T0 + 30_000, expect: { phase: 'shifting', desired: 10 } },
  { name: 'healthy after the bake time advances a step', releases: [shifting], service: active(shifting), event: health(1000, 0), at: T0 + 61_000, expect: { phase: 'shifting', desired: 50, reason: Reason.StepAdvanced } },
  { name: 'traffic observed at 100% completes', releases: [releaseIn('shifting', { stepIndex: 2, traffic: { desiredPercent: 100, observedPercent: 50, observedAt: T0 }, inFlight: inflight('setTraffic', { target: 100 }) })], service: { activeReleaseId: 'checkout-b1' }, event: { kind: 'trafficSet', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/setTraffic/1', observedPercent: 100 }, expect: { phase: 'complete', reason: Reason.Completed } },
  { name: 'traffic observed at another percent retries', releases: [releaseIn('shifting', { traffic: { desiredPercent: 10, observedPercent: null, observedAt: null }, inFlight: inflight('setTraffic') })], service: { activeReleaseId: 'checkout-b1' }, event: { kind: 'trafficSet', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/setTraffic/1', observedPercent: 0 }, expect: { phase: 'shifting', reason: Reason.EffectFailedTransient } },
  // Incidents
  { name: 'an open incident while verifying rolls back', releases: [verifying], service: active(verifying), event: { kind: 'incident', incidentId: 'i', state: 'open', policyName: null, summary: null }, expect: { phase: 'rolling_back', reason: Reason.IncidentOpened } },
  { name: 'an open incident while deploying is recorded only', releases: [deploying], service: active(deploying), event: { kind: 'incident', incidentId: 'i', state: 'open', policyName: null, summary: null }, expect: { phase: 'deploying', reason: Reason.IncidentOpened } },
  { name: 'a closed incident changes nothing', releases: [shifting], service: active(shifting), event: { kind: 'incident', incidentId: 'i', state: 'closed', policyName: null, summary: null }, expect: { phase: 'shifting', reason: Reason.IncidentClosed } },
  { name: 'an open incident inside the watch window rolls back a completed release', releases: [complete], service: { lastCompletedReleaseId: 'checkout-b1' }, event: { kind: 'incident', incidentId: 'i', state: 'open', policyName: null, summary: null }, at: T0 + 60_000, expect: { phase: 'rolling_back' } },
  { name: 'an open incident after the watch window changes nothing', releases: [complete], service: { lastCompletedReleaseId: 'checkout-b1' }, event: { kind: 'incident', incidentId: 'i', state: 'open', policyName: null, summary: null }, at: T0 + 31 * 60_000, expect: { phase: 'complete' } },
  // Commands
  { name: 'promote jumps to 100%', releases: [shifting], service: active(shifting), event: cmd('promote'), expect: { phase: 'shifting', desired: 100, reason: Reason.Promoted } },
  { name: 'approve without a pending approval is rejected', releases: [shifting], service: active(shifting), event: cmd('approve'), expect: { status: 'rejected' } },
  { name: 'pause sets the flag', releases: [shifting], service: active(shifting), event: cmd('pause'), expect: { phase: 'shifting', reason: Reason.Paused } },
  { name: 'resume of an unpaused release is rejected', releases: [shifting], service: active(shifting), event: cmd('resume'), expect: { status: 'rejected' } },
  { name: 'abort rolls back', releases: [shifting], service: active(shifting), event: cmd('abort'), expect: { phase: 'rolling_back', reason: Reason.Aborted } },
  { name: 'abort of a pending release ends it without traffic', releases: [releaseIn('pending')], event: cmd('abort'), expect: { phase: 'rolled_back', effects: ['notify'] } },
  { name: 'rollback inside the watch window', releases: [complete], service: { lastCompletedReleaseId: 'checkout-b1' }, event: cmd('rollback'), at: T0 + 60_000, expect: { phase: 'rolling_back', reason: Reason.ManualRollback } },
  { name: 'rollback after the watch window is rejected', releases: [complete], service: { lastCompletedReleaseId: 'checkout-b1' }, event: cmd('rollback'), at: T0 + 31 * 60_000, expect: { status: 'rejected' } },
  { name: 'rollback of a release still shifting is rejected', releases: [shifting], service: active(shifting), event: cmd('rollback'), expect: { status: 'rejected' } },
  // Ticks
  { name: 'a tick on an overdue effect re-issues it', releases: [deploying], service: active(deploying), event: { kind: 'tick', releaseId: 'checkout-b1' }, at: T0 + 61_000, expect: { phase: 'deploying', reason: Reason.EffectRetried, effects: ['deployCandidate', 'scheduleCheck'] } },
  { name: 'a tick with nothing due is ignored', releases: [deploying], service: active(deploying), event: { kind: 'tick', releaseId: 'checkout-b1' }, at: T0 + 1_000, expect: { status: 'ignored', phase: 'deploying' } },
  { name: 'a tick gives up after the last attempt', releases: [releaseIn('deploying', { inFlight: inflight('deployCandidate', { attempt: 5 }) })], service: { activeReleaseId: 'checkout-b1' }, event: { kind: 'tick', releaseId: 'checkout-b1' }, at: T0 + 61_000, expect: { phase: 'failed', reason: Reason.DeployFailed } },
  { name: 'a rollback never gives up', releases: [releaseIn('rolling_back', { inFlight: { ...inflight('setTraffic', { attempt: 9, target: 0 }) } })], service: { activeReleaseId: 'checkout-b1' }, event: { kind: 'tick', releaseId: 'checkout-b1' }, at: T0 + 61_000, expect: { phase: 'rolling_back', effects: ['setTraffic', 'scheduleCheck'] } },
];

describe('decide (table)', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const service = serviceState(row.config, row.service);
    const at = row.at ?? T0;
    const decision = decide({ service, releases: row.releases ?? [] }, ev(row.event, { at }), ctxAt(at));
    expect(decision.outcome.status).toBe(row.expect.status ?? 'applied');
    const id = row.expect.release ?? 'checkout-b1';
    const next = decision.releases.find((r) => r.id === id) ?? row.releases?.find((r) => r.id === id);
    if (row.expect.phase) expect(next?.state.phase).toBe(row.expect.phase);
    if (row.expect.desired !== undefined) expect(next?.traffic.desiredPercent).toBe(row.expect.desired);
    if (row.expect.reason) {
      const reasons = [decision.outcome.reason, ...decision.history.map((h) => h.reason)];
      expect(reasons).toContain(row.expect.reason);
    }
    if (row.expect.effects) expect(decision.effects.map((e) => e.kind)).toEqual(row.expect.effects);
    if (decision.outcome.status !== 'applied') {
      expect(decision.releases.filter((r) => r.state.phase !== row.releases?.find((o) => o.id === r.id)?.state.phase)).toEqual([]);
    }
  });

  it('a tick with nothing due rewrites no document', () => {
    const service = serviceState({}, { activeReleaseId: 'checkout-b1' });
    const decision = decide({ service, releases: [deploying] }, ev({ kind: 'tick', releaseId: 'checkout-b1' }, { at: T0 + 1_000 }), ctxAt(T0 + 1_000));
    expect(decision.outcome.status).toBe('ignored');
    expect(decision).toMatchObject({ releases: [], history: [], effects: [], service: null });
  });

  it('never changes its input', () => {
    const service = serviceState({}, { activeReleaseId: 'checkout-b1' });
    const releases = [structuredClone(shifting)];
    const before = structuredClone({ service, releases });
    decide({ service, releases }, ev(health(1000, 500)), ctxAt(T0));
    expect({ service, releases }).toEqual(before);
  });
});

/** Each kills a mutant that survived the unit suites before (issue 7's list). */
describe('decide (rollback edges)', () => {
  const rollingBack = (overrides: Partial<Release> = {}) =>
    releaseIn('rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: { cause: Reason.ErrorRateBreached, startedAt: T0, breachStartedAt: null, from: 'shifting' } }, stableRevision: 'checkout-old', traffic: { desiredPercent: 0, observedPercent: 10, observedAt: T0 }, inFlight: inflight('setTraffic', { target: 0 }), ...overrides });

  it('a rollback is done only when the candidate is observed at 0%, not at any percent', () => {
    const service = serviceState({}, { activeReleaseId: 'checkout-b1' });
    const event = (observedPercent: number) => ev({ kind: 'trafficSet', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/setTraffic/1', observedPercent });
    expect(decide({ service, releases: [rollingBack()] }, event(10), ctxAt(T0)).releases[0]?.state.phase).toBe('rolling_back');
    expect(decide({ service, releases: [rollingBack()] }, event(100), ctxAt(T0)).releases[0]?.state.phase).toBe('rolling_back');
    expect(decide({ service, releases: [rollingBack()] }, event(0), ctxAt(T0)).releases[0]?.state.phase).toBe('rolled_back');
  });

  it('a rollback sends traffic to the stable the release started from, not the service\'s current one', () => {
    const service = serviceState({}, { activeReleaseId: 'checkout-b1', stableRevision: 'checkout-other' });
    const decision = decide({ service, releases: [rollingBack({ inFlight: null })] }, ev({ kind: 'tick', releaseId: 'checkout-b1' }), ctxAt(T0));
    expect(decision.effects.find((e) => e.kind === 'setTraffic')).toMatchObject({ stableRevision: 'checkout-old', candidatePercent: 0 });
  });

  it('a breach while paused still rolls back', () => {
    const service = serviceState({}, { activeReleaseId: 'checkout-b1' });
    const paused = { ...structuredClone(shifting), paused: true };
    const decision = decide({ service, releases: [paused] }, ev(health(1000, 500)), ctxAt(T0 + 30_000));
    expect(decision.releases[0]).toMatchObject({ state: { phase: 'rolling_back', rollback: { cause: Reason.ErrorRateBreached } } });
  });

  it('pause and resume move into and out of the paused sub-state, back to where it was', () => {
    const service = serviceState({}, { activeReleaseId: 'checkout-b1' });
    const paused = decide({ service, releases: [structuredClone(shifting)] }, ev(cmd('pause')), ctxAt(T0)).releases[0];
    expect(paused?.state).toEqual({ phase: 'shifting', sub: 'paused', resumeTo: 'running' });
    const resumed = decide({ service, releases: [paused as Release] }, ev(cmd('resume'), { id: 'r2' }), ctxAt(T0 + 1)).releases[0];
    expect(resumed?.state).toEqual({ phase: 'shifting', sub: 'running' });
  });

  it('a new build during a rollback queues behind it and does not supersede it', () => {
    const service = serviceState({ concurrency: 'supersede' }, { activeReleaseId: 'checkout-b1' });
    const decision = decide({ service, releases: [rollingBack()] }, ev(build('b2', 'SUCCESS')), ctxAt(T0));
    const b1 = decision.releases.find((r) => r.id === 'checkout-b1');
    expect(b1 === undefined || (b1.state.phase === 'rolling_back' && b1.state.rollback.cause === Reason.ErrorRateBreached)).toBe(true);
    expect(decision.releases.find((r) => r.id === 'checkout-b2')).toMatchObject({ state: { phase: 'pending', sub: 'queued' } });
    expect(decision.service).toMatchObject({ activeReleaseId: 'checkout-b1', queuedReleaseId: 'checkout-b2' });
  });

  it('the watch window ends exactly at watchUntil: a rollback one millisecond before, none at it', () => {
    const watchUntil = complete.state.phase === 'complete' ? complete.state.watchUntil : 0;
    const service = serviceState({}, { lastCompletedReleaseId: 'checkout-b1' });
    expect(decide({ service, releases: [complete] }, ev(cmd('rollback')), ctxAt(watchUntil - 1)).releases[0]?.state.phase).toBe('rolling_back');
    expect(decide({ service, releases: [complete] }, ev(cmd('rollback')), ctxAt(watchUntil)).outcome.status).toBe('rejected');
    const incident = ev({ kind: 'incident', incidentId: 'i', state: 'open', policyName: null, summary: null });
    expect(decide({ service, releases: [complete] }, incident, ctxAt(watchUntil - 1)).releases.find((r) => r.id === 'checkout-b1')?.state.phase).toBe('rolling_back');
    expect(decide({ service, releases: [complete] }, incident, ctxAt(watchUntil)).releases.find((r) => r.id === 'checkout-b1')?.state.phase ?? 'complete').toBe('complete');
  });
});

/** Conditions mutation testing showed untested (commands, the queue, builds, deploy results). */
describe('decide (conditions)', () => {
  const service = (overrides: Partial<ServiceState> = {}, config: Partial<ServiceConfigInput> = {}) => serviceState(config, { activeReleaseId: 'checkout-b1', ...overrides });
  const run = (releases: Release[], body: EventBody, options: { at?: number; svc?: ServiceState } = {}) => decide({ service: options.svc ?? service(), releases }, ev(body, { at: options.at ?? T0 }), ctxAt(options.at ?? T0));
  const verifiedOk = () => releaseIn('verifying', { verification: { passed: true, results: [], at: T0 }, inFlight: null });

  it('promote: a verified release enters shifting at the last step; an unverified or pending one is refused', () => {
    const promoted = run([verifiedOk()], cmd('promote')).releases[0];
    expect(promoted).toMatchObject({ state: { phase: 'shifting', sub: 'running' }, stepIndex: 2, traffic: { desiredPercent: 100 } });
    expect(run([releaseIn('verifying', { verification: null })], cmd('promote')).outcome.status).toBe('rejected');
    expect(run([releaseIn('verifying', { verification: { passed: false, results: [], at: T0 } })], cmd('promote')).outcome.status).toBe('rejected');
    expect(run([releaseIn('pending')], cmd('promote'), { svc: service({ activeReleaseId: null }) }).outcome.status).toBe('rejected');
  });

  it('resume: a paused release whose verification passed starts shifting; one still verifying stays', () => {
    const resumed = run([{ ...verifiedOk(), state: { phase: 'verifying', sub: 'paused', resumeTo: 'running' } }], cmd('resume')).releases[0];
    expect(resumed).toMatchObject({ state: { phase: 'shifting', sub: 'running' }, stepIndex: 0 });
    const waiting = run([releaseIn('verifying', { state: { phase: 'verifying', sub: 'paused', resumeTo: 'running' }, verification: null })], cmd('resume')).releases[0];
    expect(waiting).toMatchObject({ state: { phase: 'verifying', sub: 'running' } });
  });

  it('pause: refused when already paused or past shifting; allowed before deploying', () => {
    expect(run([{ ...structuredClone(shifting), state: { phase: 'shifting', sub: 'paused', resumeTo: 'running' } }], cmd('pause')).outcome.status).toBe('rejected');
    expect(run([complete], cmd('pause'), { svc: service({ activeReleaseId: null }) }).outcome.status).toBe('rejected');
    expect(run([releaseIn('pending')], cmd('pause'), { svc: service({ activeReleaseId: null }) }).releases[0]).toMatchObject({ state: { phase: 'pending', sub: 'paused', resumeTo: 'waiting' } });
  });

  it('abort: refused for a completed release, naming rollback; rollback refused while another release is in flight or for a release no longer current', () => {
    const aborted = run([complete], cmd('abort'), { svc: service({ activeReleaseId: null, lastCompletedReleaseId: 'checkout-b1' }) });
    expect(aborted.outcome).toMatchObject({ status: 'rejected', message: expect.stringContaining('use rollback') });
    const busy = run([complete], cmd('rollback'), { at: T0 + 1_000, svc: service({ activeReleaseId: 'checkout-b9', lastCompletedReleaseId: 'checkout-b1' }) });
    expect(busy.outcome).toMatchObject({ status: 'rejected', message: expect.stringContaining('abort it first') });
    const stale = run([complete], cmd('rollback'), { at: T0 + 1_000, svc: service({ activeReleaseId: null, lastCompletedReleaseId: 'checkout-b7' }) });
    expect(stale.outcome).toMatchObject({ status: 'rejected', message: expect.stringContaining('no longer') });
    const unknown = run([], cmd('abort'));
    expect(unknown.outcome).toMatchObject({ status: 'rejected', message: expect.stringContaining('not found') });
  });

  it('a newer build in the queue supersedes the one queued before it; the active release is untouched', () => {
    const svc = service({ activeReleaseId: 'checkout-b1', queuedReleaseId: 'checkout-b2' }, { concurrency: 'queue' });
    const queued = releaseIn('pending', { id: 'checkout-b2', build: { id: 'b2', status: 'SUCCESS', commit: null, image: 'img@sha256:2' }, state: { phase: 'pending', sub: 'queued' } });
    const decision = run([structuredClone(shifting), queued], build('b3', 'SUCCESS'), { svc });
    expect(decision.releases.find((r) => r.id === 'checkout-b2')).toMatchObject({ state: { phase: 'superseded', sub: 'final', rollback: null } });
    expect(decision.releases.find((r) => r.id === 'checkout-b3')).toMatchObject({ state: { phase: 'pending', sub: 'queued' } });
    expect(decision.releases.find((r) => r.id === 'checkout-b1')).toBeUndefined();
    expect(decision.service).toMatchObject({ queuedReleaseId: 'checkout-b3', activeReleaseId: 'checkout-b1' });
  });

  it('a build status for a queued release is ignored; a later message fills in the image and commit an earlier one lacked', () => {
    const queued = releaseIn('pending', { state: { phase: 'pending', sub: 'queued' } });
    expect(run([queued], build('b1', 'SUCCESS')).outcome.status).toBe('ignored');
    const bare = releaseIn('pending', { build: { id: 'b1', status: 'QUEUED', commit: null, image: null } });
    const filled = run([bare], build('b1', 'WORKING'), { svc: service({ activeReleaseId: null }) });
    expect(filled.releases[0]?.build).toMatchObject({ status: 'WORKING', commit: 'c-b1', image: 'img@sha256:b1' });
    const kept = run([releaseIn('pending', { build: { id: 'b1', status: 'QUEUED', commit: 'c0', image: 'img0' } })], { kind: 'build', buildId: 'b1', status: 'WORKING', commit: null, image: null }, { svc: service({ activeReleaseId: null }) });
    expect(kept.releases[0]?.build).toMatchObject({ commit: 'c0', image: 'img0' });
  });

  it('a deployed candidate keeps the stable it started from; only a release without one learns it, and never the candidate itself', () => {
    const deployed = (stableRevision: string | null, reported: string | null, revision = 'r1') =>
      run([releaseIn('deploying', { stableRevision, inFlight: inflight('deployCandidate') })], { kind: 'candidateDeployed', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/deployCandidate/1', revision, url: null, stableRevision: reported }, { svc: service({ stableRevision: null }) });
    expect(deployed('r-start', 'r-other').releases[0]?.stableRevision).toBe('r-start');
    expect(deployed('r-start', 'r-other').service).toBeNull();
    const learned = deployed(null, 'r0');
    expect(learned.releases[0]?.stableRevision).toBe('r0');
    expect(learned.service?.stableRevision).toBe('r0');
    expect(deployed(null, 'r1').releases[0]?.stableRevision).toBeNull();
    expect(deployed(null, null).releases[0]?.stableRevision).toBeNull();
  });

  it('a pending deploy is asked about again after deployPollMs without a new attempt, and fails at the deploy timeout', () => {
    const deploying2 = releaseIn('deploying', { phaseStartedAt: T0, inFlight: inflight('deployCandidate', { attempt: 2 }) });
    const pending = (at: number) => run([deploying2], { kind: 'candidatePending', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/deployCandidate/1', revision: 'r1', status: 'RECONCILING' }, { at });
    const early = pending(T0 + 1_000).releases[0];
    expect(early?.inFlight).toMatchObject({ progress: 'accepted', attempt: 2, deadlineAt: T0 + 1_000 + 5_000 });
    expect(early?.state.phase).toBe('deploying');
    expect(pending(T0 + 360_000).releases[0]).toMatchObject({ state: { phase: 'failed' }, lastDecision: { reason: Reason.DeployFailed } });
    expect(pending(T0 + 359_999).releases[0]?.state.phase).toBe('deploying');
    const asked = decide({ service: service(), releases: [early as Release] }, ev({ kind: 'tick', releaseId: 'checkout-b1' }, { at: T0 + 6_001 }), ctxAt(T0 + 6_001));
    expect(asked.releases[0]?.inFlight).toMatchObject({ kind: 'deployCandidate', attempt: 2, progress: 'issued' });
    expect(asked.history.map((h) => h.reason)).not.toContain(Reason.EffectRetried);
  });

  it('a completed release rolled back gives the service its previous stable back and frees the slot for the queue', () => {
    const back = releaseIn('rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: { cause: Reason.IncidentOpened, startedAt: T0, breachStartedAt: null, from: 'complete' } }, completedAt: T0, stableRevision: 'r-prev', traffic: { desiredPercent: 0, observedPercent: 100, observedAt: T0 }, inFlight: inflight('setTraffic', { target: 0 }) });
    const queued = releaseIn('pending', { id: 'checkout-b2', build: { id: 'b2', status: 'SUCCESS', commit: null, image: 'img@sha256:2' }, state: { phase: 'pending', sub: 'queued' } });
    const svc = service({ activeReleaseId: 'checkout-b1', lastCompletedReleaseId: 'checkout-b1', stableRevision: 'r-cand', queuedReleaseId: 'checkout-b2' });
    const decision = run([back, queued], { kind: 'trafficSet', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/setTraffic/1', observedPercent: 0 }, { svc });
    expect(decision.releases.find((r) => r.id === 'checkout-b1')?.state.phase).toBe('rolled_back');
    expect(decision.service).toMatchObject({ stableRevision: 'r-prev', lastCompletedReleaseId: null, activeReleaseId: 'checkout-b2', queuedReleaseId: null });
    expect(decision.releases.find((r) => r.id === 'checkout-b2')).toMatchObject({ state: { phase: 'deploying', sub: 'running' }, stableRevision: 'r-prev' });
    expect(decision.effects.map((e) => e.kind)).toContain('deployCandidate');
  });

  it('a superseded release ends superseded, not rolled back; a failed build notifies release.failed', () => {
    const back = releaseIn('rolling_back', { state: { phase: 'rolling_back', sub: 'restoring', rollback: { cause: Reason.Superseded, startedAt: T0, breachStartedAt: null, from: 'shifting' } }, traffic: { desiredPercent: 0, observedPercent: 10, observedAt: T0 }, inFlight: inflight('setTraffic', { target: 0 }) });
    const done = run([back], { kind: 'trafficSet', releaseId: 'checkout-b1', effectId: 'checkout-b1/1/setTraffic/1', observedPercent: 0 });
    expect(done.releases[0]?.state.phase).toBe('superseded');
    expect(done.effects.find((e) => e.kind === 'notify')).toMatchObject({ type: 'release.superseded' });
    const failed = run([releaseIn('pending')], build('b1', 'FAILURE'), { svc: service({ activeReleaseId: null }) });
    expect(failed.effects.find((e) => e.kind === 'notify')).toMatchObject({ type: 'release.failed' });
  });
});

/** The tick's own decisions: the end of the watch window and giving up on an effect, at their exact edges. */
describe('decide (tick edges)', () => {
  const tick = (releases: Release[], at: number, overrides: Partial<ServiceState> = {}) =>
    decide({ service: serviceState({}, overrides), releases }, ev({ kind: 'tick', releaseId: 'checkout-b1' }, { at }), ctxAt(at));
  const watched = releaseIn('complete', { nextCheckAt: T0 + 30 * 60_000 });
  const end = watched.state.phase === 'complete' ? watched.state.watchUntil : 0;

  it('ends the watch window exactly at watchUntil, once', () => {
    const at = tick([watched], end, { lastCompletedReleaseId: 'checkout-b1' });
    expect(at.releases[0]).toMatchObject({ state: { phase: 'complete', sub: 'final' }, nextCheckAt: null, lastDecision: { reason: Reason.WatchWindowEnded } });
    expect(at.history.map((h) => h.reason)).toEqual([Reason.WatchWindowEnded]);
    const before = tick([watched], end - 1, { lastCompletedReleaseId: 'checkout-b1' });
    expect(before.history).toEqual([]);
    const ended = { ...watched, state: { phase: 'complete' as const, sub: 'final' as const, watchUntil: end }, nextCheckAt: null };
    expect(tick([ended], end + 1, { lastCompletedReleaseId: 'checkout-b1' })).toMatchObject({ outcome: { status: 'ignored' }, history: [] });
    expect(tick([{ ...watched, state: { phase: 'rolled_back', sub: 'final', rollback: null } }], end)).toMatchObject({ history: [] });
  });

  it('gives up on an effect exactly at its deadline after the last attempt, not before', () => {
    const last = releaseIn('verifying', { inFlight: inflight('runVerification', { attempt: 5, deadlineAt: T0 + 60_000 }) });
    expect(tick([last], T0 + 60_000, { activeReleaseId: 'checkout-b1' }).releases[0]).toMatchObject({ state: { phase: 'rolling_back', rollback: { cause: Reason.VerificationFailed } } });
    expect(tick([last], T0 + 59_999, { activeReleaseId: 'checkout-b1' }).releases[0]?.state.phase ?? 'verifying').toBe('verifying');
    const earlier = releaseIn('verifying', { inFlight: inflight('runVerification', { attempt: 4, deadlineAt: T0 + 60_000 }) });
    expect(tick([earlier], T0 + 60_000, { activeReleaseId: 'checkout-b1' }).releases[0]).toMatchObject({ state: { phase: 'verifying' }, inFlight: { attempt: 5 } });
  });

  it('ignores a tick for a release it does not know', () => {
    expect(tick([], T0).outcome).toMatchObject({ status: 'ignored', reason: Reason.NothingToDo, message: expect.stringContaining('not found') });
  });
});
