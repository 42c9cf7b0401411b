/**
 * Calendar days for campaigns. A deadline `YYYY-MM-DD` is the last day on which answers are on time,
 * in the service's zone (TZ, default Asia/Shanghai): it ends at the next local midnight.
 */
import { addDays } from '../../reports/dates.js';
import { dayIn } from '../sweeps/days.js';
export const CAMPAIGN_TIME_ZONE = 'Asia/Shanghai';

export type Day = string;

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of format(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - (ms - (ms % 1000));
}

/** The local calendar day an instant falls on. */
export function dayOf(at: Date, timeZone = CAMPAIGN_TIME_ZONE): Day {
  return dayIn(timeZone, at);
}

/** The instant a local calendar day starts. */
export function startOfDay(day: Day, timeZone = CAMPAIGN_TIME_ZONE): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let ms = guess - offsetAt(guess, timeZone);
  ms = guess - offsetAt(ms, timeZone);
  return new Date(ms);
}

export { addDays };

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: Day, b: Day): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The instant answers become late: the local midnight after the deadline day. */
export function deadlineEnd(deadline: Day, timeZone = CAMPAIGN_TIME_ZONE): Date {
  return startOfDay(addDays(deadline, 1), timeZone);
}
