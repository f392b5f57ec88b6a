import { randomUUID } from 'node:crypto';
import type { Request, Response } from '@google-cloud/functions-framework';
import { StoreUnavailableError, UpstreamUnavailableError, type AlertPolicyAuthority, type BuildAuthority, type ChatDeps, type CommandAuth, type ReleaseStore } from '../shared/ports/index.js';
import type { MarkedRequest } from './body-parsing.js';
import type { PlatformDeployPolicy } from '../shared/domain/index.js';
import type { PageSteering } from '../shared/views/steering.js';
import { MAX_BODY_BYTES, parseEnvelope, type PubsubMessage } from '../shared/ingest/envelope.js';
import { LIMITS, attributesText, capText } from '../shared/ingest/limits.js';
import { withDeadline } from '../shared/runtime/deadline.js';
import type { Logger } from '../shared/runtime/logger.js';
import type { ReleaseRuntime } from '../shared/runtime/runtime.js';

export interface EntryDeps {
  runtime: ReleaseRuntime;
  store: ReleaseStore;
  /** The Cloud Build API: a build message is trusted only for what it says of the build. */
  builds: BuildAuthority;
  /** Cloud Monitoring's alert policies: an incident is acted on only for a policy this vouches for. */
  alertPolicies: AlertPolicyAuthority;
  /** onCommand only: verifying who asks, and their roles. */
  auth?: CommandAuth;
  /** onTick: keeps the request-log sink's filter on the candidates in play (telemetry health only). */
  telemetrySink?: { sync(revisions: readonly string[]): Promise<boolean> };
  /** notifyChat only: webhook secrets, the sender, the allowed webhook origins, the page's URL for links. */
  chat?: ChatDeps;
  /** The platform's deploy policies (statusPage shows those in force). */
  deployPolicies?: readonly PlatformDeployPolicy[];
  /** statusPage only: where its buttons send commands and how people sign in (absent: a read-only page). */
  page?: PageSteering;
  clock: () => number;
  log: Logger;
  /** The whole request's deadline (default 9 s): past it the answer is 503, well inside Pub/Sub's ack deadline. */
  requestDeadlineMs?: number;
}

export const DEFAULT_REQUEST_DEADLINE_MS = 9_000;

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
    const raw = await readBody(req);
    const problem = (req as MarkedRequest).bodyProblem;
    if (problem) return { verdict: { ack: 'rejected', reason: problem.reason, why: problem.message }, attributes: {} };
    const envelope = parseEnvelope(req.headers, req.body, raw.length);
    if (!envelope.ok) return { verdict: { ack: 'rejected', reason: envelope.reason, why: envelope.message }, attributes: {} };
    return { verdict: await handler(envelope.message, deps), attributes: envelope.message.attributes };
  });
}

const rawBodyOf = (req: Request): Buffer => req.rawBody ?? (typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.alloc(0));

/**
 * The body as sent. With no content type no parser of the framework reads the request, so its
 * body is still in the stream: read it here (bounded), rather than take it for empty and lose it.
 */
async function readBody(req: Request): Promise<Buffer> {
  if (req.rawBody || !req.readable || req.headers['content-type']) return rawBodyOf(req);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      // Refused as the framework's parsers refuse it (they stop reading, as here): marked, stored, acknowledged.
      (req as MarkedRequest).bodyProblem = { reason: 'BodyTooLarge', message: `body of more than ${MAX_BODY_BYTES} bytes exceeds ${MAX_BODY_BYTES}` };
      req.off('data', onData);
      req.pause();
      resolve();
    };
    req.on('data', onData);
    req.once('end', () => resolve());
    req.once('error', reject);
  });
  const raw = Buffer.concat(chunks);
  req.rawBody = raw;
  req.body = raw;
  return raw;
}

/** The shared HTTP wrapper: turns a verdict into the answer, stores rejected input, maps errors to retry codes. */
export function httpEntry(source: string, deps: EntryDeps, handle: (req: Request) => Promise<{ verdict: Verdict; attributes: Record<string, string> }>) {
  return async (req: Request, res: Response): Promise<void> => {
    const receivedAt = deps.clock();
    const deadlineMs = deps.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
    // Past the deadline the answer is 503; the work may still finish (its commit is deduplicated on
    // redelivery), but it no longer writes the answer, and its failure is only logged.
    const work = answer(req, res, receivedAt);
    work.catch((error: unknown) => res.headersSent && deps.log.warn({ err: error, source }, `${source}: failed after the deadline`));
    try {
      await withDeadline(work, deadlineMs, `${source} handling a request`);
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof StoreUnavailableError || error instanceof UpstreamUnavailableError) {
        deps.log.warn({ err: error, source }, `${source}: ${error instanceof StoreUnavailableError ? 'store' : 'dependency'} unavailable, asking for redelivery`);
        res.status(503).json({ status: 'retry', message: error.message });
        return;
      }
      // An id to quote, not the error's text: internals stay in the log.
      const errorId = randomUUID();
      deps.log.error({ err: error, source, errorId }, `${source}: unexpected error`);
      res.status(500).json({ status: 'error', message: 'internal error', errorId });
    }
  };

  async function answer(req: Request, res: Response, receivedAt: number): Promise<void> {
    const { verdict, attributes } = await handle(req);
    if (res.headersSent) return;
    if (verdict.ack === 'rejected') {
      const raw = rawBodyOf(req);
      const id = await deps.store.recordRejected({
        source,
        reason: verdict.reason,
        message: capText(verdict.why, LIMITS.rejectedMessageChars),
        receivedAt,
        body: capText(raw.subarray(0, LIMITS.rejectedBodyChars * 4).toString('utf8'), LIMITS.rejectedBodyChars),
        bodyBytes: Math.max(raw.length, Number(req.headers['content-length'] ?? 0) || 0),
        attributes: attributesText(attributes),
      });
      deps.log.warn({ source, reason: verdict.reason, rejectedId: id, bodyBytes: raw.length }, `${source}: rejected: ${verdict.why.slice(0, 500)}`);
      if (res.headersSent) return;
      // The rest of a body refused for its size was never read: the connection cannot be reused.
      if (verdict.reason === 'BodyTooLarge') res.setHeader('connection', 'close');
      res.status(200).json({ status: 'rejected', reason: verdict.reason, message: verdict.why, rejectedId: id });
      return;
    }
    if (verdict.ack === 'ignored') deps.log.debug({ source }, `${source}: ignored: ${verdict.why}`);
    res.status(200).json(verdict.ack === 'handled' ? { status: 'handled', detail: verdict.detail } : { status: 'ignored', message: verdict.why });
  }
}
