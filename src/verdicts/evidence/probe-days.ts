import { sql } from 'drizzle-orm';
import { addDays, diffDays } from '../../../reports/dates.js';
import type { ProbeDay } from '../../../reports/evidence.js';
import type { Db } from '../../db/client.js';
import { intArray, rowsOf } from '../../db/sql.js';
import { EXTENDED_PROBE_DAYS, probeWindowDays } from './windows.js';
import { bySystem, onlyScoped, type EvidenceScope } from './scope.js';

function probeDayOf(r: Record<string, unknown>): { systemId: number; day: ProbeDay } {
  return {
    systemId: Number(r.system_id),
    day: {
      day: String(r.day),
      probes: Number(r.probes),
      ok: Number(r.ok),
      failed: Number(r.failed),
      dnsNxdomain: Number(r.dns_nxdomain),
      outcomes: (r.outcomes && typeof r.outcomes === 'object' ? r.outcomes : {}) as ProbeDay['outcomes'],
      certDaysLeftMin: r.cert_days_left_min === null || r.cert_days_left_min === undefined ? null : Number(r.cert_days_left_min),
    },
  };
}

/**
 * Step 3: probe_days over the window the probe rules need (`probeWindowDays`), and further back (up to
 * `EXTENDED_PROBE_DAYS`) only for the systems whose run of bad days reaches the window's start, so a
 * reason says since when a system has really been down, not since the window began.
 */
export async function loadProbeDays(db: Db, scope: EvidenceScope): Promise<Map<number, ProbeDay[]>> {
  const { asOf, policy } = scope;
  const probeFrom = addDays(asOf, -(probeWindowDays(policy) - 1));
  const rows = await db.execute(sql`
      select system_id, to_char(day, 'YYYY-MM-DD') as day, probes, ok, failed, dns_nxdomain, outcomes, cert_days_left_min
      from probe_days
      where day >= ${probeFrom}::date and day <= ${asOf}::date and probes > 0 ${onlyScoped(scope, 'system_id')}`);
  const probes = bySystem(rowsOf<Record<string, unknown>>(rows).map(probeDayOf));
  const runsToExtend: number[] = [];
  for (const [systemId, list] of probes) {
    let first = list[0]!;
    for (const p of list) if (p.day.day < first.day.day) first = p;
    if (first.day.ok === 0 && diffDays(first.day.day, probeFrom) <= policy.probes.gapToleranceDays) runsToExtend.push(systemId);
  }
  if (runsToExtend.length) {
    const more = await db.execute(sql`
      select system_id, to_char(day, 'YYYY-MM-DD') as day, probes, ok, failed, dns_nxdomain, outcomes, cert_days_left_min
      from probe_days
      where day >= ${addDays(asOf, -(EXTENDED_PROBE_DAYS - 1))}::date and day < ${probeFrom}::date and probes > 0
        and system_id = any(${intArray(runsToExtend)})`);
    for (const r of rowsOf<Record<string, unknown>>(more).map(probeDayOf)) probes.get(r.systemId)!.push(r);
  }
  return new Map([...probes].map(([id, list]) => [id, list.map((p) => p.day)]));
}
