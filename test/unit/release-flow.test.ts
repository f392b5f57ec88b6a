import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, Reason, decide, releaseIdForBuild, type World, rollbackOf } from '../../shared/domain/index.js';
import { build } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';

const rid = (buildId: string) => releaseIdForBuild('checkout', buildId);

/** Drives a release through ticks until it leaves `shifting` or the budget runs out. */
async function bakeThrough(sys: ReturnType<typeof fakeSystem>, steps = 40) {
  for (let i = 0; i < steps; i += 1) {
    const r = await sys.store.getRelease(rid('b1'));
    if (r?.state.phase !== 'shifting') return;
    await sys.advance(10_000);
  }
}

describe('a release through the runtime (fakes at the ports)', () => {
  it('goes pending → deploying → verifying → shifting through every step → complete', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'QUEUED'));
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('pending');
    await sys.send(build('b1', 'SUCCESS'));
    let release = await sys.store.getRelease(rid('b1'));
    expect(release?.state.phase).toBe('shifting');
    expect(release?.traffic).toMatchObject({ desiredPercent: 10, observedPercent: 10 });
    await bakeThrough(sys);
    release = await sys.store.getRelease(rid('b1'));
    expect(release?.state.phase).toBe('complete');
    const percents = sys.router.calls.filter((c) => c.kind === 'setTraffic').map((c) => c.candidatePercent);
    expect(percents).toEqual([10, 50, 100]);
    const service = await sys.store.getService('checkout');
    expect(service?.stableRevision).toBe(release?.candidate.revision);
    expect(service?.activeReleaseId).toBeNull();
    const history = await sys.store.history(rid('b1'), 100);
    expect(history.map((h) => h.seq)).toEqual(history.map((_, i) => i + 1));
    expect(history.map((h) => h.reason)).toContain(Reason.StepAdvanced);
    expect(sys.notifier.sent.map((n) => n.type)).toContain('release.completed');
  });

  it('rolls back at once on an SLO breach while shifting, with the measurements in history', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    sys.health.reportErrors(100, 30);
    await sys.advance(10_000);
    const release = await sys.store.getRelease(rid('b1'));
    expect(release?.state.phase).toBe('rolled_back');
    expect((release && rollbackOf(release.state)?.cause)).toBe(Reason.ErrorRateBreached);
    expect(sys.router.percentFor('checkout')).toBe(0);
    const breach = (await sys.store.history(rid('b1'), 100)).find((h) => h.toPhase === 'rolling_back');
    expect(breach?.details).toMatchObject({ health: { measurements: { requests: 100, errors: 30 } } });
  });

  it('active probing: a candidate whose health path starts failing is rolled back within one interval, with almost no traffic', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    // Too little traffic to judge by requests (inconclusive), but the candidate's own /healthz now answers 503.
    sys.health.reportErrors(3, 0);
    sys.verifier.failing = true;
    await sys.advance(10_000);
    const release = await sys.store.getRelease(rid('b1'));
    expect(release?.state.phase).toBe('rolled_back');
    expect((release && rollbackOf(release.state)?.cause)).toBe(Reason.ProbesFailed);
    expect(sys.router.percentFor('checkout')).toBe(0);
    const probeCall = sys.verifier.calls.at(-1);
    expect(probeCall?.candidateUrl).toBe(release?.candidate.url);
    const breach = (await sys.store.history(rid('b1'), 100)).find((h) => h.toPhase === 'rolling_back');
    expect(breach?.message).toContain('probes failing: /healthz (503)');
    expect(breach?.details).toMatchObject({ health: { probes: { total: 1, failed: 1 } } });
  });

  it('passing probes do not make a reading healthy by themselves: too few requests still holds the step', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    sys.health.reportErrors(3, 0);
    await sys.advance(10_000);
    expect((await sys.store.getRelease(rid('b1')))?.health).toMatchObject({ verdict: 'inconclusive', reasons: [Reason.TooFewRequests], probes: { total: 1, failed: 0 } });
  });

  it('fails a release whose build failed, leaving stable untouched', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'WORKING'));
    await sys.send(build('b1', 'FAILURE'));
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('failed');
    expect(sys.router.calls).toHaveLength(0);
  });

  it('ignores a WORKING that arrives after SUCCESS', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const before = await sys.store.getRelease(rid('b1'));
    const report = await sys.send(build('b1', 'WORKING'));
    expect(report).toMatchObject({ kind: 'decided', outcome: { status: 'ignored', reason: Reason.BuildStatusIgnored } });
    expect(await sys.store.getRelease(rid('b1'))).toEqual(before);
  });

  it('treats a redelivered event id as a no-op', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'), 'same-id');
    const calls = sys.router.calls.length;
    expect(await sys.send(build('b1', 'SUCCESS'), 'same-id')).toEqual({ kind: 'duplicate', eventId: 'same-id' });
    expect(sys.router.calls).toHaveLength(calls);
  });

  it('rolls back on an open incident and only records a closed one', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    await sys.send({ kind: 'incident', incidentId: 'i1', state: 'closed', policyName: 'p', summary: null });
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('shifting');
    await sys.send({ kind: 'incident', incidentId: 'i2', state: 'open', policyName: 'p', summary: '5xx' });
    const release = await sys.store.getRelease(rid('b1'));
    expect(release?.state.phase).toBe('rolled_back');
    expect((release && rollbackOf(release.state)?.cause)).toBe(Reason.IncidentOpened);
  });

  it('rolls back the first release (no stable recorded before it) to what the router served before it', async () => {
    const sys = fakeSystem();
    sys.router.seed('checkout', 'checkout-blue');
    await sys.apply();
    expect((await sys.store.getService('checkout'))?.stableRevision).toBeNull();
    await sys.send(build('b1', 'SUCCESS'));
    expect((await sys.store.getRelease(rid('b1')))?.stableRevision).toBe('checkout-blue');
    await bakeThrough(sys);
    const completed = await sys.store.getRelease(rid('b1'));
    expect(completed?.state.phase).toBe('complete');
    expect((await sys.store.getService('checkout'))?.stableRevision).toBe(completed?.candidate.revision);
    expect(sys.router.stableOf('checkout')).toBe(completed?.candidate.revision);
    await sys.send({ kind: 'incident', incidentId: 'i1', state: 'open', policyName: null, summary: null });
    const release = await sys.store.getRelease(rid('b1'));
    expect(release?.state.phase).toBe('rolled_back');
    // Restored, not cleared: the service and the router are back on the revision that served before.
    expect((await sys.store.getService('checkout'))?.stableRevision).toBe('checkout-blue');
    expect(sys.router.stableOf('checkout')).toBe('checkout-blue');
    expect(sys.router.percentFor('checkout', completed?.candidate.revision ?? '')).toBe(0);
    expect((await sys.store.getService('checkout'))?.activeReleaseId).toBeNull();
  });

  it('rolls back a later release to the stable the release started from, not the service\'s current one', async () => {
    const sys = fakeSystem();
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    await bakeThrough(sys);
    const first = await sys.store.getRelease(rid('b1'));
    await sys.send(build('b2', 'SUCCESS'));
    const second = await sys.store.getRelease(rid('b2'));
    expect(second?.stableRevision).toBe(first?.candidate.revision);
    await sys.send({ kind: 'command', releaseId: rid('b2'), command: 'abort', actor: 'alice', why: null });
    expect((await sys.store.getRelease(rid('b2')))?.state.phase).toBe('rolled_back');
    expect(sys.router.stableOf('checkout')).toBe(first?.candidate.revision);
    expect(sys.router.percentFor('checkout')).toBe(0);
  });

  it('says so, and does not spin, when a rollback has nothing to return to', async () => {
    const sys = fakeSystem();
    sys.router.seed('checkout', null);
    await sys.apply({ steps: [100] });
    await sys.send(build('b1', 'SUCCESS'));
    const done = await sys.store.getRelease(rid('b1'));
    expect(done).toMatchObject({ state: { phase: 'complete' }, stableRevision: null });
    const calls = sys.router.calls.length;
    const report = await sys.send({ kind: 'incident', incidentId: 'i1', state: 'open', policyName: null, summary: null });
    expect(report).toMatchObject({ kind: 'decided', outcome: { reason: Reason.NoStableToRestore } });
    const release = await sys.store.getRelease(rid('b1'));
    expect(release).toMatchObject({ state: { phase: 'complete' }, lastDecision: { reason: Reason.NoStableToRestore } });
    expect(sys.notifier.sent.at(-1)).toMatchObject({ type: 'release.rollback_impossible', reason: Reason.NoStableToRestore });
    await sys.advance(120_000);
    expect(sys.router.calls).toHaveLength(calls);
    expect((await sys.store.getService('checkout'))?.activeReleaseId).toBeNull();
  });

  it('supersedes an in-flight release: traffic back to stable first, then the new one starts', async () => {
    const sys = fakeSystem();
    await sys.apply({ concurrency: 'supersede' });
    await sys.send(build('b1', 'SUCCESS'));
    await sys.send(build('b2', 'SUCCESS'));
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('superseded');
    const b2 = await sys.store.getRelease(rid('b2'));
    expect(b2?.state.phase).toBe('shifting');
    const kinds = sys.router.calls.map((c) => `${c.kind}:${c.releaseId.slice(-2)}:${'candidatePercent' in c ? c.candidatePercent : ''}`);
    expect(kinds.indexOf('setTraffic:b1:0')).toBeLessThan(kinds.indexOf('deployCandidate:b2:'));
    expect((await sys.store.getService('checkout'))?.activeReleaseId).toBe(rid('b2'));
  });

  it('queues a new release behind the active one and starts it when that completes', async () => {
    const sys = fakeSystem();
    await sys.apply({ concurrency: 'queue' });
    await sys.send(build('b1', 'SUCCESS'));
    await sys.send(build('b2', 'SUCCESS'));
    expect((await sys.store.getRelease(rid('b2')))).toMatchObject({ state: { phase: 'pending', sub: 'queued' } });
    await bakeThrough(sys);
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('complete');
    expect((await sys.store.getRelease(rid('b2')))?.state.phase).toBe('shifting');
  });

  it('waits for approval before 100% when the service requires it', async () => {
    const sys = fakeSystem();
    await sys.apply({ requireApproval: true });
    await sys.send(build('b1', 'SUCCESS'));
    for (let i = 0; i < 20; i += 1) await sys.advance(10_000);
    let release = await sys.store.getRelease(rid('b1'));
    expect(release).toMatchObject({ state: { phase: 'shifting', sub: 'awaitingApproval' }, traffic: { observedPercent: 50 } });
    const report = await sys.send({ kind: 'command', releaseId: rid('b1'), command: 'approve', actor: 'alice', why: 'looks good' });
    expect(report).toMatchObject({ outcome: { status: 'applied' } });
    release = await sys.store.getRelease(rid('b1'));
    expect(release?.state.phase).toBe('complete');
    const approved = (await sys.store.history(rid('b1'), 100)).find((h) => h.reason === Reason.Approved);
    expect(approved?.actor).toBe('alice');
  });

  it('recovers an effect lost between commit and execution on the next tick', async () => {
    const sys = fakeSystem();
    await sys.apply();
    // Commit the decision but drop its effects, as if the process died right after the commit.
    await sys.store.handle({ id: 'b1-ok', service: 'checkout', at: sys.clock.now, body: build('b1', 'SUCCESS') }, (world) =>
      decideNow(world, sys.clock.now, 'b1-ok'),
    );
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('deploying');
    expect(sys.router.calls).toHaveLength(0);
    await sys.advance(DEFAULT_EFFECT_POLICY.deployTimeoutMs + 1_000);
    expect(sys.router.calls.map((c) => c.kind)).toContain('deployCandidate');
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('shifting');
  });
});

