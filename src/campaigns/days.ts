/**
 * Calendar days for campaigns. A deadline `YYYY-MM-DD` is the last day on which answers are on time,
 * in the service's zone (TZ, default Asia/Shanghai): it ends at the next local midnight.
 */
import { addDays } from '../../reports/dates.js';
import { startOfDayInZone } from '../../probes/time.js';
import { dayIn } from '../sweeps/days.js';
export const CAMPAIGN_TIME_ZONE = 'Asia/Shanghai';

export type Day = string;

/** The local calendar day an instant falls on. */
export function dayOf(at: Date, timeZone = CAMPAIGN_TIME_ZONE): Day {
  return dayIn(timeZone, at);
}

/** The instant a local calendar day starts. */
export function startOfDay(day: Day, timeZone = CAMPAIGN_TIME_ZONE): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return startOfDayInZone(y, m, d, timeZone);
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
