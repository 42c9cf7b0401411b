/**
 * Bounded history (issue 14): 30 days × 10,000 targets × 24 probes a day of raw results (7.2 M rows),
 * then retention of 35 days run day after day for a week, as the scheduled job does: each day's run
 * drops one whole day partition (target: under 1 s) and the table does not bloat (its size follows
 * the days kept; no dead rows). For the ratio, the same day's worth deleted row by row, as retention
 * did before partitioning, from a plain copy of one day.
 *
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench 55440 --fast) npx tsx bench/retention.ts
 *
 * Env: BENCH_TARGETS (10000), BENCH_DAYS (30), BENCH_PER_DAY (24), BENCH_PRUNE_DAYS (7).
 */
import { sql } from 'drizzle-orm';
import { loadavg } from 'node:os';
import { rowsOf } from '../src/db/sql.js';
import { ensureProbePartitions, pruneProbeResults } from '../src/sweeps/partitions.js';
import { benchDatabase, fillInventory } from './support.js';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 10_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const PER_DAY = Number(process.env.BENCH_PER_DAY ?? 24);
const PRUNE_DAYS = Number(process.env.BENCH_PRUNE_DAYS ?? 7);
const RETENTION = 35;
const DAY = 86_400_000;

const database = await benchDatabase();
const db = database.db;
await fillInventory(db, TARGETS);
const load0 = loadavg()[0]!;

// "Today" (plus an hour, when the job runs) is RETENTION days after the first day: the first run deletes
// the first hour row by row, and each later day drops the oldest whole day and an hour of the next.
const first = new Date(Date.UTC(2026, 0, 1));
const today = new Date(first.getTime() + RETENTION * DAY);
const t0 = performance.now();
for (let d = 0; d < DAYS; d++) {
  const dayStart = new Date(first.getTime() + d * DAY);
  await ensureProbePartitions(db, new Date(dayStart.getTime() + DAY));
  // One statement per day: every system's endpoint, PER_DAY probes spread over the day.
  await db.execute(sql`
    insert into probe_results (sweep_id, system_id, endpoint_id, kind, url, at, outcome, http_status, duration_ms, detail)
    select null, e.system_id, e.id, 'liveness', e.url, ${dayStart.toISOString()}::timestamptz + (h * ${DAY / PER_DAY} + (e.id % 1000)) * interval '1 millisecond',
      'ok', 200, 40 + e.id % 200, '{"phases":{"dns":1,"connect":2,"ttfb":30}}'::jsonb
    from endpoints e cross join generate_series(0, ${PER_DAY - 1}) h`);
}
const loadSeconds = (performance.now() - t0) / 1000;
if (database.kind === 'postgres') await db.execute(sql`analyze probe_results`);

const size = async () => {
  const [r] = rowsOf<{ bytes: unknown; rows: unknown; dead: unknown; parts: unknown }>(
    await db.execute(sql`
      select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as bytes, coalesce(sum(s.n_live_tup), 0)::bigint as rows,
        coalesce(sum(s.n_dead_tup), 0)::bigint as dead, count(*)::int as parts
      from pg_inherits i join pg_class c on c.oid = i.inhrelid left join pg_stat_user_tables s on s.relid = c.oid
      where i.inhparent = 'probe_results'::regclass`),
  );
  return { mb: Number(r!.bytes) / 1048576, rows: Number(r!.rows), dead: Number(r!.dead), parts: Number(r!.parts) };
};
const count = async () => Number(rowsOf<{ n: unknown }>(await db.execute(sql`select count(*) as n from probe_results`))[0]!.n);

const start = await size();
const rows0 = await count();
console.log(`database: ${database.kind}; ${rows0} raw results (${DAYS} days × ${TARGETS} targets × ${PER_DAY}/day) loaded in ${loadSeconds.toFixed(1)} s; ${start.parts} partitions, ${start.mb.toFixed(0)} MB`);

