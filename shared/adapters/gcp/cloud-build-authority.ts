import type { CloudBuildClient, protos } from '@google-cloud/cloudbuild';
import type { BuildFacts } from '../../domain/index.js';
import { UpstreamUnavailableError, type BuildAuthority, type BuildRef, type TriggerFacts, type TriggerRef } from '../../ports/index.js';
import { Code, codeOf, describeError, withRetries, type RetryPolicy } from './grpc-errors.js';

type Build = protos.google.devtools.cloudbuild.v1.IBuild;
/** Build.Status numbers (cloudbuild.proto), for a client that answers enums as numbers. */
const STATUS: Record<number, string> = { 0: 'STATUS_UNKNOWN', 10: 'PENDING', 1: 'QUEUED', 2: 'WORKING', 3: 'SUCCESS', 4: 'FAILURE', 5: 'INTERNAL_ERROR', 6: 'TIMEOUT', 7: 'CANCELLED', 9: 'EXPIRED' };

export interface CloudBuildAuthorityOptions {
  /** Per-call deadline; the whole request has ~9 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/**
 * BuildAuthority on the Cloud Build API v1 (official client). GetBuild by the regional name
 * (projects/P/locations/L/builds/ID), so builds in private pools are found too. NOT_FOUND (and an
 * id the API calls invalid) means "no such build"; transient errors are retried briefly and then,
 * like PERMISSION_DENIED (a deployment problem, not the message's fault), end as
 * UpstreamUnavailableError: the message is redelivered, never trusted, never dropped.
 */
export class CloudBuildAuthority implements BuildAuthority {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly client: CloudBuildClient,
    options: CloudBuildAuthorityOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.retry = options.retry ?? { attempts: 3, baseDelayMs: 100 };
  }

  async getBuild(ref: BuildRef): Promise<BuildFacts | null> {
    const name = `projects/${ref.project}/locations/${ref.location}/builds/${ref.buildId}`;
    try {
      const [build] = await withRetries(() => this.client.getBuild({ name, projectId: ref.project, id: ref.buildId }, { timeout: this.timeoutMs, retry: null }), this.retry);
      return factsOf(build);
    } catch (error) {
      const code = codeOf(error);
      if (code === Code.NOT_FOUND || code === Code.INVALID_ARGUMENT) return null;
      throw new UpstreamUnavailableError(`Cloud Build API GetBuild ${name}: ${describeError(error)}`, { cause: error });
    }
  }

  async getTrigger(ref: TriggerRef): Promise<TriggerFacts | null> {
    const name = `projects/${ref.project}/locations/${ref.location}/triggers/${ref.trigger}`;
    try {
      const [trigger] = await withRetries(() => this.client.getBuildTrigger({ name, projectId: ref.project, triggerId: ref.trigger }, { timeout: this.timeoutMs, retry: null }), this.retry);
      return trigger.id ? { id: trigger.id, name: trigger.name ?? '' } : null;
    } catch (error) {
      const code = codeOf(error);
      if (code === Code.NOT_FOUND || code === Code.INVALID_ARGUMENT) return null;
      throw new UpstreamUnavailableError(`Cloud Build API GetBuildTrigger ${name}: ${describeError(error)}`, { cause: error });
    }
  }
}

function factsOf(build: Build): BuildFacts {
  const status = typeof build.status === 'number' ? (STATUS[build.status] ?? 'STATUS_UNKNOWN') : String(build.status ?? 'STATUS_UNKNOWN');
  const seconds = Number(build.createTime?.seconds ?? NaN);
  return {
    id: build.id ?? '',
    status,
    triggerId: build.buildTriggerId || null,
    substitutions: { ...(build.substitutions ?? {}) },
    pushed: (build.results?.images ?? []).map((i) => ({ name: i.name ?? '', digest: i.digest ?? '' })),
    commit: build.sourceProvenance?.resolvedRepoSource?.commitSha || build.substitutions?.COMMIT_SHA || null,
    createTime: Number.isFinite(seconds) ? seconds * 1000 : null,
  };
}
