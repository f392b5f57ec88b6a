import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFECT_POLICY, availableCommands, type Release } from '../../shared/domain/index.js';
import { steeringSection } from '../../shared/views/steering.js';
import { escapeHtml } from '../../shared/views/status-page.js';
import { T0, releaseIn, serviceState } from '../support/fixtures.js';

/** The page offers what decide() would take now: the rules live in on-command.ts only. */
const offered = (release: Release, service = serviceState({}, { activeReleaseId: release.id })) => availableCommands({ service, releases: [release] }, release, T0, DEFAULT_EFFECT_POLICY);

describe('status page steering: which buttons a release can offer', () => {
  it.each([
    ['pending', releaseIn('pending'), ['pause', 'abort']],
    ['shifting', releaseIn('shifting'), ['promote', 'pause', 'abort']],
    ['shifting, paused, awaiting approval', releaseIn('shifting', { paused: true, awaitingApproval: true }), ['promote', 'approve', 'resume', 'abort']],
    ['verifying, not yet verified', releaseIn('verifying'), ['pause', 'abort']],
    ['verifying, verified and held for approval', releaseIn('verifying', { awaitingApproval: true, verification: { passed: true, results: [], at: T0 } }), ['promote', 'approve', 'pause', 'abort']],
    ['rolled back', releaseIn('rolled_back'), []],
  ] as const)('%s', (_name, release, expected) => {
    expect(offered(release)).toEqual(expected);
  });

  it('a completed release offers rollback inside its watch window, while it is the current release and nothing is in flight', () => {
    const done = releaseIn('complete');
    expect(offered(done, serviceState({}, { lastCompletedReleaseId: done.id }))).toEqual(['rollback']);
    expect(offered(releaseIn('complete', { watchUntil: T0 - 1 }), serviceState({}, { lastCompletedReleaseId: done.id }))).toEqual([]);
    expect(offered(done, serviceState({}, { lastCompletedReleaseId: done.id, activeReleaseId: 'checkout-b2' }))).toEqual([]);
  });

  it('embeds its configuration escaped, so a release id cannot break out of the attribute', () => {
    const html = steeringSection(releaseIn('shifting', { id: 'x"><script>alert(1)</script>' }), ['abort'], { commandUrl: 'http://127.0.0.1:1/', signIn: { kind: 'local', issuerUrl: 'http://127.0.0.1:2' } }, escapeHtml);
    expect(html).not.toContain('"><script>alert(1)');
    expect(html).toContain('data-config="{&#34;commandUrl&#34;');
  });
});
