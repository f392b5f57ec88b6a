import { http } from '@google-cloud/functions-framework';
import { installBodyParsing } from './body-parsing.js';
import { httpEntry, pubsubEntry, type EntryDeps } from './entry.js';
import { onCommand } from './command.js';
import { handleAlert, handleCloudBuild, handleTick, handleTimer } from './handlers.js';
import { statusPage } from './status-page.js';
import { handleChatNotification } from './notify-chat.js';
import { handlePromoteStages } from './promote-stages.js';

export const FUNCTION_NAMES = ['onCloudBuild', 'onAlert', 'onTick', 'onTimer', 'onCommand', 'statusPage', 'notifyChat', 'promoteStages'] as const;

/**
 * Registers the entry points with the functions-framework. Each is an HTTP function so binary and
 * structured CloudEvents and legacy Pub/Sub push bodies all reach our own zod validation (the
 * framework does not validate CloudEvents). `get` supplies the wired world on each request.
 */
export function registerFunctions(get: () => EntryDeps): void {
  installBodyParsing();
  const register = (source: Exclude<(typeof FUNCTION_NAMES)[number], 'onTimer' | 'onCommand' | 'statusPage'>, handler: Parameters<typeof pubsubEntry>[2]) => {
    http(source, (req, res) => pubsubEntry(source, get(), handler)(req, res));
  };
  register('onCloudBuild', handleCloudBuild);
  // People steer here, with a verified Google ID token; the verified email is the actor.
  http('onCommand', (req, res) => onCommand(get())(req, res));
  register('onAlert', handleAlert);
  register('onTick', (message, deps) => handleTick(message, deps));
  // Cloud Tasks posts plain JSON, not a Pub/Sub envelope.
  http('onTimer', (req, res) => {
    const deps = get();
    return httpEntry('onTimer', deps, async (r) => ({ verdict: await handleTimer(r.body, deps), attributes: {} }))(req, res);
  });
  // Release events to chat channels: subscribed to cutover-events, beside the release.
  register('notifyChat', handleChatNotification);
  // Environments in order: a release event of one stage → the stages that promote from it.
  register('promoteStages', handlePromoteStages);
  // For people: the read-only status page over the same documents the CLI reads.
  http('statusPage', (req, res) => statusPage(get())(req, res));
}
