import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalChatReceiver } from '../../local/chat-receiver.js';
import { WebhookSender } from '../../shared/adapters/http/webhook-sender.js';

/** The ChatSender adapter against a local receiver answering as Google Chat and Slack do. */
const receiver = new LocalChatReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
});
let waits: number[] = [];
const sender = () => new WebhookSender({ attempts: 3, timeoutMs: 300, backoffMs: 100, maxBackoffMs: 1_000, sleep: (ms) => (waits.push(ms), Promise.resolve()) });
beforeEach(() => {
  waits = [];
  receiver.attempts = 0;
  receiver.received.length = 0;
});
const chatUrl = () => new URL(receiver.googleChatUrl());

describe('WebhookSender', () => {
  it('delivers the text as JSON to Google Chat and to Slack', async () => {
    expect(await sender().send(chatUrl(), { text: 'hello' })).toEqual({ status: 'delivered' });
    expect(await sender().send(new URL(receiver.slackUrl()), { text: 'hi' })).toEqual({ status: 'delivered' });
    expect(receiver.received.map((m) => [m.kind, m.text])).toEqual([['google-chat', 'hello'], ['slack', 'hi']]);
  });

  it('retries 5xx and 429 with growing, jittered waits, and honours Retry-After up to its cap', async () => {
    receiver.answerNext({ status: 502 }, { status: 429, headers: { 'retry-after': '30' } });
    expect(await sender().send(chatUrl(), { text: 'x' })).toEqual({ status: 'delivered' });
    expect(receiver.attempts).toBe(3);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBe(1_000); // Retry-After 30 s, capped: the request must end inside its deadline
  });

  it('after its tries, says transient with the last answer; a hung webhook counts as no answer', async () => {
    receiver.answerNext({ status: 503 }, { status: 503 }, { status: 200, delayMs: 1_000 });
    const result = await sender().send(chatUrl(), { text: 'x' });
    expect(result).toEqual({ status: 'transient', why: 'no answer within 300 ms (after 3 tries)' });
    expect(waits).toHaveLength(2);
  });

  it('takes a 4xx as final at once, and refuses to follow a redirect', async () => {
    receiver.answerNext({ status: 403 });
    expect(await sender().send(chatUrl(), { text: 'x' })).toEqual({ status: 'permanent', why: 'the webhook answered 403' });
    receiver.answerNext({ status: 307, headers: { location: 'http://169.254.169.254/' } });
    expect((await sender().send(chatUrl(), { text: 'x' })).status).toBe('permanent');
    expect(receiver.attempts).toBe(2);
    expect(waits).toEqual([]);
  });

  it('says transient, without the URL, when nothing listens', async () => {
    const result = await sender().send(new URL('http://127.0.0.1:9/services/T/B/secret-token'), { text: 'x' });
    expect(result.status).toBe('transient');
    expect(JSON.stringify(result)).not.toContain('secret-token');
  });
});
