import { describe, expect, it } from 'vitest';
import { Reason, judgeBuild, parseServiceConfig, refMatches, repositoryAllowed, type BuildFacts, type SourcePolicy } from '../../shared/domain/index.js';
import { serviceConfigInput } from '../support/fixtures.js';

const REPO = 'europe-west1-docker.pkg.dev/demo-project/apps/checkout';
const DIGEST = `sha256:${'0a'.repeat(32)}`;
const source: SourcePolicy = parseServiceConfig(serviceConfigInput({ source: { triggers: ['trig-checkout-main', 'trig-2'], branches: ['main', 'release-*'], tags: ['v*'], repositories: [REPO] } })).source!;

const facts = (over: Partial<BuildFacts> = {}, subs: Record<string, string> = {}): BuildFacts => ({
  id: 'b1',
  status: 'SUCCESS',
  triggerId: 'trig-checkout-main',
  substitutions: { _CUTOVER_SERVICE: 'checkout', _CUTOVER_IMAGE: `${REPO}:c1`, TRIGGER_NAME: 'checkout-main', BRANCH_NAME: 'main', ...subs },
  pushed: [{ name: `${REPO}:c1`, digest: DIGEST }],
  commit: 'c1',
  createTime: 0,
  ...over,
});
const claim = { service: 'checkout', buildId: 'b1', image: `${REPO}:c1` };

