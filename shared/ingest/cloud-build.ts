import { z } from 'zod';
import { IMAGE_SUBSTITUTION, SERVICE_SUBSTITUTION, buildStatusSchema, pushedImage, type EventOf } from '../domain/index.js';
import { dataAsJson, type PubsubMessage } from './envelope.js';
import { BUILD_ID, LIMITS, capText, isServiceName } from './limits.js';

/**
 * A Cloud Build status message (topic `cloud-builds`): the Build resource as JSON in
 * message.data, with attributes buildId and status. A build is Cutover's when its
 * substitutions carry _CUTOVER_SERVICE.
 */
export { IMAGE_SUBSTITUTION, SERVICE_SUBSTITUTION };

const buildSchema = z.object({
  id: z.string().min(1),
  status: z.string().optional(),
  substitutions: z.record(z.string(), z.string()).optional(),
  images: z.array(z.string()).optional(),
  results: z.object({ images: z.array(z.object({ name: z.string(), digest: z.string() })).optional() }).optional(),
  sourceProvenance: z
    .object({ resolvedRepoSource: z.object({ commitSha: z.string().optional() }).optional() })
    .optional(),
});
export type BuildResource = z.infer<typeof buildSchema>;

export type BuildMessage =
  | { kind: 'ours'; service: string; body: EventOf<'build'> }
  | { kind: 'notOurs'; buildId: string }
  | { kind: 'malformed'; reason: string };

export function parseBuildMessage(message: PubsubMessage): BuildMessage {
  const json = dataAsJson(message);
  if (json === null) return { kind: 'malformed', reason: 'message.data is not JSON' };
  const parsed = buildSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', reason: `not a Build resource: ${issue?.path.join('.') || 'data'}: ${issue?.message ?? ''}` };
  }
  const build = parsed.data;
  const subs = build.substitutions ?? {};
  const service = subs[SERVICE_SUBSTITUTION];
  if (!service) return { kind: 'notOurs', buildId: build.id.slice(0, LIMITS.buildIdChars) };
  if (!isServiceName(service)) return { kind: 'malformed', reason: `${SERVICE_SUBSTITUTION} ${JSON.stringify(service.slice(0, 80))} is not a service name (lower-case letters, digits and "-", starting with a letter, at most 63)` };
  if (build.id.length > LIMITS.buildIdChars || !BUILD_ID.test(build.id)) return { kind: 'malformed', reason: `build id ${JSON.stringify(build.id.slice(0, 80))} is not a Cloud Build id` };
  const status = buildStatusSchema.safeParse(build.status ?? message.attributes.status);
  if (!status.success) return { kind: 'malformed', reason: `unknown build status ${JSON.stringify(build.status ?? message.attributes.status)}` };
  return {
    kind: 'ours',
    service,
    body: {
      kind: 'build',
      buildId: build.id,
      status: status.data,
      image: capText(imageOf(build), LIMITS.imageChars),
      commit: capText(build.sourceProvenance?.resolvedRepoSource?.commitSha ?? subs.COMMIT_SHA ?? subs.REVISION_ID ?? null, LIMITS.commitChars),
    },
  };
}

/** What the message claims was built: the pushed image by digest (as the domain picks it), else the named one. */
export function imageOf(build: BuildResource): string | null {
  const pinned = pushedImage({ substitutions: build.substitutions ?? {}, pushed: build.results?.images ?? [] });
  if (pinned) return `${pinned.repository}@${pinned.digest}`;
  return build.substitutions?.[IMAGE_SUBSTITUTION] ?? build.images?.[0] ?? null;
}
