import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
// At most 9 digits and 3 decimals: a 400-digit amount would parse as Infinity.
const DURATION = /^(\d{1,9}(?:\.\d{1,3})?)(ms|s|m|h)$/;

/** Parses "30s", "5m", "1.5h", "250ms" into milliseconds; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const [, amount, unit] = match;
  return Math.round(Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
}

/** Formats milliseconds the way a person reads them back ("5m", "90s", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** A zod schema accepting a duration string and producing milliseconds. */
export const durationSchema = z
  .string()
  .regex(DURATION, { error: (issue) => `${JSON.stringify(issue.input)} is not a duration; use forms like "30s", "5m", "1h"` })
  .describe('A duration such as "30s", "5m", "1h" or "250ms"')
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; use forms like "30s", "5m", "1h"` });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A duration with bounds, checked at `services apply`: 0s would mean "no bake at all", 1000000000h
 * a release stuck for ever. The bounds are stated in the JSON Schema (x-cutover-min/max).
 */
export function boundedDuration(min: string, max: string, what: string) {
  const minMs = parseDuration(min) ?? 0;
  const maxMs = parseDuration(max) ?? Number.MAX_SAFE_INTEGER;
  return durationSchema
    .refine((ms) => ms >= minMs && ms <= maxMs, { error: `${what} must be between ${min} and ${max}` })
    .meta({ description: `${what}: a duration such as "30s", "5m", "1h" or "250ms", between ${min} and ${max}`, 'x-cutover-min': min, 'x-cutover-max': max });
}
