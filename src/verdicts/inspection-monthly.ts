import { sql } from 'drizzle-orm';
import { failedVetoItems, inspectionScorecard } from '../../reports/inspection/scorecard.js';
import type { InspectionDay } from '../../reports/inspection-rule.js';
import type { SystemMonthSnapshot } from '../../reports/monthly/input.js';
import type { Policy } from '../../reports/policy.js';
import type { Day } from '../../reports/dates.js';
import type { Db } from '../db/client.js';
import { intArray, rowsOf } from '../db/sql.js';
import { loadSiteInspection } from './evidence/site-inspection.js';

/**
 * One step of the monthly loader (issue 11): each portal's failed veto items of the national website
 * inspection at month end, for the report's table of failing portals by county.
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
  for (const id of ids) {
    const ev = evidence.get(id) ?? { days: [], sections: [], visits: visits.get(id) ?? [] };
    failures.set(codeOf.get(id)!, failedVetoItems(inspectionScorecard(ev, policy, asOf)));
  }
  for (const s of snapshots) if (failures.has(s.code)) s.inspectionFailures = failures.get(s.code)!;
}
