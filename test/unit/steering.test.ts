import { describe, expect, it } from 'vitest';
import { commandsFor, steeringSection } from '../../shared/views/steering.js';
import { escapeHtml } from '../../shared/views/status-page.js';
import { T0, releaseIn } from '../support/fixtures.js';

describe('status page steering: which buttons a release can offer', () => {
  it.each([
    ['pending', releaseIn('pending'), ['pause', 'abort']],
    ['shifting', releaseIn('shifting'), ['pause', 'abort', 'promote']],
    ['shifting, paused, awaiting approval', releaseIn('shifting', { paused: true, awaitingApproval: true }), ['resume', 'abort', 'approve', 'promote']],
    ['verifying, not yet verified', releaseIn('verifying'), ['pause', 'abort']],
    ['verifying, verified and held for approval', releaseIn('verifying', { awaitingApproval: true, verification: { passed: true, results: [], at: T0 } }), ['pause', 'abort', 'approve', 'promote']],
    ['complete inside its watch window', releaseIn('complete'), ['rollback']],
    ['complete after its watch window', releaseIn('complete', { watchUntil: T0 - 1 }), []],
    ['rolled back', releaseIn('rolled_back'), []],
  ] as const)('%s', (_name, release, expected) => {
    expect(commandsFor(release, T0)).toEqual(expected);
  });

  it('embeds its configuration escaped, so a release id cannot break out of the attribute', () => {
    const html = steeringSection(releaseIn('shifting', { id: 'x"><script>alert(1)</script>' }), { commandUrl: 'http://127.0.0.1:1/', signIn: { kind: 'local', issuerUrl: 'http://127.0.0.1:2' } }, T0, escapeHtml);
    expect(html).not.toContain('"><script>alert(1)');
    expect(html).toContain('data-config="{&#34;commandUrl&#34;');
  });
});
