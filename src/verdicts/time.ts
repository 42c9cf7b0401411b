import { addDays, type Day } from '../../reports/dates.js';
import { startOfDay } from '../campaigns/days.js';
import { dayIn } from '../sweeps/days.js';

/** Day boundaries in the service's zone (TZ, default Asia/Shanghai): the "day" of rollups, verdicts and reports. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The local calendar day an instant falls on. */
export function localDay(at: Date, timeZone = DEFAULT_TIME_ZONE): Day {
  return dayIn(timeZone, at);
}

/** The instant a local day ends (the next local midnight): rows stamped before it belong to `day` or earlier. */
export function endOfDay(day: Day, timeZone = DEFAULT_TIME_ZONE): Date {
  return startOfDay(addDays(day, 1), timeZone);
}

/** SQL-safe literal of a time zone name (IANA names only: letters, digits, `/`, `_`, `+`, `-`). */
export function zoneLiteral(timeZone: string): string {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(timeZone)) throw new RangeError(`not a time zone name: ${timeZone}`);
  return `'${timeZone}'`;
}
