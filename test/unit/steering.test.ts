import { describe, expect, it } from 'vitest';
import { COMMANDS, DEFAULT_EFFECT_POLICY, availableCommands, decide, type Release } from '../../shared/domain/index.js';
import { steeringSection } from '../../shared/views/steering.js';
import { escapeHtml } from '../../shared/views/status-page.js';
import { T0, ctxAt, everyState, ev, releaseIn, serviceState } from '../support/fixtures.js';

/** The page offers what decide() would take now: both read the guards declared in command-guards.ts. */
const offered = (release: Release, service = serviceState({}, { activeReleaseId: release.id })) => availableCommands({ service, releases: [release] }, release, T0, DEFAULT_EFFECT_POLICY);

describe('status page steering: which buttons a release can offer', () => {
  it.each([
    ['pending', releaseIn('pending'), ['pause', 'abort']],
    ['shifting', releaseIn('shifting'), ['promote', 'pause', 'abort']],
    ['shifting, paused, awaiting approval', releaseIn('shifting', { state: { phase: 'shifting', sub: 'paused', resumeTo: 'awaitingApproval' } }), ['promote', 'approve', 'resume', 'abort']],
    ['verifying, not yet verified', releaseIn('verifying'), ['pause', 'abort']],
    ['verifying, verified and held for approval', releaseIn('verifying', { state: { phase: 'verifying', sub: 'awaitingApproval' }, verification: { passed: true, results: [], at: T0 } }), ['promote', 'approve', 'pause', 'abort']],
    ['rolled back', releaseIn('rolled_back'), []],
  ] as const)('%s', (_name, release, expected) => {
    expect(offered(release)).toEqual(expected);
  });

  it('a completed release offers rollback inside its watch window, while it is the current release and nothing is in flight', () => {
    const done = releaseIn('complete');
    expect(offered(done, serviceState({}, { lastCompletedReleaseId: done.id }))).toEqual(['rollback']);
    expect(offered(releaseIn('complete', { state: { phase: 'complete', sub: 'watching', watchUntil: T0 - 1 } }), serviceState({}, { lastCompletedReleaseId: done.id }))).toEqual([]);
    expect(offered(done, serviceState({}, { lastCompletedReleaseId: done.id, activeReleaseId: 'checkout-b2' }))).toEqual([]);
  });

  it('embeds its configuration escaped, so a release id cannot break out of the attribute', () => {
    const html = steeringSection(releaseIn('shifting', { id: 'x"><script>alert(1)</script>' }), ['abort'], { commandUrl: 'http://127.0.0.1:1/', signIn: { kind: 'local', issuerUrl: 'http://127.0.0.1:2' } }, escapeHtml);
    expect(html).not.toContain('"><script>alert(1)');
    expect(html).toContain('data-config="{&#34;commandUrl&#34;');
  });
});

const FREEZE = { name: 'freeze', windows: { oneTime: [{ start: '2026-01-01T00:00', end: '2027-12-31T00:00' }] }, blocks: ['advance' as const], overrideRole: 'owner' as const };

describe('the commands offered are the commands decide() accepts', () => {
  it('for every declared sub-state, verification and service situation, a command is offered exactly when decide() would apply it', () => {
    let compared = 0;
    for (const state of everyState()) {
      for (const verified of [null, true, false]) {
        const release = releaseIn(state.phase, { state, verification: verified === null ? null : { passed: verified, results: [], at: T0 } });
        for (const svc of [
          serviceState({}, { activeReleaseId: release.id }),
          serviceState({}, { activeReleaseId: null, lastCompletedReleaseId: release.id }),
          serviceState({}, { activeReleaseId: 'checkout-other', lastCompletedReleaseId: release.id }),
          // A freeze on more traffic in force: promote and approve are refused, stopping never is.
          serviceState({ policies: [FREEZE] }, { activeReleaseId: release.id }),
        ]) {
          const world = { service: svc, releases: [release] };
          const accepted = COMMANDS.filter((command) => decide(world, ev({ kind: 'command', releaseId: release.id, command, actor: 'a', why: null }), ctxAt(T0)).outcome.status !== 'rejected');
          expect(availableCommands(world, release, T0, DEFAULT_EFFECT_POLICY), `${JSON.stringify(state)} verified=${verified}`).toEqual(accepted);
          compared += 1;
        }
      }
    }
    expect(compared).toBe(everyState().length * 3 * 4);
  });
});
