import { CloudBuildClient } from '@google-cloud/cloudbuild';
import { Logging } from '@google-cloud/logging';
import { AlertPolicyServiceClient, MetricServiceClient } from '@google-cloud/monitoring';
import { MonitoringAlertPolicies } from './adapters/gcp/alert-policy-authority.js';
import { PubSub, v1 } from '@google-cloud/pubsub';
import { CloudTasksClient } from '@google-cloud/tasks';
import { LogNotifier } from './adapters/basic/log-notifier.js';
import { TickOnlyScheduler } from './adapters/basic/tick-only-scheduler.js';
import { FirestoreStore, createFirestore } from './adapters/firestore/firestore-store.js';
import { FirestoreTelemetryStore } from './adapters/firestore/telemetry-store.js';
import { LoggingSinkFilter } from './adapters/gcp/logging-sink-filter.js';
import { PubSubRequestLogFeed } from './adapters/gcp/pubsub-request-log-feed.js';
import { TelemetryHealthSource } from './adapters/telemetry/telemetry-health.js';
import { CloudIdentityGroups } from './adapters/auth/cloud-identity-groups.js';
import { IdTokenVerifier } from './adapters/auth/id-token-verifier.js';
import { CallerRateLimit } from './adapters/auth/caller-rate-limit.js';
import { CloudBuildAuthority } from './adapters/gcp/cloud-build-authority.js';
import { CloudTasksScheduler } from './adapters/gcp/cloud-tasks-scheduler.js';
import { googleIdTokens } from './adapters/gcp/id-token.js';
import { PrometheusQueryProvider } from './adapters/gcp/prometheus-query.js';
import { GoogleAuth } from 'google-auth-library';
import { MonitoringHealthSource } from './adapters/gcp/monitoring-health.js';
import { MonitoringRequestCounts } from './adapters/gcp/monitoring-counts.js';
import { PubSubNotifier } from './adapters/gcp/pubsub-notifier.js';
import { HttpVerificationChecker } from './adapters/http/http-verifier.js';
import { HookDispatch, WebhookGateRunner } from './adapters/http/webhook-gate.js';
import { CloudRunJobRunner } from './adapters/gcp/cloud-run-job-runner.js';
import { ExecutionsClient, JobsClient } from '@google-cloud/run';
import { localRouterClient, targetsFor } from './targets/registry.js';
import { ConfigError, type CutoverConfig } from './config.js';
import { DEFAULT_EFFECT_POLICY } from './domain/index.js';
import type { CommandAuth } from './ports/identity.js';
import type { PageSteering } from './views/steering.js';
import type { AlertPolicyAuthority, BuildAuthority, ChatDeps, HealthSource, Notifier, Ports, Scheduler } from './ports/index.js';
import { SecretManagerSource } from './adapters/gcp/secret-manager-source.js';
import { WebhookSender } from './adapters/http/webhook-sender.js';
import { v1 as secretManager } from '@google-cloud/secret-manager';
import { createLogger, type Logger } from './runtime/logger.js';
import { ReleaseRuntime } from './runtime/runtime.js';

/**
 * The composition root: configuration in, a runtime with its adapters out. Every entry point
 * (functions, CLI, local stack) builds its world here; tests pass their fakes as overrides.
 * Choosing Google Cloud, local or fake adapters is configuration only, and every missing
 * setting is reported at once.
 */
export interface Wired extends Ports {
  /** The Cloud Build API, asked about every build message (provenance). */
  builds: BuildAuthority;
  /** Cloud Monitoring's alert policies, asked about every incident. */
  alertPolicies: AlertPolicyAuthority;
  /** onCommand's identity verification and authorization. */
  auth: CommandAuth;
  /** The platform's deploy policies (the status page shows those in force). */
  deployPolicies: CutoverConfig['platform']['deployPolicies'];
  /** The status page's steering (sign-in and onCommand), when configured. */
  page?: PageSteering;
  /** The request-log sink the minute tick keeps on the candidates in play (telemetry health only). */
  telemetrySink?: { sync(revisions: readonly string[]): Promise<boolean> };
  /** notifyChat: webhook secrets from Secret Manager, posted with retries. */
  chat: ChatDeps;
  runtime: ReleaseRuntime;
  log: Logger;
  clock: () => number;
  requestDeadlineMs: number;
}

