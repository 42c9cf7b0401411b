import { sql } from 'drizzle-orm';
import { addDays, addMonthsToMonth, monthEnd, monthStart, type Day, type Month } from '../../reports/dates.js';
import type { Policy } from '../../reports/policy.js';
import { resourceIdleness, type ResourceDay } from '../../reports/resources.js';
import type { ResourceReportInput, ResourceReportRow } from '../../reports/resources-report.js';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/sql.js';
import { resourceFactsOf } from '../verdicts/evidence/resources.js';

/**
 * The monthly report's cloud resources (issue 12): every resource allocated in the 12 months ending with
 * `month`, its month-by-month mean CPU and memory use over the days with evidence, and whether it is idle
 * (reclaimable) as of `asOf` by the policy. Null when the ledger is empty, so reports without cloud
 * resources stay as they were.
 */
export async function loadResourceReportInput(db: Db, month: Month, asOf: Day, policy: Policy): Promise<ResourceReportInput | null> {
  const first = monthStart(addMonthsToMonth(month, -11));
  const last = monthEnd(month);
  const resources = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select r.id, r.external_id, r.name, r.kind, r.vcpu, r.memory_gb, r.storage_gb, r.monthly_cost, r.since::text as since, r.until::text as until,
             s.code as system_code, s.name as system_name, d.code as department_code
      from cloud_resources r
      left join systems s on s.id = r.system_id
      left join departments d on d.id = s.department_id
      where (r.since is null or r.since <= ${last}::date) and (r.until is null or r.until >= ${first}::date)
      order by r.external_id`),
  );
  if (!resources.length) return null;
  const months = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select resource_id, to_char(day, 'YYYY-MM') as month, avg(cpu_avg) as cpu, avg(mem_pct) as mem, count(*) as days
      from resource_utilisation
      where day between ${first}::date and ${last < asOf ? last : asOf}::date and missing_reason is null and cpu_avg is not null
      group by resource_id, to_char(day, 'YYYY-MM')`),
  );
  const windowFrom = addDays(asOf, -(policy.resources.windowDays - 1));
  const days = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select resource_id, day::text as day, cpu_p95, net_in_bytes, net_out_bytes, missing_reason
      from resource_utilisation where day between ${windowFrom}::date and ${asOf}::date`),
  );
  const monthsOf = new Map<number, ResourceReportRow['months']>();
  for (const m of months) {
    const id = Number(m.resource_id);
    const list = monthsOf.get(id) ?? [];
    list.push({ month: String(m.month), cpuAvg: m.cpu === null ? null : Math.round(Number(m.cpu) * 1000) / 1000, memPct: m.mem === null ? null : Math.round(Number(m.mem) * 1000) / 1000, evidenceDays: Number(m.days) });
    monthsOf.set(id, list);
  }
  const daysOf = new Map<number, ResourceDay[]>();
  for (const d of days) {
    const id = Number(d.resource_id);
    const list = daysOf.get(id) ?? [];
    const missing = d.missing_reason === null ? null : String(d.missing_reason);
    const noNet = d.net_in_bytes === null && d.net_out_bytes === null;
    list.push({ day: String(d.day), cpuP95: missing || d.cpu_p95 === null ? null : Number(d.cpu_p95), netBytes: missing || noNet ? null : Number(d.net_in_bytes ?? 0) + Number(d.net_out_bytes ?? 0), missing });
    daysOf.set(id, list);
  }
  return {
    resources: resources.map((r) => {
      const id = Number(r.id);
      const facts = resourceFactsOf(r, daysOf.get(id) ?? []);
      const idle = resourceIdleness(facts, policy, asOf);
      return {
        externalId: facts.externalId,
        name: (r.name as string | null) ?? null,
        kind: facts.kind,
        systemCode: (r.system_code as string | null) ?? null,
        systemName: (r.system_name as string | null) ?? null,
        departmentCode: (r.department_code as string | null) ?? null,
        vcpu: facts.vcpu,
        memoryGb: facts.memoryGb,
        storageGb: facts.storageGb,
        monthlyCost: facts.monthlyCost,
        since: facts.since,
        until: facts.until,
        idle: idle.judged && idle.current.idle,
        months: (monthsOf.get(id) ?? []).sort((a, b) => (a.month < b.month ? -1 : 1)),
      };
    }),
  };
}
