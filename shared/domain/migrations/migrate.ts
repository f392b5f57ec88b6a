import { RELEASE_SCHEMA_VERSION, releaseSchema, type Release } from '../model.js';
import { Reason } from '../reasons.js';
import type { ReleaseState, Rollback } from '../release-state.js';
import { releaseV1Schema, type ReleaseV1 } from './release-v1.js';

/**
 * Reads a release document of any version the code ever wrote and returns it in the current
 * format. Version 1 kept a phase beside flags (`paused`, `queued`, `awaitingApproval`) and
 * timestamps (`rollbackCause`, `rollbackStartedAt`, `breachStartedAt`, `watchUntil`) that stood
 * for sub-states; version 2 keeps one `state`. The store migrates on read and writes version 2,
 * so a database written by version 1 keeps working and converges as releases are touched.
 */
export function readRelease(doc: unknown): Release {
  const version = typeof doc === 'object' && doc !== null ? (doc as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version === 1) return fromV1(releaseV1Schema.parse(doc));
  return releaseSchema.parse(doc);
}

export function fromV1(v1: ReleaseV1): Release {
  const { phase: _phase, paused: _paused, queued: _queued, awaitingApproval: _awaiting, rollbackCause: _cause, rollbackStartedAt: _started, breachStartedAt: _breach, watchUntil: _watch, schemaVersion: _v, inFlight, ...rest } = v1;
  // Version 1's `pending` flag on the effect in flight is its progress: accepted and under way, or only issued.
  const effect = inFlight && (({ pending, ...kept }) => ({ ...kept, progress: pending ? 'accepted' : 'issued' }))(inFlight);
  return releaseSchema.parse({ ...rest, inFlight: effect, schemaVersion: RELEASE_SCHEMA_VERSION, state: stateOfV1(v1) });
}

/** The sub-state a version-1 document's flags meant, phase by phase. */
export function stateOfV1(v1: ReleaseV1): ReleaseState {
  const running = v1.awaitingApproval ? ('awaitingApproval' as const) : ('running' as const);
  switch (v1.phase) {
    case 'pending': {
      const sub = v1.queued ? ('queued' as const) : ('waiting' as const);
      return v1.paused ? { phase: 'pending', sub: 'paused', resumeTo: sub } : { phase: 'pending', sub };
    }
    case 'deploying':
      return v1.paused ? { phase: 'deploying', sub: 'paused', resumeTo: 'running' } : { phase: 'deploying', sub: 'running' };
    case 'verifying':
      return v1.paused ? { phase: 'verifying', sub: 'paused', resumeTo: running } : { phase: 'verifying', sub: running };
    case 'shifting':
      // Version 1 held a release it could not roll back (nothing served before it) by pausing it.
      if (v1.paused && v1.lastDecision.reason === Reason.NoStableToRestore) return { phase: 'shifting', sub: 'stranded' };
      return v1.paused ? { phase: 'shifting', sub: 'paused', resumeTo: running } : { phase: 'shifting', sub: running };
    case 'complete':
      // Version 1 cleared nextCheckAt when the watch window ended; until then a check was always due.
      return { phase: 'complete', sub: v1.nextCheckAt === null ? 'final' : 'watching', watchUntil: v1.watchUntil ?? v1.completedAt ?? v1.phaseStartedAt };
    case 'rolling_back':
      return { phase: 'rolling_back', sub: 'restoring', rollback: rollbackOfV1(v1) ?? { cause: Reason.ManualRollback, startedAt: null, breachStartedAt: null, from: fromPhaseOfV1(v1) } };
    case 'rolled_back':
      return { phase: 'rolled_back', sub: 'final', rollback: rollbackOfV1(v1) };
    case 'superseded':
      return { phase: 'superseded', sub: 'final', rollback: rollbackOfV1(v1) };
    case 'failed':
      return { phase: 'failed', sub: 'final' };
  }
}

function rollbackOfV1(v1: ReleaseV1): Rollback | null {
  if (v1.rollbackCause === null) return null;
  return { cause: v1.rollbackCause, startedAt: v1.rollbackStartedAt ?? null, breachStartedAt: v1.breachStartedAt ?? null, from: fromPhaseOfV1(v1) };
}

/** Version 1 did not keep the phase a rollback left; what the release had reached says it. */
function fromPhaseOfV1(v1: ReleaseV1): Rollback['from'] {
  if (v1.completedAt !== null) return 'complete';
  if (v1.stepIndex !== null) return 'shifting';
  return v1.candidate.revision !== null ? 'verifying' : 'deploying';
}