type Factory<T> = (config: CutoverConfig, log: Logger) => T;

function cloudTasks(config: CutoverConfig): CloudTasksScheduler {
  const { queue, timerUrl, serviceAccount } = config.tasks;
  const missing = [
    queue ? null : 'CUTOVER_TASKS_QUEUE: the Cloud Tasks queue (projects/P/locations/L/queues/Q) for precise timers',
    timerUrl ? null : 'CUTOVER_TIMER_URL: the URL of the onTimer function',
    serviceAccount ? null : 'CUTOVER_TIMER_SERVICE_ACCOUNT: the service account whose OIDC token timer tasks carry',
  ].filter((m): m is string => m !== null);
  if (missing.length || !queue || !timerUrl || !serviceAccount) throw new ConfigError(missing);
  return new CloudTasksScheduler(new CloudTasksClient(), { queue, url: timerUrl, serviceAccountEmail: serviceAccount });
}

/** Which adapter each configuration value selects (target kinds: shared/targets/registry.ts). */
export const adapterFactories = {
  health: {
    local: localRouterClient,
    'cloud-monitoring': (config: CutoverConfig) => new MonitoringHealthSource(new MetricServiceClient(), { ingestionDelayMs: config.metricsDelayMs }),
    // Request logs streamed by a Logging sink, counted in Firestore; Cloud Monitoring when the stream is silent.
    telemetry: (config: CutoverConfig, log: Logger) => {
      if (!config.telemetrySubscription) throw new ConfigError(['CUTOVER_TELEMETRY_SUBSCRIPTION: the pull subscription of the request-log topic (projects/P/subscriptions/S)']);
      const monitoring = new MonitoringHealthSource(new MetricServiceClient(), { ingestionDelayMs: config.metricsDelayMs });
      const db = createFirestore({ projectId: config.projectId, databaseId: config.databaseId, emulatorHost: config.firestoreEmulatorHost });
      const sinkName = config.requestLogSink?.split('/sinks/')[1];
      const sink = sinkName ? new LoggingSinkFilter(new Logging({ projectId: config.projectId }), sinkName, config.projectId, config.telemetrySampleRate) : undefined;
      // A step advances on the stream only once Cloud Monitoring's own counts of it agree.
      const confirm = new MonitoringRequestCounts(new MetricServiceClient(), { visibilityDelayMs: config.metricsDelayMs });
      return new TelemetryHealthSource(new PubSubRequestLogFeed(new v1.SubscriberClient(), config.telemetrySubscription), new FirestoreTelemetryStore(db), monitoring, log, { sink, sampleRate: config.telemetrySampleRate, confirm });
    },
  } satisfies Record<string, Factory<HealthSource>>,
  notifier: {
    log: (_config: CutoverConfig, log: Logger) => new LogNotifier(log),
    pubsub: (config: CutoverConfig) => new PubSubNotifier(new PubSub({ projectId: config.projectId }), config.eventsTopic),
  } satisfies Record<string, Factory<Notifier>>,
  scheduler: { 'tick-only': () => new TickOnlyScheduler(), 'cloud-tasks': cloudTasks } satisfies Record<string, Factory<Scheduler>>,
};

