import { classifyWebhookStatus } from '../../domain/index.js';
import type { ChatSender, ChatSendResult } from '../../ports/index.js';

export interface WebhookSenderOptions {
  /** Tries per message, the first included. Default 3. */
  attempts?: number;
  /** One POST's deadline. Default 2 s: three tries and their waits stay inside a 9 s request. */
  timeoutMs?: number;
  /** Wait before the second try; doubled for each next one, with jitter, capped by maxBackoffMs. Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Headers each POST carries for its URL (a hook's Google ID token); none for chat webhooks, whose URL is the credential. */
  headers?: (url: URL) => Promise<Record<string, string>>;
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * ChatSender over fetch. Redirects are not followed (a webhook that redirects is refused: the
 * URL was checked, where it redirects to was not). A 429's Retry-After is honoured up to the cap.
 * Never logs or returns the URL: for Slack and Google Chat the URL is the credential.
 */
export class WebhookSender implements ChatSender {
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly headers: ((url: URL) => Promise<Record<string, string>>) | undefined;

  constructor(options: WebhookSenderOptions = {}) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 2_000;
    this.sleep = options.sleep ?? sleeper;
    this.headers = options.headers;
  }

  /** Posts `message` as JSON; `timeoutMs` bounds each try (a hook's own timeout), the sender's default otherwise. */
  async send(url: URL, message: object, timeoutMs = this.timeoutMs): Promise<ChatSendResult> {
    let last: ChatSendResult = { status: 'transient', why: 'not tried' };
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      const { result, retryAfterMs } = await this.once(url, message, timeoutMs);
      if (result.status !== 'transient') return result;
      last = { status: 'transient', why: `${result.why} (after ${attempt} ${attempt === 1 ? 'try' : 'tries'})` };
      if (attempt < this.attempts) {
        const backoff = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
        await this.sleep(Math.min(this.maxBackoffMs, retryAfterMs ?? backoff * (0.5 + Math.random() / 2)));
      }
    }
    return last;
  }

  private async once(url: URL, message: object, timeoutMs: number): Promise<{ result: ChatSendResult; retryAfterMs?: number }> {
    try {
      const extra = this.headers ? await this.headers(url) : {};
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=UTF-8', ...extra },
        body: JSON.stringify(message),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 300 && res.status < 400) return { result: { status: 'permanent', why: `the webhook answered a redirect (${res.status}); redirects are not followed` } };
      const kind = classifyWebhookStatus(res.status);
      if (kind === 'delivered') return { result: { status: 'delivered' } };
      const retryAfter = Number(res.headers.get('retry-after'));
      return { result: { status: kind, why: `the webhook answered ${res.status}` }, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1_000 } : {}) };
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return { result: { status: 'transient', why: timedOut ? `no answer within ${timeoutMs} ms` : `could not reach the webhook (${(error as Error).name})` } };
    }
  }
}
