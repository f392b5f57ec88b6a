import { FirestoreStore } from './adapters/firestore/firestore-store.js';
import { HttpVerificationChecker } from './adapters/http/http-verifier.js';
import { LogNotifier } from './adapters/basic/log-notifier.js';
import { TickOnlyScheduler } from './adapters/basic/tick-only-scheduler.js';
import { LocalRouterClient } from './adapters/local/local-router-client.js';
import { ConfigError, type CutoverConfig } from './config.js';
import { DEFAULT_EFFECT_POLICY } from './domain/index.js';
import type { HealthSource, Notifier, ReleaseStore, Scheduler, TrafficRouter, VerificationChecker } from './ports/index.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { ReleaseRuntime } from './runtime/runtime.js';

/**
 * The composition root: configuration in, a runtime with its adapters out. Every entry point
 * (functions, CLI, local stack) builds its world here; tests pass their fakes as overrides.
 */
export interface Ports {
  store: ReleaseStore;
  router: TrafficRouter;
  health: HealthSource;
  verifier: VerificationChecker;
  scheduler: Scheduler;
  notifier: Notifier;
}

export interface Wired extends Ports {
  runtime: ReleaseRuntime;
  log: Logger;
  clock: () => number;
}

type Factory<T> = (config: CutoverConfig) => T;

function localRouterClient(config: CutoverConfig): LocalRouterClient {
  if (!config.localRouterUrl) throw new ConfigError(['CUTOVER_LOCAL_ROUTER_URL: required with the local router and health adapters (npm start prints it)']);
  return new LocalRouterClient(config.localRouterUrl);
}

/** Which adapter each configuration value selects. */
export const adapterFactories: {
  router: Partial<Record<NonNullable<CutoverConfig['router']>, Factory<TrafficRouter>>>;
  health: Partial<Record<NonNullable<CutoverConfig['health']>, Factory<HealthSource>>>;
} = {
  router: { local: localRouterClient },
  health: { local: localRouterClient },
};

export function wire(config: CutoverConfig, overrides: Partial<Ports> & { log?: Logger; clock?: () => number } = {}): Wired {
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const problems: string[] = [];
  const pick = <K extends string, T>(what: string, envName: string, kind: K | undefined, table: Partial<Record<K, (c: CutoverConfig) => T>>): T | undefined => {
    if (!kind) {
      problems.push(`${envName}: choose the ${what} adapter (${Object.keys(table).join(', ') || 'none available in this build'})`);
      return undefined;
    }
    const factory = table[kind];
    if (!factory) {
      problems.push(`${envName}=${kind}: this build has no ${what} adapter of that kind (available: ${Object.keys(table).join(', ') || 'none'})`);
      return undefined;
    }
    return factory(config);
  };
  const router = overrides.router ?? pick('traffic router', 'CUTOVER_ROUTER', config.router, adapterFactories.router);
  const health = overrides.health ?? pick('health source', 'CUTOVER_HEALTH', config.health, adapterFactories.health);
  let notifier = overrides.notifier;
  if (!notifier && config.notifier === 'pubsub') problems.push('CUTOVER_NOTIFIER=pubsub: not available in this build (use log)');
  notifier ??= new LogNotifier(log);
  let scheduler = overrides.scheduler;
  if (!scheduler && config.scheduler === 'cloud-tasks') problems.push('CUTOVER_SCHEDULER=cloud-tasks: not available in this build (use tick-only)');
  scheduler ??= new TickOnlyScheduler();
  if (problems.length > 0 || !router || !health) throw new ConfigError(problems);

  const store = overrides.store ?? new FirestoreStore({ projectId: config.projectId, databaseId: config.databaseId, emulatorHost: config.firestoreEmulatorHost });
  const verifier = overrides.verifier ?? new HttpVerificationChecker();
  const clock = overrides.clock ?? Date.now;
  const runtime = new ReleaseRuntime({
    store,
    router,
    health,
    verifier,
    scheduler,
    notifier,
    clock,
    log,
    policy: { ...DEFAULT_EFFECT_POLICY, effectTimeoutMs: config.effectTimeoutMs },
  });
  return { store, router, health, verifier, scheduler, notifier, runtime, log, clock };
}
