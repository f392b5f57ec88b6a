import {
  DEFAULT_EFFECT_POLICY,
  SCHEMA_VERSION,
  parseServiceConfig,
  type DecideContext,
  type EventBody,
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

import type { Release } from '../../shared/domain/index.js';

/** A release of build `b1` in any phase, shaped as decide() would have left it. */
export function releaseIn(phase: Release['phase'], overrides: Partial<Release> = {}): Release {
  const shiftingLike = phase === 'shifting' || phase === 'complete';
  return {
    schemaVersion: SCHEMA_VERSION,
    id: 'checkout-b1',
    service: 'checkout',
    build: { id: 'b1', status: 'SUCCESS', commit: 'c1', image: 'img@sha256:1' },
    phase,
    paused: false,
    queued: false,
    candidate: phase === 'pending' || phase === 'deploying' ? { revision: null, url: null } : { revision: 'checkout-b1', url: 'http://127.0.0.1:1' },
    stableRevision: 'checkout-stable',
    stepIndex: shiftingLike ? 0 : null,
    traffic: shiftingLike ? { desiredPercent: phase === 'complete' ? 100 : 10, observedPercent: phase === 'complete' ? 100 : 10, observedAt: T0 } : { desiredPercent: 0, observedPercent: null, observedAt: null },
    awaitingApproval: false,
    verification: null,
    health: null,
    inFlight: null,
    rollbackCause: null,
    lastDecision: { reason: 'x', message: '', eventKind: 'build', eventId: 'e0', actor: null, at: T0 },
    nextCheckAt: overrides.inFlight ? overrides.inFlight.deadlineAt : null,
    createdAt: T0,
    updatedAt: T0,
    phaseStartedAt: T0,
    stepStartedAt: shiftingLike ? T0 : null,
    progressAt: T0,
    completedAt: phase === 'complete' ? T0 : null,
    watchUntil: phase === 'complete' ? T0 + 30 * 60_000 : null,
    historySeq: 3,
    effectSeq: 1,
    ...overrides,
  };
}
