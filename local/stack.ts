import { CloudBuildClient } from '@google-cloud/cloudbuild';
import { v1 } from '@google-cloud/pubsub';
import { grpc } from 'google-gax';
import { randomBytes, randomUUID } from 'node:crypto';
import { FirestoreTelemetryStore } from '../shared/adapters/firestore/telemetry-store.js';
import { PubSubRequestLogFeed } from '../shared/adapters/gcp/pubsub-request-log-feed.js';
import { TelemetryHealthSource } from '../shared/adapters/telemetry/telemetry-health.js';
import { requestLogEntry } from '../shared/ingest/request-log.js';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { PubSub } from '@google-cloud/pubsub';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FUNCTION_NAMES, registerFunctions } from '../functions/register.js';
import { FirestoreStore } from '../shared/adapters/firestore/firestore-store.js';
import { loadConfig } from '../shared/config.js';
import { createLogger, type Logger } from '../shared/runtime/logger.js';
import { TELEMETRY_SUBSCRIPTION, TOPICS } from '../shared/topology.js';
import { wire, type Wired } from '../shared/wiring.js';
import { missingEmulators, startEmulators } from './emulators.js';
import { CloudBuildAuthority } from '../shared/adapters/gcp/cloud-build-authority.js';
import { IdTokenVerifier } from '../shared/adapters/auth/id-token-verifier.js';
import { LocalCloudBuild } from './cloud-build.js';
import { LocalIssuer } from './issuer.js';
import { StaticGroups } from './static-groups.js';
import { devTrigger, type DevBuilds } from './dev-messages.js';
import { localImage, pushLocalImage } from './launcher.js';
import { createTopology, emulatorPubSub } from './pubsub-topology.js';
import { startAdminApi } from './router/admin.js';
import { LocalFleet } from './router/fleet.js';
import type { AccessLogLine } from './router/proxy.js';
import { PubSubNotifier } from '../shared/adapters/gcp/pubsub-notifier.js';
import { InProcessTimerScheduler } from './timer-scheduler.js';
import { v1 as secretManagerV1 } from '@google-cloud/secret-manager';
import { SecretManagerSource } from '../shared/adapters/gcp/secret-manager-source.js';
import { WebhookSender } from '../shared/adapters/http/webhook-sender.js';
import { LocalChatReceiver, type ReceivedChatMessage } from './chat-receiver.js';
import { LocalSecretManager } from './secret-manager.js';
import { localPolicyName, startLocalMetricApis } from './metric-apis.js';
import { LOCAL_SECRET_PARAM, guard } from './loopback-guard.js';
import { GLOBE_SERVICE, GLOBE_WAVES, LOCAL_ADMIN, LOCAL_CHAT_SECRET, LOCAL_GROUPS, LOCAL_PROJECT, SAMPLE_SERVICE, SHOP_SERVICE, globeServiceConfig, sampleServiceConfig, shopServiceConfig } from './services.js';
import type { ServiceConfigInput } from '../shared/domain/index.js';
import { loadBalancerStreamService } from '../shared/domain/index.js';
import { loadBalancerLogEntry } from '../shared/ingest/request-log.js';
import { startLocalShop, type LocalShop } from './shop.js';
import { TargetDispatch } from '../shared/targets/dispatch.js';
import { localRouterClient } from '../shared/targets/registry.js';

/** The functions Pub/Sub pushes to: they act on what they are sent, so they want the run's secret. */
const PUSHED = new Set<string>(['onCloudBuild', 'onAlert', 'onTick', 'notifyChat', 'promoteStages']);
import type { LocalMonitoring } from './monitoring.js';
import type { LocalPrometheus } from './prometheus.js';

/**
 * Cutover whole on one machine, on 127.0.0.1 only: Google's Firestore and Pub/Sub emulators with
 * the production topology (push subscriptions to the functions), the functions served by the
 * functions-framework, the local router in front of the sample service's versions, precise
 * timers and a periodic tick. The same code paths as production; only the adapters differ.
 */
export { GLOBE_SERVICE, GLOBE_WAVES, LOCAL_ADMIN, LOCAL_CHAT_SECRET, LOCAL_GROUPS, LOCAL_PROJECT, SAMPLE_SERVICE, SHOP_SERVICE, globeServiceConfig, sampleServiceConfig, shopServiceConfig } from './services.js';

