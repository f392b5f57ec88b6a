import { Timestamp } from '@google-cloud/firestore';

/**
 * The domain keeps times as epoch milliseconds; Firestore documents hold them as Timestamps so a
 * person reading the console sees dates and TTL policies work. Convention: every field whose name
 * ends in "At" or "Until" is a time.
 */
const TIME_FIELD = /(At|Until)$/;

export function toDoc(value: unknown, key = ''): unknown {
  if (typeof value === 'number' && TIME_FIELD.test(key)) return Timestamp.fromMillis(value);
  if (Array.isArray(value)) return value.map((item) => toDoc(item));
  if (value !== null && typeof value === 'object' && !(value instanceof Timestamp)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toDoc(v, k);
    return out;
  }
  return value;
}

export function fromDoc(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toMillis();
  if (Array.isArray(value)) return value.map((item) => fromDoc(item));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromDoc(v);
    return out;
  }
  return value;
}
