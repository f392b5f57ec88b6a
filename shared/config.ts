import { z } from 'zod';
import { durationSchema } from './domain/duration.js';
import { describeIssues } from './domain/service-config.js';
import { EMPTY_PLATFORM_POLICY, platformPolicySchema, type PlatformPolicy } from './domain/platform/index.js';
import { TARGET_KINDS, type TargetKind } from './domain/targets.js';

/**
 * Process configuration, read from the environment at the edge (functions, CLI, local stack)
 * and passed inward. Adapter choice is configuration: no code change moves Cutover from fakes
 * to local to Google Cloud.
 */
const envSchema = z.object({
  CUTOVER_PROJECT: z.string().min(1).optional(),
  GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
  CUTOVER_DATABASE: z.string().min(1).default('cutover'),
  FIRESTORE_EMULATOR_HOST: z.string().min(1).optional(),
  /** The target kinds this installation releases to, comma-separated (each service names its own). */
  CUTOVER_TARGETS: z.string().optional(),
  /** One target kind (older name of CUTOVER_TARGETS with a single kind). */
  CUTOVER_ROUTER: z.enum(TARGET_KINDS).optional(),
  CUTOVER_HEALTH: z.enum(['local', 'cloud-monitoring', 'telemetry']).optional(),
  /** The Logging sink that exports candidates' request logs (projects/P/sinks/NAME); Cutover keeps its filter. */
  CUTOVER_REQUEST_LOG_SINK: z.string().regex(/^projects\/[^/]+\/sinks\/[^/]+$/, 'projects/P/sinks/NAME').optional(),
  /** Fraction of candidate requests the sink exports (sampling for high-traffic services); counts are scaled back. */
  CUTOVER_TELEMETRY_SAMPLE_RATE: z.coerce.number().gt(0).max(1).default(1),
  /** The pull subscription of the request-log topic the Logging sink feeds (projects/P/subscriptions/S). */
  CUTOVER_TELEMETRY_SUBSCRIPTION: z.string().regex(/^projects\/[^/]+\/subscriptions\/[^/]+$/, 'projects/P/subscriptions/S').optional(),
  CUTOVER_VERIFIER: z.enum(['http']).default('http'),
  CUTOVER_NOTIFIER: z.enum(['log', 'pubsub']).default('log'),
  CUTOVER_SCHEDULER: z.enum(['tick-only', 'cloud-tasks']).default('tick-only'),
  CUTOVER_LOCAL_ROUTER_URL: z.string().url().optional(),
  CUTOVER_EFFECT_TIMEOUT: durationSchema.prefault('60s'),
  CUTOVER_DEPLOY_TIMEOUT: durationSchema.prefault('6m'),
  CUTOVER_REQUEST_DEADLINE: durationSchema.prefault('9s'),
  CUTOVER_METRICS_DELAY: durationSchema.prefault('180s'),
  /** The Prometheus API the services' custom metrics are asked (Cloud Monitoring's: https://monitoring.googleapis.com/v1/projects/P/location/global/prometheus). */
  CUTOVER_PROMETHEUS_URL: z.string().url().optional(),
  CUTOVER_EVENTS_TOPIC: z.string().min(1).default('cutover-events'),
  CUTOVER_TASKS_QUEUE: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/queues\/[^/]+$/, 'projects/P/locations/L/queues/Q').optional(),
  CUTOVER_TIMER_URL: z.string().url().optional(),
  CUTOVER_TIMER_SERVICE_ACCOUNT: z.string().email().optional(),
  /** onCommand's own URL(s), comma-separated: the audience its callers' ID tokens must carry. */
  CUTOVER_COMMAND_AUDIENCE: z.string().optional(),
  /** Where ID token certificates are published (Google's by default; the local issuer's with npm start). */
  CUTOVER_TOKEN_CERTS_URL: z.string().url().optional(),
  CUTOVER_TOKEN_ISSUERS: z.string().optional(),
  /** Platform admins, IAM principals comma-separated (Terraform sets them): every role on every service. */
  CUTOVER_ADMINS: z.string().optional(),
  /** The platform policy as JSON (grants, deploy policies; docs/api.md), written by Terraform. */
  CUTOVER_PLATFORM: z.string().max(200_000).optional(),
  /** Where the status page sends commands, and the OAuth client people sign in with there (both: the page can steer). */
  CUTOVER_COMMAND_URL: z.string().url().optional(),
  CUTOVER_OAUTH_CLIENT_ID: z.string().optional(),
  /** Origins (the status page's own) allowed to call onCommand from a browser. */
  CUTOVER_PAGE_ORIGINS: z.string().optional(),
  /** Cutover's own OAuth clients, comma-separated (default: CUTOVER_OAUTH_CLIENT_ID): a token for one of them must have been obtained by one of them (azp). */
  CUTOVER_OAUTH_CLIENTS: z.string().optional(),
  /** The Workspace / Cloud Identity domains served (token `hd`; a service account's email domain), comma-separated. */
  CUTOVER_ALLOWED_DOMAINS: z.string().optional(),
  /** Requests per caller per minute onCommand answers before 429. */
  CUTOVER_COMMAND_RATE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** Origins chat webhook URLs may have, comma-separated (a webhook URL is a secret someone wrote: it may not aim anywhere else). */
  CUTOVER_CHAT_WEBHOOK_ORIGINS: z.string().default('https://chat.googleapis.com,https://hooks.slack.com'),
  /** The status page's URL, for links in chat messages. */
  CUTOVER_STATUS_PAGE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface CutoverConfig {
  projectId: string;
  databaseId: string;
  firestoreEmulatorHost: string | undefined;
  /** The target kinds enabled; empty when none is configured (wiring names the setting). */
  targets: TargetKind[];
  health: 'local' | 'cloud-monitoring' | 'telemetry' | undefined;
  telemetrySubscription: string | undefined;
  requestLogSink: string | undefined;
  telemetrySampleRate: number;
  verifier: 'http';
  notifier: 'log' | 'pubsub';
  scheduler: 'tick-only' | 'cloud-tasks';
  localRouterUrl: string | undefined;
  effectTimeoutMs: number;
  deployTimeoutMs: number;
  /** Each request answers within this (503 when the store did not answer in time); store operations get 1 s less. */
  requestDeadlineMs: number;
  metricsDelayMs: number;
  prometheusUrl: string | undefined;
  eventsTopic: string;
  tasks: { queue: string | undefined; timerUrl: string | undefined; serviceAccount: string | undefined };
  logLevel: string;
  commands: { audiences: string[]; certsUrl: string | undefined; issuers: string[] | undefined; admins: string[]; pageOrigins: string[]; clients: string[]; domains: string[]; ratePerMinute: number };
  page: { commandUrl: string; oauthClientId: string } | undefined;
  chat: { allowedOrigins: string[]; pageUrl: string | null };
  platform: PlatformPolicy;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cutover configuration is incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

function targetKinds(targets: string | undefined, router: TargetKind | undefined): TargetKind[] {
  const named = targets ? list(targets) : router ? [router] : [];
  const unknown = named.filter((k) => !(TARGET_KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new ConfigError([`CUTOVER_TARGETS: no target kind ${unknown.join(', ')} (kinds: ${TARGET_KINDS.join(', ')})`]);
  return [...new Set(named)] as TargetKind[];
}

/** The platform policy: JSON, checked whole; a policy that does not parse stops start-up with its problems. */
function platformPolicy(value: string | undefined): PlatformPolicy {
  if (!value) return EMPTY_PLATFORM_POLICY;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new ConfigError([`CUTOVER_PLATFORM: not JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  const parsed = platformPolicySchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error).map((p) => `CUTOVER_PLATFORM ${p}`));
  return parsed.data;
}

/**
 * The page's own origins. An origin other apps share cannot be one: every function of a project
 * and region answers on the same cloudfunctions.net origin, and anything on a workstation answers
 * on localhost, so a page there could obtain a person's token and replay it (docs/deploy-gcp.md).
 */
function pageOrigins(value: string | undefined): string[] {
  const entries = list(value);
  const shared = entries.filter((o) => /\.cloudfunctions\.net$|^https?:\/\/(localhost|127\.[0-9.]+|\[::1\])(:\d+)?$/.test(o) || !o.startsWith('https://'));
  if (shared.length) throw new ConfigError([`CUTOVER_PAGE_ORIGINS: not the page's own HTTPS origin (shared with other apps): ${shared.join(', ')}; serve the page on its own domain (docs/deploy-gcp.md)`]);
  return entries;
}

/** Each entry must be an origin (scheme://host[:port]) and nothing more. */
function origins(value: string): string[] {
  const entries = list(value);
  const bad = entries.filter((o) => {
    try {
      return new URL(o).origin !== o;
    } catch {
      return true;
    }
  });
  if (bad.length) throw new ConfigError([`CUTOVER_CHAT_WEBHOOK_ORIGINS: not origins (scheme://host[:port]): ${bad.join(', ')}`]);
  return entries;
}

export function loadConfig(env: Record<string, string | undefined>): CutoverConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  const e = parsed.data;
  // onCommand open to the internet with no domain allow-list would look groups up for anyone.
  if (e.CUTOVER_COMMAND_AUDIENCE && list(e.CUTOVER_ALLOWED_DOMAINS).length === 0) throw new ConfigError(['CUTOVER_ALLOWED_DOMAINS: the domains onCommand serves (token hd, or a service account\'s domain), required with CUTOVER_COMMAND_AUDIENCE']);
  const projectId = e.CUTOVER_PROJECT ?? e.GOOGLE_CLOUD_PROJECT;
  if (!projectId) throw new ConfigError(['CUTOVER_PROJECT: set the Google Cloud project that holds the Cutover Firestore database']);
  return {
    projectId,
    databaseId: e.CUTOVER_DATABASE,
    firestoreEmulatorHost: e.FIRESTORE_EMULATOR_HOST,
    targets: targetKinds(e.CUTOVER_TARGETS, e.CUTOVER_ROUTER),
    health: e.CUTOVER_HEALTH,
    telemetrySubscription: e.CUTOVER_TELEMETRY_SUBSCRIPTION,
    requestLogSink: e.CUTOVER_REQUEST_LOG_SINK,
    telemetrySampleRate: e.CUTOVER_TELEMETRY_SAMPLE_RATE,
    verifier: e.CUTOVER_VERIFIER,
    notifier: e.CUTOVER_NOTIFIER,
    scheduler: e.CUTOVER_SCHEDULER,
    localRouterUrl: e.CUTOVER_LOCAL_ROUTER_URL,
    effectTimeoutMs: e.CUTOVER_EFFECT_TIMEOUT,
    deployTimeoutMs: e.CUTOVER_DEPLOY_TIMEOUT,
    requestDeadlineMs: e.CUTOVER_REQUEST_DEADLINE,
    metricsDelayMs: e.CUTOVER_METRICS_DELAY,
    prometheusUrl: e.CUTOVER_PROMETHEUS_URL,
    eventsTopic: e.CUTOVER_EVENTS_TOPIC,
    tasks: { queue: e.CUTOVER_TASKS_QUEUE, timerUrl: e.CUTOVER_TIMER_URL, serviceAccount: e.CUTOVER_TIMER_SERVICE_ACCOUNT },
    logLevel: e.LOG_LEVEL,
    commands: {
      audiences: list(e.CUTOVER_COMMAND_AUDIENCE),
      certsUrl: e.CUTOVER_TOKEN_CERTS_URL,
      issuers: e.CUTOVER_TOKEN_ISSUERS ? list(e.CUTOVER_TOKEN_ISSUERS) : undefined,
      admins: list(e.CUTOVER_ADMINS),
      pageOrigins: pageOrigins(e.CUTOVER_PAGE_ORIGINS),
      clients: e.CUTOVER_OAUTH_CLIENTS ? list(e.CUTOVER_OAUTH_CLIENTS) : list(e.CUTOVER_OAUTH_CLIENT_ID),
      domains: list(e.CUTOVER_ALLOWED_DOMAINS).map((d) => d.toLowerCase()),
      ratePerMinute: e.CUTOVER_COMMAND_RATE,
    },
    chat: { allowedOrigins: origins(e.CUTOVER_CHAT_WEBHOOK_ORIGINS), pageUrl: e.CUTOVER_STATUS_PAGE_URL ?? null },
    platform: platformPolicy(e.CUTOVER_PLATFORM),
    page: e.CUTOVER_COMMAND_URL && e.CUTOVER_OAUTH_CLIENT_ID ? { commandUrl: e.CUTOVER_COMMAND_URL, oauthClientId: e.CUTOVER_OAUTH_CLIENT_ID } : undefined,
  };
}
