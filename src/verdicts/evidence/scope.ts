import { sql, type SQL } from 'drizzle-orm';
import type { Day } from '../../../reports/dates.js';
import type { Policy } from '../../../reports/policy.js';
import { intArray } from '../../db/sql.js';
import { DEFAULT_TIME_ZONE, endOfDay } from '../../../probes/time.js';

/** What every step of the evidence loader reads: the day, the policy, the zone and the systems asked for. */
export interface EvidenceScope {
  asOf: Day;
  policy: Policy;
  tz: string;
  /** The end of `asOf` in `tz`: rows at or after it are left out. */
  end: Date;
  /** Only these systems (ids); all systems when undefined. */
  ids: number[] | undefined;
}

export function evidenceScope(opts: { asOf: Day; policy: Policy; timeZone?: string; systemIds?: number[] }): EvidenceScope {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  return { asOf: opts.asOf, policy: opts.policy, tz, end: endOfDay(opts.asOf, tz), ids: opts.systemIds };
}

/** `and COL = any(ids)` when the scope names systems, nothing otherwise. */
export function onlyScoped(scope: EvidenceScope, col: string): SQL {
  return scope.ids ? sql`and ${sql.raw(col)} = any(${intArray(scope.ids)})` : sql``;
}

/** True for an instant before the end of the scope's day. */
export function beforeEnd(scope: EvidenceScope): (d: Date | null | undefined) => d is Date {
  const endMs = scope.end.getTime();
  return (d: Date | null | undefined): d is Date => !!d && d.getTime() < endMs;
}

/** Rows grouped by their system id, in their order. */
export function bySystem<T extends { systemId: number }>(rows: Iterable<T>): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of rows) {
    const list = m.get(r.systemId);
    if (list) list.push(r);
    else m.set(r.systemId, [r]);
  }
  return m;
}
