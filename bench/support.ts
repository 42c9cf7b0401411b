import { sql } from 'drizzle-orm';
import type { Database, Db } from '../src/db/client.js';
import { openPglite } from '../src/db/pglite.js';
import { connectPostgres } from '../src/db/postgres.js';
import { departments, endpoints, systems } from '../src/db/schema/index.js';

/**
 * Benchmarks run on PostgreSQL when DATABASE_URL (or TEST_DATABASE_URL) is set — start one with
 * `scripts/pg-start.sh /tmp/xuncha-bench 55440` — and on in-memory PGlite otherwise.
 * The database is emptied first: never point a benchmark at data you care about.
 */
export async function benchDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const database = url ? connectPostgres(url, { max: 20 }) : await openPglite();
  await database.migrate();
  await database.db.execute(
    sql`truncate table audit_log, probe_results, probe_days, endpoint_state, content_changes, ipv6_changes, usage_days, usage_sources, sweep_targets, sweeps, findings, status_history, campaign_items, campaign_departments, transfers, missing_system_reports, campaigns, endpoints, systems, api_tokens, departments restart identity cascade`,
  );
  return database;
}

/** A city with 12 counties × 20 departments and `count` systems spread over them. */
export async function fillInventory(db: Db, count: number): Promise<{ countyCodes: string[]; departmentCodes: string[] }> {
  const [city] = await db.insert(departments).values({ code: 'C0', name: '临沂市人民政府', level: 'city', kind: 'government', path: '/' }).returning();
  await db.update(departments).set({ path: `/${city!.id}/` }).where(sql`id = ${city!.id}`);
  const countyCodes: string[] = [];
  const departmentCodes: string[] = [];
  for (let c = 0; c < 12; c++) {
    const code = `K${c}`;
    const [county] = await db.insert(departments).values({ code, name: `县区${c}`, level: 'county', kind: 'government', parentId: city!.id, path: '/' }).returning();
    const countyPath = `/${city!.id}/${county!.id}/`;
    await db.update(departments).set({ path: countyPath }).where(sql`id = ${county!.id}`);
    countyCodes.push(code);
    const rows = Array.from({ length: 20 }, (_, d) => ({ code: `K${c}D${d}`, name: `县区${c}部门${d}`, level: 'county' as const, kind: 'department' as const, parentId: county!.id, path: '/' }));
    const inserted = await db.insert(departments).values(rows).returning({ id: departments.id, code: departments.code });
    for (const r of inserted) {
      await db.update(departments).set({ path: `${countyPath}${r.id}/` }).where(sql`id = ${r.id}`);
      departmentCodes.push(r.code);
    }
  }
  const deptIds = (await db.select({ id: departments.id, code: departments.code }).from(departments)).filter((d) => d.code.includes('D'));
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) => {
      const n = i + j;
      return {
        code: `SYS-${String(n).padStart(5, '0')}`,
        name: `业务系统${n}`,
        departmentId: deptIds[n % deptIds.length]!.id,
        deployment: n % 3 === 0 ? ('self_hosted' as const) : ('gov_cloud' as const),
        cloudRequired: n % 2 === 0,
        description: `第${n}号系统`,
      };
    });
    const ids = await db.insert(systems).values(batch).returning({ id: systems.id });
    await db.insert(endpoints).values(ids.map((r, j) => ({ systemId: r.id, url: `http://sys${i + j}.bench.example/`, role: 'portal' as const })));
  }
  return { countyCodes, departmentCodes };
}
