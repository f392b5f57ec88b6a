import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * Time windows in a time zone, as people write them: one-time (a date-time to a date-time) and
 * weekly (days of the week, a wall-clock start and end). Wall-clock times are resolved in the
 * zone by luxon (IANA data from Intl), so "09:00–17:00" is 09:00–17:00 on the local clock in
 * summer and in winter. On a spring-forward day a time in the gap moves forward by the gap
 * (02:30 → 03:30 in Berlin); on a fall-back day an ambiguous time is its second occurrence (the
 * standard-time offset). Pure: `now` is passed in.
 */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/;

export const timeZoneSchema = z.string().max(64).refine((zone) => IANAZone.isValidZone(zone), 'an IANA time zone such as Europe/Berlin or UTC');

export const oneTimeWindowSchema = z
  .object({
    /** Local date-times in the policy's zone, YYYY-MM-DDTHH:mm (seconds optional). */
    start: z.string().regex(LOCAL_DATE_TIME, 'YYYY-MM-DDTHH:mm[:ss], in the policy\'s time zone'),
    end: z.string().regex(LOCAL_DATE_TIME, 'YYYY-MM-DDTHH:mm[:ss], in the policy\'s time zone'),
  })
  .strict()
  .refine((w) => w.start.padEnd(19, ':00') < w.end.padEnd(19, ':00'), 'a one-time window ends after it starts');

export const weeklyWindowSchema = z
  .object({
    days: z.array(z.enum(DAYS)).min(1).max(7),
    /** HH:mm on the clock of the policy's zone; `end` may be 24:00. An end before the start runs past midnight into the next day. */
    start: z.string().regex(CLOCK, 'HH:mm'),
    end: z.string().regex(CLOCK, 'HH:mm, or 24:00'),
  })
  .strict()
  .refine((w) => w.start !== w.end, 'a weekly window has a length');

export const windowsSchema = z
  .object({
    oneTime: z.array(oneTimeWindowSchema).max(50).default([]),
    weekly: z.array(weeklyWindowSchema).max(50).default([]),
  })
  .strict()
  .refine((w) => w.oneTime.length + w.weekly.length > 0, 'name at least one window');
export type Windows = z.output<typeof windowsSchema>;

export interface Interval {
  start: number;
  end: number;
}

const minutes = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));

function at(day: DateTime, minuteOfDay: number): number {
  // 24:00 is the next day's midnight, resolved on that day (it may itself be shifted by DST).
  const base = minuteOfDay >= 1440 ? day.plus({ days: 1 }) : day;
  const m = minuteOfDay % 1440;
  return base.set({ hour: Math.floor(m / 60), minute: m % 60, second: 0, millisecond: 0 }).toMillis();
}

/** Every occurrence of the windows that overlaps [from, to), as absolute instants. */
export function occurrences(windows: Windows, zone: string, from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const w of windows.oneTime) {
    const start = DateTime.fromISO(w.start, { zone }).toMillis();
    const end = DateTime.fromISO(w.end, { zone }).toMillis();
    if (end > from && start < to) out.push({ start, end });
  }
  if (windows.weekly.length > 0) {
    // A weekly window that runs past midnight started the day before `from`.
    let day = DateTime.fromMillis(from, { zone }).startOf('day').minus({ days: 1 });
    const last = DateTime.fromMillis(to, { zone }).startOf('day');
    while (day <= last) {
      const weekday = DAYS[day.weekday - 1];
      for (const w of windows.weekly) {
        if (!weekday || !w.days.includes(weekday)) continue;
        const s = minutes(w.start);
        const e = minutes(w.end);
        const start = at(day, s);
        const end = e > s ? at(day, e) : at(day.plus({ days: 1 }), e);
        if (end > from && start < to && end > start) out.push({ start, end });
      }
      day = day.plus({ days: 1 });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** How far ahead a window's next start is looked for: a weekly rule recurs within a week. */
const HORIZON_MS = 8 * 86_400_000;

/** Whether `now` falls inside a window, and if so the end of the (merged, overlapping) stretch it is in. */
export function insideUntil(windows: Windows, zone: string, now: number): { inside: boolean; until: number | null } {
  const spans = occurrences(windows, zone, now - HORIZON_MS, now + HORIZON_MS);
  let until: number | null = null;
  for (const span of spans) {
    if (span.start <= (until ?? now) && span.end > (until ?? now)) until = span.end;
  }
  if (until !== null) return { inside: true, until };
  const next = spans.find((s) => s.start > now);
  return { inside: false, until: next ? next.start : null };
}
