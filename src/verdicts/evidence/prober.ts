import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/sql.js';
import { onlyScoped, type EvidenceScope } from './scope.js';

export interface ProberFacts {
  /** Our own source address on the latest liveness probes, as the socket saw it. */
  address: string | null;
  /** Vendors of the challenges answered in the evidence window. */
  vendors: string[];
}

/** Step 7: what stopped our probes: vendors of recent challenges, and our own address on the latest probes. */
export async function loadProber(db: Db, scope: EvidenceScope): Promise<Map<number, ProberFacts>> {
  const { end, policy } = scope;
  const challengeFrom = new Date(end.getTime() - policy.probes.evidenceWindowDays * 86_400_000);
  const addressFrom = new Date(end.getTime() - (policy.probes.maxSilenceDays + 1) * 86_400_000);
  const rows = await db.execute(sql`
      select system_id,
        (array_agg(detail->>'localAddress' order by at desc) filter (where detail ? 'localAddress'))[1] as address,
        array_agg(distinct detail->>'vendor') filter (where outcome = 'challenged' and detail ? 'vendor') as vendors
      from probe_results
      where kind = 'liveness' and at >= ${challengeFrom.toISOString()}::timestamptz and at < ${end.toISOString()}::timestamptz
        and (outcome = 'challenged' or at >= ${addressFrom.toISOString()}::timestamptz) ${onlyScoped(scope, 'system_id')}
      group by system_id`);
  return new Map(
    rowsOf<Record<string, unknown>>(rows).map((r) => [
      Number(r.system_id),
      { address: typeof r.address === 'string' ? r.address : null, vendors: Array.isArray(r.vendors) ? r.vendors.filter((v): v is string => typeof v === 'string') : [] },
    ]),
  );
}
