import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TARGET_KINDS, TARGET_TRAITS, releaseIdForBuild } from '../../shared/domain/index.js';
import { TARGETS, targetsTable } from '../../shared/targets/registry.js';
import { TargetDispatch } from '../../shared/targets/dispatch.js';
import { FakeStore } from '../fakes/memory-store.js';
import { FakeRouter } from '../fakes/world-fakes.js';
import { build, serviceConfigInput } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';

/**
 * One installation, services of several target kinds: every step effect goes to the target of
 * the kind its own service names, at the same time, and a kind the installation has not enabled
 * fails the release with the setting named rather than going anywhere else.
 */
describe('targets dispatched per service', () => {
  it('releases a Cloud Run service and a local one side by side, each through its own target', async () => {
    const run = new FakeRouter();
    const local = new FakeRouter();
    const sys = fakeSystem(new FakeStore(), new TargetDispatch({ 'cloud-run': { deployer: run, splitter: run }, local: { deployer: local, splitter: local } }));
    await sys.apply();
    await sys.store.applyServiceConfig(serviceConfigInput({ name: 'shop', router: { kind: 'local' } }), sys.clock.now);
    await sys.send(build('b1', 'SUCCESS'));
    await sys.runtime.handle({ id: 'shop-b1', service: 'shop', at: sys.clock.now, body: build('b1', 'SUCCESS') });
    for (let i = 0; i < 40; i += 1) await sys.advance(10_000);
    expect((await sys.store.getRelease(releaseIdForBuild('checkout', 'b1')))?.state.phase).toBe('complete');
    expect((await sys.store.getRelease(releaseIdForBuild('shop', 'b1')))?.state.phase).toBe('complete');
    expect(new Set(run.calls.map((c) => c.service))).toEqual(new Set(['checkout']));
    expect(new Set(local.calls.map((c) => c.service))).toEqual(new Set(['shop']));
  });

  it('a service of a kind this installation does not enable fails its release, naming the setting', async () => {
    const run = new FakeRouter();
    const sys = fakeSystem(new FakeStore(), new TargetDispatch({ 'cloud-run': { deployer: run, splitter: run } }));
    await sys.store.applyServiceConfig(serviceConfigInput({ name: 'shop', router: { kind: 'local' } }), sys.clock.now);
    await sys.runtime.handle({ id: 'shop-b1', service: 'shop', at: sys.clock.now, body: build('b1', 'SUCCESS') });
    const release = await sys.store.getRelease(releaseIdForBuild('shop', 'b1'));
    expect(release?.state.phase).toBe('failed');
    expect(release?.lastDecision.message).toContain('CUTOVER_TARGETS');
    expect(run.calls).toEqual([]);
  });
});

describe('the target registry', () => {
  it('declares every kind the config schema accepts, each with what docs/architecture.md\'s table says (npm run docs:targets)', () => {
    expect(Object.keys(TARGETS).sort()).toEqual([...TARGET_KINDS].sort());
    expect(Object.keys(TARGET_TRAITS).sort()).toEqual([...TARGET_KINDS].sort());
    expect(readFileSync('docs/architecture.md', 'utf8')).toContain(targetsTable());
  });
});
