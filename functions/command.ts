import { randomUUID } from 'node:crypto';
import type { Request, Response } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { COMMANDS, SERVICE_NAME_RULE } from '../shared/domain/index.js';
import { IdentityNotAllowedError, InvalidTokenError, StoreUnavailableError, UpstreamUnavailableError } from '../shared/ports/index.js';
import { RELEASE_ID } from '../shared/ingest/limits.js';
import { withDeadline } from '../shared/runtime/deadline.js';
import { DEFAULT_REQUEST_DEADLINE_MS, type EntryDeps } from './entry.js';
import { applyService } from './apply-service.js';
import { Refusal, authorize, notFound, rolesFor } from './command-auth.js';
import { listPolicies, overridePolicy } from './policy-commands.js';
import { sendReleaseEvent } from './release-event.js';


const bodySchema = z.union([
  z.object({ command: z.enum(COMMANDS), release: z.string().min(1).max(300).regex(RELEASE_ID, 'not a release id'), reason: z.string().max(500).nullish() }).strict(),
  z.object({ command: z.literal('apply'), config: z.record(z.string(), z.unknown()) }).strict(),
  // What the caller may do on a service (the status page shows only the buttons it may use).
  z.object({ command: z.literal('whoami'), service: z.string().min(1).max(63) }).strict(),
  // The kept four keys of releases that ended before they were kept (docs/analytics.md), a page at a time.
  // Deploy policies: those over a service, and letting one release past one of them (a reason is required).
  z.object({ command: z.literal('policies'), service: z.string().regex(SERVICE_NAME_RULE) }).strict(),
  z.object({ command: z.literal('override'), release: z.string().min(1).max(300).regex(RELEASE_ID, 'not a release id'), policy: z.string().min(1).max(63), reason: z.string().trim().min(3).max(500) }).strict(),
  z.object({ command: z.literal('rebuild-stats'), service: z.string().regex(SERVICE_NAME_RULE), cursor: z.string().max(300).regex(RELEASE_ID).nullish() }).strict(),
]);
/** Releases per rebuild-stats call: one transaction each, well inside the request's deadline. */
const REBUILD_PAGE = 50;

/**
 * onCommand: the one way to steer a release or change a service's config. The caller's Google ID
 * token is verified here (signature, audience = this function's URL, expiry), and the verified email
 * is the actor recorded in history; the service config says who may do what. A refusal (401, 403,
 * 404, 409) records nothing. The command's effects run here, in the control plane, at once.
 */
export function onCommand(deps: EntryDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    // The status page calls from its own origin with the person's token: CORS for the origins configured.
    const origin = req.get('origin');
    const allowed = origin !== undefined && (deps.auth?.pageOrigins ?? []).includes(origin);
    if (allowed) res.set({ 'access-control-allow-origin': origin, vary: 'origin' });
    if (req.method === 'OPTIONS') {
      if (allowed) res.set({ 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'authorization, content-type, idempotency-key', 'access-control-max-age': '600' });
      res.status(allowed ? 204 : 403).end();
      return;
    }
    try {
      const answer = await withDeadline(handle(req, deps), deps.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS, 'onCommand');
      res.status(200).json(answer);
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof Refusal) {
        if (error.status === 401) res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        if (error.status === 429) res.setHeader('retry-after', String(Math.ceil(Number(error.extra.retryAfterMs ?? 1000) / 1000)));
        res.status(error.status).json({ status: 'refused', error: error.message, ...error.extra });
        return;
      }
      // The caller gets an id to quote; what failed inside stays in the log, under that id.
      const unavailable = error instanceof StoreUnavailableError || error instanceof UpstreamUnavailableError;
      const errorId = randomUUID();
      deps.log[unavailable ? 'warn' : 'error']({ err: error, errorId }, `onCommand: ${unavailable ? 'dependency unavailable' : 'unexpected error'}`);
      res.status(unavailable ? 503 : 500).json({ status: unavailable ? 'retry' : 'error', error: unavailable ? 'a dependency is unavailable; retry shortly' : 'internal error', errorId });
    }
  };
}

async function handle(req: Request, deps: EntryDeps): Promise<Record<string, unknown>> {
  if (req.method !== 'POST') throw new Refusal(405, 'onCommand takes POST with a JSON body');
  const auth = deps.auth;
  if (!auth) throw new Error('onCommand is not configured: CUTOVER_COMMAND_AUDIENCE (its own URL) is required');
  const token = /^Bearer ([A-Za-z0-9._-]+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (!token) throw new Refusal(401, 'no bearer token: send Authorization: Bearer <Google ID token for this URL>');
  // Who, and whether this deployment serves them, before anything is read or looked up for them.
  const who = await auth.identity.verify(token).catch((error: unknown) => {
    if (error instanceof InvalidTokenError) throw new Refusal(401, `invalid token: ${error.message}`);
    if (error instanceof IdentityNotAllowedError) throw new Refusal(403, error.message);
    throw error;
  });
  const admitted = auth.limiter ? await auth.limiter.take(who.email) : { ok: true as const };
  if (!admitted.ok) throw new Refusal(429, `${who.email}: too many requests; retry in ${Math.ceil(admitted.retryAfterMs / 1000)} s`, { retryAfterMs: admitted.retryAfterMs });
  const parsed = bodySchema.safeParse(req.body);
  if (!parsed.success) throw new Refusal(400, `bad request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  const body = parsed.data;
  const idempotencyKey = req.get('idempotency-key');
  if (idempotencyKey !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(idempotencyKey)) throw new Refusal(400, 'Idempotency-Key: 8–64 letters, digits, "-" or "_"');

  if (body.command === 'apply') return applyService(body.config, who, deps, auth);
  if (body.command === 'policies') return listPolicies(body.service, who, deps, auth);
  if (body.command === 'override') return overridePolicy(body, who, idempotencyKey, deps, auth);
  if (body.command === 'whoami') {
    // Roles, or none: a service that does not exist and one the caller holds no role on read the same.
    const service = await deps.store.getService(body.service);
    const standing = service ? await rolesFor(who, service.config.access, auth) : { roles: [] };
    return { status: 'ok', actor: who.email, service: body.service, roles: standing.roles };
  }
  if (body.command === 'rebuild-stats') {
    const service = await deps.store.getService(body.service);
    if (!service) throw notFound(`service ${body.service}`);
    authorize('apply', who.email, await rolesFor(who, service.config.access, auth), service.name);
    if (body.cursor && (await deps.store.getRelease(body.cursor))?.service !== service.name) throw new Refusal(400, `cursor ${body.cursor} is not a release of ${service.name}`);
    const page = await deps.store.rebuildDelivery(service.name, body.cursor ?? null, REBUILD_PAGE);
    return { status: 'applied', actor: who.email, service: service.name, ...page };
  }

  const what = `release ${body.release}`;
  const release = await deps.store.getRelease(body.release);
  if (!release) throw notFound(what);
  const service = await deps.store.getService(release.service);
  if (!service) throw notFound(what);
  authorize(body.command, who.email, await rolesFor(who, service.config.access, auth), service.name, what);
  return sendReleaseEvent(deps, release, who.email, 'cmd', idempotencyKey, { kind: 'command', releaseId: release.id, command: body.command, actor: who.email, why: body.reason ?? null });
}
