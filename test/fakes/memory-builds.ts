import type { BuildFacts } from '../../shared/domain/index.js';
import { UpstreamUnavailableError, type BuildAuthority, type BuildRef, type TriggerFacts, type TriggerRef } from '../../shared/ports/index.js';
import type { BuildResource } from '../../local/cloud-build.js';

/**
 * An in-memory BuildAuthority that behaves like the Cloud Build API behind CloudBuildAuthority
 * (both pass test/contracts/build-authority-contract.ts): a build is found only in its own
 * project, an unknown one is null, and while `unavailable` every call fails as unavailable.
 */
export class FakeBuildAuthority implements BuildAuthority {
  private readonly builds = new Map<string, BuildResource>();
  /** Triggers, each in its project. */
  private readonly triggers: { project: string; id: string; name: string }[] = [];
  readonly asked: BuildRef[] = [];
  unavailable = 0;

  /** The API now knows this build (as Cloud Build would after running it). */
  know<B extends BuildResource>(build: B): B {
    this.builds.set(build.id, structuredClone(build));
    return build;
  }

  knowTrigger(project: string, trigger: TriggerFacts): void {
    this.triggers.push({ project, ...trigger });
  }

  getTrigger(ref: TriggerRef): Promise<TriggerFacts | null> {
    if (this.unavailable > 0) {
      this.unavailable -= 1;
      return Promise.reject(new UpstreamUnavailableError(`Cloud Build API GetBuildTrigger ${ref.trigger}: UNAVAILABLE`));
    }
    const found = this.triggers.find((t) => t.project === ref.project && (t.id === ref.trigger || t.name === ref.trigger));
    return Promise.resolve(found ? { id: found.id, name: found.name } : null);
  }

  getBuild(ref: BuildRef): Promise<BuildFacts | null> {
    this.asked.push(ref);
    if (this.unavailable > 0) {
      this.unavailable -= 1;
      return Promise.reject(new UpstreamUnavailableError(`Cloud Build API GetBuild ${ref.buildId}: UNAVAILABLE`));
    }
    const build = this.builds.get(ref.buildId);
    if (!build || build.projectId !== ref.project) return Promise.resolve(null);
    return Promise.resolve({
      id: build.id,
      status: build.status,
      triggerId: build.buildTriggerId || null,
      substitutions: { ...build.substitutions },
      pushed: (build.results?.images ?? []).map((i) => ({ ...i })),
      commit: build.sourceProvenance?.resolvedRepoSource?.commitSha || build.substitutions.COMMIT_SHA || null,
      createTime: Math.floor(Date.parse(build.createTime) / 1000) * 1000,
    });
  }
}
