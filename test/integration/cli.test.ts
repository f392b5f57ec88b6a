import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS, FirestoreStore } from '../../shared/adapters/firestore/firestore-store.js';
import { dayWindow, fourKeys, releaseIdForBuild, type FourKeys, rollbackOf } from '../../shared/domain/index.js';
import { emulators, uniqueProjectId } from '../harness/emulator-context.js';
import { freePort } from '../../local/emulators.js';
import { build, serviceConfigInput } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { LocalIssuer } from '../../local/issuer.js';
import { StaticGroups } from '../../local/static-groups.js';
import { IdTokenVerifier } from '../../shared/adapters/auth/id-token-verifier.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { serveFunctions } from '../support/function-servers.js';

const run = promisify(execFile);

/** onCommand in this process, on the same Firestore as the CLI; the CLI signs in through a local issuer. */
let commandSys: ReturnType<typeof fakeSystem<FirestoreStore>> | null = null;
let verifier: IdTokenVerifier | null = null;
registerFunctions((): EntryDeps => {
  if (!commandSys || !verifier) throw new Error('onCommand used before the test set it up');
  return { runtime: commandSys.runtime, store: commandSys.store, builds: commandSys.builds, alertPolicies: commandSys.alertPolicies, clock: Date.now, log: silentLogger, auth: { identity: verifier, groups: new StaticGroups(), admins: ['user:alice@example.com'] } };
});

