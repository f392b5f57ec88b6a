import type { Effect, NotificationType } from '../effects.js';
import type { ReleaseEvent } from '../events.js';
import { SCHEMA_VERSION, type HistoryEntry, type Phase, type Release, type ServiceState } from '../model.js';
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
export class Draft {
  service: ServiceState;
  private readonly releases = new Map<string, Release>();
  private readonly changed = new Set<string>();
  /** Releases to reconcile although nothing changed them yet (a tick looks at one). */
  private readonly toReconcile = new Set<string>();
  private serviceChanged = false;
  private readonly history: HistoryEntry[] = [];
  private readonly effects: Effect[] = [];
  private outcome: Outcome | null = null;

  constructor(
    world: World,
    readonly event: ReleaseEvent,
    readonly ctx: DecideContext,
  ) {
    this.service = structuredClone(world.service);
    for (const release of world.releases) this.releases.set(release.id, structuredClone(release));
  }

  get now(): number {
    return this.ctx.now;
  }

  get(id: string | null | undefined): Release | undefined {
    return id ? this.releases.get(id) : undefined;
  }

  changedReleases(): Release[] {
    return this.lookup(this.changed);
  }

  /** Releases reconciliation should look at: every changed one, and any asked for with `reconcileAlso`. */
  releasesToReconcile(): Release[] {
    return this.lookup(new Set([...this.changed, ...this.toReconcile]));
  }

  reconcileAlso(release: Release): void {
    this.toReconcile.add(release.id);
  }

  private lookup(ids: Set<string>): Release[] {
    return [...ids].map((id) => this.releases.get(id)).filter((r): r is Release => r !== undefined);
  }

  add(release: Release): void {
    this.releases.set(release.id, release);
    this.changed.add(release.id);
  }

  /** Changes a release without a history entry (bookkeeping such as the effect in flight). */
  touch(release: Release, patch: Partial<Release>): Release {
    // Nothing moves along an edge the table does not declare: a bug here is an error, never a state.
    if (patch.phase !== undefined && patch.phase !== release.phase) {
      const from = release.historySeq === 0 ? null : release.phase;
      if (!isLegalEdge(from, patch.phase)) throw new UndeclaredEdgeError(release.id, from, patch.phase, this.event.body.kind);
    }
    Object.assign(release, patch, { updatedAt: this.now });
    this.changed.add(release.id);
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
    const fromPhase = release.phase;
    const body = this.event.body;
    const actor = body.kind === 'command' || body.kind === 'override' ? body.actor : null;
    const seq = release.historySeq + 1;
    this.touch(release, {
      ...patch,
      historySeq: seq,
      lastDecision: { reason, message, eventKind: this.event.body.kind, eventId: this.event.id, actor, at: this.now },
    });
    if (patch.phase !== undefined && patch.phase !== fromPhase) release.phaseStartedAt = this.now;
    this.history.push({
      schemaVersion: SCHEMA_VERSION,
      seq,
      releaseId: release.id,
      at: this.now,
      eventId: this.event.id,
      eventKind: this.event.body.kind,
      actor,
      fromPhase: seq === 1 ? null : fromPhase,
      toPhase: release.phase,
      reason,
      message,
      trafficPercent: release.traffic.observedPercent,
      details,
    });
    return release;
  }

  patchService(patch: Partial<ServiceState>): void {
    Object.assign(this.service, patch, { updatedAt: this.now });
    this.serviceChanged = true;
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  notify(release: Release, type: NotificationType, reason: Reason, message: string): void {
    this.emit({
      kind: 'notify',
      type,
      releaseId: release.id,
      service: release.service,
      phase: release.phase,
      reason,
      message,
      trafficPercent: release.traffic.observedPercent ?? 0,
      at: this.now,
      ...(release.rollbackCause !== null ? { cause: release.rollbackCause } : {}),
      ...(DELIVERY_TYPES.has(type) ? { delivery: releaseFacts(release) } : {}),
    });
  }

  settle(outcome: Outcome): void {
    this.outcome ??= outcome;
  }

  /** An applied decision that settled nothing explicitly is named after its first history entry. */
  private firstRecorded(): Outcome | null {
    const first = this.history[0];
    return first ? { status: 'applied', reason: first.reason as Reason, message: first.message } : null;
  }

  result(): Decision {
    return {
      outcome: this.outcome ?? this.firstRecorded() ?? { status: 'applied', reason: 'NothingToDo', message: 'no change' },
      service: this.serviceChanged ? this.service : null,
      releases: this.changedReleases(),
      history: this.history,
      effects: this.effects,
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
