import { sql } from 'drizzle-orm';
import { maxDay, minDay, type Day } from '../../../reports/dates.js';
import type { ContentEvidence } from '../../../reports/evidence.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/sql.js';
import { localDay } from '../../../probes/time.js';
import type { EndpointRow } from './inventory.js';
import { beforeEnd, bySystem, onlyScoped, type EvidenceScope } from './scope.js';

export interface ContentObservation {
  systemId: number;
  portal: boolean;
  firstDay: Day;
  lastDay: Day;
  changed: boolean;
}

/**
 * Step 4: first observation and last change per endpoint from content_changes (index look-ups). Content
 * history comes from content_changes (one row per change of an endpoint's page) rather than from the
 * probe_days hash, which is the last hash of the day over all endpoints and would flip between two
 * endpoints' pages.
 */
export async function loadContent(db: Db, scope: EvidenceScope): Promise<Map<number, ContentObservation[]>> {
  const { tz, end } = scope;
  const rows = await db.execute(sql`
      select e.id as endpoint_id, e.system_id, e.role::text as role,
        to_char(f.first_at at time zone ${tz}, 'YYYY-MM-DD') as first_day,
        to_char(l.last_at at time zone ${tz}, 'YYYY-MM-DD') as last_day,
        (l.last_at > f.first_at) as changed
      from endpoints e
      cross join lateral (select min(c.at) as first_at from content_changes c where c.system_id = e.system_id and c.endpoint_id = e.id and c.at < ${end.toISOString()}::timestamptz) f
      cross join lateral (select max(c.at) as last_at from content_changes c where c.system_id = e.system_id and c.endpoint_id = e.id and c.at < ${end.toISOString()}::timestamptz) l
      where f.first_at is not null ${onlyScoped(scope, 'e.system_id')}`);
  return bySystem(
    rowsOf<Record<string, unknown>>(rows).map((r) => ({
      systemId: Number(r.system_id),
      portal: r.role === 'portal',
      firstDay: String(r.first_day),
      lastDay: String(r.last_day),
      changed: r.changed === true || r.changed === 't',
    })),
  );
}

/**
 * A system's content evidence: per-endpoint first observation and last change; portals make the
 * homepage. A first observation is not a change: a page first seen yesterday may be unchanged for a
 * year, and its Last-Modified and the sitemap's lastmod are what say since when (issue 9 item 4).
 */
export function contentEvidence(observations: readonly ContentObservation[], eps: readonly EndpointRow[], scope: EvidenceScope): ContentEvidence {
  const { tz } = scope;
  const before = beforeEnd(scope);
  let observedSince: Day | null = null;
  let lastChanged: Day | null = null;
  let homepage: Day | null = null;
  for (const c of observations) {
    observedSince = minDay(observedSince, c.firstDay);
    if (c.changed) lastChanged = maxDay(lastChanged, c.lastDay);
    if (c.portal && c.changed) homepage = maxDay(homepage, c.lastDay);
  }
  let sitemap: Day | null = null;
  for (const e of eps) {
    if (before(e.sitemapLastmod)) sitemap = maxDay(sitemap, localDay(e.sitemapLastmod, tz));
    // Last-Modified counts only when it is a real past date: dynamic pages send the time of the request.
    if (before(e.lastModified) && e.lastProbeAt && e.lastModified.getTime() < e.lastProbeAt.getTime() - 3_600_000) {
      const d = localDay(e.lastModified, tz);
      lastChanged = maxDay(lastChanged, d);
      if (e.role === 'portal') homepage = maxDay(homepage, d);
    }
  }
  return { observedSince, lastChanged, homepageLastChanged: homepage, sitemapNewestLastmod: sitemap };
}
