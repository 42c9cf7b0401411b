import { sql } from 'drizzle-orm';

/** Rows of a raw `db.execute`: postgres.js returns an array, PGlite `{rows}`. */
export function rowsOf<T>(res: unknown): T[] {
  const r = res as { rows?: T[] };
  return Array.isArray(res) ? (res as T[]) : (r.rows ?? []);
}

/** Rows a raw `db.execute` returned or touched, as each driver reports it. */
export function rowCount(res: unknown): number {
  const r = res as { rows?: unknown[]; count?: number; affectedRows?: number };
  if (Array.isArray(r)) return r.length;
  if (Array.isArray(r.rows)) return r.rows.length;
  return r.count ?? r.affectedRows ?? 0;
}

/** An int[] (or bigint[]) parameter (one text parameter, the same on postgres.js and PGlite). */
export function intArray(values: readonly number[], type: 'int' | 'bigint' = 'int') {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new RangeError(`not an integer: ${v}`);
  return sql`${`{${values.join(',')}}`}::${sql.raw(type)}[]`;
}

/** A text[] parameter (through JSON, so any string is safe). */
export function textArray(values: readonly string[]) {
  // The cast makes `= any(…)` take the array as one value rather than the subquery's rows.
  return sql`(select coalesce(array_agg(v), '{}'::text[]) from jsonb_array_elements_text(${JSON.stringify(values)}::jsonb) v)::text[]`;
}

/** Splits a list into chunks of `size`. */
export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
