import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departments, endpoints, probeResults, systems } from '../../src/db/schema/index.js';
import { rowsOf } from '../../src/db/sql.js';
import { ensureProbePartitions, pruneProbeResults } from '../../src/sweeps/partitions.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/db.js';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const hours = (t: Date, h: number) => new Date(t.getTime() + h * 3_600_000);

async function partitionsOf(db: TestDatabase['db']): Promise<Record<string, number>> {
  const parts = rowsOf<{ name: string }>(
    await db.execute(sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'probe_results'::regclass order by 1`),
  );
  const out: Record<string, number> = {};
  for (const p of parts) out[p.name] = Number(rowsOf<{ n: unknown }>(await db.execute(sql.raw(`select count(*) as n from ${p.name}`)))[0]!.n);
  return out;
}

describe.each(backends)('probe_results partitioned by day on %s', (backend) => {
  let d: TestDatabase;
  let systemId: number;
  const insert = (at: Date, outcome = 'ok') => d.db.insert(probeResults).values({ systemId, kind: 'liveness', url: 'http://a.example/', at, outcome, detail: {} });
  beforeAll(async () => {
    d = await openTestDatabase(backend);
    const [dept] = await d.db.insert(departments).values({ code: 'D', name: '部门', level: 'city', kind: 'department', path: '/1/' }).returning();
    const [sys] = await d.db.insert(systems).values({ code: 'S', name: '系统', departmentId: dept!.id }).returning();
    systemId = sys!.id;
  }, 120_000);
  afterAll(() => d?.close());

  it('is a partitioned table with a default partition, and rows of a day without its partition land there', async () => {
    const [kind] = rowsOf<{ relkind: string }>(await d.db.execute(sql`select relkind from pg_class where relname = 'probe_results'`));
    expect(kind!.relkind).toBe('p');
    await insert(hours(day('2026-03-01'), 5));
    expect((await partitionsOf(d.db)).probe_results_default).toBe(1);
  });

  it('making a day partition moves that day out of the default one; making it again changes nothing', async () => {
    await ensureProbePartitions(d.db, hours(day('2026-03-02'), 12)); // 1 March .. 4 March
    await ensureProbePartitions(d.db, hours(day('2026-03-02'), 13));
    const parts = await partitionsOf(d.db);
    expect(parts.probe_results_default).toBe(0);
    expect(parts.probe_results_p20260301).toBe(1);
    expect(Object.keys(parts).filter((k) => /^probe_results_p2026030[1-4]$/.test(k))).toHaveLength(4);
    await insert(hours(day('2026-03-03'), 23.99));
    expect((await partitionsOf(d.db)).probe_results_p20260303).toBe(1);
  });

  it('retention drops whole days before the cutoff, deletes the part of the straddling day, keeps the rest', async () => {
    for (const iso of ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']) {
      for (let h = 0; h < 24; h += 6) await insert(hours(day(iso), h));
    }
    await insert(hours(day('2025-12-31'), 1)); // a day with no partition: default
    const before = (await d.db.select({ n: sql<number>`count(*)::int` }).from(probeResults))[0]!.n;
    // Cutoff 2 March 12:00 UTC: 1 March's partition goes whole, 2 March's 00:00 and 06:00 rows are deleted,
    // the default partition's old row too.
    const pruned = await pruneProbeResults(d.db, 2, hours(day('2026-03-04'), 12));
    expect(pruned.partitions).toBe(1);
    expect(pruned.deletedRows).toBe(3);
    const after = await partitionsOf(d.db);
    expect(after.probe_results_p20260301).toBeUndefined();
    expect(after.probe_results_p20260302).toBe(2);
    expect(after.probe_results_default).toBe(0);
    const remaining = (await d.db.select({ n: sql<number>`count(*)::int` }).from(probeResults))[0]!.n;
    expect(remaining).toBe(before - 5 - 3);
    const oldest = (await d.db.select({ at: sql<string>`min(at)::text` }).from(probeResults))[0]!.at;
    expect(new Date(oldest).toISOString()).toBe('2026-03-02T12:00:00.000Z');
    // …and the next days are ready.
    expect(after.probe_results_p20260306).toBe(0);
  });

  it('an endpoint removed from the inventory keeps its past results as they were, in every partition', async () => {
    const [ep] = await d.db.insert(endpoints).values({ systemId, url: 'http://b.example/' }).returning();
    await d.db.insert(probeResults).values([hours(day('2026-03-03'), 1), hours(day('2026-03-04'), 1)].map((at) => ({ systemId, endpointId: ep!.id, kind: 'liveness' as const, url: ep!.url, at, outcome: 'ok', detail: {} })));
    await d.db.delete(endpoints).where(sql`id = ${ep!.id}`);
    const kept = await d.db.select({ endpointId: probeResults.endpointId }).from(probeResults).where(sql`url = 'http://b.example/'`);
    expect(kept).toEqual([{ endpointId: ep!.id }, { endpointId: ep!.id }]);
  });
});

describe('the migration converts an existing probe_results and keeps its rows', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = await PGlite.create();
  }, 120_000);
  afterAll(() => pg?.close());

  it('rows of several days before the migration are all there after it, each in its day, ids carry on', async () => {
    const journal = JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as { entries: Array<{ tag: string }> };
    const run = async (tag: string) => {
      for (const stmt of readFileSync(`drizzle/${tag}.sql`, 'utf8').split('--> statement-breakpoint')) if (stmt.trim()) await pg.exec(stmt);
    };
    const at = journal.entries.findIndex((e) => e.tag.endsWith('_probe_results_partitioned'));
    for (const e of journal.entries.slice(0, at)) await run(e.tag);
    await pg.exec(`insert into departments (code, name, level, kind, path) values ('D', '部门', 'city', 'department', '/1/')`);
    await pg.exec(`insert into systems (code, name, department_id) values ('S', '系统', 1)`);
    await pg.exec(`insert into probe_results (system_id, kind, url, at, outcome) select 1, 'liveness', 'http://a/', timestamptz '2026-01-10 03:00Z' + (i || ' hours')::interval, 'ok' from generate_series(0, 71) i`);
    await run(journal.entries[at]!.tag);
    const { rows } = await pg.query<{ n: number; max: number; parts: number }>(
      `select count(*)::int as n, max(id)::int as max, (select count(*)::int from pg_inherits where inhparent = 'probe_results'::regclass) as parts from probe_results`,
    );
    expect(rows[0]!.n).toBe(72);
    expect(rows[0]!.max).toBe(72);
    expect(rows[0]!.parts).toBeGreaterThanOrEqual(4 + 1); // 10–13 January, the default, and the days around today
    const inDay = await pg.query<{ n: number }>(`select count(*)::int as n from probe_results_p20260111`);
    expect(inDay.rows[0]!.n).toBe(24);
    const next = await pg.query<{ id: number }>(`insert into probe_results (system_id, kind, url, at, outcome) values (1, 'liveness', 'http://a/', now(), 'ok') returning id::int`);
    expect(next.rows[0]!.id).toBe(73);
  });
});
