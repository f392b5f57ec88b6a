import type { RunHook } from '../domain/index.js';
import type { Failure } from './effects.js';

/**
 * Runs one gate hook. A webhook is called and answers now; a job is started (or, when the effect
 * names the execution a previous attempt started, asked about) and answers `running` until its
 * execution ends. The outcome is data: a hook that fails is `failed` with why; a failure to reach
 * the API at all is a Failure (`permanent` says whether retrying can help).
 */
export type HookOutcome = { ok: true; status: 'passed' | 'failed' | 'running'; execution: string | null; detail: string } | Failure;

export interface HookRunner {
  run(effect: RunHook): Promise<HookOutcome>;
}
