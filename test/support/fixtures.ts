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
