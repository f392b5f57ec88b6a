import { SERVICE_NAME_RULE } from '../domain/service-config.js';

/**
 * Bounds on everything that arrives from outside before it becomes a document id, a map key, a
 * query value or stored text. Firestore refuses document ids with "/" or of the form __x__, map
 * keys that are empty or __x__, indexed values over 1,500 bytes and documents over 1 MiB; an
 * input that would hit one of those must be refused (or capped) here, where it is still a value,
 * never inside a transaction, where it is an error that blocks what else the event should do.
 */
export const LIMITS = {
  /** Pub/Sub message ids are decimal strings of about 16 digits; this leaves room, not abuse. */
  messageIdChars: 256,
  /** Cloud Build ids are UUIDs. */
  buildIdChars: 128,
  commitChars: 256,
  imageChars: 1024,
  incidentIdChars: 256,
  /** Alert policy names are matched with an indexed array-contains query (≤ 1,500 bytes); display names are ≤ 512. */
  policyNameChars: 512,
  /** Stored free text (incident summary): the rollback commits with the first 4 KiB. */
  summaryChars: 4096,
  /** Rejected input: the body is kept up to 64 KiB, attributes (as JSON text) up to 8 KiB. */
  rejectedBodyChars: 64 * 1024,
  rejectedAttributesChars: 8 * 1024,
  rejectedMessageChars: 2048,
  releaseIdChars: 300,
} as const;

export const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export { RELEASE_ID_RULE as RELEASE_ID } from '../domain/names.js';

/** The service config's name rule (Cloud Run's): a name that breaks it is never ours, and never reaches a document path. */
export const isServiceName = (value: string | null | undefined): boolean => typeof value === 'string' && SERVICE_NAME_RULE.test(value);

/** Text cut to `max` characters, saying so; null stays null. */
export function capText(text: string, max: number): string;
export function capText(text: string | null, max: number): string | null;
export function capText(text: string | null, max: number): string | null {
  if (text === null || text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 14))}…[truncated]`;
}

/** Pub/Sub attributes as one bounded string: their keys may be anything, which a Firestore map refuses. */
export function attributesText(attributes: Record<string, string>): string {
  return capText(JSON.stringify(attributes), LIMITS.rejectedAttributesChars);
}
