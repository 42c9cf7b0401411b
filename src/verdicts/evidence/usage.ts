import { sql } from 'drizzle-orm';
import { USAGE_METRICS, type UsageMetric } from '../../../reports/codes.js';
import { dayNumber } from '../../../reports/dates.js';
import type { SystemEvidence, UsageDay, UsageSource } from '../../../reports/evidence.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/sql.js';
import { usageSegments } from './windows.js';
import { bySystem, onlyScoped, type EvidenceScope } from './scope.js';

const isMetric = (m: unknown): m is UsageMetric => typeof m === 'string' && (USAGE_METRICS as readonly string[]).includes(m);

/**
 * Step 5: usage_days, folded into the windows the usage rules read (see `usageSegments`: events summed,
 * `active_users` — distinct people, which never add up — by their largest day), and the usage sources
 * (one per system and `source` kind, covering from its first row).
 */
export async function loadUsage(db: Db, scope: EvidenceScope): Promise<Map<number, SystemEvidence['usage']>> {
  const { asOf, policy } = scope;
  const segments = usageSegments(asOf, policy);
  const usageFrom = segments[0]!;
  const thresholds = segments.map((d) => dayNumber(d)).join(',');
  const [usageRows, sourceRows] = await Promise.all([
    db.execute(sql`
      select system_id, metric, to_char(max(day), 'YYYY-MM-DD') as day,
        (case when metric = 'active_users' then max(v) else sum(v) end)::float8 as value
      from (
        select system_id, day, metric, max(value) as v,
          width_bucket(day - date '1970-01-01', ${`{${thresholds}}`}::int[]) as seg
        from usage_days
        where day >= ${usageFrom}::date and day <= ${asOf}::date and value > 0 ${onlyScoped(scope, 'system_id')}
        group by system_id, day, metric
      ) d
      group by system_id, metric, seg`),
    db.execute(sql`
      select system_id, source, to_char(min(day), 'YYYY-MM-DD') as since
      from usage_days
      where day >= ${usageFrom}::date and day <= ${asOf}::date ${onlyScoped(scope, 'system_id')}
      group by system_id, source`),
  ]);
  const days = bySystem(
    rowsOf<Record<string, unknown>>(usageRows)
      .filter((r) => isMetric(r.metric))
      .map((r) => ({ systemId: Number(r.system_id), row: { day: String(r.day), metric: r.metric as UsageMetric, value: Number(r.value) } satisfies UsageDay })),
  );
  const sources = bySystem(rowsOf<Record<string, unknown>>(sourceRows).map((r) => ({ systemId: Number(r.system_id), source: { kind: String(r.source), since: String(r.since) } satisfies UsageSource })));
  const usage = new Map<number, SystemEvidence['usage']>();
  for (const id of new Set([...days.keys(), ...sources.keys()])) {
    usage.set(id, { sources: (sources.get(id) ?? []).map((x) => x.source), days: (days.get(id) ?? []).map((u) => u.row) });
  }
  return usage;
}