/** The real CLI as a user runs it (a child process), against the Firestore emulator. */
describe.skipIf(!emulators.available)('cutover CLI', () => {
  const projectId = uniqueProjectId('cli');
  const issuer = new LocalIssuer();
  let served: Awaited<ReturnType<typeof serveFunctions>> | null = null;
  const env: Record<string, string | undefined> = { ...process.env, CUTOVER_PROJECT: projectId, FIRESTORE_EMULATOR_HOST: emulators.firestoreHost ?? '', LOG_LEVEL: 'silent', CUTOVER_LOCAL_USER: 'alice@example.com' };
  let dir = '';
  let store: FirestoreStore;

  async function cli(args: string[], extraEnv: Record<string, string> = {}) {
    try {
      const { stdout, stderr } = await run('node', ['--import', 'tsx', 'cli/bin.ts', ...args], { env: { ...env, ...extraEnv }, timeout: 30_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutover-cli-'));
    store = new FirestoreStore({ projectId, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    await issuer.start();
    served = await serveFunctions(['onCommand']);
    commandSys = fakeSystem(store);
    // The example's trigger, as the Cloud Build API knows it: `services apply` stores its id.
    commandSys.builds.knowTrigger('my-gcp-project', { id: '4f3c2b1a-checkout-main', name: 'checkout-main' });
    verifier = new IdTokenVerifier({ audiences: [served.url('onCommand')], certsUrl: issuer.certsUrl, issuers: [issuer.url] });
    Object.assign(env, { CUTOVER_COMMAND_URL: served.url('onCommand'), CUTOVER_LOCAL_ISSUER: issuer.url });
  });
  afterAll(async () => {
    await served?.close();
    await issuer.stop();
    await store?.close();
  });

  it('applies a service from YAML and lists it', async () => {
    // The example under its own name: other tests here release `checkout` (in the fixtures' project),
    // and a service's target does not change under a release in flight.
    const example = join(dir, 'example.service.yaml');
    await writeFile(example, (await readFile('examples/checkout.service.yaml', 'utf8')).replace(/^name: checkout$/m, 'name: checkout-example'));
    const applied = await cli(['services', 'apply', example]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('service checkout-example applied by alice@example.com');
    const listed = await cli(['services', 'list']);
    expect(listed.stdout).toMatch(/checkout-example\s+cloud-run\s+10\/50\/100\s+5m/);
    const asJson = await cli(['--json', 'services', 'list']);
    expect(JSON.parse(asJson.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'checkout-example', config: expect.objectContaining({ bakeTime: 300_000 }) })]));
  });

  it('writes all of a large --json answer through a pipe before it exits (more than 64 KiB)', async () => {
    const bigProject = uniqueProjectId('cli-big');
    const big = new FirestoreStore({ projectId: bigProject, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    try {
      const sys = fakeSystem(big);
      const names = Array.from({ length: 120 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
      for (const name of names) {
        await big.applyServiceConfig({ ...serviceConfigInput({}), name, verification: { checks: Array.from({ length: 10 }, (_, j) => ({ path: `/health/${j}/${'x'.repeat(40)}` })) } }, sys.clock.now);
      }
      // Through a shell pipe, as a user types it: an OS pipe (64 KiB buffer) the process must wait on.
      const { stdout } = await run('sh', ['-c', 'node --import tsx cli/bin.ts --json services list | cat'], { env: { ...env, CUTOVER_PROJECT: bigProject }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
      expect(stdout.length).toBeGreaterThan(65_536);
      expect((JSON.parse(stdout) as { name: string }[]).map((s) => s.name)).toEqual(names);
    } finally {
      await big.close();
    }
  });

  it('names the field and the problem for an invalid config, exit 2', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: Bad_Name\nproject: p\nregion: r\nsteps: [50, 10]\nbakeTime: soon\nslo: {}\n');
    const result = await cli(['services', 'apply', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('name: lower-case letters');
    expect(result.stderr).toContain('steps: steps must be strictly increasing');
    expect(result.stderr).toContain('bakeTime: "soon" is not a duration');
    expect(result.stderr).toContain('slo.maxErrorRate');
  });

  it('shows status and history, and steers a release through onCommand, recorded under the verified identity', async () => {
    const sys = commandSys ?? fakeSystem(store);
    sys.clock.now = Date.now();
    // Its own service: it must not depend on another test having applied one (CI shuffles).
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const id = releaseIdForBuild('checkout', 'b1');
    const status = await cli(['status', 'checkout']);
    expect(status.stdout).toMatch(new RegExp(`${id}\\s+shifting`));
    // A self-declared actor is ignored: the actor is the token's verified email.
    const paused = await cli(['pause', id, '--reason', 'checking dashboards'], { CUTOVER_ACTOR: 'someone@else' });
    expect(paused.code).toBe(0);
    expect(paused.stdout).toContain(`pause ${id} by alice@example.com`);
    // Signed in as someone the service gives no role: told what a missing release gets (exit 1), nothing recorded.
    const stranger = await cli(['resume', id], { CUTOVER_LOCAL_USER: 'mallory@example.com' });
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('not found, or you hold no role on it');
    const again = await cli(['pause', id]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`pause ${id} rejected`);
    const history = await cli(['--json', 'history', id]);
    const entries = JSON.parse(history.stdout) as { reason: string; actor: string | null; message: string }[];
    expect(entries.find((e) => e.reason === 'Paused')).toMatchObject({ actor: 'alice@example.com', message: expect.stringContaining('checking dashboards') });
    expect(entries.some((e) => e.reason === 'Resumed')).toBe(false);
    const table = await cli(['history', id]);
    expect(table.stdout.split('\n')[0]).toMatch(/^SEQ\s+AT\s+EVENT\s+FROM\s+TO/);
  });

  it('prints the four keys of a service (stats), as a table and as JSON', async () => {
    const projectIdStats = uniqueProjectId('cli-stats');
    const statsStore = new FirestoreStore({ projectId: projectIdStats, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    try {
      const sys = fakeSystem(statsStore);
      sys.clock.now = Date.now() - 3_600_000;
      await sys.apply({ steps: [100] });
      await sys.send(build('s1', 'SUCCESS'));
      await sys.send(build('s2', 'SUCCESS'));
      sys.health.reportErrors(100, 50);
      await sys.advance(10_000);
      expect((await statsStore.getRelease(releaseIdForBuild('checkout', 's2')))?.state.phase).toBe('rolled_back');
      const env2 = { CUTOVER_PROJECT: projectIdStats };
      const shown = await cli(['stats', 'checkout', '--since', '7d'], env2);
      expect(shown.code).toBe(0);
      expect(shown.stdout.split('\n')[0]).toMatch(/^SERVICE\s+DEPLOYS\s+PER DAY/);
      expect(shown.stdout).toMatch(/checkout\s+2\s/);
      expect(shown.stdout).toContain('50% (1/2)');
      const json = JSON.parse((await cli(['--json', 'stats', 'checkout'], env2)).stdout) as { service: string; keys: { deployments: number; changeFailure: { failed: number } } }[];
      expect(json).toEqual([expect.objectContaining({ service: 'checkout', keys: expect.objectContaining({ deployments: 2, changeFailure: expect.objectContaining({ failed: 1 }) }) })]);
      expect((await cli(['stats', '--since', 'soon'], env2)).code).toBe(2);
    } finally {
      await statsStore.close();
    }
  });

  it('rebuilds the kept four keys from the releases (an upgrade from a version that did not keep them)', async () => {
    const sys = commandSys;
    if (!sys) throw new Error('no onCommand system');
    await sys.apply({ steps: [100] });
    await sys.send(build('rb1', 'SUCCESS'));
    await sys.advance(10_000);
    expect((await store.getRelease(releaseIdForBuild('checkout', 'rb1')))?.state.phase).toBe('complete');
    for (const doc of await store.db.collection(COLLECTIONS.delivery).listDocuments()) await doc.delete();
    const lost = JSON.parse((await cli(['--json', 'stats', 'checkout', '--since', '30d'])).stdout) as { keys: FourKeys }[];
    expect(lost[0]?.keys.deployments).toBe(0);
    const rebuilt = await cli(['services', 'rebuild-stats', 'checkout']);
    expect(rebuilt.code).toBe(0);
    const releases = await store.listReleases('checkout', 1_000);
    expect(rebuilt.stdout).toContain(`delivery figures of checkout rebuilt from ${releases.length} release`);
    const after = JSON.parse((await cli(['--json', 'stats', 'checkout', '--since', '30d'])).stdout) as { keys: FourKeys }[];
    const { from, to } = dayWindow(Date.now(), 30);
    expect(after[0]?.keys).toEqual(fourKeys(releases, from, to));
    expect(after[0]?.keys.deployments).toBeGreaterThan(0);
  });

  it('prints the figures behind a rollback (analysis): both arms, the test, the level; all of them with --all; JSON for scripts', async () => {
    // Its own project: the release must not meet another test's release of checkout (CI shuffles).
    const project = uniqueProjectId('cli-analysis');
    const own = new FirestoreStore({ projectId: project, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    const sys = fakeSystem(own);
    sys.clock.now = Date.now();
    await sys.apply();
    await sys.send(build('a1', 'SUCCESS'));
    const id = releaseIdForBuild('checkout', 'a1');
    // Healthy first (a recorded analysis), then 4% errors beside a clean baseline: rolled back on the relative test.
    await sys.advance(15_000);
    sys.health.reportErrors(2000, 80);
    await sys.advance(15_000);
    expect(rollbackOf((await own.getRelease(id))!.state)?.cause).toBe('ErrorRatioAboveBaseline');
    const at = { CUTOVER_PROJECT: project };
    const shown = await cli(['analysis', id], at);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[1]).toMatch(/^fail \(score \d+\), against baseline checkout-\S+; this look's alpha /);
    expect(lines[2]).toMatch(/^METRIC\s+KIND\s+VERDICT\s+CANDIDATE\s+BASELINE\s+LIMIT\s+N \(C\/B\)\s+P-VALUE\s+ALPHA/);
    expect(shown.stdout).toMatch(/error-ratio\*\s+relative\s+fail\s+4\.00%\s+0\.00%\s+0\.10%\s+2000\/1000\s+<1e-15/);
    const all = JSON.parse((await cli(['--json', 'analysis', id, '--all'], at)).stdout) as { reason: string; analysis: { verdict: string; metrics: { metric: string; pValue: number | null; alpha: number | null }[] } }[];
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.map((a) => a.analysis.verdict)).toContain('pass');
    const ratio = all.at(-1)?.analysis.metrics.find((m) => m.metric === 'error-ratio');
    expect(ratio?.pValue).toBeLessThan(ratio?.alpha ?? 0);
    expect((await cli(['analysis', 'checkout-nope'], at)).code).toBe(1);
    await own.close();
  });

  it('lists rejected input with its reason', async () => {
    await store.recordRejected({ source: 'onCloudBuild', reason: 'UnknownService', message: 'build b9 names service "nope"', receivedAt: Date.now(), body: '{}', bodyBytes: 2, attributes: '{}' });
    const result = await cli(['rejected']);
    expect(result.stdout.split('\n')[0]).toMatch(/^RECEIVED\s+SOURCE\s+REASON/);
    expect(result.stdout).toMatch(/onCloudBuild\s+UnknownService\s+2\s+build b9 names service "nope"/);
  });

  it('shows a pipeline from any of its stages: each build, and where it stands in every stage', async () => {
    const sys = commandSys;
    if (!sys) throw new Error('set up in beforeAll');
    const stage = (name: string, extra: object = {}) => sys.store.applyServiceConfig(serviceConfigInput({ name, router: { kind: 'cloud-run', target: name }, steps: [100], ...extra }), Date.now());
    await stage('cli-shop-dev');
    await stage('cli-shop-staging', { source: undefined, promotion: { from: 'cli-shop-dev', soak: '0s' } });
    await stage('cli-shop-prod', { source: undefined, promotion: { from: 'cli-shop-staging', soak: '0s', approval: 'manual' } });
    const image = `europe-west1-docker.pkg.dev/demo-project/apps/shop@sha256:${'c'.repeat(64)}`;
    const send = (id: string, service: string, body: Parameters<typeof sys.runtime.handle>[0]['body']) => sys.runtime.handle({ id, service, at: Date.now(), body });
    await send('pl-b', 'cli-shop-dev', { kind: 'build', buildId: 'p1', status: 'SUCCESS', commit: 'c1', image });
    await send('pl-u1', 'cli-shop-staging', { kind: 'upstream', upstreamReleaseId: releaseIdForBuild('cli-shop-dev', 'p1'), buildId: 'p1' });
    await send('pl-u2', 'cli-shop-prod', { kind: 'upstream', upstreamReleaseId: releaseIdForBuild('cli-shop-staging', 'p1'), buildId: 'p1' });
    const shown = await cli(['pipeline', 'cli-shop-prod']);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain('cli-shop-dev → cli-shop-staging → cli-shop-prod');
    expect(shown.stdout).toMatch(/p1\s+shop@sha256:cccccccccccc\s+complete\s+complete\s+pending \(awaiting-approval\)/);
    expect((await cli(['pipeline', 'nope'])).code).toBe(1);
  });

  it('exits 1 for an unknown release', async () => {
    const result = await cli(['abort', 'nope']);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('release nope not found') });
  });

  it('says clearly when Firestore cannot be reached', async () => {
    const port = await freePort();
    const result = await cli(['services', 'list'], { FIRESTORE_EMULATOR_HOST: `127.0.0.1:${port}`, CUTOVER_CLI_TIMEOUT_MS: '3000' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach Firestore');
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
  });
});

describe.skipIf(!emulators.available)('cutover watch', () => {
  it('prints one plain line per service when not on a terminal', async () => {
    const projectId = uniqueProjectId('watch');
    const store = new FirestoreStore({ projectId, databaseId: 'cutover', emulatorHost: emulators.firestoreHost ?? '' });
    try {
      const sys = fakeSystem(store);
      sys.clock.now = Date.now();
      await sys.apply();
      await sys.send(build('b1', 'SUCCESS'));
      const { stdout } = await run('node', ['--import', 'tsx', 'cli/bin.ts', 'watch', 'checkout', '--once'], {
        env: { ...process.env, CUTOVER_PROJECT: projectId, FIRESTORE_EMULATOR_HOST: emulators.firestoreHost ?? '', LOG_LEVEL: 'silent' },
        timeout: 30_000,
      });
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(stdout).toMatch(/checkout checkout-b1 shifting step 1\/3 candidate 10% health - — StepReached: candidate serves 10%/);
      expect(stdout).not.toContain('\x1b[');
    } finally {
      await store.close();
    }
  });
});
