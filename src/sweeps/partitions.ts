import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/sql.js';

/** Day partitions made ahead of the clock, so a sweep that runs past midnight (UTC) never lands in the default one. */
export const PARTITION_DAYS_AHEAD = 2;

const utcDay = (t: Date) => t.toISOString().slice(0, 10);
const addDays = (t: Date, days: number) => new Date(t.getTime() + days * 86_400_000);

/**
 * Makes probe_results' day partitions from yesterday to PARTITION_DAYS_AHEAD days ahead (UTC); each
 * call is a few catalogue look-ups when they exist. Runs in its own statement, never inside a
 * batch's transaction: attaching a partition locks the default partition, and a batch holding rows
 * must not wait for that.
 */
export async function ensureProbePartitions(db: Db, now: Date): Promise<void> {
  await db.execute(sql`select probe_results_ensure_days(${utcDay(addDays(now, -1))}::date, ${utcDay(addDays(now, PARTITION_DAYS_AHEAD))}::date)`);
}

export interface Pruned {
  /** Day partitions dropped whole. */
  partitions: number;
  /** Rows they held (PostgreSQL's statistics; dropping a day never reads it). */
  droppedRowsEstimate: number;
  /** Rows deleted one by one: the part of the day that straddles the cutoff, and old rows of the default partition. */
  deletedRows: number;
}

/**
 * Retention of raw results: whole day partitions that end before the cutoff are dropped (no dead
 * rows, no vacuum debt), the rest before it deleted; rollups stay. Partitions ahead are made too,
 * so the scheduled job that prunes also keeps the next days ready.
 */
export async function pruneProbeResults(db: Db, retentionDays: number, now: Date): Promise<Pruned> {
  const cutoff = addDays(now, -retentionDays).toISOString();
  const [dropped] = rowsOf<{ partitions: unknown; rows_estimate: unknown }>(await db.execute(sql`select * from probe_results_drop_before(${cutoff}::timestamptz)`));
  const res = await db.execute(sql`with gone as (delete from probe_results where at < ${cutoff}::timestamptz returning 1) select count(*)::int as n from gone`);
  await ensureProbePartitions(db, now);
  return {
    partitions: Number(dropped?.partitions ?? 0),
    droppedRowsEstimate: Number(dropped?.rows_estimate ?? 0),
    deletedRows: Number(rowsOf<{ n: unknown }>(res)[0]?.n ?? 0),
  };
}
