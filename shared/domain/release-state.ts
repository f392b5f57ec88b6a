import { z } from 'zod';

/**
 * A release's state: its phase and the sub-state inside it, one discriminated union. What a
 * phase can be doing is declared here and nowhere else, so an impossible combination (a paused
 * complete release, a queued one shifting, a rollback with no cause) cannot be written: the type
 * refuses it and the schema refuses it on read. The phase edges are in transitions.ts; a hold by
 * a deploy policy is an orthogonal region (the release's `hold`), since it applies in any phase
 * before completion and carries the policy that holds.
 */

/** Why a release is rolling back (or rolled back): the cause, when it was decided, where it came from. */
export const rollbackSchema = z.strictObject({
  /** The reason that started the rollback (a value from the reasons list). */
  cause: z.string(),
  /** When the rollback was decided; null only in releases migrated from documents that did not record it. */
  startedAt: z.number().nullable(),
  /** When the breach began, where an authority reports it (an incident's `started_at`); null otherwise. */
  breachStartedAt: z.number().nullable(),
  /** The phase it left: rolling back a completed release gives the service its previous stable back. */
  from: z.enum(['pending', 'deploying', 'verifying', 'shifting', 'complete']),
});
export type Rollback = z.infer<typeof rollbackSchema>;

const state = <P extends string, S extends string>(phase: P, sub: S) => z.strictObject({ phase: z.literal(phase), sub: z.literal(sub) });
/** Paused by a person (or by the progress deadline): a resume returns to what it was doing. */
const pausedIn = <P extends string, const R extends readonly [string, ...string[]]>(phase: P, resumeTo: R) =>
  z.strictObject({ phase: z.literal(phase), sub: z.literal('paused'), resumeTo: z.enum(resumeTo) });

export const releaseStateSchema = z.discriminatedUnion('phase', [
  /**
   * Waiting for a successful build, or queued behind the service's active release. A build
   * promoted from the stage before (`promotion`): `soaking` while it serves there for the stage's
   * soak, `awaitingApproval` after, when the stage promotes on approval.
   */
  z.discriminatedUnion('sub', [
    state('pending', 'waiting'),
    state('pending', 'queued'),
    state('pending', 'soaking'),
    state('pending', 'awaitingApproval'),
    pausedIn('pending', ['waiting', 'queued', 'soaking', 'awaitingApproval']),
  ]),
  z.discriminatedUnion('sub', [state('deploying', 'running'), pausedIn('deploying', ['running'])]),
  /** `awaitingApproval`: verified, and the first step is 100% with approval required. */
  /** `stranded`: its checks or a hook failed after a barrier hook ran, so it is not rolled back: a person decides. */
  z.discriminatedUnion('sub', [state('verifying', 'running'), state('verifying', 'awaitingApproval'), state('verifying', 'stranded'), pausedIn('verifying', ['running', 'awaitingApproval'])]),
  /**
   * `awaitingApproval`: healthy at the last step before 100%. `stranded`: a rollback was called
   * for, but nothing served before the candidate (nothing to return to), or a barrier hook ran (the
   * old version may no longer work); a person decides.
   */
  z.discriminatedUnion('sub', [state('shifting', 'running'), state('shifting', 'awaitingApproval'), state('shifting', 'stranded'), pausedIn('shifting', ['running', 'awaitingApproval'])]),
  /** `watching` until `watchUntil` (an incident or `cutover rollback` still rolls it back), then `final`. */
  z.strictObject({ phase: z.literal('complete'), sub: z.enum(['watching', 'final']), watchUntil: z.number() }),
  z.strictObject({ phase: z.literal('rolling_back'), sub: z.literal('restoring'), rollback: rollbackSchema }),
  /** Null rollback: aborted before it deployed anything. */
  z.strictObject({ phase: z.literal('rolled_back'), sub: z.literal('final'), rollback: rollbackSchema.nullable() }),
  z.strictObject({ phase: z.literal('failed'), sub: z.literal('final') }),
  /** Null rollback: replaced in the queue before it deployed; else rolled back for a newer build. */
  z.strictObject({ phase: z.literal('superseded'), sub: z.literal('final'), rollback: rollbackSchema.nullable() }),
]);
export type ReleaseState = z.infer<typeof releaseStateSchema>;
export type StateOf<P extends ReleaseState['phase']> = Extract<ReleaseState, { phase: P }>;

