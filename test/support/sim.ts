import {
  DEFAULT_EFFECT_POLICY,
  decide,
  isStepEffect,
  releasesToLoad,
  type Decision,
  type EventBody,
  type HistoryEntry,
  type Release,
  type ReleaseEvent,
  type ServiceState,
  type StepEffect,
} from '../../shared/domain/index.js';

/**
 * A pure simulation of the runtime for property tests: decisions are committed to an in-memory
 * world, and step-effect results wait in a pool the test delivers in any order, duplicates or
 * drops (a crash after commit). The "world" answers effects as the test tells it to.
 */
export interface WorldBehaviour {
  failNext: { permanent: boolean } | null;
  errorsPerThousand: number;
  verificationFails: boolean;
  /** Deploys answer "not ready yet" (a revision coming up) until turned off. */
  deployPending?: boolean;
  /**
   * A GKE blue/green world: which colour the load balancer sends everything to between releases.
   * A deploy goes into the other colour; a split at 100% makes the candidate live, at 0% the stable.
   */
  live?: 'blue' | 'green';
  /** Errors only in this region (a service released in waves); elsewhere it is healthy. */
  errorsIn?: string | null;
  /** The candidate's share per region, as the routers last applied it (kept when given). */
  shares?: Map<string, number>;
}

const otherColour = (c: 'blue' | 'green') => (c === 'blue' ? 'green' : 'blue');
const isColour = (c: string | null): c is 'blue' | 'green' => c === 'blue' || c === 'green';

export class Sim {
  now: number;
  service: ServiceState;
  readonly releases = new Map<string, Release>();
  readonly history = new Map<string, HistoryEntry[]>();
  readonly delivered: ReleaseEvent[] = [];
  readonly seen = new Set<string>();
  readonly issued = new Set<string>();
  pending: ReleaseEvent[] = [];
  readonly behaviour: WorldBehaviour = { failNext: null, errorsPerThousand: 0, verificationFails: false };
  private counter = 0;
  readonly log: { event: ReleaseEvent; before: Map<string, Release>; decision: Decision | null }[] = [];

  constructor(service: ServiceState, now: number) {
    this.service = structuredClone(service);
    this.now = now;
  }

  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  send(body: EventBody, id = this.nextId(body.kind)): Decision | null {
    return this.apply({ id, service: this.service.name, at: this.now, body });
  }

  apply(event: ReleaseEvent): Decision | null {
    const before = new Map([...this.releases].map(([k, v]) => [k, structuredClone(v)]));
    if (this.seen.has(event.id)) {
      this.log.push({ event, before, decision: null });
      return null;
    }
    const world = {
      service: structuredClone(this.service),
      releases: releasesToLoad(this.service, event)
        .map((id) => this.releases.get(id))
        .filter((r): r is Release => r !== undefined)
        .map((r) => structuredClone(r)),
    };
    const decision = decide(world, event, { now: this.now, policy: DEFAULT_EFFECT_POLICY });
    if (decision.service) this.service = decision.service;
    for (const r of decision.releases) this.releases.set(r.id, r);
    for (const h of decision.history) this.history.set(h.releaseId, [...(this.history.get(h.releaseId) ?? []), h]);
    this.seen.add(event.id);
    this.delivered.push(event);
    this.log.push({ event, before, decision });
    for (const effect of decision.effects) {
      if (!isStepEffect(effect)) continue;
      // A repeated effect id would make its result look like a redelivery and be dropped.
      if (this.issued.has(effect.effectId)) throw new Error(`effect id ${effect.effectId} issued twice`);
      this.issued.add(effect.effectId);
      this.pending.push(this.answer(effect));
    }
    return decision;
  }

  private answer(effect: StepEffect): ReleaseEvent {
    return answerEffect(effect, this.behaviour, this.now);
  }

  deliver(index: number, keep = false): void {
    if (this.pending.length === 0) return;
    const i = index % this.pending.length;
    const event = this.pending[i];
    if (!event) return;
    if (!keep) this.pending.splice(i, 1);
    this.apply({ ...event, at: this.now });
  }

