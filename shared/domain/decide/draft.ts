import type { Effect, NotificationType } from '../effects.js';
import type { ReleaseEvent } from '../events.js';
import { SCHEMA_VERSION, type HistoryEntry, type Phase, type Release, type ServiceState } from '../model.js';
import { rollbackOf } from '../release-state.js';
import { isLegalEdge } from '../transitions.js';
import type { Reason } from '../reasons.js';
import { releaseFacts } from '../dora.js';
import type { DecideContext, Decision, Outcome, World } from './types.js';

/** The notifications after which a release's delivery facts can change: they carry them. */
const DELIVERY_TYPES = new Set<NotificationType>(['release.completed', 'release.rolled_back', 'release.failed', 'release.superseded']);

/**
 * A working copy of the world for one decision. Handlers change it through these methods only,
 * so every phase change leaves a history entry and an up-to-date lastDecision. Mutation stays
 * local to one decide() call: the caller's world is never touched.
 */
/** What every view of one decision shares: the releases, what changed, the history and the effects. */
interface Ledger {
  service: ServiceState;
  serviceChanged: boolean;
  readonly releases: Map<string, Release>;
  /** Releases of the stage before, read as facts: never changed here. */
  readonly upstream: ReadonlyMap<string, Release>;
  readonly changed: Set<string>;
  /** Releases to reconcile although nothing changed them yet (a tick looks at one). */
  readonly toReconcile: Set<string>;
  readonly history: HistoryEntry[];
  readonly effects: Effect[];
  outcome: Outcome | null;
}

/** A region's slot of a service released in waves. */
type TargetSlot = NonNullable<ServiceState['targets']>[string];
const EMPTY_SLOT: TargetSlot = { stableRevision: null, activeReleaseId: null, lastCompletedReleaseId: null };

/**
 * The service as one region of a rollout sees it: the same config pointed at that region, and
 * that region's own stable and releases. A release there is decided exactly as a release of a
 * one-region service is.
 */
export function targetService(service: ServiceState, target: string): ServiceState {
  const slot = service.targets?.[target] ?? EMPTY_SLOT;
  const { rollout: _rollout, ...config } = service.config;
  // A rollout in flight is in flight in every region: a region idle in it still sees it as active.
  return { ...service, config: { ...config, region: target }, ...slot, activeReleaseId: slot.activeReleaseId ?? service.activeReleaseId, queuedReleaseId: null, targets: undefined };
}

export class Draft {
  private readonly ledger: Ledger;
  /** The region this view decides for (a release of a rollout), or null for the service itself. */
  readonly target: string | null;

  constructor(
    world: World,
    readonly event: ReleaseEvent,
    readonly ctx: DecideContext,
    shared?: { ledger: Ledger; target: string },
  ) {
    if (shared) {
      this.ledger = shared.ledger;
      this.target = shared.target;
      return;
    }
    this.target = null;
    this.ledger = { service: structuredClone(world.service), serviceChanged: false, releases: new Map(), upstream: new Map((world.upstream ?? []).map((r) => [r.id, r])), changed: new Set(), toReconcile: new Set(), history: [], effects: [], outcome: null };
    for (const release of world.releases) this.ledger.releases.set(release.id, structuredClone(release));
  }

  /** The view of this decision that decides for one region of a rollout (the release's own region when it has one). */
  scoped(target: string | undefined | null): Draft {
    if (!target || target === this.target) return this;
    return new Draft({ service: this.ledger.service, releases: [] }, this.event, this.ctx, { ledger: this.ledger, target });
  }

  /** The service this view decides for: the service itself, or one region of it. */
  get service(): ServiceState {
    return this.target === null ? this.ledger.service : targetService(this.ledger.service, this.target);
  }

  /** The service itself, whichever region this view decides for. */
  get rootService(): ServiceState {
    return this.ledger.service;
  }

  get now(): number {
    return this.ctx.now;
  }

  get(id: string | null | undefined): Release | undefined {
    return id ? this.ledger.releases.get(id) : undefined;
  }

  /** A release of the stage before, as the store read it in this event's transaction. */
  upstream(id: string | null | undefined): Release | undefined {
    return id ? this.ledger.upstream.get(id) : undefined;
  }

  changedReleases(): Release[] {
    return this.lookup(this.ledger.changed);
  }

  /** Releases reconciliation should look at: every changed one, and any asked for with `reconcileAlso`. */
  releasesToReconcile(): Release[] {
    return this.lookup(new Set([...this.ledger.changed, ...this.ledger.toReconcile]));
  }

  reconcileAlso(release: Release): void {
    this.ledger.toReconcile.add(release.id);
  }

