import { endOfDay, localDay, startOfDayInZone } from '../../probes/time.js';

/**
 * The portal cadence: liveness visits of `portal` endpoints spaced through each local day, as the national
 * inspection rule counts them (20+ spaced visits a day). `@every 72m` cannot be written as one cron
 * minute field (72 does not divide an hour), so `PORTAL_CRON` also takes `@every Nm`: visits at local
 * midnight + k·N minutes, k = 0, 1, …, i.e. ⌈1440 / N⌉ visits a day (20 for 72 minutes: 00:00, 01:12, …,
 * 22:48), the same slots every day. A cron expression is accepted too (e.g. `*\/30 * * * *`).
 */

export const DEFAULT_PORTAL_CRON = '@every 72m';

/** Minutes of an `@every Nm` schedule (1–1440), or null when the text is not one. */
export function everyMinutes(text: string): number | null {
  const m = /^@every\s+(\d{1,4})m$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= 1440 ? n : null;
}

/** The first visit slot strictly after `now`: local midnight + k·minutes, restarting at each midnight. */
export function nextPortalVisit(now: Date, minutes: number, timeZone: string): Date {
  const day = localDay(now, timeZone);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const midnight = startOfDayInZone(y, m, d, timeZone);
  const k = Math.floor((now.getTime() - midnight.getTime()) / (minutes * 60_000)) + 1;
  const next = new Date(midnight.getTime() + k * minutes * 60_000);
  const tomorrow = endOfDay(day, timeZone);
  return next.getTime() < tomorrow.getTime() ? next : tomorrow;
}

/** Visits a day for `@every Nm`. */
export function visitsPerDay(minutes: number): number {
  return Math.ceil(1440 / minutes);
}