  tick(advanceMs: number): void {
    this.now += advanceMs;
    const due = [...this.releases.values()].filter((r) => r.nextCheckAt !== null && r.nextCheckAt <= this.now);
    for (const r of due) this.send({ kind: 'tick', releaseId: r.id }, this.nextId(`tick:${r.id}`));
  }

  /** Delivers an event already decided again: what the releases were before, and after (they must not differ). */
  redeliver(index: number): { before: Release[]; after: Release[] } | null {
    const event = this.delivered[index % Math.max(1, this.delivered.length)];
    if (!event) return null;
    const before = structuredClone([...this.releases.values()]);
    this.apply(event);
    return { before, after: [...this.releases.values()] };
  }

  /** Rounds of every pending result delivered, then 30 s on (ticks included). */
  settle(rounds: number): void {
    for (let i = 0; i < rounds; i += 1) {
      while (this.pending.length > 0) this.deliver(0);
      this.tick(30_000);
    }
  }

  /** Lets the system settle: no failures, every result delivered, time moving on. */
  drain(rounds = 200): void {
    this.behaviour.failNext = null;
    this.behaviour.deployPending = false;
    for (let i = 0; i < rounds; i += 1) {
      while (this.pending.length > 0) this.deliver(0);
      this.tick(15_000);
      if (this.pending.length === 0 && [...this.releases.values()].every((r) => r.nextCheckAt === null)) return;
    }
  }
}

/** How the simulated world answers a step effect, given its behaviour (shared by the model and the store-backed run). */
export function answerEffect(effect: StepEffect, behaviour: WorldBehaviour, now: number): ReleaseEvent {
  const base = { releaseId: effect.releaseId, effectId: effect.effectId };
  let body: EventBody;
  const fail = behaviour.failNext;
  if (fail) {
    behaviour.failNext = null;
    body = { kind: 'effectFailed', ...base, effectKind: effect.kind, permanent: fail.permanent, error: 'injected' };
  } else if (effect.kind === 'deployCandidate' && behaviour.deployPending) {
    body = { kind: 'candidatePending', ...base, revision: effect.revisionName, status: 'CONDITION_RECONCILING' };
  } else if (effect.kind === 'deployCandidate' && effect.router.kind === 'gke-lb') {
    const live = behaviour.live ?? 'blue';
    body = { kind: 'candidateDeployed', ...base, revision: otherColour(live), url: null, stableRevision: live };
  } else if (effect.kind === 'deployCandidate') {
    body = { kind: 'candidateDeployed', ...base, revision: effect.revisionName, url: 'http://127.0.0.1:1', stableRevision: `${effect.router.service}-initial` };
  } else if (effect.kind === 'setTraffic') {
    if (effect.router.kind === 'gke-lb' && isColour(effect.candidateRevision)) {
      const stable = isColour(effect.stableRevision) ? effect.stableRevision : otherColour(effect.candidateRevision);
      if (effect.candidatePercent === 100) behaviour.live = effect.candidateRevision;
      else if (effect.candidatePercent === 0) behaviour.live = stable;
    }
    behaviour.shares?.set(effect.router.region, effect.candidatePercent);
    body = { kind: 'trafficSet', ...base, observedPercent: effect.candidatePercent };
  } else if (effect.kind === 'runVerification') {
    body = { kind: 'verificationCompleted', ...base, results: [{ path: '/', status: behaviour.verificationFails ? 500 : 200, ok: !behaviour.verificationFails, durationMs: 1, error: null }] };
  } else if (effect.kind === 'runHook') {
    body = { kind: 'hookRan', ...base, status: 'passed', execution: null, detail: 'ok' };
  } else {
    body = {
      kind: 'healthMeasured',
      ...base,
      reading: { ok: true, measurements: { requests: 1000, errors: behaviour.errorsIn && behaviour.errorsIn !== effect.router.region ? 0 : behaviour.errorsPerThousand, p99LatencyMs: 10, windowStartAt: effect.windowStartAt, windowEndAt: effect.windowEndAt } },
    };
  }
  return { id: `result:${effect.effectId}`, service: effect.service, at: now, body };
}