const prunes: number[] = [];
for (let k = 0; k <= PRUNE_DAYS; k++) {
  const now = new Date(today.getTime() + k * DAY + 3_600_000);
  const t = performance.now();
  const pruned = await pruneProbeResults(db, RETENTION, now);
  const ms = performance.now() - t;
  if (k > 0) prunes.push(ms);
  const s = await size();
  console.log(
    `day +${k}: retention ${ms.toFixed(0)} ms — ${pruned.partitions} partition(s) dropped (~${pruned.droppedRowsEstimate} rows), ${pruned.deletedRows} rows deleted; table ${s.mb.toFixed(0)} MB, ${s.parts} partitions, dead rows ${s.dead}`,
  );
}
const end = await size();
const rows1 = await count();

// The peer: the same day deleted row by row from an unpartitioned copy (what retention did before).
await db.execute(sql`create table bench_unpartitioned (like probe_results including defaults)`);
const oldest = rowsOf<{ d: string }>(await db.execute(sql`select min(at)::date::text as d from probe_results`))[0]!.d;
await db.execute(sql`insert into bench_unpartitioned select * from probe_results where at >= ${oldest}::date and at < ${oldest}::date + 1`);
await db.execute(sql`create index on bench_unpartitioned (at)`);
const td = performance.now();
const deleted = rowsOf<{ n: unknown }>(await db.execute(sql`with gone as (delete from bench_unpartitioned where at < ${oldest}::date + 1 returning 1) select count(*) as n from gone`))[0]!.n;
const deleteMs = performance.now() - td;
const deadAfterDelete = database.kind === 'postgres' ? rowsOf<{ n: unknown }>(await db.execute(sql`select pg_total_relation_size('bench_unpartitioned')::bigint as n`))[0]!.n : 0;
await db.execute(sql`drop table bench_unpartitioned`);

// Rollups for the size per year: one probe_days row per system and day (30 days of them here).
await db.execute(sql`truncate probe_days`);
await db.execute(sql`
  insert into probe_days (system_id, day, probes, ok, failed, dns_nxdomain, outcomes, sum_ms, max_ms)
  select s.id, date '2026-01-01' + d, 24, 23, 1, 0, '{"ok":23,"timeout":1}'::jsonb, 24 * 140, 900
  from systems s cross join generate_series(0, ${DAYS - 1}) d`);
const [roll] = rowsOf<{ bytes: unknown; n: unknown }>(await db.execute(sql`select pg_total_relation_size('probe_days')::bigint as bytes, (select count(*) from probe_days) as n`));
const rawBytesPerRow = (start.mb * 1048576) / rows0;
const rollBytesPerRow = Number(roll!.bytes) / Number(roll!.n);
console.log(`size per row, indexes included: raw result ${rawBytesPerRow.toFixed(0)} B; probe_days rollup ${rollBytesPerRow.toFixed(0)} B (${roll!.n} rows)`);

const sorted = [...prunes].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(`load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} (shared machine)`);
console.log(`retention, one day dropped: min ${sorted[0]!.toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms over ${PRUNE_DAYS} days; target < 1000 ms: ${sorted[sorted.length - 1]! < 1000 ? 'met' : 'missed'}`);
console.log(`rows ${rows0} → ${rows1}; table ${start.mb.toFixed(0)} MB → ${end.mb.toFixed(0)} MB (${((end.mb / start.mb) * 100).toFixed(0)}%, days kept ${DAYS - PRUNE_DAYS}/${DAYS}); dead rows after: ${end.dead}`);
console.log(`the same day deleted row by row (${deleted} rows, unpartitioned copy): ${deleteMs.toFixed(0)} ms, leaving ${(Number(deadAfterDelete) / 1048576).toFixed(0)} MB of dead space until vacuum; drop/delete: ${(median / deleteMs).toFixed(3)}×`);
await database.close();
process.exit(0);
