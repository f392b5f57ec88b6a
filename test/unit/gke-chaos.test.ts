import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminal, releaseIdForBuild, type Release } from '../../shared/domain/index.js';
import { TargetDispatch } from '../../shared/targets/dispatch.js';
import { FakeStore } from '../fakes/memory-store.js';
import { FakeRouter } from '../fakes/world-fakes.js';
import { build } from '../support/fixtures.js';
import { localGkeWorld } from '../support/gke.js';
import { fakeSystem } from '../support/system.js';

/**
 * Chaos for a GKE release: the runtime with the real GKE target on the local Compute and
 * Kubernetes APIs (the fakes at the other ports), while the Compute API goes away, someone keeps
 * editing the URL map, or a rollout stalls. What must hold: a release never takes traffic it did
 * not ask for, a rollback is committed at once and lands as soon as the API answers, and the live
 * colour at the end is the one the service calls stable.
 */
let world: Awaited<ReturnType<typeof localGkeWorld>>;
let sys: ReturnType<typeof fakeSystem<FakeStore, TargetDispatch>>;
let BLUE = '';
let GREEN = '';
beforeEach(async () => {
  world = await localGkeWorld('demo-project', 'checkout', { compute: { operationMs: 30 }, kube: { rolloutMs: 40, progressDeadlineMs: 200 } });
  ({ blue: { backendService: BLUE }, green: { backendService: GREEN } } = world.router.colours);
  const cloudRun = new FakeRouter();
  sys = fakeSystem(new FakeStore(), new TargetDispatch({ 'gke-lb': { deployer: world.target, splitter: world.target }, 'cloud-run': { deployer: cloudRun, splitter: cloudRun } }));
  await sys.apply({ router: world.router, steps: [10, 50, 100], bakeTime: '10s', healthInterval: '5s' });
});
afterEach(() => world.close());

const release = async (id: string) => (await sys.store.getRelease(id)) as Release;
/** Time moves on (ticks) while the local APIs do their work in real time. */
async function until(id: string, done: (r: Release) => boolean, rounds = 150): Promise<Release> {
  for (let i = 0; i < rounds; i += 1) {
    const r = await release(id);
    if (done(r)) return r;
    await sys.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return release(id);
}

describe('chaos on a GKE release (runtime, GKE target, local Compute and Kubernetes APIs)', () => {
  it('the Compute API goes away mid-release: the step holds, no weight moves; an abort then is committed at once and lands when it is back', async () => {
    const id = releaseIdForBuild('checkout', 'b1');
    await sys.send(build('b1', 'SUCCESS', world.image(1)));
    const shifting = await until(id, (r) => r.state.phase === 'shifting' && r.traffic.observedPercent === 10);
    expect(shifting.candidate.revision).toBe('green');
    world.compute.unavailable = true;
    const weightsBefore = JSON.stringify(world.rules());
    await until(id, () => false, 6);
    expect(JSON.stringify(world.rules())).toBe(weightsBefore);
    const answer = await sys.send({ kind: 'command', releaseId: id, command: 'abort', actor: 'oncall@example.com', why: 'compute outage drill' });
    expect(answer, JSON.stringify(answer)).toMatchObject({ kind: 'decided', outcome: { status: 'applied' } });
    expect((await release(id)).state.phase).toBe('rolling_back');
    await until(id, () => false, 4);
    expect(world.share(GREEN)).toBe(10);
    world.compute.unavailable = false;
    const done = await until(id, (r) => isTerminal(r.state.phase));
    expect(done.state.phase).toBe('rolled_back');
    expect(world.share(BLUE)).toBe(100);
    expect(world.share(GREEN)).toBe(0);
    expect(world.rules().some((r) => r.priority === 10)).toBe(false);
    expect((await sys.store.getService('checkout'))?.stableRevision).toBe('blue');
  });

  it('someone edits the URL map before each of Cutover\'s next five patches (more than one call retries): each is refused as stale and retried, their edits survive, the release completes on green', async () => {
    const id = releaseIdForBuild('checkout', 'b2');
    let edits = 0;
    const editNextPatch = (): void => world.compute.changeBeforeNextPatch('checkout', (map) => {
      map.description = `edit ${(edits += 1)}`;
      if (edits < 5) editNextPatch();
    });
    editNextPatch();
    await sys.send(build('b2', 'SUCCESS', world.image(2)));
    const done = await until(id, (r) => isTerminal(r.state.phase), 300);
    expect(done.state.phase).toBe('complete');
    expect(edits).toBe(5);
    expect(world.compute.urlMap('checkout')?.description).toBe(`edit ${edits}`);
    expect(world.share(GREEN)).toBe(100);
    expect((await sys.store.getService('checkout'))?.stableRevision).toBe('green');
  });

  it('a rollout that stalls never takes traffic: the release fails at deploy and blue keeps everything', async () => {
    world.kube.stallImage(world.image(3));
    const id = releaseIdForBuild('checkout', 'b3');
    await sys.send(build('b3', 'SUCCESS', world.image(3)));
    const done = await until(id, (r) => isTerminal(r.state.phase));
    expect(done.state.phase).toBe('failed');
    expect(world.share(BLUE)).toBe(100);
    expect(world.rules().some((r) => r.priority === 10)).toBe(false);
    expect(done.traffic.observedPercent ?? 0).toBe(0);
  });
});
