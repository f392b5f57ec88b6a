import bodyParser from 'body-parser';
import type { NextFunction, Request, Response } from 'express';
import { MAX_BODY_BYTES } from '../shared/ingest/envelope.js';

/**
 * The functions-framework parses every body before our code runs, with a 1 GiB limit, and answers
 * a body that is not valid JSON with its own 400 page: the input is never stored, and one huge
 * push could hold a gigabyte. It builds its parsers from body-parser when it creates its server,
 * after our module is loaded, so we wrap the parser factories here: the limit becomes
 * MAX_BODY_BYTES (checked while reading, before parsing), and a body that fails to parse or is too
 * large reaches our entry point marked, where it is stored in rejectedEvents with its reason and
 * acknowledged. A documented shim, not a fork; test/unit/hostile-input tests it through the framework.
 */
export interface BodyProblem {
  reason: 'BodyTooLarge' | 'NotPubsubMessage';
  message: string;
}
export type MarkedRequest = Request & { bodyProblem?: BodyProblem };

type Factory = (options?: Record<string, unknown>) => (req: Request, res: Response, next: NextFunction) => void;
const PATCHED = Symbol.for('cutover.bodyParsingPatched');

function lenient(factory: Factory): Factory {
  return (options = {}) => {
    const parse = factory({ ...options, limit: MAX_BODY_BYTES });
    return (req, res, next) => {
      parse(req, res, (error?: unknown) => {
        const type = (error as { type?: string } | undefined)?.type;
        if (type === 'entity.too.large') {
          const length = Number(req.headers['content-length'] ?? 0);
          (req as MarkedRequest).bodyProblem = { reason: 'BodyTooLarge', message: `body of ${length || 'more than ' + MAX_BODY_BYTES} bytes exceeds ${MAX_BODY_BYTES}` };
          req.body = undefined;
          // Nothing more is read from this request; the answer closes it.
          next();
          return;
        }
        if (type === 'entity.parse.failed') {
          (req as MarkedRequest).bodyProblem = { reason: 'NotPubsubMessage', message: 'body is not JSON' };
          req.body = (req as { rawBody?: Buffer }).rawBody;
          next();
          return;
        }
        next(error as Error | undefined);
      });
    };
  };
}

/** Idempotent: wraps body-parser's factories once per process. */
export function installBodyParsing(): void {
  const parsers = bodyParser as unknown as Record<string | symbol, unknown>;
  if (parsers[PATCHED]) return;
  for (const name of ['json', 'text', 'raw', 'urlencoded'] as const) parsers[name] = lenient(parsers[name] as Factory);
  parsers[PATCHED] = true;
}
