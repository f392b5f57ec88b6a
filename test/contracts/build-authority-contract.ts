import { describe, expect, it } from 'vitest';
import { UpstreamUnavailableError, type BuildAuthority } from '../../shared/ports/index.js';
import type { BuildResource } from '../../local/cloud-build.js';

export interface BuildAuthorityUnderTest {
  authority: BuildAuthority;
  /** The API now knows this build. */
  know(build: BuildResource): void;
  /** The API now knows this trigger, in demo-project. */
  knowTrigger(trigger: { id: string; name: string }): void;
  /** The next `times` calls fail as the API being unavailable (after any retries of the adapter). */
  breakFor(times: number): void;
  teardown(): Promise<void>;
}

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const build = (id: string, project = 'demo-project'): BuildResource => ({
  id,
  projectId: project,
  status: 'SUCCESS',
  buildTriggerId: 'trig-1',
  substitutions: { _CUTOVER_SERVICE: 'checkout', TRIGGER_NAME: 'checkout-main', BRANCH_NAME: 'main', COMMIT_SHA: 'c0ffee' },
  images: ['europe-west1-docker.pkg.dev/demo-project/apps/checkout:c0ffee'],
  results: { images: [{ name: 'europe-west1-docker.pkg.dev/demo-project/apps/checkout:c0ffee', digest: DIGEST }] },
  sourceProvenance: { resolvedRepoSource: { commitSha: 'c0ffee' } },
  createTime: '2026-11-27T12:00:00Z',
});

/** The contract every BuildAuthority adapter passes (the in-memory fake, and Cloud Build's API through the official client). */
export function buildAuthorityContract(name: string, setup: () => Promise<BuildAuthorityUnderTest>): void {
  describe(`BuildAuthority contract: ${name}`, () => {
    it('answers what it knows of a build: status, trigger, substitutions, pushed digest, commit, creation time', async () => {
      const t = await setup();
      try {
        t.know(build('b-known'));
        const facts = await t.authority.getBuild({ project: 'demo-project', location: 'global', buildId: 'b-known' });
        expect(facts).toEqual({
          id: 'b-known',
          status: 'SUCCESS',
          triggerId: 'trig-1',
          substitutions: { _CUTOVER_SERVICE: 'checkout', TRIGGER_NAME: 'checkout-main', BRANCH_NAME: 'main', COMMIT_SHA: 'c0ffee' },
          pushed: [{ name: 'europe-west1-docker.pkg.dev/demo-project/apps/checkout:c0ffee', digest: DIGEST }],
          commit: 'c0ffee',
          createTime: Date.parse('2026-11-27T12:00:00Z'),
        });
      } finally {
        await t.teardown();
      }
    });

    it('knows nothing of an unknown build, nor of a build in another project', async () => {
      const t = await setup();
      try {
        t.know(build('b-elsewhere', 'attacker-project'));
        expect(await t.authority.getBuild({ project: 'demo-project', location: 'global', buildId: 'b-unknown' })).toBeNull();
        expect(await t.authority.getBuild({ project: 'demo-project', location: 'global', buildId: 'b-elsewhere' })).toBeNull();
      } finally {
        await t.teardown();
      }
    });

    it('finds a trigger by its id or by its name, and answers its id; knows no other', async () => {
      const t = await setup();
      try {
        t.knowTrigger({ id: '0f1e2d3c-trig', name: 'checkout-main' });
        const want = { id: '0f1e2d3c-trig', name: 'checkout-main' };
        expect(await t.authority.getTrigger({ project: 'demo-project', location: 'global', trigger: 'checkout-main' })).toEqual(want);
        expect(await t.authority.getTrigger({ project: 'demo-project', location: 'global', trigger: '0f1e2d3c-trig' })).toEqual(want);
        expect(await t.authority.getTrigger({ project: 'demo-project', location: 'global', trigger: 'nope' })).toBeNull();
        expect(await t.authority.getTrigger({ project: 'attacker-project', location: 'global', trigger: 'checkout-main' })).toBeNull();
      } finally {
        await t.teardown();
      }
    });

    it('says it is unavailable when the API cannot answer (never "unknown", never trusted)', async () => {
      const t = await setup();
      try {
        t.know(build('b-later'));
        t.breakFor(1);
        await expect(t.authority.getBuild({ project: 'demo-project', location: 'global', buildId: 'b-later' })).rejects.toBeInstanceOf(UpstreamUnavailableError);
        expect(await t.authority.getBuild({ project: 'demo-project', location: 'global', buildId: 'b-later' })).toMatchObject({ id: 'b-later' });
      } finally {
        await t.teardown();
      }
    });
  });
}
