import { z } from 'zod';
import { boundedDuration } from './duration.js';
import type { NotificationType } from './effects.js';

/**
 * Hooks: a team's own code called at points of a release, as an HTTPS webhook carrying a Google
 * ID token whose audience is the hook's origin, with a timeout.
 * - `after-deploy`: the candidate is ready at 0%: smoke tests on its own URL. A gate: a hook
 *   that fails (not 2xx, no answer in time) fails verification, and the release rolls back before
 *   any user traffic. Called beside the verification checks, and recorded with them.
 * - `after-complete`, `on-rollback`: told, never waited on. Called from the release event, once
 *   per event and hook (the same delivery ledger as chat); a hook that fails is recorded.
 */
export const HOOK_POINTS = ['after-deploy', 'after-complete', 'on-rollback'] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** The release event a told-only hook is called from. */
export const HOOK_EVENTS: Readonly<Record<Exclude<HookPoint, 'after-deploy'>, NotificationType>> = {
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

export const hookSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and "-", starting with a letter'),
    at: z.enum(HOOK_POINTS),
    url: hookUrl,
    /**
     * A hook answers inside one request of the functions (9 s): a smoke endpoint that runs a quick
     * suite. A longer suite is a job the hook starts and a check it passes later (not a hook).
     */
    timeout: boundedDuration('1s', '8s', 'hook timeout').prefault('5s'),
  })
  .strict();
export type Hook = z.output<typeof hookSchema>;

export const hooksSchema = z
  .array(hookSchema)
  .max(10)
  .refine((hooks) => new Set(hooks.map((h) => h.name)).size === hooks.length, 'hook names are unique');

/** The told-only hooks a release event calls. */
export function hooksFor(hooks: readonly Hook[], type: NotificationType): Hook[] {
  return hooks.filter((h) => h.at !== 'after-deploy' && HOOK_EVENTS[h.at] === type);
}

/** One call of one hook for one event message: what the delivery ledger remembers. */
export const hookDeliveryKey = (messageId: string, hook: Hook): string => `${messageId}|hook|${hook.name}`;
