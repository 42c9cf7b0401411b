import { asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { IPV6_GRADES, representativeRole, type Ipv6Grade, type UsageMetric, USAGE_METRICS } from '../../reports/codes.js';
import { addDays, addMonths, dayNumber, diffDays, maxDay, minDay, type Day } from '../../reports/dates.js';
import type { ContentEvidence, EndpointFacts, Ipv6Evidence, ProbeDay, SystemEvidence, TlsEvidence, UsageDay, UsageSource } from '../../reports/evidence.js';
import type { Policy } from '../../reports/policy.js';
import type { InspectionDay } from '../../reports/inspection-rule.js';
import { loadCampaignItemFacts, ownershipFromItems } from '../campaigns/evidence.js';
import type { Db } from '../db/client.js';
import { departments, endpoints, endpointState, systemPolicies, systems } from '../db/schema/index.js';
import { intArray, rowsOf } from '../db/sql.js';
import { DEFAULT_TIME_ZONE, endOfDay, localDay } from '../../probes/time.js';
import { hostOf } from '../../probes/host.js';
import { attachResourceEvidence } from './resources-evidence.js';

/**
 * The evidence loader: fills `SystemEvidence` (reports/evidence.ts) for every system, or the given ones,
 * as of a day, in a fixed number of set-based queries (never one per system):
 *
 *  1. systems + department (dissolved/successor) + system policy (season, exemption, duplicates);
 *  2. endpoints and their latest state (cert, IPv6, sitemap, Last-Modified);
 *  3. probe_days over the window the probe rules need (see `probeWindowDays`), and further back (up to
 *     `EXTENDED_PROBE_DAYS`) only for the systems whose run of bad days reaches the window's start;
 *  4. content: first observation and last change per endpoint from content_changes (index look-ups);
 *  5. usage_days, folded into the windows the usage rules read (see `usageSegments`: events summed,
 *     `active_users` — distinct people, which never add up — by their largest day), and the usage
 *     sources (one per system and `source` kind, covering from its first row);
 *  6. ownership from campaign items (src/campaigns/evidence.ts).
 *
 * Content history comes from content_changes (one row per change of an endpoint's page) rather than
 * from the probe_days hash, which is the last hash of the day over all endpoints and would flip between
 * two endpoints' pages; so probe days are loaded only for the probe rules' window, not for 180 days.
 *
 * Rows after `asOf` are left out. endpoint_state holds only the latest state: for a past `asOf`, the
 * IPv6 grade comes from its history (ipv6_changes) as of that day's end; the certificate and sitemap
 * date are the latest seen up to that day's end, or none.
 */

export interface EvidenceOptions {
  asOf: Day;
  policy: Policy;
  /** Only these systems (ids); all systems when omitted. */
  systemIds?: number[];
  /** Zone of days (TZ); default Asia/Shanghai. */
  timeZone?: string;
  /**
   * The prober's public source address, shown with `probe_blocked` (`PROBER_ADDRESS`). When not given, the
   * local address of the system's latest probe is shown: right unless the prober sits behind NAT.
   */
  proberAddress?: string | null;
}

export interface LoadedSystem {
  systemId: number;
  departmentId: number;
  departmentPath: string;
  statusAt: Date | null;
  evidence: SystemEvidence;
}

/** Days of probe_days the probe rules can look at: the longest run or window, plus silence and gaps. */
export function probeWindowDays(policy: Policy): number {
  const p = policy.probes;
  return (
    Math.max(policy.zombie.unreachableDays, policy.zombie.dnsGoneDays, policy.semiZombie.availabilityWindowDays, p.evidenceWindowDays) +
    p.maxSilenceDays +
    p.gapToleranceDays +
    1
  );
}

/**
 * Start days (ascending) of the usage segments: every window a usage rule sums over starts at one of
 * them (the no-usage window, the monthly-active-users window and, for seasonal systems, each block of
 * the last N months). Usage rows are summed per segment, keeping the latest day with use, so the
 * classifier sees the same window sums and "last used" day as from the daily rows, at a fraction of
 * the rows.
 */
export function usageSegments(asOf: Day, policy: Policy): Day[] {
  const starts = new Set<Day>();
  const window = policy.semiZombie.usageWindowDays;
  const seasonStart = addDays(addMonths(asOf, -policy.seasonal.usageWindowMonths), 1);
  starts.add(addDays(asOf, -(policy.zombie.noUsageDays - 1)));
  starts.add(addDays(asOf, -(window - 1)));
  starts.add(seasonStart);
  for (let to = asOf; ; to = addDays(to, -window)) {
    const from = addDays(to, -(window - 1));
    if (from < seasonStart) break;
    starts.add(from);
  }
  const loadFrom = addDays(minDay(...starts)!, -1);
  starts.add(loadFrom);
  return [...starts].sort();
}

const isGrade = (g: unknown): g is Ipv6Grade => typeof g === 'string' && (IPV6_GRADES as readonly string[]).includes(g);
const isMetric = (m: unknown): m is UsageMetric => typeof m === 'string' && (USAGE_METRICS as readonly string[]).includes(m);


const successor = alias(departments, 'successor');

/** How far back a run of bad days is followed when it reaches the start of the probe window. */
export const EXTENDED_PROBE_DAYS = 400;

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

/** Evidence of every system (or the given ones) as of `asOf`. */
export async function loadEvidence(db: Db, opts: EvidenceOptions): Promise<SystemEvidence[]> {
  return (await loadSystemEvidence(db, opts)).map((s) => s.evidence);
}

export async function loadSystemEvidence(db: Db, opts: EvidenceOptions): Promise<LoadedSystem[]> {
  const { asOf, policy } = opts;
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const end = endOfDay(asOf, tz);
  const ids = opts.systemIds;
  if (ids && ids.length === 0) return [];
  const only = (col: string) => (ids ? sql`and ${sql.raw(col)} = any(${intArray(ids)})` : sql``);
  const probeFrom = addDays(asOf, -(probeWindowDays(policy) - 1));
  const segments = usageSegments(asOf, policy);
  const usageFrom = segments[0]!;
  const thresholds = segments.map((d) => dayNumber(d)).join(',');

  const systemQuery = db
      .select({
        id: systems.id,
        code: systems.code,
        name: systems.name,
        departmentId: systems.departmentId,
        lifecycle: systems.lifecycle,
        userScope: systems.userScope,
        registeredUsers: systems.registeredUsers,
        launchedOn: systems.launchedOn,
        cloudRequired: systems.cloudRequired,
        deployment: systems.deployment,
        network: systems.network,
        mlpsLevel: systems.mlpsLevel,
        operatorUnit: systems.operatorUnit,
        contractor: systems.contractor,
        contactName: systems.contactName,
        contactPhone: systems.contactPhone,
        contactEmail: systems.contactEmail,
        statusAt: systems.statusAt,
        deptCode: departments.code,
        deptName: departments.name,
        deptPath: departments.path,
        dissolvedOn: departments.dissolvedOn,
        successorCode: successor.code,
        season: systemPolicies.season,
        exemptUntil: systemPolicies.exemptUntil,
        exemptReason: systemPolicies.exemptReason,
        duplicates: systemPolicies.duplicates,
        policyUpdatedAt: systemPolicies.updatedAt,
      })
      .from(systems)
      .innerJoin(departments, eq(departments.id, systems.departmentId))
      .leftJoin(successor, eq(successor.id, departments.successorId))
      .leftJoin(systemPolicies, eq(systemPolicies.systemId, systems.id))
      .where(ids ? sql`${systems.id} = any(${intArray(ids)})` : undefined)
      .orderBy(asc(systems.id));

  const challengeFrom = new Date(end.getTime() - policy.probes.evidenceWindowDays * 86_400_000);
  const addressFrom = new Date(end.getTime() - (policy.probes.maxSilenceDays + 1) * 86_400_000);
  const inspectionFrom = addDays(asOf, -(policy.inspection.windowDays - 1));
  const [systemRows, endpointRows, probeRows, contentRows, usageRows, sourceRows, campaignFacts, proberRows, ipv6HistoryRows, inspectionRows] = await Promise.all([
    systemQuery,
    (async () =>
      db
      .select({
        id: endpoints.id,
        systemId: endpoints.systemId,
        url: endpoints.url,
        role: endpoints.role,
        lastProbeAt: endpointState.lastProbeAt,
        lastModified: endpointState.lastModified,
        sitemapLastmod: endpointState.sitemapLastmod,
        cert: endpointState.cert,
        ipv6: endpointState.ipv6,
        ipv6At: endpointState.ipv6At,
      })
      .from(endpoints)
      .leftJoin(endpointState, eq(endpointState.endpointId, endpoints.id))
      .where(ids ? sql`${endpoints.systemId} = any(${intArray(ids)})` : undefined)
      .orderBy(asc(endpoints.systemId), asc(endpoints.position), asc(endpoints.id)))(),
    db.execute(sql`
      select system_id, to_char(day, 'YYYY-MM-DD') as day, probes, ok, failed, dns_nxdomain, outcomes, cert_days_left_min
      from probe_days
      where day >= ${probeFrom}::date and day <= ${asOf}::date and probes > 0 ${only('system_id')}`),
    db.execute(sql`
      select e.id as endpoint_id, e.system_id, e.role::text as role,
        to_char(f.first_at at time zone ${tz}, 'YYYY-MM-DD') as first_day,
        to_char(l.last_at at time zone ${tz}, 'YYYY-MM-DD') as last_day,
        (l.last_at > f.first_at) as changed
      from endpoints e
      cross join lateral (select min(c.at) as first_at from content_changes c where c.system_id = e.system_id and c.endpoint_id = e.id and c.at < ${end.toISOString()}::timestamptz) f
      cross join lateral (select max(c.at) as last_at from content_changes c where c.system_id = e.system_id and c.endpoint_id = e.id and c.at < ${end.toISOString()}::timestamptz) l
      where f.first_at is not null ${only('e.system_id')}`),
    db.execute(sql`
      select system_id, metric, to_char(max(day), 'YYYY-MM-DD') as day,
        (case when metric = 'active_users' then max(v) else sum(v) end)::float8 as value
      from (
        select system_id, day, metric, max(value) as v,
          width_bucket(day - date '1970-01-01', ${`{${thresholds}}`}::int[]) as seg
        from usage_days
        where day >= ${usageFrom}::date and day <= ${asOf}::date and value > 0 ${only('system_id')}
        group by system_id, day, metric
      ) d
      group by system_id, metric, seg`),
    db.execute(sql`
      select system_id, source, to_char(min(day), 'YYYY-MM-DD') as since
      from usage_days
      where day >= ${usageFrom}::date and day <= ${asOf}::date ${only('system_id')}
      group by system_id, source`),
    loadCampaignItemFacts(db, asOf, ids, tz),
    // What stopped our probes: vendors of recent challenges, and our own address on the latest probes.
    db.execute(sql`
      select system_id,
        (array_agg(detail->>'localAddress' order by at desc) filter (where detail ? 'localAddress'))[1] as address,
        array_agg(distinct detail->>'vendor') filter (where outcome = 'challenged' and detail ? 'vendor') as vendors
      from probe_results
      where kind = 'liveness' and at >= ${challengeFrom.toISOString()}::timestamptz and at < ${end.toISOString()}::timestamptz
        and (outcome = 'challenged' or at >= ${addressFrom.toISOString()}::timestamptz) ${only('system_id')}
      group by system_id`),
    // For a past day: the IPv6 grade of each endpoint measured since, from the history of changes.
    db.execute(sql`
      select st.endpoint_id, c.at, c.grade, c.second_level_rate, c.third_level_rate
      from endpoint_state st
      cross join lateral (
        select h.at, h.grade, h.second_level_rate, h.third_level_rate from ipv6_changes h
        where h.system_id = st.system_id and h.endpoint_id = st.endpoint_id and h.at < ${end.toISOString()}::timestamptz
        order by h.at desc, h.id desc limit 1) c
      where st.ipv6_at >= ${end.toISOString()}::timestamptz ${only('st.system_id')}`),
    // Portal visits per day over the inspection rule's window (the portal cadence's rollup).
    db.execute(sql`
      select system_id, to_char(day, 'YYYY-MM-DD') as day, sum(visits)::int as visits, sum(not_opened)::int as not_opened
      from inspection_days
      where day >= ${inspectionFrom}::date and day <= ${asOf}::date ${only('system_id')}
      group by system_id, day`),
  ]);
  const inspection = new Map<number, InspectionDay[]>();
  for (const r of rowsOf<Record<string, unknown>>(inspectionRows)) {
    const list = inspection.get(Number(r.system_id)) ?? [];
    list.push({ day: String(r.day), visits: Number(r.visits), notOpened: Number(r.not_opened) });
    inspection.set(Number(r.system_id), list);
  }
  const ipv6History = new Map(
    rowsOf<Record<string, unknown>>(ipv6HistoryRows).map((r) => [
      Number(r.endpoint_id),
      { ipv6: { grade: r.grade, secondLevelRate: r.second_level_rate === null ? null : Number(r.second_level_rate), thirdLevelRate: r.third_level_rate === null ? null : Number(r.third_level_rate) }, at: new Date(String(r.at)) },
    ]),
  );

  // Group everything by system id.
  const group = <T extends { systemId: number }>(rows: T[]) => {
    const m = new Map<number, T[]>();
    for (const r of rows) {
      const list = m.get(r.systemId);
      if (list) list.push(r);
      else m.set(r.systemId, [r]);
    }
    return m;
  };
  const eps = group(endpointRows);
  const probes = group(rowsOf<Record<string, unknown>>(probeRows).map(probeDayOf));
  // A run of bad days reaching the window's first day may go further back: load more for those few
  // systems, so a reason says since when a system has really been down, not since the window began.
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
  const content = group(
    rowsOf<Record<string, unknown>>(contentRows).map((r) => ({
      systemId: Number(r.system_id),
      portal: r.role === 'portal',
      firstDay: String(r.first_day),
      lastDay: String(r.last_day),
      changed: r.changed === true || r.changed === 't',
    })),
  );
  const usage = group(
    rowsOf<Record<string, unknown>>(usageRows)
      .filter((r) => isMetric(r.metric))
      .map((r) => ({ systemId: Number(r.system_id), row: { day: String(r.day), metric: r.metric as UsageMetric, value: Number(r.value) } satisfies UsageDay })),
  );
  const sources = group(rowsOf<Record<string, unknown>>(sourceRows).map((r) => ({ systemId: Number(r.system_id), source: { kind: String(r.source), since: String(r.since) } satisfies UsageSource })));
  const ownership = ownershipFromItems(campaignFacts, asOf, tz);
  const prober = new Map(
    rowsOf<Record<string, unknown>>(proberRows).map((r) => [
      Number(r.system_id),
      { address: typeof r.address === 'string' ? r.address : null, vendors: Array.isArray(r.vendors) ? r.vendors.filter((v): v is string => typeof v === 'string') : [] },
    ]),
  );

  const endMs = end.getTime();
  const before = (d: Date | null | undefined): d is Date => !!d && d.getTime() < endMs;

  const out = systemRows.map((s) => {
    const sysEps = eps.get(s.id) ?? [];
    const endpointFacts: EndpointFacts[] = sysEps.map((e) => ({ url: e.url, role: e.role }));

    // Content: per-endpoint first observation and last change; portals make the homepage. A first
    // observation is not a change: a page first seen yesterday may be unchanged for a year, and its
    // Last-Modified and the sitemap's lastmod (below) are what say since when (issue 9 item 4).
    let observedSince: Day | null = null;
    let lastChanged: Day | null = null;
    let homepage: Day | null = null;
    for (const c of content.get(s.id) ?? []) {
      observedSince = minDay(observedSince, c.firstDay);
      if (c.changed) lastChanged = maxDay(lastChanged, c.lastDay);
      if (c.portal && c.changed) homepage = maxDay(homepage, c.lastDay);
    }
    let sitemap: Day | null = null;
    let tls: TlsEvidence | null = null;
    let ipv6: (Ipv6Evidence & { at: number }) | null = null;
    const representative = representativeRole(sysEps.map((e) => e.role));
    for (const e of sysEps) {
      if (before(e.sitemapLastmod)) sitemap = maxDay(sitemap, localDay(e.sitemapLastmod, tz));
      // Last-Modified counts only when it is a real past date: dynamic pages send the time of the request.
      if (before(e.lastModified) && e.lastProbeAt && e.lastModified.getTime() < e.lastProbeAt.getTime() - 3_600_000) {
        const d = localDay(e.lastModified, tz);
        lastChanged = maxDay(lastChanged, d);
        if (e.role === 'portal') homepage = maxDay(homepage, d);
      }
      const cert = e.cert as { validTo?: unknown } | null;
      if (cert && typeof cert.validTo === 'string' && before(e.lastProbeAt) && e.url.startsWith('https:')) {
        const t = new Date(cert.validTo);
        if (!Number.isNaN(t.getTime())) {
          const validTo = localDay(t, tz);
          if (!tls || validTo < tls.validTo) tls = { validTo, host: hostOf(e.url) };
        }
      }
      // The latest state when measured by asOf, otherwise the grade the history says it had then.
      const past = before(e.ipv6At) ? null : ipv6History.get(e.id);
      const v6 = (past ? past.ipv6 : e.ipv6) as { grade?: unknown; secondLevelRate?: unknown; thirdLevelRate?: unknown } | null;
      const v6At = past ? past.at : e.ipv6At;
      // The first representative endpoint (portal, else app, else api; by position) with a measurement.
      if (!ipv6 && e.role === representative && v6 && isGrade(v6.grade) && before(v6At)) {
        ipv6 = {
          grade: v6.grade,
          measuredOn: localDay(v6At, tz),
          secondLevelRate: typeof v6.secondLevelRate === 'number' ? v6.secondLevelRate : null,
          thirdLevelRate: typeof v6.thirdLevelRate === 'number' ? v6.thirdLevelRate : null,
          at: v6At.getTime(),
        };
      }
    }
    const contentEvidence: ContentEvidence = { observedSince, lastChanged, homepageLastChanged: homepage, sitemapNewestLastmod: sitemap };

    const own = ownership.get(s.id);
    const duplicates = s.duplicates?.filter((d) => d.trim() !== '') ?? [];
    const evidence: SystemEvidence = {
      system: {
        code: s.code,
        name: s.name,
        departmentCode: s.deptCode,
        lifecycle: s.lifecycle,
        userScope: s.userScope,
        registeredUsers: s.registeredUsers,
        launchedOn: s.launchedOn,
        cloudRequired: s.cloudRequired,
        deployment: s.deployment,
        network: s.network,
        mlpsLevel: s.mlpsLevel !== null && s.mlpsLevel >= 1 && s.mlpsLevel <= 5 ? (s.mlpsLevel as 1 | 2 | 3 | 4 | 5) : null,
        endpoints: endpointFacts,
        season: s.season?.trim() ? { label: s.season.trim() } : null,
        exemption: s.exemptUntil ? { until: s.exemptUntil, reason: s.exemptReason ?? '' } : null,
        operatorUnit: s.operatorUnit,
        contractor: s.contractor,
        contact: { name: s.contactName, phone: s.contactPhone, email: s.contactEmail },
      },
      department: { code: s.deptCode, name: s.deptName, dissolvedOn: s.dissolvedOn, successorCode: s.successorCode },
      probeDays: (probes.get(s.id) ?? []).map((p) => p.day),
      usage: { sources: (sources.get(s.id) ?? []).map((x) => x.source), days: (usage.get(s.id) ?? []).map((u) => u.row) },
      content: contentEvidence,
      ownership: {
        confirmedAt: own?.confirmedAt ?? null,
        campaignDeadline: own?.campaignDeadline ?? null,
        unconfirmedAfterDeadline: own?.unconfirmedAfterDeadline ?? false,
        ownerMissing: own?.ownerMissing ?? false,
      },
      duplicates: duplicates.length ? { of: duplicates, notedOn: s.policyUpdatedAt ? localDay(s.policyUpdatedAt, tz) : null } : null,
      ipv6: ipv6 ? { grade: ipv6.grade, measuredOn: ipv6.measuredOn, secondLevelRate: ipv6.secondLevelRate, thirdLevelRate: ipv6.thirdLevelRate } : null,
      tls,
      prober: {
        address: opts.proberAddress?.trim() || prober.get(s.id)?.address || null,
        challengeVendors: prober.get(s.id)?.vendors ?? [],
      },
      inspection: (inspection.get(s.id) ?? []).sort((a, b) => (a.day < b.day ? -1 : 1)),
    };
    return { systemId: s.id, departmentId: s.departmentId, departmentPath: s.deptPath, statusAt: s.statusAt, evidence };
  });
  // Cloud resources (issue 12): their own step file.
  await attachResourceEvidence(db, out, { asOf, policy, ...(ids ? { systemIds: ids } : {}) });
  return out;
}
