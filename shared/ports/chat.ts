import type { SecretSource } from './secrets.js';

/**
 * Posting one message to a chat incoming webhook (Google Chat, Slack). The adapter retries what is
 * transient a few times with backoff, inside a bounded time; what it returns is final for this
 * attempt: `transient` is retried later (Pub/Sub redelivers), `permanent` is not.
 */
export type ChatSendResult = { status: 'delivered' } | { status: 'transient' | 'permanent'; why: string };

export interface ChatSender {
  send(url: URL, message: { text: string }): Promise<ChatSendResult>;
}

/** Calling one told-only hook: a JSON POST with a Google ID token for its origin, within its timeout. */
export interface HookSender {
  send(url: URL, body: object, timeoutMs: number): Promise<ChatSendResult>;
}

/** What notifyChat needs besides the store: where webhook URLs come from, how they are posted, what they may be. */
export interface ChatDeps {
  secrets: SecretSource;
  sender: ChatSender;
  /** Origins a webhook URL may have (Google Chat's and Slack's in production). */
  allowedOrigins: readonly string[];
  /** The status page, for the message's link; null: no link. */
  pageUrl: string | null;
  /** The service's after-complete and on-rollback hooks are called through this; absent: they are refused, with the reason. */
  hooks?: HookSender;
}
