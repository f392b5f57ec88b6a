import { PubSub } from '@google-cloud/pubsub';
import { SUBSCRIPTIONS, TOPICS, type PushedFunction } from '../shared/topology.js';

/**
 * Creates Cutover's topics and push subscriptions on a Pub/Sub emulator, each subscription
 * pushing to the URL of its function. Used by the local stack and the end-to-end tests.
 */
export function emulatorPubSub(projectId: string, emulatorHost: string): PubSub {
  return new PubSub({ projectId, apiEndpoint: emulatorHost, emulatorMode: true });
}

/** `functionUrl` answers undefined for a function not served here: its subscription is not created. */
export async function createTopology(pubsub: PubSub, functionUrl: (fn: PushedFunction) => string | undefined): Promise<void> {
  for (const topic of Object.values(TOPICS)) {
    const [exists] = await pubsub.topic(topic).exists();
    if (!exists) await pubsub.createTopic(topic);
  }
  for (const sub of SUBSCRIPTIONS) {
    const endpoint = functionUrl(sub.fn);
    if (!endpoint) continue;
    const subscription = pubsub.subscription(sub.name);
    const [exists] = await subscription.exists();
    if (exists) await subscription.delete();
    await pubsub.topic(sub.topic).createSubscription(sub.name, {
      pushConfig: { pushEndpoint: endpoint },
      ackDeadlineSeconds: 30,
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 10 } },
    });
  }
}
