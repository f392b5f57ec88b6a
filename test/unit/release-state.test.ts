import { describe, expect, it } from 'vitest';
import { SUB_STATES, releaseSchema, releaseStateSchema, type Release, type ReleaseState } from '../../shared/domain/index.js';
import { fromV1 } from '../../shared/domain/migrations/migrate.js';
import type { ReleaseV1 } from '../../shared/domain/migrations/release-v1.js';
import { T0, everyState, releaseIn } from '../support/fixtures.js';

const rollback = { cause: 'ErrorRateBreached', startedAt: T0, breachStartedAt: null, from: 'shifting' as const };

/**
 * The combinations version 1 could write and never meant. Each line is a compile error (the
 * `@ts-expect-error` fails the typecheck if the type ever admits it again) and a refusal on read.
 */
const impossible: unknown[] = [
  // @ts-expect-error a completed release cannot be paused
  { phase: 'complete', sub: 'paused', resumeTo: 'running' } satisfies ReleaseState,
  // @ts-expect-error only a pending release can be queued
  { phase: 'shifting', sub: 'queued' } satisfies ReleaseState,
  // @ts-expect-error only a promotion not yet started soaks (a deploying release serves nowhere yet)
  { phase: 'deploying', sub: 'soaking' } satisfies ReleaseState,
  // @ts-expect-error a rollback always has its cause
  { phase: 'rolling_back', sub: 'restoring' } satisfies ReleaseState,
  // @ts-expect-error the watch window belongs to a completed release
  { phase: 'shifting', sub: 'running', watchUntil: T0 } satisfies ReleaseState,
  // @ts-expect-error a pause returns to a sub-state of its own phase
  { phase: 'deploying', sub: 'paused', resumeTo: 'awaitingApproval' } satisfies ReleaseState,
  // @ts-expect-error a failed release was never rolled back
  { phase: 'failed', sub: 'final', rollback } satisfies ReleaseState,
  // @ts-expect-error only a release that may have served (verifying, shifting) can be stranded
  { phase: 'deploying', sub: 'stranded' } satisfies ReleaseState,
];

describe('the release statechart: phases and their sub-states', () => {
  it('refuses on read every combination the type refuses', () => {
    for (const state of impossible) expect(releaseStateSchema.safeParse(state).success, JSON.stringify(state)).toBe(false);
  });

  it('a version-1 flag beside the state is not part of the document', () => {
    // @ts-expect-error `paused` is a sub-state now, not a field
    const flagged: Release = { ...releaseIn('shifting'), paused: true };
    expect(releaseSchema.strict().safeParse(flagged).success).toBe(false);
  });

  it('declares every sub-state it admits, and admits every one it declares', () => {
    const seen = new Map<string, Set<string>>();
    for (const state of everyState()) {
      expect(releaseStateSchema.safeParse(state).success, JSON.stringify(state)).toBe(true);
      seen.set(state.phase, (seen.get(state.phase) ?? new Set()).add(state.sub));
    }
    for (const [phase, subs] of Object.entries(SUB_STATES)) expect([...(seen.get(phase) ?? [])].sort(), phase).toEqual(Object.keys(subs).sort());
  });
});

describe('reading version-1 documents (worked examples)', () => {
  const v1 = (overrides: Partial<ReleaseV1>): ReleaseV1 => {
    const { state: _state, ...rest } = releaseIn('shifting');
    return { ...rest, inFlight: null, schemaVersion: 1, phase: 'shifting', paused: false, queued: false, awaitingApproval: false, rollbackCause: null, watchUntil: null, ...overrides };
  };

  it('a release version 1 held by pausing it, because nothing served before it, is stranded', () => {
    const held = v1({ paused: true, lastDecision: { reason: 'NoStableToRestore', message: '', eventKind: 'incident', eventId: 'e', actor: null, at: T0 } });
    expect(fromV1(held).state).toEqual({ phase: 'shifting', sub: 'stranded' });
    expect(fromV1(v1({ paused: true })).state).toEqual({ phase: 'shifting', sub: 'paused', resumeTo: 'running' });
  });

  it('a rollback keeps its cause and times, and where it came from: a completed release gives the service its stable back', () => {
    const back = v1({ phase: 'rolling_back', rollbackCause: 'IncidentOpened', rollbackStartedAt: T0 + 5, breachStartedAt: T0 + 1, completedAt: T0 });
    expect(fromV1(back).state).toEqual({ phase: 'rolling_back', sub: 'restoring', rollback: { cause: 'IncidentOpened', startedAt: T0 + 5, breachStartedAt: T0 + 1, from: 'complete' } });
    // Written before the start was kept: the cause stays, the start is unknown (no time to restore is claimed).
    const older = v1({ phase: 'rolled_back', rollbackCause: 'ErrorRateBreached', completedAt: null, stepIndex: 1 });
    expect(fromV1(older).state).toEqual({ phase: 'rolled_back', sub: 'final', rollback: { cause: 'ErrorRateBreached', startedAt: null, breachStartedAt: null, from: 'shifting' } });
  });

  it('the effect in flight keeps its progress: a deploy version 1 marked pending is accepted, not re-asked as a new attempt', () => {
    const effect = { effectId: 'e/1/deployCandidate/2', kind: 'deployCandidate' as const, target: null, attempt: 2, issuedAt: T0, deadlineAt: T0 + 5_000, lastError: null };
    expect(fromV1(v1({ phase: 'deploying', inFlight: { ...effect, pending: true } })).inFlight).toEqual({ ...effect, progress: 'accepted' });
    expect(fromV1(v1({ phase: 'deploying', inFlight: { ...effect, pending: false } })).inFlight).toEqual({ ...effect, progress: 'issued' });
  });

  it('a completed release is watching until its window ended, which version 1 marked by clearing the next check', () => {
    expect(fromV1(v1({ phase: 'complete', completedAt: T0, watchUntil: T0 + 60_000, nextCheckAt: T0 + 30_000 })).state).toEqual({ phase: 'complete', sub: 'watching', watchUntil: T0 + 60_000 });
    expect(fromV1(v1({ phase: 'complete', completedAt: T0, watchUntil: T0 + 60_000, nextCheckAt: null })).state).toEqual({ phase: 'complete', sub: 'final', watchUntil: T0 + 60_000 });
  });
});
