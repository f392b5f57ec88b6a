import { z } from 'zod';
import { boundedDuration } from './duration.js';
import type { NotificationType } from './effects.js';

/**
 * Hooks: a team's own code called at points of a release — an HTTPS webhook carrying a Google ID
 * token whose audience is the hook's origin, or a Cloud Run Job execution (a migration, a load
 * test) — each with a timeout.
 * - Gates, run by the release itself as one of its steps; a gate that fails stops the release:
 *   - `pre-deploy`: before the candidate is deployed (a migration's expand step). Fails: the
 *     release fails, nothing was deployed, stable untouched.
 *   - `after-deploy`: the candidate is ready at 0%: smoke tests on its own URL (webhook only, beside
 *     the verification checks). Fails: verification fails and the release rolls back.
 *   - `per-step`: at each step below 100%, once its traffic is set and before it is judged (a load
 *     test for a service with little traffic). Fails: the release rolls back.
 *   - `before-promotion`: once, at the last traffic level before 100%, before the move to 100%.
 *     Fails: the release rolls back.
 * - Told, never waited on: `after-complete` and `on-rollback`, called from the release event, once
 *   per event and hook (the delivery ledger chat uses); a hook that fails is recorded.
 * - A barrier (`barrier: true`): a step a rollback must not cross, such as a migration's contract
 *   step. Once it has started, a rollback Cutover would start by itself is held and a person is
 *   asked; a person's abort or rollback still goes through. A barrier at `after-complete` is run as
 *   a gate by the completed release (its watch window then holds instead of rolling back).
 * - A re-verification (`verify: true`, at `after-complete`): a check of the completed release, run
 *   as a gate (a job or a webhook, such as an end-to-end suite against the live service). Until it
 *   passed, the stages after this one promote its build no further; when it fails, the release
 *   stays (a person decides) and the build is revoked in every stage after.
 */
export const HOOK_POINTS = ['pre-deploy', 'after-deploy', 'per-step', 'before-promotion', 'after-complete', 'on-rollback'] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];
/** The points a release runs as one of its own steps (after-deploy runs inside verification). */
export const GATE_POINTS: readonly HookPoint[] = ['pre-deploy', 'per-step', 'before-promotion'];

/** The release event a told-only hook is called from. */
export const HOOK_EVENTS: Readonly<Partial<Record<HookPoint, NotificationType>>> = {
  'after-complete': 'release.completed',
  'on-rollback': 'release.rolled_back',
};

/** https, or plain http to the machine itself (`npm start`, tests): a token never crosses a network in clear. */
const hookUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost'));
  }, 'an https URL (plain http only to 127.0.0.1)')
  .refine((u) => new URL(u).username === '' && new URL(u).password === '', 'no credentials in the URL: the hook gets a Google ID token');

/** A Cloud Run Job: its short name (in the service's project and region) or its full resource name. */
const JOB_RULE = /^([a-z][a-z0-9-]{0,62}|projects\/[a-z0-9-]{1,63}\/locations\/[a-z0-9-]{1,63}\/jobs\/[a-z][a-z0-9-]{0,62})$/;

const WEBHOOK_TIMEOUT_MS = 8_000;

/** The longest a hook may run (a job's `timeout`): a run still marked running well past it can have no result any more. */
export const HOOK_TIMEOUT_MAX_MS = 3_600_000;

export const hookSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and "-", starting with a letter'),
    at: z.enum(HOOK_POINTS),
    url: hookUrl.optional(),
    job: z.string().regex(JOB_RULE, 'a Cloud Run Job: its name, or projects/P/locations/R/jobs/NAME').optional(),
    /**
     * A webhook answers inside one request of the functions (at most 8 s). A job runs on its own and
     * is asked about by the release's timer until it ends or this runs out (at most 1 h).
     */
    timeout: boundedDuration('1s', '1h', 'hook timeout').prefault('5s'),
    barrier: z.boolean().default(false),
    verify: z.boolean().default(false),
  })
  .strict()
  .refine((h) => (h.url === undefined) !== (h.job === undefined), 'a hook is a `url` (webhook) or a `job` (Cloud Run Job), one of them')
  .refine((h) => h.job === undefined || isGate(h), 'a job runs only where the release waits for it: pre-deploy, per-step, before-promotion, or after-complete with barrier or verify')
  .refine((h) => h.url === undefined || h.timeout <= WEBHOOK_TIMEOUT_MS, 'a webhook answers within 8s (a longer suite is a job)')
  .refine((h) => !h.barrier || h.at !== 'after-deploy' && h.at !== 'on-rollback', 'a barrier is a step the release runs: pre-deploy, per-step, before-promotion or after-complete')
  .refine((h) => !h.verify || h.at === 'after-complete', 'verify re-checks a completed release: only at after-complete');
export type Hook = z.output<typeof hookSchema>;

export const hooksSchema = z
  .array(hookSchema)
  .max(10)
  .refine((hooks) => new Set(hooks.map((h) => h.name)).size === hooks.length, 'hook names are unique');

/** Run by the release itself as one of its steps (not told from the release event). */
export function isGate(hook: { at: HookPoint; barrier: boolean; verify?: boolean }): boolean {
  return GATE_POINTS.includes(hook.at) || (hook.at === 'after-complete' && (hook.barrier || hook.verify === true));
}

/** The told-only hooks a release event calls. */
export function hooksFor(hooks: readonly Hook[], type: NotificationType): (Hook & { url: string })[] {
  return hooks.filter((h): h is Hook & { url: string } => !isGate(h) && h.url !== undefined && HOOK_EVENTS[h.at] === type);
}

/** One call of one hook for one event message: what the delivery ledger remembers. */
export const hookDeliveryKey = (messageId: string, hook: Hook): string => `${messageId}|hook|${hook.name}`;

/** One run of a gate hook: at a step, the key carries the step (a per-step hook runs once per step). */
export const hookRunKey = (hook: Pick<Hook, 'name' | 'at'>, stepIndex: number | null): string => (hook.at === 'per-step' ? `${hook.name}@${stepIndex ?? 0}` : hook.name);

/** What the release keeps of each gate hook it ran: the figures behind the decision it led to. */
export const hookRunSchema = z.strictObject({
  key: z.string(),
  hook: z.string(),
  at: z.enum(HOOK_POINTS),
  status: z.enum(['running', 'passed', 'failed']),
  /** A job's execution (projects/…/executions/…), asked about until it ends; null for a webhook. */
  execution: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  detail: z.string().max(500),
});
export type HookRun = z.infer<typeof hookRunSchema>;
