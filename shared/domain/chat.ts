import { z } from 'zod';
import { NOTIFICATION_TYPES, type NotificationType } from './effects.js';
import { RELEASE_ID_RULE, SERVICE_NAME_RULE } from './names.js';

/**
 * Chat notifications: which release events go to which Google Chat or Slack incoming webhook
 * (per service, in its config), what the message says, and which webhook URLs may be called.
 * Pure. The webhook URL itself is a secret (it is the credential), kept in Secret Manager; the
 * config names the secret, never the URL.
 */
export const CHAT_FORMATS = ['google-chat', 'slack'] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];

/** What a channel gets when its config names no events: what needs a person, and the outcome. */
export const DEFAULT_CHAT_EVENTS: readonly NotificationType[] = [
  'release.awaiting_approval',
  'release.completed',
  'release.rolling_back',
  'release.rollback_impossible',
  'release.rolled_back',
  'release.failed',
  'release.paused',
  'release.revoked',
  'release.hook_failed',
];

/** A Secret Manager secret id (letters, digits, "-", "_"), in Cutover's own project. */
export const SECRET_ID_RULE = /^[A-Za-z0-9_-]{1,255}$/;

export const chatRouteSchema = z
  .object({
    format: z.enum(CHAT_FORMATS).describe('google-chat or slack (incoming webhooks)'),
    secret: z.string().regex(SECRET_ID_RULE, 'a Secret Manager secret id in Cutover\'s project; its latest version holds the webhook URL'),
    events: z.array(z.enum(NOTIFICATION_TYPES)).min(1).max(NOTIFICATION_TYPES.length).optional().describe('Release events sent here; default: approvals, outcomes and rollbacks'),
  })
  .strict();
export type ChatRoute = z.output<typeof chatRouteSchema>;
export const chatRoutesSchema = z.array(chatRouteSchema).max(10);

/** The release event as published on cutover-events (docs/deploy-gcp.md), read as hostile input. */
export const releaseEventPayloadSchema = z.object({
  schemaVersion: z.literal(1),
  type: z.enum(NOTIFICATION_TYPES),
  service: z.string().regex(SERVICE_NAME_RULE),
  releaseId: z.string().max(300).regex(RELEASE_ID_RULE),
  phase: z.string().max(40),
  reason: z.string().max(100),
  cause: z.string().max(100).nullable().optional(),
  message: z.string().max(4_000),
  trafficPercent: z.number().min(0).max(100),
  at: z.string().max(40),
});
export type ReleaseEventPayload = z.infer<typeof releaseEventPayloadSchema>;

export const routesFor = (routes: readonly ChatRoute[], type: NotificationType): ChatRoute[] =>
  routes.filter((r) => (r.events ?? DEFAULT_CHAT_EVENTS).includes(type));

/** A stable key per message and channel: a channel that already has a message is not sent it again. */
export const chatDeliveryKey = (messageId: string, route: ChatRoute): string => `${messageId}|${route.format}|${route.secret}`;

/**
 * A webhook URL may be called only over https on one of the allowed origins (Google Chat's and
 * Slack's by default): the secret's content is data someone wrote, and must not aim Cutover's
 * identity at anything else (the metadata server, an internal host).
 */
export function checkWebhookUrl(text: string, format: ChatFormat, allowedOrigins: readonly string[]): { ok: true; url: URL } | { ok: false; why: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, why: 'the secret does not hold a URL' };
  }
  if (url.username || url.password) return { ok: false, why: 'a webhook URL carries no user or password' };
  if (!allowedOrigins.includes(url.origin)) return { ok: false, why: `${url.origin} is not an allowed webhook origin (${allowedOrigins.join(', ')})` };
  const path = format === 'google-chat' ? /^\/v1\/spaces\/[^/]+\/messages$/ : /^\/services\/[^?#]+$/;
  // The path is not quoted back: for Slack it holds the token.
  if (!path.test(url.pathname)) return { ok: false, why: `not a ${format} incoming webhook path` };
  return { ok: true, url };
}

const TITLES: Partial<Record<NotificationType, string>> = {
  'release.completed': 'released',
  'release.rolled_back': 'rolled back',
  'release.rolling_back': 'rolling back',
  'release.rollback_impossible': 'cannot roll back',
  'release.failed': 'failed',
  'release.awaiting_approval': 'awaiting approval',
  'release.revoked': 'digest revoked upstream',
  'release.hook_failed': 'hook failed',
};
const ICONS: Partial<Record<NotificationType, string>> = {
  'release.completed': '✅',
  'release.rolled_back': '↩️',
  'release.rolling_back': '⚠️',
  'release.rollback_impossible': '🛑',
  'release.failed': '❌',
  'release.awaiting_approval': '✋',
  'release.revoked': '🚫',
  'release.hook_failed': '🪝',
};

/** Neither format may read a person's text as markup or a mention: `<`, `>` and `&` are escaped. */
const plain = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The message, as both Google Chat and Slack read it: `*bold*`, `` `code` `` and `<url|text>` links
 * mean the same in both. It names the service, the release, the phase, the reason (and the cause
 * of a rollback) and links to the release on the status page.
 */
export function chatMessage(event: ReleaseEventPayload, pageUrl: string | null): { text: string } {
  const title = TITLES[event.type] ?? event.type.replace(/^release\./, '').replace(/_/g, ' ');
  const why = event.cause && event.cause !== event.reason ? `${event.reason}, cause ${event.cause}` : event.reason;
  const link = pageUrl ? `\n<${pageUrl}?release=${encodeURIComponent(event.releaseId)}|Open the release>` : '';
  const text = `${ICONS[event.type] ?? 'ℹ️'} *${plain(event.service)}* ${title}: \`${plain(event.releaseId)}\`\nphase ${plain(event.phase)} · ${plain(why)} · candidate at ${event.trafficPercent}%\n${plain(event.message.slice(0, 1_000))}${link}`;
  return { text };
}

/** How a webhook's answer is taken: delivered; worth retrying (429, 5xx, no answer); or refused for good. */
export function classifyWebhookStatus(status: number): 'delivered' | 'transient' | 'permanent' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  return 'permanent';
}
