import { sql } from 'drizzle-orm';

/** Rows of a raw `db.execute`: postgres.js returns an array, PGlite `{rows}`. */
export function rowsOf<T>(res: unknown): T[] {
  const r = res as { rows?: T[] };
  return Array.isArray(res) ? (res as T[]) : (r.rows ?? []);
}

/** An int[] parameter (one text parameter, the same on postgres.js and PGlite). */
export function intArray(values: readonly number[]) {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new RangeError(`not an integer: ${v}`);
  return sql`${`{${values.join(',')}}`}::int[]`;
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
