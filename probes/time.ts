/**
 * Dates for probes: HTTP dates, W3C datetimes (sitemaps) and day boundaries in an IANA time zone.
 */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

export function monthIndex(abbrev: string): number | undefined {
  return MONTHS[abbrev.slice(0, 3).toLowerCase()];
}

function utc(year: number, month: number, day: number, h: number, m: number, s: number): Date | null {
  const ms = Date.UTC(year, month, day, h, m, s);
  const date = new Date(ms);
  // Reject 31 Feb and friends instead of rolling over.
  if (Number.isNaN(ms) || date.getUTCDate() !== day || date.getUTCMonth() !== month) return null;
  if (h > 23 || m > 59 || s > 60) return null;
  return date;
}

/**
 * An HTTP date (`Last-Modified`, `Date`): IMF-fixdate, the obsolete RFC 850 form and asctime, all GMT.
 * Returns null for anything else rather than guessing a local time.
 */
export function parseHttpDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const text = value.trim();
  let m = /^[A-Za-z]{3},\s+(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(GMT|UTC|\+0000)$/.exec(text);
  if (m) return fromParts(Number(m[3]), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = /^[A-Za-z]+,\s+(\d{2})-([A-Za-z]{3})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\s+GMT$/.exec(text);
  if (m) {
    const yy = Number(m[3]);
    return fromParts(yy < 70 ? 2000 + yy : 1900 + yy, m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  }
  m = /^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(text);
  if (m) return fromParts(Number(m[6]), m[1]!, Number(m[2]), m[3]!, m[4]!, m[5]!);
  return null;
}

function fromParts(year: number, mon: string, day: number, h: string, mi: string, s: string): Date | null {
  const month = monthIndex(mon);
  if (month === undefined) return null;
  return utc(year, month, day, Number(h), Number(mi), Number(s));
}

/**
 * Offset of `timeZone` from UTC at instant `ms`, in ms. Cached per quarter hour, which is finer than any
 * zone's transitions, so parsing millions of log lines does not format millions of dates.
 */
export function createZoneOffset(timeZone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const cache = new Map<number, number>();
  const QUARTER = 15 * 60 * 1000;
  return (ms: number) => {
    const slot = Math.floor(ms / QUARTER);
    let offset = cache.get(slot);
    if (offset === undefined) {
      const at = slot * QUARTER;
      const parts: Record<string, number> = {};
      for (const p of format.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
      const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
      offset = asUtc - at;
      if (cache.size > 100_000) cache.clear();
      cache.set(slot, offset);
    }
    return offset;
  };
}

/** Throws RangeError for an unknown IANA zone; call at configuration time. */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone });
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** One offset function per zone for the helpers below: building an Intl formatter costs more than a day's arithmetic. */
const zoneOffsets = new Map<string, (ms: number) => number>();
function zoneOffset(timeZone: string): (ms: number) => number {
  let offsetAt = zoneOffsets.get(timeZone);
  if (!offsetAt) zoneOffsets.set(timeZone, (offsetAt = createZoneOffset(timeZone)));
  return offsetAt;
}

/** `YYYY-MM-DD` of the calendar day the instant falls on in the zone. */
export function createDayKey(timeZone: string): (ms: number) => string {
  const offsetAt = zoneOffset(timeZone);
  return (ms: number) => {
    const local = new Date(ms + offsetAt(ms));
    return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  };
}

const dayKeys = new Map<string, (ms: number) => string>();

/**
 * The local calendar day (`YYYY-MM-DD`) an instant falls on in the zone: the "day" of rollups, verdicts,
 * campaign deadlines and reports (the service's TZ, default Asia/Shanghai).
 */
export function localDay(at: Date, timeZone = DEFAULT_TIME_ZONE): string {
  let key = dayKeys.get(timeZone);
  if (!key) dayKeys.set(timeZone, (key = createDayKey(timeZone)));
  return key(at.getTime());
}

/** The instant a local calendar day `YYYY-MM-DD` starts. */
export function startOfDay(day: string, timeZone = DEFAULT_TIME_ZONE): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return startOfDayInZone(y, m, d, timeZone);
}

/**
 * The instant a local day ends (the next local midnight): rows stamped before it belong to `day` or
 * earlier, and a campaign deadline `day` is on time until then.
 */
export function endOfDay(day: string, timeZone = DEFAULT_TIME_ZONE): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return startOfDayInZone(y, m, d + 1, timeZone);
}

/** The instant local midnight of `YYYY-MM-DD` starts in the zone. */
export function startOfDayInZone(year: number, month: number, day: number, timeZone: string): Date {
  const offsetAt = zoneOffset(timeZone);
  const guess = Date.UTC(year, month - 1, day);
  // Two passes settle days on which the offset changes.
  let ms = guess - offsetAt(guess);
  ms = guess - offsetAt(ms);
  return new Date(ms);
}

/**
 * A W3C datetime as sitemaps use it: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a full time with `Z` or an
 * offset. Dates without a zone are local dates of `timeZone`.
 */
export function parseW3cDatetime(value: string, timeZone = DEFAULT_TIME_ZONE): Date | null {
  const text = value.trim();
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?)?)?$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 1;
  const day = m[3] ? Number(m[3]) : 1;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (m[4] === undefined) {
    const date = startOfDayInZone(year, month, day, timeZone);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  const base = utc(year, month - 1, day, Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (!base) return null;
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let ms = base.getTime() + fraction;
  const zone = m[8];
  if (zone === undefined) ms -= createZoneOffset(timeZone)(ms);
  else if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return new Date(ms);
}
