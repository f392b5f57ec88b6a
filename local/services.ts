import type { ServiceConfigInput } from '../shared/domain/index.js';
import { devTrigger } from './dev-messages.js';
import { localPolicyName } from './metric-apis.js';

/**
 * The services `npm start` releases: `sample` on the local stand-in for Cloud Run, and `shop`,
 * blue/green on a local GKE behind a local global external Application Load Balancer.
 */
export const LOCAL_PROJECT = 'cutover-local';
export const SAMPLE_SERVICE = 'sample';
/** Who `npm start`'s user is (the CLI signs in as CUTOVER_LOCAL_USER, this by default): a platform admin. */
export const LOCAL_ADMIN = 'dev@cutover.local';
/** The local directory: operator@cutover.local is on call, and the on-call group operates the sample. */
export const LOCAL_GROUPS = { 'oncall@cutover.local': ['operator@cutover.local'] };

export const LOCAL_CHAT_SECRET = 'sample-chat';

export function sampleServiceConfig(overrides: Partial<ServiceConfigInput> = {}): ServiceConfigInput & { name: string } {
  return {
    name: SAMPLE_SERVICE,
    project: LOCAL_PROJECT,
    region: 'local',
    router: { kind: 'local' },
    steps: [10, 50, 100],
    bakeTime: '10s',
    healthInterval: '2s',
    verification: { checks: [{ path: '/healthz', expectStatus: 200, timeout: '2s' }] },
    slo: { maxErrorRate: 0.05, minRequests: 20, window: '10s' },
    // Local versions are warm in a second; 30 s (the default) would outlast the demo's steps. One
    // custom metric, asked of the local Prometheus API and recorded without acting (dry run).
    analysis: {
      warmup: '2s',
      metrics: [
        {
          name: 'error-ratio-promql',
          query: 'sum(rate(run_googleapis_com:request_count{revision_name="{{revision}}",response_code_class="5xx"}[{{window}}])) / sum(rate(run_googleapis_com:request_count{revision_name="{{revision}}"}[{{window}}]))',
          judge: 'relative',
          tolerance: 1,
          dryRun: true,
        },
      ],
    },
    progressDeadline: '1m',
    rollbackTriggers: { alertPolicies: [localPolicyName(LOCAL_PROJECT, SAMPLE_SERVICE)] },
    watchWindow: '2m',
    concurrency: 'supersede',
    // Builds of the local Cloud Build's `sample-main` trigger on main (by its id), pushed to the local registry.
    source: { triggers: [devTrigger(SAMPLE_SERVICE).id], branches: ['main'], repositories: ['local/sample'] },
    access: { operators: ['group:oncall@cutover.local'], approvers: ['user:lead@cutover.local'], owners: [] },
    // The local chat (printed by npm start); its webhook URL is in the local Secret Manager.
    notifications: [{ format: 'google-chat', secret: LOCAL_CHAT_SECRET }],
    ...overrides,
  };
}

/** A service that runs in three local regions, released in two waves (one router per region). */
export const GLOBE_SERVICE = 'globe';
export const GLOBE_WAVES = [['europe-west1'], ['us-central1', 'asia-northeast1']];

export function globeServiceConfig(overrides: Partial<ServiceConfigInput> = {}): ServiceConfigInput & { name: string } {
  const { analysis: _promql, ...sample } = sampleServiceConfig();
  return {
    ...sample,
    name: GLOBE_SERVICE,
    region: GLOBE_WAVES[0]?.[0] ?? 'europe-west1',
    rollout: { waves: GLOBE_WAVES.map((regions) => ({ regions })), soak: '10s' },
    rollbackTriggers: { alertPolicies: [localPolicyName(LOCAL_PROJECT, GLOBE_SERVICE)] },
    source: { triggers: [devTrigger(GLOBE_SERVICE).id], branches: ['main'], repositories: ['local/sample'] },
    analysis: { warmup: '2s' },
    ...overrides,
  };
}

export const SHOP_SERVICE = 'shop';
const backendService = (colour: string) => `projects/${LOCAL_PROJECT}/global/backendServices/${SHOP_SERVICE}-${colour}`;
/** The shop's two colours: a Deployment each in the local cluster, behind a backend service each. */
export const SHOP_ROUTER = {
  kind: 'gke-lb' as const,
  cluster: `projects/${LOCAL_PROJECT}/locations/local/clusters/local`,
  namespace: SHOP_SERVICE,
  container: 'app',
  colours: { blue: { deployment: `${SHOP_SERVICE}-blue`, backendService: backendService('blue') }, green: { deployment: `${SHOP_SERVICE}-green`, backendService: backendService('green') } },
  urlMap: { name: SHOP_SERVICE, pathMatcher: SHOP_SERVICE, priority: 100 },
};

/** The shop: the sample's steps and judgement, released to GKE colours; the cohort header reaches the candidate at 0%. */
export function shopServiceConfig(loadBalancerUrl: string, overrides: Partial<ServiceConfigInput> = {}): ServiceConfigInput & { name: string } {
  const { analysis: _promql, ...sample } = sampleServiceConfig();
  return {
    ...sample,
    name: SHOP_SERVICE,
    router: { ...SHOP_ROUTER, cohort: { header: 'x-cutover-cohort', value: 'canary', cookie: 'cutover-cohort', priority: 10, url: loadBalancerUrl } },
    // A blue/green pair starts no twin: the candidate colour is a process just started, judged
    // against one that has served for a while, on a laptop's shared cores. Its tail runs several ms
    // slower for a while, which the rank test shows over a few thousand requests; locally only a
    // shift of 25 ms is a regression (the default, 5 ms, is for production's steadier machines).
    analysis: { warmup: '5s', latency: { minShiftMs: 25 } },
    rollbackTriggers: { alertPolicies: [localPolicyName(LOCAL_PROJECT, SHOP_SERVICE)] },
    source: { triggers: [devTrigger(SHOP_SERVICE).id], branches: ['main'], repositories: ['local/sample'] },
    notifications: [],
    ...overrides,
  };
}
