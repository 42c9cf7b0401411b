/**
 * Calendar days and months as plain strings ('YYYY-MM-DD', 'YYYY-MM'). Days are Asia/Shanghai calendar
 * days chosen by the caller; the arithmetic here is on the proleptic Gregorian calendar and never reads
 * the clock or the process time zone.
 */

/** A calendar day, 'YYYY-MM-DD'. */
export type Day = string;
/** A calendar month, 'YYYY-MM'. */
export type Month = string;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export function isDay(value: unknown): value is Day {
  if (typeof value !== 'string') return false;
  const m = DAY_RE.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function isMonth(value: unknown): value is Month {
  if (typeof value !== 'string') return false;
  const m = MONTH_RE.exec(value);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

export function assertDay(value: unknown, what = 'day'): asserts value is Day {
  if (!isDay(value)) throw new RangeError(`${what} must be a calendar day YYYY-MM-DD, got ${JSON.stringify(value)}`);
}

export function assertMonth(value: unknown, what = 'month'): asserts value is Month {
  if (!isMonth(value)) throw new RangeError(`${what} must be a month YYYY-MM, got ${JSON.stringify(value)}`);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01. */
export function dayNumber(day: Day): number {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`not a day: ${day}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY;
}

export function dayFromNumber(n: number): Day {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
  return dayFromNumber(dayNumber(day) + n);
}

/** `a - b` in days. */
export function diffDays(a: Day, b: Day): number {
  return dayNumber(a) - dayNumber(b);
}

/** Same day of month `n` months later, clamped to the month's end (01-31 + 1 month = 02-28/29). */
export function addMonths(day: Day, n: number): Day {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1 + n;
  const d = Number(day.slice(8, 10));
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const td = Math.min(d, daysInMonth(ty, tm + 1));
  return `${String(ty).padStart(4, '0')}-${String(tm + 1).padStart(2, '0')}-${String(td).padStart(2, '0')}`;
}

export function monthOf(day: Day): Month {
  return day.slice(0, 7);
}

export function monthStart(month: Month): Day {
  return `${month}-01`;
}

export function monthEnd(month: Month): Day {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return `${month}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
}

export function addMonthsToMonth(month: Month, n: number): Month {
  return monthOf(addMonths(monthStart(month), n));
}

export function maxDay(...days: ReadonlyArray<Day | null | undefined>): Day | null {
  let best: Day | null = null;
  for (const d of days) if (d && (best === null || d > best)) best = d;
  return best;
}

export function minDay(...days: ReadonlyArray<Day | null | undefined>): Day | null {
  let best: Day | null = null;
  for (const d of days) if (d && (best === null || d < best)) best = d;
  return best;
}

/** China Standard Time, UTC+8, no daylight saving since 1991: the day an instant falls on in Asia/Shanghai. */
export const SHANGHAI_OFFSET_MINUTES = 480;

export function dayOfInstant(instant: Date, offsetMinutes = SHANGHAI_OFFSET_MINUTES): Day {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError('invalid Date');
  return new Date(t + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** A Day as given, or the Shanghai calendar day of a Date. */
export function toDay(value: Day | Date, what = 'day'): Day {
  if (value instanceof Date) return dayOfInstant(value);
  assertDay(value, what);
  return value;
}
