import type { RunHook } from '../../shared/domain/index.js';
import type { HookOutcome, HookRunner } from '../../shared/ports/index.js';

/**
 * Gate hooks in memory, behaving as the real runners do: a webhook answers by its URL (an answer,
 * or none at all: transient); a job that exists starts a new execution each time it is started and
 * completes after some looks; a job that does not exist is a permanent failure.
 */
export class FakeHookRunner implements HookRunner {
  readonly webhooks = new Map<string, number | 'silent'>();
  readonly jobs = new Map<string, { polls: number; fails: boolean }>();
  readonly started: { job: string; execution: string; releaseId: string }[] = [];
  private readonly looks = new Map<string, number>();

  run(effect: RunHook): Promise<HookOutcome> {
    const { hook } = effect;
    if (hook.url !== null) {
      const answer = this.webhooks.get(hook.url) ?? 404;
      if (answer === 'silent') return Promise.resolve({ ok: false, permanent: false, error: `hook ${hook.name}: TimeoutError` });
      return Promise.resolve({ ok: true, status: answer >= 200 && answer < 300 ? 'passed' : 'failed', execution: null, detail: `hook ${hook.name} answered ${answer}` });
    }
    const job = hook.job ?? '';
    const behaviour = this.jobs.get(job);
    if (!behaviour) return Promise.resolve({ ok: false, permanent: true, error: `job ${job}: NOT_FOUND` });
    if (effect.execution === null) {
      const execution = `${job}/executions/e${this.started.length + 1}`;
      this.started.push({ job, execution, releaseId: effect.releaseId });
      this.looks.set(execution, 0);
      return Promise.resolve({ ok: true, status: 'running', execution, detail: `started ${execution}` });
    }
    const looked = (this.looks.get(effect.execution) ?? 0) + 1;
    this.looks.set(effect.execution, looked);
    if (looked <= behaviour.polls) return Promise.resolve({ ok: true, status: 'running', execution: effect.execution, detail: '0 of 1 task(s) done' });
    return Promise.resolve({ ok: true, status: behaviour.fails ? 'failed' : 'passed', execution: effect.execution, detail: behaviour.fails ? '0 of 1 task(s) succeeded, 1 failed' : '1 of 1 task(s) succeeded' });
  }
}
