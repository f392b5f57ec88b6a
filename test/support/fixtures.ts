import {
  DEFAULT_EFFECT_POLICY,
  RELEASE_SCHEMA_VERSION,
  SCHEMA_VERSION,
  parseServiceConfig,
  type DecideContext,
  type EventBody,
  type Phase,
  type Release,
  type ReleaseState,
  type Rollback,
  type ReleaseEvent,
  type ServiceConfigInput,
  type ServiceState,
} from '../../shared/domain/index.js';

export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
/** The checkout service's alert policy, by resource name (as rollbackTriggers lists it and Cloud Monitoring knows it). */
export const CHECKOUT_POLICY = 'projects/demo-project/alertPolicies/checkout-5xx';

export function serviceConfigInput(overrides: Partial<ServiceConfigInput> = {}): ServiceConfigInput & { name: string } {
  return {
    name: 'checkout',
    project: 'demo-project',
    region: 'europe-west1',
    steps: [10, 50, 100],
    bakeTime: '1m',
    healthInterval: '10s',
    slo: { maxErrorRate: 0.05, minRequests: 20, window: '1m' },
    progressDeadline: '10m',
    watchWindow: '30m',
    verification: { checks: [{ path: '/healthz' }] },
    source: { triggers: ['trig-checkout-main'], branches: ['main'], repositories: ['europe-west1-docker.pkg.dev/demo-project/apps'] },
    ...overrides,
  };
}

export function serviceState(overrides: Partial<ServiceConfigInput> = {}, state: Partial<ServiceState> = {}): ServiceState {
  const config = parseServiceConfig(serviceConfigInput(overrides));
  return {
    schemaVersion: SCHEMA_VERSION,
    name: config.name,
    config,
    alertPolicies: config.rollbackTriggers.alertPolicies,
    stableRevision: 'checkout-stable',
    activeReleaseId: null,
    queuedReleaseId: null,
    lastCompletedReleaseId: null,
    lastIncident: null,
    createdAt: T0,
    updatedAt: T0,
    ...state,
  };
}

let counter = 0;
export function ev(body: EventBody, options: { id?: string; at?: number; service?: string } = {}): ReleaseEvent {
  counter += 1;
  return { id: options.id ?? `evt-${counter}`, service: options.service ?? 'checkout', at: options.at ?? T0, body };
}

export function ctxAt(now: number): DecideContext {
  return { now, policy: DEFAULT_EFFECT_POLICY };
}

export const build = (buildId: string, status: string, image: string | null = `img@sha256:${buildId}`): EventBody =>
  ({ kind: 'build', buildId, status, commit: `c-${buildId}`, image }) as EventBody;


/** The plain sub-state of each phase: what decide() leaves a release in when nothing holds it. */
export function plainState(phase: Phase, at = T0): ReleaseState {
  switch (phase) {
    case 'pending':
      return { phase, sub: 'waiting' };
    case 'deploying':
    case 'verifying':
    case 'shifting':
      return { phase, sub: 'running' };
    case 'complete':
      return { phase, sub: 'watching', watchUntil: at + 30 * 60_000 };
    case 'rolling_back':
      return { phase, sub: 'restoring', rollback: { cause: 'Aborted', startedAt: at, breachStartedAt: null, from: 'shifting' } };
    case 'rolled_back':
    case 'superseded':
      return { phase, sub: 'final', rollback: null };
    case 'failed':
      return { phase, sub: 'final' };
  }
}

