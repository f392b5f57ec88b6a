import type { CommandName } from '../events.js';
import type { Release, ServiceState } from '../model.js';
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
    const verified = release.phase === 'verifying' && release.verification?.passed === true;
    return release.phase === 'shifting' || verified ? null : `promote needs a release that is shifting or verified; ${release.id} is ${release.phase}`;
  },
  approve: ({ release, advanceBlockedBy }) => {
    if (advanceBlockedBy) return blocked(advanceBlockedBy, release);
    return release.awaitingApproval ? null : `${release.id} is not waiting for approval (phase ${release.phase})`;
  },
  pause: ({ release }) =>
    BEFORE_COMPLETION.includes(release.phase) && !release.paused ? null : `pause needs an unpaused release before completion; ${release.id} is ${release.phase}${release.paused ? ', paused' : ''}`,
  resume: ({ release }) => (release.paused ? null : `${release.id} is not paused`),
  abort: ({ release }) => (BEFORE_COMPLETION.includes(release.phase) ? null : `abort needs a release in flight; ${release.id} is ${release.phase}${release.phase === 'complete' ? ' (use rollback)' : ''}`),
  rollback: ({ release, service, now }) => {
    if (release.phase !== 'complete') return `rollback applies to a completed release; ${release.id} is ${release.phase} (use abort)`;
    if (service.lastCompletedReleaseId !== release.id) return `${release.id} is no longer the service's current release`;
    if (!inWatch(release, service, now)) return `the watch window of ${release.id} ended at ${new Date(release.watchUntil ?? 0).toISOString()}`;
    if (service.activeReleaseId !== null) return `release ${service.activeReleaseId} is in flight; abort it first`;
    return null;
  },
};

/** Commands that send more traffic: deploy policies hold them as they hold the schedule. */
const ADVANCING: ReadonlySet<CommandName> = new Set(['promote', 'approve']);

/** Why `command` does not apply to `release` now, or null when it does: what onCommand refuses with and the page leaves out. */
export function refusalOf(d: Draft, release: Release, command: CommandName): string | null {
  const advanceBlockedBy = ADVANCING.has(command) ? restrictionFor(d, release, 'advance') : null;
  return COMMAND_GUARDS[command]({ release, service: d.service, now: d.now, advanceBlockedBy });
}
