import { sql } from 'drizzle-orm';
import { addDays } from '../../../reports/dates.js';
import type { InspectionDay } from '../../../reports/inspection-rule.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/sql.js';
import { onlyScoped, type EvidenceScope } from './scope.js';

/** Step 8: portal visits per day over the inspection rule's window (the portal cadence's rollup), by day. */
export async function loadInspectionDays(db: Db, scope: EvidenceScope): Promise<Map<number, InspectionDay[]>> {
  const { asOf, policy } = scope;
  const inspectionFrom = addDays(asOf, -(policy.inspection.windowDays - 1));
  const rows = await db.execute(sql`
      select system_id, to_char(day, 'YYYY-MM-DD') as day, sum(visits)::int as visits, sum(not_opened)::int as not_opened
      from inspection_days
      where day >= ${inspectionFrom}::date and day <= ${asOf}::date ${onlyScoped(scope, 'system_id')}
      group by system_id, day`);
  const inspection = new Map<number, InspectionDay[]>();
  for (const r of rowsOf<Record<string, unknown>>(rows)) {
    const list = inspection.get(Number(r.system_id)) ?? [];
    list.push({ day: String(r.day), visits: Number(r.visits), notOpened: Number(r.not_opened) });
    inspection.set(Number(r.system_id), list);
  }
  for (const list of inspection.values()) list.sort((a, b) => (a.day < b.day ? -1 : 1));
  return inspection;
}
