import type { v1 } from '@google-cloud/pubsub';
import type { RequestLogFeed } from '../../ports/index.js';
import { Code, codeOf } from './grpc-errors.js';

/**
 * The request-log stream as a Pub/Sub pull subscription (fed by the Logging sink), read with
 * synchronous pull so one health measurement does one bounded piece of work.
 */
export class PubSubRequestLogFeed implements RequestLogFeed {
  constructor(
    private readonly client: v1.SubscriberClient,
    private readonly subscription: string,
    private readonly timeoutMs = 2_000,
  ) {}

  async pull(maxMessages: number): Promise<{ ackId: string; data: Buffer }[]> {
    let response;
    try {
      [response] = await this.client.pull({ subscription: this.subscription, maxMessages, returnImmediately: true }, { timeout: this.timeoutMs, retry: null });
    } catch (error) {
      // Nothing arrived before the pull's deadline: nothing to count, not a failure.
      if (codeOf(error) === Code.DEADLINE_EXCEEDED) return [];
      throw error;
    }
    return (response.receivedMessages ?? []).map((m) => ({ ackId: m.ackId ?? '', data: Buffer.from(m.message?.data ?? '') }));
  }

  async ack(ackIds: string[]): Promise<void> {
    if (ackIds.length === 0) return;
    await this.client.acknowledge({ subscription: this.subscription, ackIds }, { timeout: this.timeoutMs });
  }
}
