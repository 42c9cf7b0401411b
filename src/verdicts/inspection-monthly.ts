import { sql } from 'drizzle-orm';
import { hasSeriousViolations } from '../../reports/inspection/accessibility.js';
import { failedVetoItems, inspectionScorecard, type Scorecard } from '../../reports/inspection/scorecard.js';
import type { InspectionDay } from '../../reports/inspection-rule.js';
import type { PortalAccessibility, SystemMonthSnapshot } from '../../reports/monthly/input.js';
import type { Policy } from '../../reports/policy.js';
import type { Day } from '../../reports/dates.js';
import type { Db } from '../db/client.js';
import { intArray, rowsOf } from '../db/sql.js';
import { loadSiteInspection } from './evidence/site-inspection.js';

/** A portal's accessibility figures for the report (null: none known), from its scorecard. */
export function portalAccessibility(card: Scorecard): PortalAccessibility | null {
  const a = card.accessibility;
  if (!a) return null;
  // Alt text and the care entry come from the site inspection; a scorecard with only an axe check has neither.
  const inspected = card.links !== null;
  return {
    axeMeasured: a.axe?.outcome === 'ok',
    criticalOrSerious: hasSeriousViolations(a.axe),
    altShare: inspected ? a.altShare : null,
    careEntryOpens: inspected ? a.careEntry?.found === true && a.careEntry.opens === true : null,
  };
}

/**
 * One step of the monthly loader (issue 11): each portal's failed veto items of the national website
 * inspection at month end, for the report's table of failing portals by county, and its accessibility
 * figures (informational) for the county accessibility table.
 */
export async function addInspectionFailures(db: Db, snapshots: SystemMonthSnapshot[], rows: ReadonlyArray<{ id: number; code: string }>, asOf: Day, policy: Policy): Promise<void> {
  const portalRows = rowsOf<Record<string, unknown>>(await db.execute(sql`select distinct system_id from endpoints where role = 'portal' and system_id = any(${intArray(rows.map((r) => r.id))})`));
  const ids = portalRows.map((r) => Number(r.system_id));
  if (!ids.length) return;
  const visitRows = await db.execute(sql`
    select system_id, day::text as day, sum(visits)::int as visits, sum(not_opened)::int as not_opened from inspection_days
    where system_id = any(${intArray(ids)}) and day <= ${asOf}::date and day > ${asOf}::date - ${policy.inspection.windowDays}::int group by system_id, day`);
  const visits = new Map<number, InspectionDay[]>();
  for (const r of rowsOf<Record<string, unknown>>(visitRows)) {
    const list = visits.get(Number(r.system_id)) ?? [];
    list.push({ day: String(r.day), visits: Number(r.visits), notOpened: Number(r.not_opened) });
    visits.set(Number(r.system_id), list);
  }
  const evidence = await loadSiteInspection(db, { systemIds: ids, asOf, policy, visits });
  const codeOf = new Map(rows.map((r) => [r.id, r.code]));
  const failures = new Map<string, string[]>();
  const a11y = new Map<string, PortalAccessibility>();
  for (const id of ids) {
    const ev = evidence.get(id) ?? { days: [], sections: [], visits: visits.get(id) ?? [] };
    const card = inspectionScorecard(ev, policy, asOf);
    failures.set(codeOf.get(id)!, failedVetoItems(card));
    const acc = portalAccessibility(card);
    if (acc) a11y.set(codeOf.get(id)!, acc);
  }
  for (const s of snapshots) {
    if (failures.has(s.code)) s.inspectionFailures = failures.get(s.code)!;
    if (a11y.has(s.code)) s.accessibility = a11y.get(s.code)!;
  }
}
