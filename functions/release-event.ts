import type { EventBody, Release } from '../shared/domain/index.js';
import type { EntryDeps } from './entry.js';
import { Refusal, notFound } from './command-auth.js';

/**
 * Hands a person's event about one release to the runtime and answers as onCommand does: the
 * release after it, a duplicate for the same idempotency key, 409 with the reason when the
 * release cannot take it now. The event id carries the verified actor and their key, so the
 * same key from the same person applies once.
 */
export async function sendReleaseEvent(deps: EntryDeps, release: Release, actor: string, kind: string, idempotencyKey: string | undefined, body: EventBody): Promise<Record<string, unknown>> {
  const id = `${kind}:${idempotencyKey ? `${actor}:${idempotencyKey}` : crypto.randomUUID()}`;
  const report = await deps.runtime.handle({ id, service: release.service, at: deps.clock(), body });
  if (report.kind === 'duplicate') return { status: 'duplicate', actor, release: await deps.store.getRelease(release.id) };
  if (report.kind !== 'decided') throw notFound(`release ${release.id}`);
  const after = await deps.store.getRelease(release.id);
  if (report.outcome.status === 'rejected') throw new Refusal(409, report.outcome.message, { outcome: report.outcome, release: after });
  return { status: 'applied', actor, outcome: report.outcome, release: after };
}
