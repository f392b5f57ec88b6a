import { chatDeliveryKey, chatMessage, checkWebhookUrl, hookDeliveryKey, hooksFor, isRegionRelease, routesFor, type ChatRoute, type Hook, type ReleaseEventPayload } from '../shared/domain/index.js';
import { SecretUnreadableError, UpstreamUnavailableError, type ChatDeps, type ChatSendResult } from '../shared/ports/index.js';
import type { PubsubMessage } from '../shared/ingest/envelope.js';
import type { EntryDeps, Verdict } from './entry.js';
import { parseReleaseEventMessage } from './release-event-message.js';

type Status = 'delivered' | 'already' | 'refused' | 'transient';
type RouteResult = { route: ChatRoute; status: Status; why?: string };
type HookResult = { hook: Hook & { url: string }; status: Status; why?: string };

/**
 * notifyChat: one release event from `cutover-events` → the service's chat channels that asked
 * for it. It runs beside the release, never in its path: the control plane only published the
 * event. Each channel is posted once (a redelivery skips channels already done); a channel that
 * fails for a while makes the whole message answer 503, so Pub/Sub retries it with backoff (and
 * keeps it on the dead-letter topic after its attempts); a channel refused for good (no secret,
 * a URL that is not an allowed webhook, a 4xx) is stored in rejectedEvents with the reason. The
 * service's told-only hooks (after-complete, on-rollback) are called the same way, once each.
 */
export async function handleChatNotification(message: PubsubMessage, deps: EntryDeps): Promise<Verdict> {
  const chat = deps.chat;
  if (!chat) return { ack: 'ignored', why: 'chat notifications are not configured here' };
  const parsed = parseReleaseEventMessage(message);
  if (!parsed.ok) return parsed.verdict;
  const event = parsed.event;
  const service = await deps.store.getService(event.service);
  if (!service) return { ack: 'ignored', why: `service ${event.service} is not registered (any more)` };
  const routes = routesFor(service.config.notifications, event.type);
  // A release in several regions calls its hooks once, as the rollout; its regions' releases only tell chat.
  const hooks = isRegionRelease(event.releaseId) ? [] : hooksFor(service.config.hooks, event.type);
  if (routes.length === 0 && hooks.length === 0) return { ack: 'ignored', why: `no chat channel or hook of ${event.service} takes ${event.type}` };
  // The store is the authority: an event about a release Cutover does not hold (or holds for
  // another service) did not come from Cutover, whatever the message says.
  const release = await deps.store.getRelease(event.releaseId);
  if (!release || release.service !== event.service) return { ack: 'rejected', reason: 'UnknownRelease', why: `release ${event.releaseId} of ${event.service} is not in Cutover's state` };
  const done = await deps.store.chatDeliveriesDone([...routes.map((r) => chatDeliveryKey(message.messageId, r)), ...hooks.map((h) => hookDeliveryKey(message.messageId, h))]);
  // Channels and hooks are independent: one slow webhook does not hold the others back.
  const [results, hookResults] = await Promise.all([
    Promise.all(routes.map((route): Promise<RouteResult> => (done.has(chatDeliveryKey(message.messageId, route)) ? Promise.resolve({ route, status: 'already' }) : deliver(route, event, message, deps, chat)))),
    Promise.all(hooks.map((hook): Promise<HookResult> => (done.has(hookDeliveryKey(message.messageId, hook)) ? Promise.resolve({ hook, status: 'already' }) : callHook(hook, event, message, deps, chat)))),
  ]);
  const all = [...results.map((r) => ({ status: r.status, text: describe(r) })), ...hookResults.map((r) => ({ status: r.status, text: `hook ${r.hook.name}: ${r.why ?? r.status}` }))];
  const waiting = all.filter((r) => r.status === 'transient');
  if (waiting.length) throw new UpstreamUnavailableError(`chat: ${waiting.map((r) => r.text).join('; ')}`);
  const refused = all.filter((r) => r.status === 'refused');
  if (refused.length) return { ack: 'rejected', reason: 'ChatRefused', why: refused.map((r) => r.text).join('; ') };
  return { ack: 'handled', detail: [...results.map((r) => ({ format: r.route.format, secret: r.route.secret, status: r.status })), ...hookResults.map((r) => ({ hook: r.hook.name, status: r.status }))] };
}

const describe = (r: RouteResult): string => `${r.route.format} via secret ${r.route.secret}: ${r.why ?? r.status}`;

/**
 * The end of one send in the delivery ledger: delivered, or refused for good (both recorded, so a
 * redelivered message skips it); transient is left for Pub/Sub's redelivery.
 */
async function settled(key: string, sent: ChatSendResult, deps: EntryDeps): Promise<{ status: Status; why?: string }> {
  if (sent.status === 'transient') return { status: 'transient', why: sent.why };
  const refused = sent.status === 'permanent';
  await deps.store.recordChatDelivery(key, refused ? { status: 'refused', at: deps.clock(), why: sent.why } : { status: 'delivered', at: deps.clock() });
  return refused ? { status: 'refused', why: sent.why } : { status: 'delivered' };
}

/** A told-only hook: the release event as JSON, with the hook's name and point, once per message. */
async function callHook(hook: Hook & { url: string }, event: ReleaseEventPayload, message: PubsubMessage, deps: EntryDeps, chat: ChatDeps): Promise<HookResult> {
  const sent: ChatSendResult = chat.hooks ? await chat.hooks.send(new URL(hook.url), { hook: hook.name, at: hook.at, event }, hook.timeout) : { status: 'permanent', why: 'hooks are not configured in this installation' };
  return { hook, ...(await settled(hookDeliveryKey(message.messageId, hook), sent, deps)) };
}

async function deliver(route: ChatRoute, event: ReleaseEventPayload, message: PubsubMessage, deps: EntryDeps, chat: ChatDeps): Promise<RouteResult> {
  const key = chatDeliveryKey(message.messageId, route);
  const refuse = async (why: string): Promise<RouteResult> => ({ route, ...(await settled(key, { status: 'permanent', why }, deps)) });
  let text: string;
  try {
    text = await chat.secrets.read(route.secret);
  } catch (error) {
    if (error instanceof SecretUnreadableError) return refuse(`secret unreadable (${error.problem})`);
    if (error instanceof UpstreamUnavailableError) return { route, status: 'transient', why: 'Secret Manager unavailable' };
    throw error;
  }
  const url = checkWebhookUrl(text, route.format, chat.allowedOrigins);
  if (!url.ok) return refuse(url.why);
  return { route, ...(await settled(key, await chat.sender.send(url.url, chatMessage(event, chat.pageUrl)), deps)) };
}
