import type { ExecutionsClient, JobsClient, protos } from '@google-cloud/run';
import type { RunHook } from '../../domain/index.js';
import type { HookOutcome, HookRunner } from '../../ports/index.js';
import { Code, codeOf, describeError, isTransient } from './grpc-errors.js';

type Execution = protos.google.cloud.run.v2.IExecution;

/**
 * Gate hooks that are Cloud Run Jobs (Admin API v2). The first run starts an execution with the
 * release's facts as environment overrides and answers `running` with the execution's name, never
 * waiting for it; every later run of the same gate names that execution and only asks about it, so
 * a job is never started twice by Cutover's own retries. (A result lost between the start and the
 * release's commit can start a second one: a job hook should be safe to run twice, as migrations are.)
 */
export class CloudRunJobRunner implements HookRunner {
  constructor(
    private readonly jobs: JobsClient,
    private readonly executions: ExecutionsClient,
  ) {}

  /** The job's resource name: a full name as written, a short one in the service's project and region. */
  jobName(effect: RunHook): string {
    const job = effect.hook.job ?? '';
    return job.startsWith('projects/') ? job : this.jobs.jobPath(effect.router.project, effect.router.region, job);
  }

  async run(effect: RunHook): Promise<HookOutcome> {
    try {
      if (effect.execution) return outcomeOf((await this.executions.getExecution({ name: effect.execution }))[0]);
      const [operation] = await this.jobs.runJob({ name: this.jobName(effect), overrides: { containerOverrides: [{ env: envOf(effect) }] } });
      const execution = (operation.metadata as Execution | null)?.name ?? null;
      if (!execution) return { ok: false, permanent: true, error: `RunJob of ${this.jobName(effect)} named no execution` };
      return { ok: true, status: 'running', execution, detail: `started ${execution}` };
    } catch (error) {
      const code = codeOf(error);
      const permanent = code === Code.NOT_FOUND || code === Code.PERMISSION_DENIED || code === Code.INVALID_ARGUMENT || !isTransient(error);
      return { ok: false, permanent, error: `job ${this.jobName(effect)}: ${describeError(error)}` };
    }
  }
}

/** What the job is told: which release, which image, where the candidate is, which hook and step. */
function envOf(effect: RunHook): { name: string; value: string }[] {
  const env: Record<string, string | null> = {
    CUTOVER_RELEASE: effect.releaseId,
    CUTOVER_SERVICE: effect.service,
    CUTOVER_HOOK: effect.hook.name,
    CUTOVER_HOOK_AT: effect.hook.at,
    CUTOVER_IMAGE: effect.image,
    CUTOVER_CANDIDATE_URL: effect.candidateUrl,
    CUTOVER_TRAFFIC_PERCENT: String(effect.trafficPercent),
  };
  return Object.entries(env).flatMap(([name, value]) => (value === null ? [] : [{ name, value }]));
}

/** An execution that completed: passed when every task succeeded; otherwise still running. */
function outcomeOf(execution: Execution): HookOutcome {
  const name = execution.name ?? null;
  const tasks = Number(execution.taskCount ?? 0);
  const succeeded = Number(execution.succeededCount ?? 0);
  const failed = Number(execution.failedCount ?? 0) + Number(execution.cancelledCount ?? 0);
  const completed = execution.conditions?.find((c) => c.type === 'Completed');
  if (!execution.completionTime) return { ok: true, status: 'running', execution: name, detail: `${succeeded} of ${tasks} task(s) done` };
  const passed = failed === 0 && succeeded >= tasks && completed?.state !== 'CONDITION_FAILED';
  const why = completed?.message ? `: ${completed.message}` : '';
  return { ok: true, status: passed ? 'passed' : 'failed', execution: name, detail: `${succeeded} of ${tasks} task(s) succeeded${failed ? `, ${failed} failed` : ''}${why}`.slice(0, 500) };
}
