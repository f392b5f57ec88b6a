import type { Request, Response } from '@google-cloud/functions-framework';
import { StoreUnavailableError, type ReleaseStore } from '../shared/ports/index.js';
import { parseEnvelope, type PubsubMessage } from '../shared/ingest/envelope.js';
import type { Logger } from '../shared/runtime/logger.js';
import type { ReleaseRuntime } from '../shared/runtime/runtime.js';

export interface EntryDeps {
  runtime: ReleaseRuntime;
  store: ReleaseStore;
  clock: () => number;
  log: Logger;
}

/** What a handler decided about one message; the wrapper turns it into an HTTP answer. */
export type Verdict =
  | { ack: 'handled'; detail: unknown }
  | { ack: 'ignored'; why: string }
  | { ack: 'rejected'; reason: string; why: string };

type MessageHandler = (message: PubsubMessage, deps: EntryDeps) => Promise<Verdict>;

/**
 * The one place errors are caught (functions-framework style). Pub/Sub (and Cloud Tasks) semantics:
 *  - 2xx acknowledges: handled, ignored, or rejected (malformed/foreign input is stored with its
 *    reason in rejectedEvents, so it is never redelivered forever and never lost);
 *  - 503 asks for redelivery: the store was unavailable (transient);
 *  - 500: a bug; Pub/Sub retries and the dead-letter topic catches a message that keeps failing.
 */
export function pubsubEntry(source: string, deps: EntryDeps, handler: MessageHandler) {
  return httpEntry(source, deps, async (req) => {
    const raw = rawBodyOf(req);
    const envelope = parseEnvelope(req.headers, req.body, raw.length);
    if (!envelope.ok) return { verdict: { ack: 'rejected', reason: envelope.reason, why: envelope.message }, attributes: {} };
    return { verdict: await handler(envelope.message, deps), attributes: envelope.message.attributes };
  });
}

const rawBodyOf = (req: Request): Buffer => req.rawBody ?? (typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.alloc(0));

/** The shared HTTP wrapper: turns a verdict into the answer, stores rejected input, maps errors to retry codes. */
export function httpEntry(source: string, deps: EntryDeps, handle: (req: Request) => Promise<{ verdict: Verdict; attributes: Record<string, string> }>) {
  return async (req: Request, res: Response): Promise<void> => {
    const receivedAt = deps.clock();
    const raw = rawBodyOf(req);
    try {
      const { verdict, attributes } = await handle(req);
      if (verdict.ack === 'rejected') {
        const id = await deps.store.recordRejected({
          source,
          reason: verdict.reason,
          message: verdict.why,
          receivedAt,
          body: raw.toString('utf8'),
          bodyBytes: raw.length,
          attributes,
        });
        deps.log.warn({ source, reason: verdict.reason, rejectedId: id, bodyBytes: raw.length }, `${source}: rejected: ${verdict.why}`);
        res.status(200).json({ status: 'rejected', reason: verdict.reason, message: verdict.why, rejectedId: id });
        return;
      }
      if (verdict.ack === 'ignored') deps.log.debug({ source }, `${source}: ignored: ${verdict.why}`);
      res.status(200).json(verdict.ack === 'handled' ? { status: 'handled', detail: verdict.detail } : { status: 'ignored', message: verdict.why });
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        deps.log.warn({ err: error, source }, `${source}: store unavailable, asking for redelivery`);
        res.status(503).json({ status: 'retry', message: error.message });
        return;
      }
      deps.log.error({ err: error, source }, `${source}: unexpected error`);
      res.status(500).json({ status: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };
}