export interface LocalStackOptions {
  tickIntervalMs?: number;
  log?: Logger;
  service?: Partial<ServiceConfigInput>;
  /** Overrides of the shop's config (GKE blue/green), as `service` is of the sample's. */
  shop?: Partial<ServiceConfigInput>;
  /** Overrides of the globe's config (three local regions, in waves). */
  globe?: Partial<ServiceConfigInput>;
  /** Write .cutover/local.env so the CLI finds the stack with no flags. */
  writeEnvFile?: boolean;
  accessLog?: (line: AccessLogLine) => void;
  /** Each message the local chat receives (npm start prints them). */
  chatMessage?: (message: ReceivedChatMessage) => void;
  /** How long the local Cloud Monitoring takes to show a request (default 3 s; Cloud Run's is up to 180 s). */
  monitoringDelayMs?: number;
  /** Aborted (Ctrl-C during start-up): stop at the next step and stop everything started so far. */
  signal?: AbortSignal;
}

export interface LocalStack {
  env: Record<string, string>;
  /** The globe's URL in each local region. */
  urls: { firestore: string; pubsub: string; admin: string; sample: string; shop: string; globe: Record<string, string>; issuer: string; functions: Record<string, string> };
  /** Signs ID tokens for local users, verified by onCommand's own code. */
  issuer: LocalIssuer;
  wired: Wired;
  pubsub: PubSub;
  /** The local Cloud Build API, as `cutover dev release` drives it. */
  builds: DevBuilds;
  fleet: LocalFleet;
  /** The shop's local GKE, Compute API and load balancer. */
  shop: LocalShop;
  store: FirestoreStore;
  /** The local chat the sample service's notifications go to, and the Secret Manager holding its webhook URL. */
  chat: LocalChatReceiver;
  secretManager: LocalSecretManager;
  /** The local Cloud Monitoring that confirms the stream (its delay can be changed while running). */
  monitoring: LocalMonitoring;
  /** The local Prometheus API the services' custom metrics are asked. */
  prometheus: LocalPrometheus;
  publishTick(): Promise<void>;
  close(): Promise<void>;
}

export class EmulatorsMissingError extends Error {}


