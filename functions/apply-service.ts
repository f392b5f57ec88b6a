import { ServiceConfigError, mayDo, parseServiceConfig, promotionCycle, refusedPlatformFields, targetOf, type Caller, type FieldRefusal, type ServiceConfig, type ServiceConfigInput } from '../shared/domain/index.js';
import { TargetClaimedError, type CommandAuth } from '../shared/ports/index.js';
import type { EntryDeps } from './entry.js';
import { Refusal, rolesFor } from './command-auth.js';

/**
 * `services apply`: the owners of the service's current config (or a platform admin, for a new
 * service) change it. What the service deploys into and trusts (project, region, target, source,
 * chat secrets) is the platform's: an owner changes those only within a platform grant. A target
 * another service already routes is refused to everyone.
 */
export async function applyService(config: Record<string, unknown>, caller: Caller, deps: EntryDeps, auth: CommandAuth): Promise<Record<string, unknown>> {
  const email = caller.email;
  let parsed;
  try {
    parsed = parseServiceConfig(config);
  } catch (error) {
    if (error instanceof ServiceConfigError) throw new Refusal(400, error.message, { problems: error.problems });
    throw error;
  }
  const existing = await deps.store.getService(parsed.name);
  const standing = await rolesFor(caller, existing ? existing.config.access : null, auth);
  // One answer whether the service exists or not: the refusal tells a stranger nothing.
  if (!mayDo('apply', standing.roles)) throw new Refusal(403, `${email} may not apply service ${parsed.name}: that needs its owner role (a new service: a platform admin)`, { missingRole: 'owner', service: parsed.name });
  // Twice: before the Cloud Build API is asked about the source's project (triggers aside, which
  // are compared by id), and after the trigger names are resolved to ids.
  const refuse = (config: ServiceConfig, fields: (f: string) => boolean) => standing.admin || refuseFields(email, refusedPlatformFields(existing?.config ?? null, config, auth.platform?.grants ?? []).filter((r) => fields(r.field)), config.name);
  refuse(parsed, (f) => f !== 'source.triggers');
  const resolved = await resolveTriggers(parsed, deps);
  const input = (resolved.triggers ? { ...config, source: { ...(config.source as object), triggers: resolved.triggers } } : config) as ServiceConfigInput & { name: string };
  const next = parseServiceConfig(input);
  refuse(next, () => true);
  const target = targetOf(next);
  // A release in flight is moving traffic on its target: the target changes between releases only.
  if (existing?.activeReleaseId && targetOf(existing.config) !== target) throw new Refusal(409, `release ${existing.activeReleaseId} is in flight on ${targetOf(existing.config)}: change the target once it has ended`, { field: 'router', release: existing.activeReleaseId });
  const services = await deps.store.listServices();
  const claimant = services.find((s) => s.name !== next.name && targetOf(s.config) === target);
  if (claimant) throw new Refusal(409, `target ${target} is already routed by service ${claimant.name}: one target, one service`, { field: 'router.target', claimedBy: claimant.name });
  const cycle = promotionCycle(next.name, next.promotion?.from, services.map((s) => ({ name: s.name, from: s.config.promotion?.from })));
  if (cycle) throw new Refusal(409, `promotion.from: ${cycle.join(' ← ')} would be a loop of stages, and no stage of it would ever take a first build`, { field: 'promotion.from', cycle });
  // The store claims the target in the same transaction: two applies racing for one target cannot both win.
  const applied = await deps.store.applyServiceConfig(input, deps.clock()).catch((error: unknown) => {
    if (error instanceof TargetClaimedError) throw new Refusal(409, error.message, { field: 'router.target', claimedBy: error.claimedBy });
    throw error;
  });
  deps.log.info({ service: applied.name, actor: email }, `onCommand: service ${applied.name} applied by ${email}`);
  const from = applied.config.promotion?.from;
  const warnings = [
    ...resolved.warnings,
    ...(applied.config.source || from ? [] : [`service ${applied.name} has no \`source\`: it accepts no build until one is set`]),
    ...(from && !services.some((s) => s.name === from) ? [`promotion.from: no service ${from} yet; ${applied.name} takes its builds once it is applied`] : []),
  ];
  return { status: 'applied', actor: email, service: applied, warnings };
}

function refuseFields(email: string, refused: FieldRefusal[], service: string): void {
  if (refused.length === 0) return;
  const fields = [...new Set(refused.map((r) => r.field))];
  throw new Refusal(403, `${email} may not set ${refused.map((r) => `${r.field} = ${JSON.stringify(r.value)}`).join(', ')} on service ${service}: ${fields.length > 1 ? 'these fields are' : 'that field is'} the platform's (a platform admin, or a platform grant for the service)`, { missingRole: 'platform admin', fields, service });
}

/**
 * Triggers are trusted by id only: a name is free text anyone with builds.editor can give a new
 * trigger. Names written in the config are resolved to ids here, once, through the Cloud Build
 * API, and the ids are what is stored.
 */
async function resolveTriggers(parsed: ReturnType<typeof parseServiceConfig>, deps: EntryDeps): Promise<{ triggers: string[] | null; warnings: string[] }> {
  const source = parsed.source;
  if (!source) return { triggers: null, warnings: [] };
  const project = source.project ?? parsed.project;
  const ids: string[] = [];
  const warnings: string[] = [];
  for (const ref of source.triggers) {
    const trigger = await deps.builds.getTrigger({ project, location: source.location, trigger: ref });
    if (!trigger) throw new Refusal(400, `source.triggers: the Cloud Build API knows no trigger ${JSON.stringify(ref)} in ${project}/${source.location}`, { field: 'source.triggers' });
    if (trigger.id !== ref) warnings.push(`source.triggers: ${ref} stored as its id ${trigger.id} (a build is trusted by its trigger's id, never its name)`);
    ids.push(trigger.id);
  }
  return { triggers: [...new Set(ids)], warnings };
}