/** Every sub-state a phase declares, with what it means: docs/state.md's table is generated from this, and a test holds it to the schema. */
export const SUB_STATES: Readonly<Record<ReleaseState['phase'], Readonly<Record<string, string>>>> = {
  pending: {
    waiting: 'the build is not done yet',
    queued: "waiting for the service's active release to end (or held in the queue slot by a deploy policy)",
    soaking: 'promoted from the stage before: waits until the build has served there, completed, for the soak (`promotion.soakUntil`)',
    awaitingApproval: 'promoted and soaked; the stage promotes on approval: waiting for `cutover approve`',
    paused: 'paused by a person; `resumeTo` says what it was doing',
  },
  deploying: { running: 'the candidate is being deployed at 0%', paused: 'paused by a person: it deploys and verifies, then holds before any traffic' },
  verifying: {
    running: "the candidate's checks and after-deploy hooks run (then, when the first step is 100%, the before-promotion hooks)",
    awaitingApproval: 'verified; the first step is 100% and the service requires `cutover approve`',
    stranded: 'it failed after a barrier hook ran (a migration\'s contract step): not rolled back; `cutover abort` rolls back, `cutover resume` verifies again',
    paused: 'paused by a person; `resumeTo` says what it returns to',
  },
  shifting: {
    running: 'moving through the steps, each measured against the baseline',
    awaitingApproval: 'healthy at the last step before 100%, waiting for `cutover approve`',
    stranded: 'a rollback was called for but nothing served before the candidate, or a barrier hook ran: a person decides (`cutover abort` crosses a barrier, `cutover resume` goes on)',
    paused: 'paused by a person or by the progress deadline (`onInconclusiveDeadline: pause`); health is still judged and a breach still rolls back',
  },
  complete: { watching: 'inside the watch window (`watchUntil`): an incident, a breach or `cutover rollback` still rolls it back', final: 'the watch window ended' },
  rolling_back: { restoring: 'sending all traffic back to the stable revision (`rollback`: cause, when it started, the breach onset when known, the phase it left)' },
  rolled_back: { final: 'stable serves 100% again (`rollback` null: aborted before it deployed anything)' },
  failed: { final: 'the build, a pre-deploy hook or the deploy failed; no traffic ever moved' },
  superseded: { final: 'a newer build replaced it (`rollback` null: in the queue, before it deployed)' },
};

/** The sub-state table docs/state.md shows. */
export function subStateTable(): string {
  const rows = Object.entries(SUB_STATES).flatMap(([phase, subs]) => Object.entries(subs).map(([sub, meaning]) => `| \`${phase}\` | \`${sub}\` | ${meaning} |`));
  return ['| phase | sub | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The rollback behind a state, if any. */
export function rollbackOf(state: ReleaseState): Rollback | null {
  return 'rollback' in state ? state.rollback : null;
}

export const isPaused = (state: ReleaseState): boolean => 'sub' in state && state.sub === 'paused';
export const isAwaitingApproval = (state: ReleaseState): boolean => state.sub === 'awaitingApproval';

/** What people are shown beside the phase: the sub-states that hold a release (paused, awaiting approval, queued, stranded). */
export function holdLabels(state: ReleaseState): string[] {
  const label = (sub: string): string[] => (sub === 'awaitingApproval' ? ['awaiting-approval'] : sub === 'queued' || sub === 'stranded' || sub === 'soaking' ? [sub] : []);
  return state.sub === 'paused' ? ['paused', ...label(state.resumeTo)] : label(state.sub);
}
