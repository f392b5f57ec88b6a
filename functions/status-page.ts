import type { Request, Response } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { DEFAULT_EFFECT_POLICY, availableCommands, dayOf, dayWindow, keysFromDays, regionReleaseId, wavesOf, type FourKeys, type Release, type ServiceState } from '../shared/domain/index.js';
import { StoreUnavailableError } from '../shared/ports/index.js';
import { renderOverview, renderRelease, escapeHtml } from '../shared/views/status-page.js';
import { policiesInForce } from '../shared/views/policies.js';
import type { EntryDeps } from './entry.js';

export const PAGE_HEADERS = {
  'content-security-policy': "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Releases shown per service on the overview; `cutover status -n` shows more. */
const RELEASES_PER_SERVICE = 5;
const HISTORY_ENTRIES = 200;

const querySchema = z.object({
  release: z.string().min(1).max(300).optional(),
  format: z.enum(['html', 'json']).optional(),
});

/** The kept four keys (one document per day: 60 for two 30-day windows) read at most once a minute per service and instance. */
const KEYS_TTL_MS = 60_000;
type Keys = { current: FourKeys; previous: FourKeys };
const keysCache = new WeakMap<object, Map<string, { at: number; value: Keys }>>();

async function keysOf(deps: Pick<EntryDeps, 'store'>, service: string, now: number): Promise<Keys> {
  const perStore = keysCache.get(deps.store) ?? new Map<string, { at: number; value: Keys }>();
  keysCache.set(deps.store, perStore);
  const cached = perStore.get(service);
  if (cached && now - cached.at < KEYS_TTL_MS && now >= cached.at) return cached.value;
  const current = dayWindow(now, 30);
  const previous = dayWindow(now, 30, 30);
  const days = await deps.store.deliveryDays(service, dayOf(previous.from), dayOf(current.to - 1));
  const value = { current: keysFromDays(days, current.from, current.to), previous: keysFromDays(days, previous.from, previous.to) };
  perStore.set(service, { at: now, value });
  return value;
}

/** A release in several regions: its regions' releases that started (the service's waves name them). */
async function regionsOf(deps: Pick<EntryDeps, 'store'>, release: Release, service: ServiceState | null): Promise<Release[]> {
  if (!release.rollout || !service) return [];
  const ids = wavesOf(service.config).flat().map((region) => regionReleaseId(release.id, region));
  return (await Promise.all(ids.map((id) => deps.store.getRelease(id)))).filter((r): r is Release => r !== null);
}

/** The page's buttons: only where steering is set up, and only the commands decide() would take now. */
function steeringFor(deps: Pick<EntryDeps, 'page' | 'deployPolicies'>, release: Release, service: ServiceState | null, now: number) {
  if (!deps.page) return undefined;
  return { page: deps.page, commands: service ? availableCommands({ service, releases: [release] }, release, now, DEFAULT_EFFECT_POLICY, deps.deployPolicies ?? []) : [] };
}

/**
 * `statusPage`: the read-only web page over the same Firestore documents the CLI reads.
 * GET `?` → every service with its latest releases; GET `?release=ID` → one release with its
 * history; add `format=json` (or send `Accept: application/json`) for the data instead of HTML.
 */
export function statusPage(deps: Pick<EntryDeps, 'store' | 'clock' | 'log' | 'page' | 'deployPolicies'>) {
  return async (req: Request, res: Response): Promise<void> => {
    // No page of Cutover's may be framed (its buttons steer production), sniffed or leak its URL.
    res.set(PAGE_HEADERS);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('allow', 'GET, HEAD').type('text/plain').send('the status page only reads: commands go to onCommand (the page\'s buttons, or the cutover CLI)\n');
      return;
    }
    const query = querySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).type('text/plain').send(`bad query: ${query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
      return;
    }
    const json = query.data.format ? query.data.format === 'json' : req.accepts(['html', 'json']) === 'json';
    const now = deps.clock();
    try {
      const { release: releaseId } = query.data;
      if (releaseId) {
        const release = await deps.store.getRelease(releaseId);
        if (!release) {
          res.status(404).type(json ? 'application/json' : 'text/html').send(json ? { error: `release ${releaseId} not found` } : `<!doctype html><p>Release ${escapeHtml(releaseId)} not found. <a href="?">All releases</a></p>\n`);
          return;
        }
        const history = await deps.store.history(releaseId, HISTORY_ENTRIES);
        // One read of the service serves the buttons and the regions.
        const service = release.rollout || deps.page ? await deps.store.getService(release.service) : null;
        const regions = await regionsOf(deps, release, service);
        if (json) res.status(200).json({ release, history, ...(regions.length ? { regions } : {}) });
        else res.status(200).type('text/html').send(renderRelease({ release, history, now, steering: steeringFor(deps, release, service, now), regions }));
        return;
      }
      const services = await deps.store.listServices();
      const withReleases = await Promise.all(services.map(async (service) => ({ service, releases: await deps.store.listReleases(service.name, RELEASES_PER_SERVICE * (1 + wavesOf(service.config).flat().length)), keys: await keysOf(deps, service.name, now) })));
      if (json) res.status(200).json({ services: withReleases.map(({ service, releases }) => ({ service: service.name, releases })) });
      else res.status(200).type('text/html').send(renderOverview({ services: withReleases.map((s) => ({ ...s, policies: policiesInForce(s.service, deps.deployPolicies ?? [], now) })), now }));
    } catch (error) {
      const unavailable = error instanceof StoreUnavailableError;
      const errorId = randomUUID();
      deps.log[unavailable ? 'warn' : 'error']({ err: error, errorId }, 'statusPage: could not read the store');
      res.status(unavailable ? 503 : 500).type('text/plain').send(`${unavailable ? 'Firestore is unavailable; try again shortly' : 'internal error'} (error id ${errorId})\n`);
    }
  };
}
