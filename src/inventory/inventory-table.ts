import { sql, type SQL } from 'drizzle-orm';
import { addDays } from '../../reports/dates.js';
import { DEFAULT_TIME_ZONE, localDay } from '../../probes/time.js';
import { departmentScope, escapeLike, requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/sql.js';
import type { Deployment, Lifecycle, SystemStatus } from '../db/schema/enums.js';
import { AppError } from '../errors.js';

/**
 * The inventory as the 系统清单 page shows it: a filter, a sort and numbered pages with the total, and
 * per row the 30-day availability (probe_days rollups), the last probe outcome and the IPv6 grade
 * (endpoint_state). The page of ids is chosen first; the figures are then read for those rows only,
 * unless the sort itself needs a figure.
 */
export const INVENTORY_SORTS = ['code', 'name', 'department', 'status', 'availability', 'outcome', 'ipv6'] as const;
export type InventorySort = (typeof INVENTORY_SORTS)[number];
export const INVENTORY_PAGE_SIZE = 50;
export const AVAILABILITY_DAYS = 30;

export interface InventoryFilter {
  department?: string;
  lifecycle?: Lifecycle;
  deployment?: Deployment;
  status?: SystemStatus;
  q?: string;
}

export interface InventoryRow {
  code: string;
  name: string;
  departmentName: string;
  lifecycle: Lifecycle;
  deployment: Deployment;
  status: SystemStatus;
  endpoints: number;
  availability: number | null;
  lastOutcome: string | null;
  lastProbeAt: Date | null;
  ipv6Grade: string | null;
}

export interface InventoryTable {
  total: number;
  page: number;
  pages: number;
  items: InventoryRow[];
}

async function filterSql(db: Db, principal: Principal, f: InventoryFilter): Promise<SQL> {
  const where: SQL[] = [sql`true`];
  const scope = departmentScope(principal, sql`d.path`);
  if (scope) where.push(scope);
  if (f.department) {
    const [d] = rowsOf<{ path: string }>(await db.execute(sql`select path from departments where code = ${f.department}`));
    if (!d) throw new AppError('validation_failed', `unknown department ${f.department}`, [{ path: 'department', message: 'no such department' }]);
    where.push(sql`d.path like ${`${escapeLike(d.path)}%`}`);
  }
  if (f.lifecycle) where.push(sql`s.lifecycle = ${f.lifecycle}`);
  if (f.deployment) where.push(sql`s.deployment = ${f.deployment}`);
  if (f.status) where.push(sql`s.status = ${f.status}`);
  if (f.q) {
    const pat = `%${escapeLike(f.q)}%`;
    where.push(sql`(s.name ilike ${pat} or s.code ilike ${pat} or s.description ilike ${pat})`);
  }
  return sql.join(where, sql` and `);
}

const availabilitySql = (since: string, until: string) =>
  sql`(select sum(p.ok)::float8 / nullif(sum(p.probes), 0) from probe_days p where p.system_id = s.id and p.day > ${since}::date and p.day <= ${until}::date)`;
/** The last outcome that matters most: a failing endpoint's before an answering one's, then the latest. */
const outcomeSql = sql`(select es.last_outcome from endpoint_state es where es.system_id = s.id and es.last_outcome is not null order by (es.last_outcome = 'ok'), es.last_probe_at desc limit 1)`;
/** The best IPv6 grade measured on any endpoint (ready > partial > not_ready > no_ipv6 > unmeasured). */
const ipv6RankSql = sql`(select min(array_position(array['ready','partial','not_ready','no_ipv6','unmeasured'], es.ipv6->>'grade')) from endpoint_state es where es.system_id = s.id and es.ipv6 ? 'grade')`;
const STATUS_RANK = sql`array_position(array['zombie','semi_zombie','insufficient_evidence','active','exempt']::text[], s.status::text)`;

export async function inventoryTable(db: Db, principal: Principal, q: InventoryFilter & { sort: InventorySort; dir: 'asc' | 'desc'; page: number; now: Date; timeZone?: string }): Promise<InventoryTable> {
  requirePermission(principal, 'read');
  const where = await filterSql(db, principal, q);
  const today = localDay(q.now, q.timeZone ?? DEFAULT_TIME_ZONE);
  const since = addDays(today, -AVAILABILITY_DAYS);
  const key: Record<InventorySort, SQL> = {
    code: sql`s.code`,
    name: sql`s.name`,
    department: sql`d.name`,
    status: STATUS_RANK,
    availability: availabilitySql(since, today),
    outcome: outcomeSql,
    ipv6: ipv6RankSql,
  };
  const dir = q.dir === 'desc' ? sql`desc nulls last` : sql`asc nulls last`;
  const page = Math.max(1, Math.floor(q.page));
  // Sorting by availability reads the rollups once, grouped, rather than once per system.
  const byAvailability = q.sort === 'availability';
  if (byAvailability) key.availability = sql`av.a`;
  const res = await db.execute(sql`
    ${byAvailability ? sql`with av as (select p.system_id, sum(p.ok)::float8 / nullif(sum(p.probes), 0) as a from probe_days p where p.day > ${since}::date and p.day <= ${today}::date group by p.system_id)` : sql``}
    select s.id, count(*) over ()::int as total
    from systems s join departments d on d.id = s.department_id
    ${byAvailability ? sql`left join av on av.system_id = s.id` : sql``}
    where ${where}
    order by ${key[q.sort]} ${dir}, s.code asc
    limit ${INVENTORY_PAGE_SIZE} offset ${(page - 1) * INVENTORY_PAGE_SIZE}`);
  const ids = rowsOf<{ id: unknown; total: unknown }>(res);
  let total = ids.length ? Number(ids[0]!.total) : 0;
  if (!ids.length && page > 1) {
    const [c] = rowsOf<{ n: unknown }>(await db.execute(sql`select count(*)::int as n from systems s join departments d on d.id = s.department_id where ${where}`));
    total = Number(c?.n ?? 0);
  }
  const pages = Math.max(1, Math.ceil(total / INVENTORY_PAGE_SIZE));
  if (!ids.length) return { total, page, pages, items: [] };
  const list = `{${ids.map((r) => Number(r.id)).join(',')}}`;
  const rows = await db.execute(sql`
    select s.id, s.code, s.name, d.name as department_name, s.lifecycle::text as lifecycle, s.deployment::text as deployment, s.status::text as status,
      (select count(*)::int from endpoints e where e.system_id = s.id) as endpoints,
      ${availabilitySql(since, today)} as availability,
      (select json_build_object('o', es.last_outcome, 'at', es.last_probe_at) from endpoint_state es where es.system_id = s.id and es.last_outcome is not null order by (es.last_outcome = 'ok'), es.last_probe_at desc limit 1)::text as last,
      (select (array['ready','partial','not_ready','no_ipv6','unmeasured'])[${ipv6RankSql}]) as ipv6
    from systems s join departments d on d.id = s.department_id
    where s.id = any(${list}::int[])`);
  const byId = new Map(rowsOf<Record<string, unknown>>(rows).map((r) => [Number(r.id), r]));
  const items = ids.map((x) => {
    const r = byId.get(Number(x.id))!;
    const last = r.last ? (JSON.parse(String(r.last)) as { o: string; at: string | null }) : null;
    return {
      code: String(r.code),
      name: String(r.name),
      departmentName: String(r.department_name),
      lifecycle: String(r.lifecycle) as Lifecycle,
      deployment: String(r.deployment) as Deployment,
      status: String(r.status) as SystemStatus,
      endpoints: Number(r.endpoints),
      availability: r.availability === null || r.availability === undefined ? null : Number(r.availability),
      lastOutcome: last?.o ?? null,
      lastProbeAt: last?.at ? new Date(last.at) : null,
      ipv6Grade: r.ipv6 ? String(r.ipv6) : null,
    };
  });
  return { total, page, pages, items };
}

/** Codes of every system matching the filter (for the export of the current selection). */
export async function inventoryCodes(db: Db, principal: Principal, f: InventoryFilter): Promise<string[]> {
  requirePermission(principal, 'export');
  const where = await filterSql(db, principal, f);
  const res = await db.execute(sql`select s.code from systems s join departments d on d.id = s.department_id where ${where} order by s.code`);
  return rowsOf<{ code: string }>(res).map((r) => r.code);
}