export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const missing = missingEmulators();
  if (missing.length > 0) throw new EmulatorsMissingError(`the local stack needs Google's emulators:\n${missing.map((m) => `  - ${m}`).join('\n')}\n  (after 'apt-get update'; Java 17+ must be installed)`);
  const log = options.log ?? createLogger({ level: 'info', name: 'cutover-local', gcp: false });
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };
  // Each thing started is kept for close() first; an abort (Ctrl-C) then stops start-up right there.
  const keep = (...fns: (() => Promise<void> | void)[]) => (closers.push(...fns), options.signal?.throwIfAborted());
  try {
    const { firestore, pubsub: pubsubEmu } = await startEmulators();
    keep(() => firestore.stop(), () => pubsubEmu.stop());

    // Every request the local router serves is also written as the request log entry Cloud Run would
    // write, to the topic a Logging sink feeds in production: health comes from that stream here too.
    let requestLogs: ((service: string, line: AccessLogLine) => void) | null = null;
    // Sticky by header or cookie: a client that sends either keeps its version while the weight grows.
    const fleet = new LocalFleet((service) => ({
      accessLog: (line) => {
        options.accessLog?.(line);
        requestLogs?.(service, line);
      },
      stickyHeader: 'x-cutover-sticky',
      stickyCookie: 'cutover-sticky',
    }));
    keep(() => fleet.close());
    const sample = await fleet.addService(SAMPLE_SERVICE, `${SAMPLE_SERVICE}-blue`, localImage('blue'));
    // The globe runs in three local regions: a router each, as Cloud Run runs a service per region.
    const globe = new Map<string, string>();
    for (const region of GLOBE_WAVES.flat()) globe.set(region, (await fleet.addService(`${GLOBE_SERVICE}@${region}`, `${GLOBE_SERVICE}-blue-${region.replace(/-/g, '')}`, localImage('blue'))).url);
    // The shop: GKE colours behind a load balancer, which logs each request as Google's does.
    let lbLogs: ((line: AccessLogLine) => void) | null = null;
    const shop = await startLocalShop({ keep, accessLog: (line) => (options.accessLog?.(line), lbLogs?.(line)) });
    const admin = await startAdminApi(fleet);
    keep(() => admin.close());

    const pubsub = emulatorPubSub(LOCAL_PROJECT, pubsubEmu.host);
    keep(() => pubsub.close());
    const logTopic = pubsub.topic(TOPICS.requestLogs, { batching: { maxMessages: 500, maxMilliseconds: 5 } });
    requestLogs = (service, line) => {
      const [name = service, location = 'local'] = service.split('@');
      const entry = requestLogEntry({ id: randomUUID(), project: LOCAL_PROJECT, location, service: name, revision: line.revision, at: line.at, status: line.status, latencyMs: line.ms, method: line.method, url: line.path });
      logTopic.publishMessage({ json: entry }).catch(() => undefined);
    };
    lbLogs = (line) => void logTopic.publishMessage({ json: loadBalancerLogEntry({ id: randomUUID(), project: LOCAL_PROJECT, urlMap: SHOP_SERVICE, backendService: line.revision, at: line.at, status: line.status, latencyMs: line.ms, method: line.method, url: line.path }) }).catch(() => undefined);
    // Cloud Build, locally: runs the service's trigger, pushes the image with a digest and publishes
    // every status on cloud-builds; Cutover asks it about each build through the official client.
    const cloudBuild = new LocalCloudBuild({
      project: LOCAL_PROJECT,
      triggers: [devTrigger(SAMPLE_SERVICE), devTrigger(SHOP_SERVICE), devTrigger(GLOBE_SERVICE)],
      push: pushLocalImage,
      publish: async (build) => void (await pubsub.topic(TOPICS.cloudBuilds).publishMessage({ json: build, attributes: { buildId: build.id, status: build.status } })),
    });
    const cloudBuildPort = await cloudBuild.start();
    // This run's secret: the issuer and the push endpoints answer only requests that carry it.
    const secret = randomBytes(24).toString('base64url');
    const issuer = new LocalIssuer(secret);
    await issuer.start();
    keep(() => issuer.stop());
    keep(() => cloudBuild.stop());
    const cloudBuildClient = new CloudBuildClient({ ...cloudBuild.clientOptions(), projectId: LOCAL_PROJECT });
    keep(() => cloudBuildClient.close());
    const publishTick = async () => {
      await pubsub.topic(TOPICS.ticks).publishMessage({ json: { at: new Date().toISOString() } });
    };
    const env: Record<string, string> = {
      CUTOVER_PROJECT: LOCAL_PROJECT,
      FIRESTORE_EMULATOR_HOST: firestore.host,
      PUBSUB_EMULATOR_HOST: pubsubEmu.host,
      CUTOVER_TARGETS: 'local,gke-lb',
      CUTOVER_HEALTH: 'local',
      CUTOVER_LOCAL_ROUTER_URL: admin.url,
      CUTOVER_EFFECT_TIMEOUT: '15s',
      CUTOVER_DEPLOY_TIMEOUT: '30s',
      CUTOVER_NOTIFIER: 'pubsub',
      CUTOVER_CLOUD_BUILD_ENDPOINT: `127.0.0.1:${cloudBuildPort}`,
    };
    const scheduler = new InProcessTimerScheduler(() => publishTick());
    keep(() => scheduler.close());
    const config = loadConfig(env);
    const store = new FirestoreStore({ projectId: config.projectId, databaseId: config.databaseId, emulatorHost: config.firestoreEmulatorHost, operationTimeoutMs: Math.max(1_000, config.requestDeadlineMs - 1_000) });
    keep(() => store.close());
    // Notifications go to the emulator's events topic, as in production.
    // Health through the production path: the request-log stream, counted in Firestore. No fallback
    // here: the router's counters are instant where Cloud Monitoring lags minutes, so as a stand-in they
    // would answer whenever the stream is a few milliseconds behind and hide the path under test.
    const [host = '127.0.0.1', port = '0'] = pubsubEmu.host.split(':');
    const subscriber = new v1.SubscriberClient({ servicePath: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), projectId: LOCAL_PROJECT });
    keep(() => subscriber.close());
    const feed = new PubSubRequestLogFeed(subscriber, `projects/${LOCAL_PROJECT}/subscriptions/${TELEMETRY_SUBSCRIPTION}`);
    // Cloud Monitoring, locally: it confirms the stream before a step advances, and answers custom metrics.
    const metricApis = await startLocalMetricApis(fleet, LOCAL_PROJECT, options.monitoringDelayMs ?? 3_000, (s, revision) => (s === loadBalancerStreamService(SHOP_SERVICE) ? shop.loadBalancer.router : fleet.routerOf(s, revision)));
    keep(() => metricApis.close());
    for (const name of [SAMPLE_SERVICE, SHOP_SERVICE, GLOBE_SERVICE]) metricApis.policies.put({ name: localPolicyName(LOCAL_PROJECT, name), displayName: `${name} 5xx ratio` });
    const health = new TelemetryHealthSource(feed, new FirestoreTelemetryStore(store.db), null, log, { confirm: metricApis.confirm });
    // Chat, locally: webhook URLs in a local Secret Manager (the official client asks it), posted to a local chat.
    const chat = new LocalChatReceiver(options.chatMessage);
    await chat.start();
    keep(() => chat.stop());
    const secretManager = new LocalSecretManager(LOCAL_PROJECT);
    await secretManager.start();
    keep(() => secretManager.stop());
    secretManager.put(LOCAL_CHAT_SECRET, chat.googleChatUrl());
    const secretClient = new secretManagerV1.SecretManagerServiceClient({ ...secretManager.server.clientOptions(), projectId: LOCAL_PROJECT });
    keep(() => secretClient.close());
    // Hooks locally: loopback URLs, no Google ID token to give.
    const chatDeps = { secrets: new SecretManagerSource(secretClient, { project: LOCAL_PROJECT }), sender: new WebhookSender(), hooks: new WebhookSender({ attempts: 1 }), allowedOrigins: [chat.origin], pageUrl: null as string | null };
    // Each kind's target: the local router's client, and the GKE target on the local Compute and Kubernetes APIs.
    const local = localRouterClient(config);
    const router = new TargetDispatch({ local: { deployer: local, splitter: local }, 'gke-lb': shop.target });
    const wired = wire(config, { router, store, scheduler, log, health, notifier: new PubSubNotifier(pubsub, TOPICS.events), builds: new CloudBuildAuthority(cloudBuildClient), alertPolicies: metricApis.alertPolicies, chat: chatDeps, metrics: metricApis.metrics });

    registerFunctions(() => wired);
    const functions: Record<string, string> = {};
    // Every entry point but onTimer: locally, precise timers run in process (InProcessTimerScheduler).
    for (const fn of FUNCTION_NAMES.filter((name) => name !== 'onTimer')) {
      const pushed = PUSHED.has(fn);
      const server: Server = guard(getTestServer(fn), pushed ? secret : null);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      keep(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
      functions[fn] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${pushed ? `?${LOCAL_SECRET_PARAM}=${secret}` : ''}`;
    }
    // onCommand verifies tokens for its own URL, known only now, from the local issuer.
    const commandUrl = functions.onCommand ?? '';
    const pageOrigin = new URL(functions.statusPage ?? 'http://127.0.0.1').origin;
    issuer.allowOrigin(pageOrigin);
    wired.auth = { identity: new IdTokenVerifier({ audiences: [commandUrl], certsUrl: issuer.certsUrl, issuers: [issuer.url] }), groups: new StaticGroups(LOCAL_GROUPS), admins: [`user:${LOCAL_ADMIN}`], pageOrigins: [pageOrigin] };
    // The status page steers: people sign in with the local issuer, commands go to onCommand.
    wired.page = { commandUrl, signIn: { kind: 'local', issuerUrl: issuer.url, secret } };
    chatDeps.pageUrl = functions.statusPage ?? null;
    Object.assign(env, { CUTOVER_COMMAND_URL: commandUrl, CUTOVER_LOCAL_ISSUER: issuer.url, CUTOVER_LOCAL_SECRET: secret });
    await createTopology(pubsub, (fn) => functions[fn]);
    const [telemetry] = await logTopic.subscription(TELEMETRY_SUBSCRIPTION).exists();
    if (!telemetry) await logTopic.createSubscription(TELEMETRY_SUBSCRIPTION, { ackDeadlineSeconds: 10 });
    await store.applyServiceConfig(sampleServiceConfig(options.service), Date.now());
    await store.applyServiceConfig(shopServiceConfig(shop.loadBalancer.url, options.shop), Date.now());
    await store.applyServiceConfig(globeServiceConfig(options.globe), Date.now());

    const ticker = setInterval(() => void publishTick().catch(() => undefined), options.tickIntervalMs ?? 5_000);
    keep(() => clearInterval(ticker));

    if (options.writeEnvFile) {
      mkdirSync('.cutover', { recursive: true });
      writeFileSync('.cutover/local.env', `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
    }
    return {
      env,
      urls: { firestore: firestore.host, pubsub: pubsubEmu.host, admin: admin.url, sample: sample.url, shop: shop.loadBalancer.url, globe: Object.fromEntries(globe), issuer: issuer.url, functions },
      issuer,
      wired,
      pubsub,
      builds: { client: cloudBuildClient, project: LOCAL_PROJECT },
      fleet,
      shop,
      store,
      chat,
      secretManager,
      monitoring: metricApis.monitoring,
      prometheus: metricApis.prometheus,
      publishTick,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
