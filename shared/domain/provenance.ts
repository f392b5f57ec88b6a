import { z } from 'zod';
import { buildStatusSchema, type EventOf } from './events.js';
import { Reason } from './reasons.js';
import { boundedWildcards, globMatches } from './glob.js';

/**
 * Provenance: a release starts only from a build the service trusts. The facts come from the
 * Cloud Build API (fetched by the build's id), never from the Pub/Sub message, which anyone able
 * to publish on the topic or run any build in the project can shape. Pure: the adapter fetches,
 * this judges.
 */

/** A registry path such as europe-west1-docker.pkg.dev/P/repo/checkout (lower case, no tag or digest). */
const REPOSITORY_RULE = /^[a-z0-9][a-z0-9.-]*(:[0-9]{1,5})?(\/[a-z0-9][a-z0-9._-]*)+$/;
/** Branch and tag names, with `*` as the only wildcard (`release-*`), and few of them (matching stays linear). */
const REF_PATTERN_RULE = /^[A-Za-z0-9._/*-]{1,255}$/;
const refPattern = (message: string) => z.string().regex(REF_PATTERN_RULE, message).refine(boundedWildcards, 'at most 8 "*" in a pattern');

export const sourceSchema = z
  .object({
    /** The project whose Cloud Build runs the service's builds (default: the service's project). */
    project: z.string().min(1).max(100).optional(),
    /** The Cloud Build location of those builds: `global` or a region of a private pool. */
    location: z.string().regex(/^[a-z0-9-]{1,63}$/).default('global'),
    /**
     * Trigger ids allowed. A name written here is resolved to its id by `services apply`, and the id
     * is stored: a build is trusted by its trigger's id only. A build started by hand
     * (`gcloud builds submit`) has no trigger and is never trusted.
     */
    triggers: z.array(z.string().min(1).max(128)).min(1, 'name at least one Cloud Build trigger (id or name)').max(50),
    branches: z.array(refPattern('a branch name, `*` as wildcard')).max(50).default([]),
    tags: z.array(refPattern('a tag name, `*` as wildcard')).max(50).default([]),
    /**
     * The git repositories builds may come from, as Cloud Build names them in REPO_FULL_NAME
     * (`owner/name`; `*` as wildcard). Empty: any repository the service's triggers watch.
     */
    gitRepositories: z.array(z.string().max(255).regex(/^[A-Za-z0-9._/*-]+$/, 'owner/name').refine(boundedWildcards, 'at most 8 "*"')).max(50).default([]),
    /** Image repositories allowed, as path prefixes: `…/repo/checkout` allows `…/repo/checkout` and `…/repo/checkout/api`, not `…/repo/checkout-x`. */
    repositories: z.array(z.string().max(512).regex(REPOSITORY_RULE, 'a repository path such as europe-west1-docker.pkg.dev/PROJECT/REPO/IMAGE')).min(1).max(50),
  })
  .strict()
  .refine((s) => s.branches.length + s.tags.length > 0, 'name the branches or tags allowed (at least one)');
export type SourcePolicy = z.output<typeof sourceSchema>;

/** What the Cloud Build API says about a build, as the adapter reads it. */
export interface BuildFacts {
  id: string;
  status: string;
  triggerId: string | null;
  substitutions: Record<string, string>;
  /** The images the build pushed, with their digests (Build.results.images). */
  pushed: { name: string; digest: string }[];
  commit: string | null;
  createTime: number | null;
}

/** What a Pub/Sub message claims about the build. */
export interface BuildClaim {
  service: string;
  buildId: string;
  image: string | null;
}

export const SERVICE_SUBSTITUTION = '_CUTOVER_SERVICE';
export const IMAGE_SUBSTITUTION = '_CUTOVER_IMAGE';

export type BuildJudgement = { ok: true; body: EventOf<'build'> } | { ok: false; reason: Reason; why: string };

const repoOf = (image: string): string => image.replace(/@[^/]*$/, '').replace(/:[^/:@]+$/, '');

/** The image the build pushed for the service: the result matching _CUTOVER_IMAGE, else the only result. */
export function pushedImage(facts: Pick<BuildFacts, 'substitutions' | 'pushed'>): { repository: string; digest: string } | null {
  const named = facts.substitutions[IMAGE_SUBSTITUTION];
  const match = (named ? facts.pushed.find((p) => repoOf(p.name) === repoOf(named)) : undefined) ?? (facts.pushed.length === 1 ? facts.pushed[0] : undefined);
  return match ? { repository: repoOf(match.name), digest: match.digest } : null;
}

export const refMatches = globMatches;

export function repositoryAllowed(repository: string, allowed: readonly string[]): boolean {
  return allowed.some((prefix) => repository === prefix || repository.startsWith(`${prefix}/`));
}

/**
 * Checks in order: a policy exists; the API knows the build; the build is the service's and the
 * message's image is the API's; trigger; branch or tag; on SUCCESS, an image pinned by digest in
 * an allowed repository. The first failure is the reason.
 */
export function judgeBuild(claim: BuildClaim, facts: BuildFacts | null, source: SourcePolicy | undefined): BuildJudgement {
  const no = (reason: Reason, why: string): BuildJudgement => ({ ok: false, reason, why: `build ${claim.buildId}: ${why}` });
  if (!source) return no(Reason.NoSourcePolicy, `service ${claim.service} has no \`source\` in its config, so it accepts no build`);
  if (!facts) return no(Reason.BuildNotFound, 'the Cloud Build API does not know this build');
  const subs = facts.substitutions;
  if (facts.id !== claim.buildId) return no(Reason.BuildMismatch, `the API answered for build ${facts.id}`);
  if (subs[SERVICE_SUBSTITUTION] !== claim.service) return no(Reason.BuildMismatch, `the message names service ${claim.service}; the build itself names ${JSON.stringify(subs[SERVICE_SUBSTITUTION] ?? null)}`);
  const pinned = pushedImage(facts);
  const apiImage = pinned ? `${pinned.repository}@${pinned.digest}` : (subs[IMAGE_SUBSTITUTION] ?? null);
  if (claim.image !== null && apiImage !== null && repoOf(claim.image) !== repoOf(apiImage)) {
    return no(Reason.BuildMismatch, `the message names image ${claim.image}; the build's is ${apiImage}`);
  }
  // By id only: TRIGGER_NAME is whatever the trigger's creator called it, the service's trigger id included.
  if (!facts.triggerId || !source.triggers.includes(facts.triggerId)) {
    return no(Reason.UntrustedTrigger, facts.triggerId ? `trigger ${facts.triggerId} (named ${JSON.stringify(subs.TRIGGER_NAME ?? '')}) is not one of the service's (${source.triggers.join(', ')})` : 'started without a trigger (gcloud builds submit); only the service\'s triggers release');
  }
  // Built-in substitutions are Cloud Build's own (a build cannot override them): the event and the repository.
  if (subs._PR_NUMBER || subs._HEAD_BRANCH) return no(Reason.UntrustedEvent, `a pull request build (#${subs._PR_NUMBER ?? '?'}): its code is not on an allowed branch yet; only pushes release`);
  const repo = subs.REPO_FULL_NAME || null;
  if (source.gitRepositories.length > 0 && (repo === null || !source.gitRepositories.some((p) => globMatches(p, repo)))) {
    return no(Reason.UntrustedRepository, `git repository ${repo ?? '(none named)'} is not allowed (${source.gitRepositories.join(', ')})`);
  }
  const branch = subs.BRANCH_NAME || null;
  const tag = subs.TAG_NAME || null;
  const refOk = (branch !== null && source.branches.some((p) => refMatches(p, branch))) || (tag !== null && source.tags.some((p) => refMatches(p, tag)));
  if (!refOk) return no(Reason.UntrustedRef, `${branch ? `branch ${branch}` : tag ? `tag ${tag}` : 'no branch or tag'} is not allowed (branches: ${source.branches.join(', ') || '-'}; tags: ${source.tags.join(', ') || '-'})`);
  const status = buildStatusSchema.safeParse(facts.status);
  if (!status.success) return no(Reason.BuildMismatch, `the API reports status ${JSON.stringify(facts.status)}`);
  let image: string | null = null;
  // Before SUCCESS nothing is pushed yet: the repository the build says it will push to is checked now, so an
  // untrusted build never even creates a pending release.
  const intended = subs[IMAGE_SUBSTITUTION];
  if (status.data !== 'SUCCESS' && intended && !repositoryAllowed(repoOf(intended), source.repositories)) {
    return no(Reason.UntrustedImage, `image repository ${repoOf(intended)} is not allowed (${source.repositories.join(', ')})`);
  }
  if (status.data === 'SUCCESS') {
    if (!pinned || !/^sha256:[0-9a-f]{64}$/.test(pinned.digest)) return no(Reason.ImageNotPinned, 'the build pushed no image with a sha256 digest for the service; a release deploys only a pinned image');
    if (!repositoryAllowed(pinned.repository, source.repositories)) return no(Reason.UntrustedImage, `image repository ${pinned.repository} is not allowed (${source.repositories.join(', ')})`);
    image = `${pinned.repository}@${pinned.digest}`;
  }
  return { ok: true, body: { kind: 'build', buildId: facts.id, status: status.data, commit: facts.commit, image, createdAt: facts.createTime } };
}
