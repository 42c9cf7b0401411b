import { addDays, type Day } from './dates.js';

/**
 * The national website inspection rule for "site unreachable" (《政府网站与政务新媒体检查指标》, 单项否决):
 * monitored for 1 week, 20+ spaced visits a day, and 5% or more of the visits not opened within 15 s →
 * the site fails. A pure function of the per-day visit counts our portal cadence (`PORTAL_CRON`) stores;
 * the thresholds are the policy's `inspection` block (versioned with every verdict).
 */

/** A visit "opens" when the homepage loads within this time: the rule's 15 s, fixed when visits are counted. */
export const INSPECTION_OPEN_MS = 15_000;

export interface InspectionDay {
  day: Day;
  /** Homepage visits of the portal that day (probes our own side failed or a WAF challenged are not visits). */
  visits: number;
  /** Of them, visits not opened within `INSPECTION_OPEN_MS` (failed, or slower). */
  notOpened: number;
}

export interface InspectionThresholds {
  /** Days monitored, ending on the day judged (1 week). */
  windowDays: number;
  /** Visits needed on each day of the window (20+ spaced visits a day). */
  minVisitsPerDay: number;
  /** Share of visits not opened at or above which the site fails (5%). */
  failShare: number;
}

export interface InspectionVerdict {
  rule: 'site_unreachable';
  /** `unmeasured`: some day of the window had fewer visits than the rule needs, so it cannot be judged. */
  result: 'pass' | 'fail' | 'unmeasured';
  evidence: { from: Day; to: Day; visits: number; notOpened: number; share: number | null; daysMeasured: number; daysShort: Day[] };
}

export function judgeSiteUnreachable(days: ReadonlyArray<InspectionDay>, asOf: Day, t: InspectionThresholds): InspectionVerdict {
  const from = addDays(asOf, -(t.windowDays - 1));
  const byDay = new Map<Day, InspectionDay>();
  for (const d of days) {
    if (d.day < from || d.day > asOf) continue;
    const prev = byDay.get(d.day);
    byDay.set(d.day, prev ? { day: d.day, visits: prev.visits + d.visits, notOpened: prev.notOpened + d.notOpened } : d);
  }
  let visits = 0;
  let notOpened = 0;
  const daysShort: Day[] = [];
  for (let d = from; d <= asOf; d = addDays(d, 1)) {
    const x = byDay.get(d);
    if (!x || x.visits < t.minVisitsPerDay) daysShort.push(d);
    if (x) {
      visits += x.visits;
      notOpened += x.notOpened;
    }
  }
  const share = visits > 0 ? Math.round((notOpened / visits) * 10_000) / 10_000 : null;
  const result = daysShort.length > 0 ? 'unmeasured' : share !== null && share >= t.failShare ? 'fail' : 'pass';
  return { rule: 'site_unreachable', result, evidence: { from, to: asOf, visits, notOpened, share, daysMeasured: t.windowDays - daysShort.length, daysShort } };
}
