import { ReleaseRuntime } from '../../shared/runtime/runtime.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import type { EventBody, PlatformDeployPolicy, ReleaseEvent, ServiceConfigInput } from '../../shared/domain/index.js';
import type { ReleaseStore, TrafficRouter } from '../../shared/ports/index.js';
import { FakeBuildAuthority } from '../fakes/memory-builds.js';
import { FakeStore } from '../fakes/memory-store.js';
import { FakeHealthSource, FakeNotifier, FakeRouter, FakeScheduler, FakeVerifier } from '../fakes/world-fakes.js';
import { CHECKOUT_POLICY, T0, serviceConfigInput } from './fixtures.js';
import { FakeAlertPolicies } from '../fakes/memory-alert-policies.js';
import { FakeHookRunner } from '../fakes/memory-hooks.js';

/** A runtime wired to fakes at every port, with a clock the test moves. */
export function fakeSystem<S extends ReleaseStore = FakeStore, R extends TrafficRouter = FakeRouter>(store?: S, router?: R, options: { deployPolicies?: PlatformDeployPolicy[]; budget?: { stepEffects: number; timeMs: number } } = {}) {
  const clock = { now: T0 };
  const deps = {
    store: store ?? new FakeStore(),
    router: router ?? new FakeRouter(),
    health: new FakeHealthSource(),
    verifier: new FakeVerifier(),
    scheduler: new FakeScheduler(),
    notifier: new FakeNotifier(),
    hooks: new FakeHookRunner(),
    clock: () => clock.now,
    log: silentLogger,
    deployPolicies: options.deployPolicies ?? [],
    ...(options.budget ? { budget: options.budget } : {}),
  };
  const runtime = new ReleaseRuntime(deps);
  /** The Cloud Build API as the functions see it: a build message is trusted only if this knows the build. */
  const builds = new FakeBuildAuthority();
  builds.knowTrigger('demo-project', { id: 'trig-checkout-main', name: 'checkout-main' });
  /** Cloud Monitoring's alert policies: an incident is acted on only for one this knows. */
  const alertPolicies = new FakeAlertPolicies();
  alertPolicies.put({ name: CHECKOUT_POLICY, displayName: 'checkout 5xx ratio' });
  let n = 0;
  const send = (body: EventBody, id?: string) => {
    n += 1;
    const event: ReleaseEvent = { id: id ?? `e${n}`, service: 'checkout', at: clock.now, body };
    return runtime.handle(event);
  };
  const apply = (overrides: Partial<ServiceConfigInput> = {}) => deps.store.applyServiceConfig(serviceConfigInput(overrides), clock.now);
  /** Moves time forward and ticks every due release, like the minute scheduler would. */
  const advance = async (ms: number, tickId = `tick-${clock.now + ms}`) => {
    clock.now += ms;
    for (const release of await deps.store.dueReleases(clock.now, 100)) {
      await runtime.handle({ id: `${tickId}:${release.id}`, service: release.service, at: clock.now, body: { kind: 'tick', releaseId: release.id } });
    }
  };
  return { ...deps, store: deps.store as S, router: deps.router as R, builds, alertPolicies, runtime, clock, send, apply, advance };
}