  private lookup(ids: Set<string>): Release[] {
    return [...ids].map((id) => this.ledger.releases.get(id)).filter((r): r is Release => r !== undefined);
  }

  add(release: Release): void {
    this.ledger.releases.set(release.id, release);
    this.ledger.changed.add(release.id);
  }

  /** Changes a release without a history entry (bookkeeping such as the effect in flight). */
  touch(release: Release, patch: Partial<Release>): Release {
    // Nothing moves along an edge the table does not declare: a bug here is an error, never a state.
    const to = patch.state?.phase;
    if (to !== undefined && to !== release.state.phase) {
      const from = release.historySeq === 0 ? null : release.state.phase;
      if (!isLegalEdge(from, to)) throw new UndeclaredEdgeError(release.id, from, to, this.event.body.kind);
    }
    Object.assign(release, patch, { updatedAt: this.now });
    this.ledger.changed.add(release.id);
    return release;
  }

  /** Changes a release and records why, in lastDecision and in the append-only history. */
  record(
    release: Release,
    patch: Partial<Release>,
    reason: Reason,
    message: string,
    details: Record<string, unknown> | null = null,
  ): Release {
    const fromPhase = release.state.phase;
    const body = this.event.body;
    const actor = body.kind === 'command' || body.kind === 'override' ? body.actor : null;
    const seq = release.historySeq + 1;
    this.touch(release, {
      ...patch,
      historySeq: seq,
      lastDecision: { reason, message, eventKind: this.event.body.kind, eventId: this.event.id, actor, at: this.now },
    });
    if (release.state.phase !== fromPhase) release.phaseStartedAt = this.now;
    this.ledger.history.push({
      schemaVersion: SCHEMA_VERSION,
      seq,
      releaseId: release.id,
      at: this.now,
      eventId: this.event.id,
      eventKind: this.event.body.kind,
      actor,
      fromPhase: seq === 1 ? null : fromPhase,
      toPhase: release.state.phase,
      reason,
      message,
      trafficPercent: release.traffic.observedPercent,
      details,
    });
    return release;
  }

  /** Changes the service; in a region's view, that region's slot (its stable and its releases). */
  patchService(patch: Partial<Pick<ServiceState, 'activeReleaseId' | 'queuedReleaseId' | 'stableRevision' | 'lastCompletedReleaseId' | 'lastIncident' | 'targets'>>): void {
    const root = this.ledger.service;
    if (this.target === null) Object.assign(root, patch);
    else {
      const { activeReleaseId, stableRevision, lastCompletedReleaseId } = { ...(root.targets?.[this.target] ?? EMPTY_SLOT), ...patch };
      root.targets = { ...root.targets, [this.target]: { activeReleaseId, stableRevision, lastCompletedReleaseId } };
    }
    root.updatedAt = this.now;
    this.ledger.serviceChanged = true;
  }

  emit(effect: Effect): void {
    this.ledger.effects.push(effect);
  }

  notify(release: Release, type: NotificationType, reason: Reason, message: string): void {
    const rollback = rollbackOf(release.state);
    this.emit({
      kind: 'notify',
      type,
      releaseId: release.id,
      service: release.service,
      phase: release.state.phase,
      reason,
      message,
      trafficPercent: release.traffic.observedPercent ?? 0,
      at: this.now,
      ...(rollback ? { cause: rollback.cause } : {}),
      ...(DELIVERY_TYPES.has(type) && release.target === undefined ? { delivery: releaseFacts(release) } : {}),
    });
  }

  settle(outcome: Outcome): void {
    this.ledger.outcome ??= outcome;
  }

  /** An applied decision that settled nothing explicitly is named after its first history entry. */
  private firstRecorded(): Outcome | null {
    const first = this.ledger.history[0];
    return first ? { status: 'applied', reason: first.reason as Reason, message: first.message } : null;
  }

  result(): Decision {
    return {
      outcome: this.ledger.outcome ?? this.firstRecorded() ?? { status: 'applied', reason: 'NothingToDo', message: 'no change' },
      service: this.ledger.serviceChanged ? this.ledger.service : null,
      releases: this.changedReleases(),
      history: this.ledger.history,
      effects: this.ledger.effects,
    };
  }
}

/** decide() tried to move a release along an edge PHASE_EDGES does not declare. */
export class UndeclaredEdgeError extends Error {
  constructor(releaseId: string, from: Phase | null, to: Phase, eventKind: string) {
    super(`release ${releaseId}: ${from ?? 'new'} → ${to} on ${eventKind} is not a declared edge (shared/domain/transitions.ts)`);
    this.name = 'UndeclaredEdgeError';
  }
}
