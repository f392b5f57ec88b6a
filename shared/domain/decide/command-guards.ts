import type { CommandName } from '../events.js';
import type { Release, ServiceState } from '../model.js';
import { isAwaitingApproval } from '../release-state.js';
import type { Restriction } from '../policy/restriction.js';
import type { Draft } from './draft.js';
import { restrictionFor } from './policies.js';
import { inWatch } from './reconcile.js';

/** What a command's guard is asked: the release, its service, the time, and the policy blocking more traffic now (if any). */
export interface GuardInput {
  release: Release;
  service: ServiceState;
  now: number;
  advanceBlockedBy: Restriction | null;
}

const BEFORE_COMPLETION = ['pending', 'deploying', 'verifying', 'shifting'];

const blocked = (r: Restriction, release: Release) =>
  `${r.scope} policy ${r.policy} blocks more traffic ${r.until === null ? 'for now' : `until ${new Date(r.until).toISOString()}`}; \`cutover override ${release.id} --policy ${r.policy}\` first (needs the ${r.overrideRole} role)`;

/**
 * When each command applies, declared once: null when it does, else why not. onCommand refuses
 * with these words, and the page offers exactly the commands whose guard passes, so the two can
 * never disagree. A person sending more traffic is held by the same policies as the schedule;
 * stopping (pause, abort, rollback) never is.
 */
export const COMMAND_GUARDS: Readonly<Record<CommandName, (g: GuardInput) => string | null>> = {
  promote: ({ release, advanceBlockedBy }) => {
    if (advanceBlockedBy) return blocked(advanceBlockedBy, release);
    const verified = release.state.phase === 'verifying' && release.verification?.passed === true;
    return release.state.phase === 'shifting' || verified ? null : `promote needs a release that is shifting or verified; ${release.id} is ${release.state.phase}`;
  },
  approve: ({ release, advanceBlockedBy }) => {
    if (advanceBlockedBy) return blocked(advanceBlockedBy, release);
    return isAwaitingApproval(release.state) || (release.state.sub === 'paused' && release.state.resumeTo === 'awaitingApproval') ? null : `${release.id} is not waiting for approval (phase ${release.state.phase})`;
  },
  pause: ({ release }) => {
    const { phase, sub } = release.state;
    if (!BEFORE_COMPLETION.includes(phase)) return `pause needs a release before completion; ${release.id} is ${phase}`;
    return sub === 'paused' || sub === 'stranded' ? `${release.id} is already held (${phase}, ${sub})` : null;
  },
  resume: ({ release }) => (release.state.sub === 'paused' || release.state.sub === 'stranded' ? null : `${release.id} is not paused`),
  abort: ({ release }) => (BEFORE_COMPLETION.includes(release.state.phase) ? null : `abort needs a release in flight; ${release.id} is ${release.state.phase}${release.state.phase === 'complete' ? ' (use rollback)' : ''}`),
  rollback: ({ release, service, now }) => {
    if (release.state.phase !== 'complete') return `rollback applies to a completed release; ${release.id} is ${release.state.phase} (use abort)`;
    if (service.lastCompletedReleaseId !== release.id) return `${release.id} is no longer the service's current release`;
    if (!inWatch(release, service, now)) return `the watch window of ${release.id} ended at ${new Date(release.state.watchUntil).toISOString()}`;
    if (service.activeReleaseId !== null) return `release ${service.activeReleaseId} is in flight; abort it first`;
    return null;
  },
};

/** Commands that send more traffic: deploy policies hold them as they hold the schedule. */
const ADVANCING: ReadonlySet<CommandName> = new Set(['promote', 'approve']);

/** Why `command` does not apply to `release` now, or null when it does: what onCommand refuses with and the page leaves out. */
export function refusalOf(d: Draft, release: Release, command: CommandName): string | null {
  // A release in several regions is stopped as a whole; the rest is steered region by region.
  if (release.rollout && command !== 'abort' && command !== 'rollback') return `${release.id} is released in waves: ${command} one region's release (cutover ${command} ${release.id}@REGION)`;
  const advanceBlockedBy = ADVANCING.has(command) ? restrictionFor(d, release, 'advance') : null;
  return COMMAND_GUARDS[command]({ release, service: d.service, now: d.now, advanceBlockedBy });
}
