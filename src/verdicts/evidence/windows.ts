import { addDays, addMonths, minDay, type Day } from '../../../reports/dates.js';
import type { Policy } from '../../../reports/policy.js';

/** Days of probe_days the probe rules can look at: the longest run or window, plus silence and gaps. */
export function probeWindowDays(policy: Policy): number {
  const p = policy.probes;
  return (
    Math.max(policy.zombie.unreachableDays, policy.zombie.dnsGoneDays, policy.semiZombie.availabilityWindowDays, p.evidenceWindowDays) +
    p.maxSilenceDays +
    p.gapToleranceDays +
    1
  );
}

/** How far back a run of bad days is followed when it reaches the start of the probe window. */
export const EXTENDED_PROBE_DAYS = 400;

/**
 * Start days (ascending) of the usage segments: every window a usage rule sums over starts at one of
 * them (the no-usage window, the monthly-active-users window and, for seasonal systems, each block of
 * the last N months). Usage rows are summed per segment, keeping the latest day with use, so the
 * classifier sees the same window sums and "last used" day as from the daily rows, at a fraction of
 * the rows.
 */
export function usageSegments(asOf: Day, policy: Policy): Day[] {
  const starts = new Set<Day>();
  const window = policy.semiZombie.usageWindowDays;
  const seasonStart = addDays(addMonths(asOf, -policy.seasonal.usageWindowMonths), 1);
  starts.add(addDays(asOf, -(policy.zombie.noUsageDays - 1)));
  starts.add(addDays(asOf, -(window - 1)));
  starts.add(seasonStart);
  for (let to = asOf; ; to = addDays(to, -window)) {
    const from = addDays(to, -(window - 1));
    if (from < seasonStart) break;
    starts.add(from);
  }
  const loadFrom = addDays(minDay(...starts)!, -1);
  starts.add(loadFrom);
  return [...starts].sort();
}