export function wire(config: CutoverConfig, overrides: Partial<Ports> & { builds?: BuildAuthority; alertPolicies?: AlertPolicyAuthority; auth?: CommandAuth; chat?: ChatDeps; log?: Logger; clock?: () => number } = {}): Wired {
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const problems: string[] = [];
  const pick = <T>(what: string, envName: string, kind: string | undefined, table: Record<string, Factory<T>>): T | undefined => {
    const available = Object.keys(table).join(', ');
    if (!kind) {
      problems.push(`${envName}: choose the ${what} adapter (${available})`);
      return undefined;
    }
    const factory = table[kind];
    if (!factory) {
      problems.push(`${envName}=${kind}: no ${what} adapter of that kind (available: ${available})`);
      return undefined;
    }
    try {
      return factory(config, log);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  // One target per kind enabled; every effect goes to the kind its service names.
  const router = overrides.router ?? targetsFor(config, log, problems);
  const health = overrides.health ?? pick<HealthSource>('health source', 'CUTOVER_HEALTH', config.health, adapterFactories.health);
  const notifier = overrides.notifier ?? pick<Notifier>('notifier', 'CUTOVER_NOTIFIER', config.notifier, adapterFactories.notifier);
  const scheduler = overrides.scheduler ?? pick<Scheduler>('scheduler', 'CUTOVER_SCHEDULER', config.scheduler, adapterFactories.scheduler);
  if (problems.length > 0 || !router || !health || !notifier || !scheduler) throw new ConfigError([...new Set(problems)]);

  const store = overrides.store ?? new FirestoreStore({ projectId: config.projectId, databaseId: config.databaseId, emulatorHost: config.firestoreEmulatorHost, operationTimeoutMs: Math.max(1_000, config.requestDeadlineMs - 1_000) });
  const verifier = overrides.verifier ?? new HttpVerificationChecker(googleIdTokens());
  const clock = overrides.clock ?? Date.now;
  const builds = overrides.builds ?? new CloudBuildAuthority(new CloudBuildClient());
  const alertPolicies = overrides.alertPolicies ?? new MonitoringAlertPolicies(new AlertPolicyServiceClient());
  const { audiences, certsUrl, issuers, admins, pageOrigins, clients, domains, ratePerMinute } = config.commands;
  const auth = overrides.auth ?? {
    identity: new IdTokenVerifier({ audiences, certsUrl, issuers, clients, domains }),
    groups: new CloudIdentityGroups(),
    admins,
    pageOrigins,
    limiter: new CallerRateLimit({ points: ratePerMinute, windowSeconds: 60 }),
    platform: config.platform,
  };
  const page: PageSteering | undefined = config.page ? { commandUrl: config.page.commandUrl, signIn: { kind: 'google', clientId: config.page.oauthClientId } } : undefined;
  // Gate hooks: webhooks with an ID token; Cloud Run Jobs where Cloud Run is a target (one project's Admin API).
  const hooks = overrides.hooks ?? new HookDispatch({ webhook: new WebhookGateRunner(googleIdTokens()), job: config.targets.includes('cloud-run') ? new CloudRunJobRunner(new JobsClient(), new ExecutionsClient()) : null });
  const metrics = overrides.metrics ?? (config.prometheusUrl ? new PrometheusQueryProvider(config.prometheusUrl, { headers: googleAccessToken() }) : undefined);
  const runtime = new ReleaseRuntime({
    store,
    router,
    health,
    verifier,
    scheduler,
    notifier,
    metrics,
    hooks,
    clock,
    log,
    policy: { ...DEFAULT_EFFECT_POLICY, effectTimeoutMs: config.effectTimeoutMs, deployTimeoutMs: config.deployTimeoutMs },
    deployPolicies: config.platform.deployPolicies,
    // One request's share: what is left stays in flight (or due) for the timer, well inside the deadline.
    budget: { stepEffects: 16, timeMs: Math.round(config.requestDeadlineMs * 0.6) },
  });
  const telemetrySink = health instanceof TelemetryHealthSource ? health.sink : undefined;
  const idTokens = googleIdTokens();
  const chat = overrides.chat ?? {
    secrets: new SecretManagerSource(new secretManager.SecretManagerServiceClient(), { project: config.projectId }),
    sender: new WebhookSender(),
    // One try per delivery: a hook's timeout is up to 8 s of a 9 s request; Pub/Sub redelivers the rest.
    hooks: new WebhookSender({ attempts: 1, headers: async (url) => ({ authorization: `Bearer ${await idTokens(url.origin)}` }) }),
    ...config.chat,
  };
  return { store, router, health, verifier, scheduler, notifier, hooks, builds, alertPolicies, deployPolicies: config.platform.deployPolicies, auth, page, telemetrySink, chat, runtime, log, clock, requestDeadlineMs: config.requestDeadlineMs };
}

/** Bearer headers for Google APIs called over plain HTTP (the Prometheus API), from the function's own account. */
function googleAccessToken(auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/monitoring.read'] })): () => Promise<Record<string, string>> {
  return async () => {
    const headers = await auth.getRequestHeaders();
    return headers instanceof Headers ? Object.fromEntries(headers.entries()) : (headers);
  };
}
