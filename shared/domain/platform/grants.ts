import { z } from 'zod';
import { boundedWildcards, globMatches } from '../glob.js';
import type { ServiceConfig } from '../service-config.js';

/**
 * What a service deploys into and what it trusts is the platform's decision: its project,
 * region, traffic target, build source and chat secrets. Platform admins set them; a grant lets
 * the owners of matching services choose among the values it allows (repositories under
 * `…/apps/checkout-*`, say). Pure: the entry point passes the stored and the proposed config.
 */
const glob = z.string().min(1).max(512).refine(boundedWildcards, 'at most 8 "*" in a pattern');
const globs = z.array(glob).max(50).default([]);

export const grantSchema = z
  .object({
    /** The services (by name, `*` as wildcard) whose owners this grant serves. */
    services: z.array(glob).min(1).max(50),
    projects: globs,
    regions: globs,
    /** Traffic targets (router.target, default the service's name). */
    targets: globs,
    /** Build source: Cloud Build trigger ids, branch and tag patterns, image repositories. */
    triggers: globs,
    branches: globs,
    tags: globs,
    repositories: globs,
    gitRepositories: globs,
    /** Secret Manager secret ids the service's chat routes may name. */
    secrets: globs,
  })
  .strict();
export type Grant = z.output<typeof grantSchema>;

/** One platform-owned field an owner changed beyond every grant: who may change it, and why not. */
export interface FieldRefusal {
  field: string;
  value: string;
  needs: 'platform admin';
}

type GrantList = 'projects' | 'regions' | 'targets' | 'triggers' | 'branches' | 'tags' | 'repositories' | 'gitRepositories' | 'secrets';

/** The traffic target a config claims: what its router moves (the service's own name by default). */
export const targetOf = (config: Pick<ServiceConfig, 'name' | 'project' | 'region' | 'router'>): string => `${config.router.kind}:${config.project}/${config.region}/${config.router.target ?? config.name}`;

/**
 * The platform-owned values `next` holds that `existing` did not, and that no grant for the
 * service allows. An unchanged value needs nothing (an owner re-applies what an admin set).
 * A pattern an owner writes (`release-*`) is allowed when a granted pattern matches its text:
 * the grant's stars then cover the owner's, so the owner's pattern allows no more than the grant.
 */
export function refusedPlatformFields(existing: ServiceConfig | null, next: ServiceConfig, grants: readonly Grant[]): FieldRefusal[] {
  const mine = grants.filter((g) => g.services.some((s) => globMatches(s, next.name)));
  const allowed = (list: GrantList, value: string) => mine.some((g) => g[list].some((p) => globMatches(p, value)));
  const refused: FieldRefusal[] = [];
  const check = (field: string, list: GrantList | null, before: readonly string[], after: readonly string[]) => {
    for (const value of after) {
      if (before.includes(value)) continue;
      if (list === null || !allowed(list, value)) refused.push({ field, value, needs: 'platform admin' });
    }
  };
  const was = existing;
  const src = next.source;
  const wasSrc = was?.source;
  check('project', 'projects', was ? [was.project] : [], [next.project]);
  check('region', 'regions', was ? [was.region] : [], [next.region]);
  check('router.kind', null, was ? [was.router.kind] : [], [next.router.kind]);
  check('router.target', 'targets', was ? [was.router.target ?? was.name] : [], [next.router.target ?? next.name]);
  // Removing the source is a change to it like any other: the platform decides what a service trusts.
  if (!src && wasSrc) refused.push({ field: 'source', value: '(none)', needs: 'platform admin' });
  if (src) {
    check('source.project', 'projects', wasSrc ? [wasSrc.project ?? was.project] : [], [src.project ?? next.project]);
    check('source.location', null, wasSrc ? [wasSrc.location] : [], [src.location]);
    check('source.triggers', 'triggers', wasSrc?.triggers ?? [], src.triggers);
    check('source.branches', 'branches', wasSrc?.branches ?? [], src.branches);
    check('source.tags', 'tags', wasSrc?.tags ?? [], src.tags);
    check('source.repositories', 'repositories', wasSrc?.repositories ?? [], src.repositories);
    check('source.gitRepositories', 'gitRepositories', wasSrc?.gitRepositories ?? [], src.gitRepositories);
    // Dropping every git repository widens the source to any: only an admin, or a grant that allows "*".
    if (src.gitRepositories.length === 0 && (wasSrc?.gitRepositories.length ?? 0) > 0) check('source.gitRepositories', 'gitRepositories', [], ['*']);
  }
  check('notifications.secret', 'secrets', (was?.notifications ?? []).map((r) => r.secret), next.notifications.map((r) => r.secret));
  return refused;
}