describe('provenance: a build releases only when the API says the service trusts it', () => {
  it('a trusted SUCCESS becomes a build event with the image pinned by digest, from the API', () => {
    expect(judgeBuild(claim, facts(), source)).toEqual({ ok: true, body: { kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: 'c1', image: `${REPO}@${DIGEST}`, createdAt: 0 } });
  });

  it('the status is the API\'s, not the message\'s; before SUCCESS there is no image yet', () => {
    expect(judgeBuild(claim, facts({ status: 'WORKING', pushed: [] }), source)).toMatchObject({ ok: true, body: { status: 'WORKING', image: null } });
  });

  it.each([
    ['no source policy', claim, facts(), undefined, Reason.NoSourcePolicy],
    ['a build the API does not know', claim, null, source, Reason.BuildNotFound],
    ['the API answering for another build', claim, facts({ id: 'b2' }), source, Reason.BuildMismatch],
    ['a message naming another service than the build', { ...claim, service: 'payments' }, facts(), source, Reason.BuildMismatch],
    ['a message naming another image than the build', { ...claim, image: 'docker.io/attacker/miner:latest' }, facts(), source, Reason.BuildMismatch],
    ['a build started by hand (no trigger)', claim, facts({ triggerId: null }), source, Reason.UntrustedTrigger],
    ['a trigger not listed', claim, facts({ triggerId: 'trig-9' }, { TRIGGER_NAME: 'anyone' }), source, Reason.UntrustedTrigger],
    // A trigger anyone with builds.editor creates on their fork, *named* as the trusted trigger's id.
    ['a trigger whose name is the trusted trigger\'s id', claim, facts({ triggerId: 'fork-trigger' }, { TRIGGER_NAME: 'trig-checkout-main' }), source, Reason.UntrustedTrigger],
    ['a pull request build', claim, facts({}, { _PR_NUMBER: '42', _HEAD_BRANCH: 'feature/x' }), source, Reason.UntrustedEvent],
    ['a git repository not listed', claim, facts({}, { REPO_FULL_NAME: 'mallory/checkout' }), { ...source, gitRepositories: ['acme/checkout'] as string[] }, Reason.UntrustedRepository],
    ['no git repository named where one is required', claim, facts(), { ...source, gitRepositories: ['acme/*'] as string[] }, Reason.UntrustedRepository],
    ['a branch not allowed', claim, facts({}, { BRANCH_NAME: 'feature/x' }), source, Reason.UntrustedRef],
    ['a tag not allowed', claim, facts({}, { BRANCH_NAME: '', TAG_NAME: 'nightly' }), source, Reason.UntrustedRef],
    ['no branch or tag at all', claim, facts({}, { BRANCH_NAME: '' }), source, Reason.UntrustedRef],
    ['an image with no digest', claim, facts({ pushed: [] }), source, Reason.ImageNotPinned],
    ['a digest that is not sha256', claim, facts({ pushed: [{ name: `${REPO}:c1`, digest: 'md5:00' }] }), source, Reason.ImageNotPinned],
    ['an image outside the allowed repositories', { ...claim, image: null }, facts({ pushed: [{ name: `${REPO}-evil:c1`, digest: DIGEST }] }, { _CUTOVER_IMAGE: `${REPO}-evil:c1` }), source, Reason.UntrustedImage],
    ['a QUEUED build that says it will push outside the allowed repositories', { ...claim, image: null }, facts({ status: 'QUEUED', pushed: [] }, { _CUTOVER_IMAGE: 'docker.io/attacker/miner:latest' }), source, Reason.UntrustedImage],
    ['a status Cloud Build never sends to Cutover', claim, facts({ status: 'BOGUS' }), source, Reason.BuildMismatch],
  ] as const)('refuses %s', (_name, c, f, s, reason) => {
    const judged = judgeBuild(c, f, s);
    expect(judged).toMatchObject({ ok: false, reason });
    expect(judged.ok ? '' : judged.why).toMatch(/^build b\d: /);
  });

  it('accepts a trigger by its id (whatever its name), a branch by pattern, a tag by pattern, a git repository by pattern', () => {
    expect(judgeBuild(claim, facts({ triggerId: 'trig-2' }, { TRIGGER_NAME: 'x' }), source).ok).toBe(true);
    expect(judgeBuild(claim, facts({}, { REPO_FULL_NAME: 'acme/checkout' }), { ...source, gitRepositories: ['acme/*'] }).ok).toBe(true);
    expect(judgeBuild(claim, facts({}, { BRANCH_NAME: 'release-2026.11' }), source).ok).toBe(true);
    expect(judgeBuild(claim, facts({}, { BRANCH_NAME: '', TAG_NAME: 'v1.2.3' }), source).ok).toBe(true);
  });

  it('patterns: `*` is the only wildcard; everything else is literal', () => {
    expect(refMatches('release-*', 'release-1')).toBe(true);
    expect(refMatches('release-*', 'xrelease-1')).toBe(false);
    expect(refMatches('v1.*', 'v1x2')).toBe(false);
    expect(refMatches('main', 'main2')).toBe(false);
    expect(refMatches('a+b', 'aab')).toBe(false);
  });

  it('a pattern that backtracks a regex matches in linear work, and a pattern has at most 8 stars', () => {
    // As a regex, `^.*-.*-.*-.*-.*-.*-.*-.*-x$` against 20,000 dashes does not finish in any test's time.
    const value = '-'.repeat(20_000);
    expect(refMatches('*-*-*-*-*-*-*-*-x', value)).toBe(false);
    expect(refMatches('*-*-*-*-*-*-*-*-x', `${value}x`)).toBe(true);
    expect(() => parseServiceConfig(serviceConfigInput({ source: { triggers: ['t'], branches: ['*-*-*-*-*-*-*-*-*-x'], repositories: [REPO] } }))).toThrow(/at most 8/);
  });

  it('repositories are path prefixes on a "/" boundary', () => {
    expect(repositoryAllowed(REPO, [REPO])).toBe(true);
    expect(repositoryAllowed(`${REPO}/api`, [REPO])).toBe(true);
    expect(repositoryAllowed(`${REPO}-evil`, [REPO])).toBe(false);
    expect(repositoryAllowed('docker.io/attacker/miner', [REPO])).toBe(false);
  });

  it('a source section must name a trigger, a branch or tag, and a repository', () => {
    expect(() => parseServiceConfig(serviceConfigInput({ source: { triggers: [], branches: ['main'], repositories: [REPO] } }))).toThrow(/source.triggers/);
    expect(() => parseServiceConfig(serviceConfigInput({ source: { triggers: ['t'], repositories: [REPO] } }))).toThrow(/branches or tags/);
    expect(() => parseServiceConfig(serviceConfigInput({ source: { triggers: ['t'], branches: ['main'], repositories: ['Docker.IO/x:latest'] } }))).toThrow(/source.repositories/);
  });
});
