import {
  DEFAULT_EFFECT_POLICY,
  decide,
  isStepEffect,
  type Effect,
  type EffectPolicy,
  type EventBody,
  type CustomValue,
  type MeasureHealth,
  type ProbeResults,
  type Outcome,
  type ReleaseEvent,
  type StepEffect,
  type PlatformDeployPolicy,
} from '../domain/index.js';
import type { Ports } from '../ports/index.js';
import type { Logger } from './logger.js';

export interface RuntimeDeps extends Ports {
  clock: () => number;
  log: Logger;
  policy?: EffectPolicy;
  /** The platform's deploy policies; a service's own come with its config. */
  deployPolicies?: readonly PlatformDeployPolicy[];
  /** What one request may do (default: 16 step effects in 6 s). */
  budget?: { stepEffects: number; timeMs: number };
}

/**
 * What is left of one request's work: step effects it may still run, and until when (a monotonic
 * clock, not the release clock). Shared by every event a request hands the runtime (a tick over
 * many releases spends one budget).
 */
export class Budget {
  private readonly until: number;

  constructor(
    private effectsLeft: number,
    timeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.until = this.now() + timeMs;
  }

  /** Whether another event may be started: a step effect and time are left. */
  hasRoom(): boolean {
    return this.effectsLeft > 0 && this.now() < this.until;
  }

  /** Takes one step effect from the budget; false when the request has done its share. */
  take(): boolean {
    if (this.effectsLeft <= 0 || this.now() >= this.until) return false;
    this.effectsLeft -= 1;
    return true;
  }
}

/** One event decided within the request: its outcome and how many effects it asked for. */
export interface Decided {
  eventId: string;
  outcome: Outcome;
  effects: number;
}

export type HandleReport =
  | { kind: 'duplicate'; eventId: string }
  | { kind: 'unknownService'; eventId: string; service: string }
  /**
   * `outcome`: the first event's; `followUps`: the step results it led to, in the order they were
   * decided (a flat list, never a tree); `deferred`: step effects left in flight because the
   * request's budget was spent (their deadline re-issues them, as after a crash).
   */
  | { kind: 'decided'; eventId: string; outcome: Outcome; effects: number; followUps: Decided[]; deferred: number };

export const DEFAULT_BUDGET = { stepEffects: 16, timeMs: 6_000 };

/**
 * The decide loop: load → decide → commit (one transaction, with the event id) → run effects →
 * feed their results back as events, through a queue, within the request's budget. Effects run
 * only after commit, so a crash in between leaves the desired state in the store, and the next
 * tick re-issues what is missing; an effect the budget leaves unrun is the same case.
 */
export class ReleaseRuntime {
  private readonly policy: EffectPolicy;

  constructor(private readonly deps: RuntimeDeps) {
    this.policy = deps.policy ?? DEFAULT_EFFECT_POLICY;
  }

  /** A fresh budget for one request. */
  budget(): Budget {
    const { stepEffects, timeMs } = this.deps.budget ?? DEFAULT_BUDGET;
    return new Budget(stepEffects, timeMs);
  }

  async handle(event: ReleaseEvent, budget: Budget = this.budget()): Promise<HandleReport> {
    const first = await this.decideOne(event);
    if (first.kind !== 'decided') return first;
    const followUps: Decided[] = [];
    let deferred = 0;
    const queue = [...first.steps];
    for (let effect = queue.shift(); effect; effect = queue.shift()) {
      if (!budget.take()) {
        deferred += 1 + queue.length;
        this.deps.log.info({ eventId: event.id, deferred }, 'request budget spent: the rest stays in flight for the timer');
        break;
      }
      const body = await this.runStepEffect(effect);
      const next = await this.decideOne({ id: `result:${effect.effectId}`, service: effect.service, at: this.deps.clock(), body });
      if (next.kind !== 'decided') continue;
      followUps.push(next.decided);
      queue.push(...next.steps);
    }
    return { kind: 'decided', eventId: event.id, outcome: first.decided.outcome, effects: first.decided.effects, followUps, deferred };
  }

  /** Decides and commits one event, runs its notifications and timers, and hands back its step effects. */
  private async decideOne(event: ReleaseEvent): Promise<Exclude<HandleReport, { kind: 'decided' }> | { kind: 'decided'; decided: Decided; steps: StepEffect[] }> {
    const now = this.deps.clock();
    const result = await this.deps.store.handle(event, (world) => decide(world, event, { now, policy: this.policy, deployPolicies: this.deps.deployPolicies ?? [] }));
    if (result.kind === 'duplicate') return { kind: 'duplicate', eventId: event.id };
    if (result.kind === 'unknownService') return { kind: 'unknownService', eventId: event.id, service: result.service };
    const { decision } = result;
    this.deps.log.info(
      { eventId: event.id, eventKind: event.body.kind, service: event.service, outcome: decision.outcome, effects: decision.effects.map((e) => e.kind) },
      `event ${event.body.kind}: ${decision.outcome.status} (${decision.outcome.reason})`,
    );
    // Notifications and timers first: they describe the state just committed. Step effects then
    // feed their results back, and the decisions those make schedule and notify after these.
    for (const effect of decision.effects) if (!isStepEffect(effect)) await this.runSideEffect(effect);
    return { kind: 'decided', decided: { eventId: event.id, outcome: decision.outcome, effects: decision.effects.length }, steps: decision.effects.filter(isStepEffect) };
  }

