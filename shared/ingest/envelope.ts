import { z } from 'zod';
import { LIMITS } from './limits.js';

/**
 * One Pub/Sub message, whichever way it reached us over HTTP:
 *  - binary CloudEvent (Eventarc → 2nd gen function): ce-* headers, body {message, subscription};
 *  - structured CloudEvent: content-type application/cloudevents+json, body {specversion, id, data: {message}};
 *  - legacy Pub/Sub push: body {message, subscription}, no ce-* headers.
 */
export interface PubsubMessage {
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime: string | null;
}

export type EnvelopeFormat = 'binary' | 'structured' | 'push';
export type EnvelopeResult =
  | { ok: true; format: EnvelopeFormat; message: PubsubMessage }
  | { ok: false; reason: 'EmptyBody' | 'BodyTooLarge' | 'NotPubsubMessage'; message: string };

/** Pub/Sub caps a message at 10 MB; anything near that is not a build status or an incident. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const messageSchema = z.object({
  data: z.string().regex(BASE64, 'message.data is not base64').optional(),
  attributes: z.record(z.string(), z.string()).nullish(),
  messageId: z.string().min(1).max(LIMITS.messageIdChars).optional(),
  message_id: z.string().min(1).max(LIMITS.messageIdChars).optional(),
  publishTime: z.string().optional(),
  publish_time: z.string().optional(),
});
const pushSchema = z.object({ message: messageSchema, subscription: z.string().optional() });
const structuredSchema = z.object({ specversion: z.string(), id: z.string().min(1).max(LIMITS.messageIdChars), type: z.string(), data: pushSchema });

export type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function parseEnvelope(headers: Headers, body: unknown, bodyBytes: number): EnvelopeResult {
  if (bodyBytes > MAX_BODY_BYTES) return { ok: false, reason: 'BodyTooLarge', message: `body of ${bodyBytes} bytes exceeds ${MAX_BODY_BYTES}` };
  const parsedBody = normalizeBody(body);
  if (parsedBody === undefined) return { ok: false, reason: 'EmptyBody', message: 'request body is empty' };
  if (parsedBody === null) return { ok: false, reason: 'NotPubsubMessage', message: 'body is not JSON' };

  const contentType = header(headers, 'content-type') ?? '';
  const ceId = header(headers, 'ce-id');
  if (contentType.includes('application/cloudevents+json')) {
    const structured = structuredSchema.safeParse(parsedBody);
    if (!structured.success) return notPubsub(structured.error, 'structured CloudEvent');
    return toMessage('structured', structured.data.data.message, structured.data.id);
  }
  const push = pushSchema.safeParse(parsedBody);
  if (!push.success) return notPubsub(push.error, ceId ? 'binary CloudEvent' : 'Pub/Sub push body');
  return toMessage(ceId ? 'binary' : 'push', push.data.message, ceId);
}

function toMessage(format: EnvelopeFormat, message: z.infer<typeof messageSchema>, fallbackId: string | undefined): EnvelopeResult {
  const messageId = message.messageId ?? message.message_id ?? fallbackId;
  if (!messageId) return { ok: false, reason: 'NotPubsubMessage', message: 'message has no messageId' };
  if (messageId.length > LIMITS.messageIdChars) return { ok: false, reason: 'NotPubsubMessage', message: `messageId is longer than ${LIMITS.messageIdChars} characters` };
  return {
    ok: true,
    format,
    message: {
      messageId,
      data: Buffer.from(message.data ?? '', 'base64'),
      attributes: message.attributes ?? {},
      publishTime: message.publishTime ?? message.publish_time ?? null,
    },
  };
}

function notPubsub(error: z.ZodError, what: string): EnvelopeResult {
  const first = error.issues[0];
  const where = first?.path.length ? first.path.join('.') : 'body';
  return { ok: false, reason: 'NotPubsubMessage', message: `not a ${what}: ${where}: ${first?.message ?? 'invalid'}` };
}

/** The framework hands us parsed JSON, text or a Buffer depending on content-type. undefined = empty, null = not JSON. */
function normalizeBody(body: unknown): unknown {
  if (body === undefined || body === null || body === '') return undefined;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    const text = body.toString().trim();
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }
  if (typeof body === 'object' && Object.keys(body).length === 0) return undefined;
  return body;
}

/** Decodes message.data as JSON; null when it is not. */
export function dataAsJson(message: PubsubMessage): unknown {
  try {
    return JSON.parse(message.data.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