function decideNow(world: World, now: number, id: string) {
  return decide(world, { id, service: 'checkout', at: now, body: build('b1', 'SUCCESS') }, { now, policy: DEFAULT_EFFECT_POLICY });
}

describe('bounded requests: a deploy is never waited on inside the request that caused it', () => {
  it('a rollback by an incident frees the queue and only submits the next deploy; later checks finish it', async () => {
    const sys = fakeSystem();
    await sys.apply({ concurrency: 'queue' });
    await sys.send(build('b1', 'SUCCESS'));
    await sys.send(build('b2', 'SUCCESS'));
    sys.router.pendingPolls = 3;
    const report = await sys.send({ kind: 'incident', incidentId: 'i1', state: 'open', policyName: null, summary: null });
    expect(report).toMatchObject({ kind: 'decided', outcome: { status: 'applied' } });
    expect((await sys.store.getRelease(rid('b1')))?.state.phase).toBe('rolled_back');
    // The queued release started, its deploy was submitted once in this request and not waited for.
    const b2 = await sys.store.getRelease(rid('b2'));
    expect(b2).toMatchObject({ state: { phase: 'deploying' }, inFlight: { kind: 'deployCandidate', progress: 'accepted', attempt: 1 } });
    expect(sys.router.calls.filter((c) => c.kind === 'deployCandidate' && c.releaseId === rid('b2'))).toHaveLength(1);
    // Each later check asks once; asking is not an attempt, so it never gives up while the revision is coming up.
    for (let i = 0; i < 5 && (await sys.store.getRelease(rid('b2')))?.state.phase === 'deploying'; i += 1) await sys.advance(DEFAULT_EFFECT_POLICY.deployPollMs);
    expect((await sys.store.getRelease(rid('b2')))?.state.phase).toBe('shifting');
    expect(sys.router.calls.filter((c) => c.kind === 'deployCandidate' && c.releaseId === rid('b2'))).toHaveLength(4);
    const history = await sys.store.history(rid('b2'), 100);
    expect(history.map((h) => h.reason)).not.toContain(Reason.EffectRetried);
  });

  it('fails a deploy whose revision is still not ready after the deploy timeout', async () => {
    const sys = fakeSystem();
    await sys.apply();
    sys.router.pendingPolls = 1_000;
    await sys.send(build('b1', 'SUCCESS'));
    for (let i = 0; i < 200 && (await sys.store.getRelease(rid('b1')))?.state.phase === 'deploying'; i += 1) await sys.advance(DEFAULT_EFFECT_POLICY.deployPollMs);
    const release = await sys.store.getRelease(rid('b1'));
    expect(release).toMatchObject({ state: { phase: 'failed' }, lastDecision: { reason: Reason.DeployFailed } });
    expect(release?.lastDecision.message).toMatch(/not ready after/);
    expect((await sys.store.getService('checkout'))?.activeReleaseId).toBeNull();
  });
});