  /** Runs one step effect; its outcome comes back as an event body. Never throws. */
  private async runStepEffect(effect: StepEffect): Promise<EventBody> {
    const base = { releaseId: effect.releaseId, effectId: effect.effectId };
    const failed = (permanent: boolean, error: string): EventBody => ({ kind: 'effectFailed', ...base, effectKind: effect.kind, permanent, error });
    try {
      switch (effect.kind) {
        case 'deployCandidate': {
          const out = await this.deps.router.deployCandidate(effect);
          if (out.ok === 'pending') return { kind: 'candidatePending', ...base, revision: out.revision, status: out.status };
          return out.ok ? { kind: 'candidateDeployed', ...base, revision: out.revision, url: out.url, stableRevision: out.stableRevision, baselineRevision: out.baselineRevision ?? null } : failed(out.permanent, out.error);
        }
        case 'setTraffic': {
          const out = await this.deps.router.setTraffic(effect);
          return out.ok ? { kind: 'trafficSet', ...base, observedPercent: out.observedPercent } : failed(out.permanent, out.error);
        }
        case 'runVerification':
          return { kind: 'verificationCompleted', ...base, results: await this.deps.verifier.run(effect) };
        case 'runHook': {
          if (!this.deps.hooks) return { kind: 'hookRan', ...base, status: 'failed', execution: null, detail: 'this installation runs no hooks (no hook runner configured)' };
          const out = await this.deps.hooks.run(effect);
          return out.ok ? { kind: 'hookRan', ...base, status: out.status, execution: out.execution, detail: out.detail.slice(0, 2000) } : failed(out.permanent, out.error);
        }
        case 'measureHealth': {
          // Active probing: the candidate's own checks run beside the traffic measurement, so a candidate
          // that answers 5xx on its health paths is seen within one interval even with little traffic.
          const [measured, probes, custom] = await Promise.all([this.deps.health.measure(effect), this.probe(effect), this.customMetrics(effect)]);
          const reading = measured.ok && custom.length ? { ...measured, measurements: { ...measured.measurements, custom } } : measured;
          return { kind: 'healthMeasured', ...base, reading, ...(probes ? { probes } : {}) };
        }
      }
    } catch (error) {
      // An adapter that throws broke its contract; treat it as transient so the retry policy applies.
      this.deps.log.warn({ err: error, effectId: effect.effectId }, `effect ${effect.kind} threw`);
      return failed(false, error instanceof Error ? error.message : String(error));
    }
  }

  /** The service's custom metrics, each arm's query asked once; an error is recorded with the metric, never thrown. */
  private async customMetrics(effect: MeasureHealth): Promise<CustomValue[]> {
    const provider = this.deps.metrics;
    if (effect.metrics.length === 0) return [];
    if (!provider) return effect.metrics.map((m) => ({ name: m.name, candidate: null, baseline: null, error: 'no metric provider is configured (CUTOVER_PROMETHEUS_URL)' }));
    const ask = async (q: string | null) => (q === null ? { ok: true as const, value: null } : provider.query(q, effect.windowEndAt));
    return Promise.all(
      effect.metrics.map(async (m) => {
        const [c, b] = await Promise.all([ask(m.candidate), ask(m.baseline)]);
        const error = !c.ok ? c.error : !b.ok ? b.error : null;
        return { name: m.name, candidate: c.ok ? c.value : null, baseline: b.ok ? b.value : null, error: error?.slice(0, 300) ?? null };
      }),
    );
  }

  private async probe(effect: MeasureHealth): Promise<ProbeResults | null> {
    if (!effect.probe) return null;
    const results = await this.deps.verifier.run({ ...effect, kind: 'runVerification', candidateUrl: effect.probe.candidateUrl, checks: effect.probe.checks, private: effect.probe.private, ...(effect.probe.headers ? { headers: effect.probe.headers } : {}) });
    const failing = results.filter((r) => !r.ok).map((r) => `${r.path} (${r.status ?? r.error ?? 'no answer'})`.slice(0, 300));
    return { total: results.length, failed: failing.length, failing: failing.slice(0, 20) };
  }

  private async runSideEffect(effect: Exclude<Effect, StepEffect>): Promise<void> {
    try {
      if (effect.kind === 'notify') await this.deps.notifier.notify(effect);
      else await this.deps.scheduler.scheduleCheck(effect.releaseId, effect.service, effect.at);
    } catch (error) {
      // Best effort: a lost notification is logged; a lost timer is covered by the minute tick.
      this.deps.log.warn({ err: error, effect: effect.kind, releaseId: effect.releaseId }, `${effect.kind} failed`);
    }
  }
}