/** A release of build `b1` in any phase (its plain sub-state unless `overrides.state` says), shaped as decide() would have left it. */
export function releaseIn(phase: Phase, overrides: Partial<Release> = {}): Release {
  const shiftingLike = phase === 'shifting' || phase === 'complete';
  return {
    schemaVersion: RELEASE_SCHEMA_VERSION,
    id: 'checkout-b1',
    service: 'checkout',
    build: { id: 'b1', status: 'SUCCESS', commit: 'c1', image: 'img@sha256:1' },
    state: plainState(phase),
    candidate: phase === 'pending' || phase === 'deploying' ? { revision: null, url: null } : { revision: 'checkout-b1', url: 'http://127.0.0.1:1' },
    stableRevision: 'checkout-stable',
    stepIndex: shiftingLike ? 0 : null,
    traffic: shiftingLike ? { desiredPercent: phase === 'complete' ? 100 : 10, observedPercent: phase === 'complete' ? 100 : 10, observedAt: T0 } : { desiredPercent: 0, observedPercent: null, observedAt: null },
    verification: null,
    health: null,
    inFlight: null,
    lastDecision: { reason: 'x', message: '', eventKind: 'build', eventId: 'e0', actor: null, at: T0 },
    nextCheckAt: overrides.inFlight ? overrides.inFlight.deadlineAt : null,
    createdAt: T0,
    updatedAt: T0,
    phaseStartedAt: T0,
    stepStartedAt: shiftingLike ? T0 : null,
    progressAt: T0,
    completedAt: phase === 'complete' ? T0 : null,
    historySeq: 3,
    effectSeq: 1,
    ...overrides,
  };
}

/** A rolling-back or rolled-back state with its rollback (rolled back with a null cause: aborted before it deployed). */
export function rolledBackState(phase: 'rolling_back' | 'rolled_back', cause: string | null, options: { startedAt?: number | null; breachStartedAt?: number | null; from?: Rollback['from'] } = {}): ReleaseState {
  const rollback = cause === null ? null : { cause, startedAt: options.startedAt === undefined ? T0 : options.startedAt, breachStartedAt: options.breachStartedAt ?? null, from: options.from ?? 'shifting' };
  if (phase === 'rolled_back') return { phase, sub: 'final', rollback };
  if (!rollback) throw new Error('rolling back needs a cause');
  return { phase, sub: 'restoring', rollback };
}

/** Every sub-state a release can be in (complete with its window still open and already over), for tests that walk them all. */
export function everyState(at = T0): ReleaseState[] {
  const rollback = { cause: 'ErrorRateBreached', startedAt: at, breachStartedAt: null, from: 'shifting' as const };
  return [
    { phase: 'pending', sub: 'waiting' },
    { phase: 'pending', sub: 'queued' },
    { phase: 'pending', sub: 'paused', resumeTo: 'waiting' },
    { phase: 'pending', sub: 'paused', resumeTo: 'queued' },
    { phase: 'pending', sub: 'soaking' },
    { phase: 'pending', sub: 'awaitingApproval' },
    { phase: 'pending', sub: 'paused', resumeTo: 'soaking' },
    { phase: 'pending', sub: 'paused', resumeTo: 'awaitingApproval' },
    { phase: 'deploying', sub: 'running' },
    { phase: 'deploying', sub: 'paused', resumeTo: 'running' },
    { phase: 'verifying', sub: 'running' },
    { phase: 'verifying', sub: 'awaitingApproval' },
    { phase: 'verifying', sub: 'stranded' },
    { phase: 'verifying', sub: 'paused', resumeTo: 'running' },
    { phase: 'verifying', sub: 'paused', resumeTo: 'awaitingApproval' },
    { phase: 'shifting', sub: 'running' },
    { phase: 'shifting', sub: 'awaitingApproval' },
    { phase: 'shifting', sub: 'stranded' },
    { phase: 'shifting', sub: 'paused', resumeTo: 'running' },
    { phase: 'shifting', sub: 'paused', resumeTo: 'awaitingApproval' },
    { phase: 'complete', sub: 'watching', watchUntil: at + 60_000 },
    { phase: 'complete', sub: 'watching', watchUntil: at - 1 },
    { phase: 'complete', sub: 'final', watchUntil: at - 1 },
    { phase: 'rolling_back', sub: 'restoring', rollback },
    { phase: 'rolled_back', sub: 'final', rollback },
    { phase: 'rolled_back', sub: 'final', rollback: null },
    { phase: 'failed', sub: 'final' },
    { phase: 'superseded', sub: 'final', rollback: null },
  ];
}
