import { sql } from 'drizzle-orm';
import { IPV6_GRADES, representativeRole, type Ipv6Grade } from '../../../reports/codes.js';
import type { Ipv6Evidence, TlsEvidence } from '../../../reports/evidence.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/sql.js';
import { localDay } from '../../../probes/time.js';
import { hostOf } from '../../../probes/host.js';
import type { EndpointRow } from './inventory.js';
import { beforeEnd, onlyScoped, type EvidenceScope } from './scope.js';

const isGrade = (g: unknown): g is Ipv6Grade => typeof g === 'string' && (IPV6_GRADES as readonly string[]).includes(g);

export interface PastIpv6 {
  ipv6: { grade: unknown; secondLevelRate: number | null; thirdLevelRate: number | null };
  at: Date;
}

/**
 * Step 6: endpoint_state holds only the latest state; for an endpoint measured after `asOf`, the IPv6
 * grade it had at that day's end, from the history of changes (ipv6_changes). By endpoint id.
 */
export async function loadIpv6History(db: Db, scope: EvidenceScope): Promise<Map<number, PastIpv6>> {
  const end = scope.end.toISOString();
  const rows = await db.execute(sql`
      select st.endpoint_id, c.at, c.grade, c.second_level_rate, c.third_level_rate
      from endpoint_state st
      cross join lateral (
        select h.at, h.grade, h.second_level_rate, h.third_level_rate from ipv6_changes h
        where h.system_id = st.system_id and h.endpoint_id = st.endpoint_id and h.at < ${end}::timestamptz
        order by h.at desc, h.id desc limit 1) c
      where st.ipv6_at >= ${end}::timestamptz ${onlyScoped(scope, 'st.system_id')}`);
  return new Map(
    rowsOf<Record<string, unknown>>(rows).map((r) => [
      Number(r.endpoint_id),
      { ipv6: { grade: r.grade, secondLevelRate: r.second_level_rate === null ? null : Number(r.second_level_rate), thirdLevelRate: r.third_level_rate === null ? null : Number(r.third_level_rate) }, at: new Date(String(r.at)) },
    ]),
  );
}

/**
 * The system's IPv6 grade: the first representative endpoint (portal, else app, else api; by position)
 * measured by the end of `asOf` — its latest state when measured by then, otherwise the grade its
 * history says it had then.
 */
export function ipv6Evidence(eps: readonly EndpointRow[], history: ReadonlyMap<number, PastIpv6>, scope: EvidenceScope): Ipv6Evidence | null {
  const before = beforeEnd(scope);
  const representative = representativeRole(eps.map((e) => e.role));
  for (const e of eps) {
    const past = before(e.ipv6At) ? null : history.get(e.id);
    const v6 = (past ? past.ipv6 : e.ipv6) as { grade?: unknown; secondLevelRate?: unknown; thirdLevelRate?: unknown } | null;
    const v6At = past ? past.at : e.ipv6At;
    if (e.role === representative && v6 && isGrade(v6.grade) && before(v6At)) {
      return {
        grade: v6.grade,
        measuredOn: localDay(v6At, scope.tz),
        secondLevelRate: typeof v6.secondLevelRate === 'number' ? v6.secondLevelRate : null,
        thirdLevelRate: typeof v6.thirdLevelRate === 'number' ? v6.thirdLevelRate : null,
      };
    }
  }
  return null;
}

/** The certificate that expires first among the system's https endpoints probed by the end of `asOf`. */
export function tlsEvidence(eps: readonly EndpointRow[], scope: EvidenceScope): TlsEvidence | null {
  const before = beforeEnd(scope);
  let tls: TlsEvidence | null = null;
  for (const e of eps) {
    const cert = e.cert as { validTo?: unknown } | null;
    if (cert && typeof cert.validTo === 'string' && before(e.lastProbeAt) && e.url.startsWith('https:')) {
      const t = new Date(cert.validTo);
      if (!Number.isNaN(t.getTime())) {
        const validTo = localDay(t, scope.tz);
        if (!tls || validTo < tls.validTo) tls = { validTo, host: hostOf(e.url) };
      }
    }
  }
  return tls;
}
