import { sql } from 'drizzle-orm';
import { classify } from '../../reports/classify.js';
import { STATUSES, type Status } from '../../reports/codes.js';
import { addDays, addMonthsToMonth, monthEnd, monthOf, monthStart, type Day, type Month } from '../../reports/dates.js';
import { DEFAULT_TIME_ZONE, endOfDay, localDay } from '../../probes/time.js';
import { departmentScope, requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/sql.js';
import { scopedSystem } from '../inventory/systems.js';
import { loadSystemEvidence } from './evidence.js';
import { activePolicy } from './policies.js';

/**
 * What the landing page (总览) shows: the verdict counts and their change since last month's end, the
 * three headline rates with 12 months of history, cases by state (overdue first), the last and next
 * sweep, campaigns close to their deadline and a "what to do next" list. One principal's view: a
 * department token sees its own subtree.
 */
export interface Overview {
  asOf: Day;
  month: Month;
  verdicts: Array<{ status: Status; now: number; previous: number | null }>;
  total: number;
  rates: {
    availability: RateSeries;
    ipv6: RateSeries;
    cloud: RateSeries;
  };
  cases: {
    byState: Record<string, number>;
    overdue: number;
    overdueItems: Array<{ id: number; systemCode: string; systemName: string; departmentName: string; status: string; deadline: string; verdict: string }>;
  };
  lastSweep: { id: number; status: string; createdAt: Date; finishedAt: Date | null; targets: number; done: number; failed: number; outcomes: Record<string, number> } | null;
  nextSweepAt: Date | null;
  campaigns: Array<{ id: number; name: string; deadline: string; daysLeft: number; items: number; pending: number }>;
  next: NextStep[];
}

/** A rate now (last 30 days, or as it stands) and one point per month, oldest first; null where there is no figure. */
export interface RateSeries {
  now: number | null;
  months: Array<{ month: Month; rate: number | null }>;
}

/** One line of 下一步: a count, what it is about, and where to act. */
export type NextStep =
  | { kind: 'evidence_gap'; gap: 'probe_days' | 'probes_stale' | 'usage_source'; count: number; href: string }
  | { kind: 'cases_to_notify'; count: number; href: string }
  | { kind: 'cases_overdue'; count: number; href: string }
  | { kind: 'sweep_failures'; count: number; sweepId: number; href: string }
  | { kind: 'never_probed'; count: number; href: string }
  | { kind: 'campaign_pending'; count: number; name: string; deadline: string; href: string };

/** Campaigns whose deadline falls within this many days are shown. */
export const CAMPAIGN_SOON_DAYS = 14;
/** Insufficient-evidence systems examined for their gaps (the list says "at least" beyond it). */
export const GAP_SAMPLE = 5000;

type MonthFigures = { availability: number | null; cloud: number | null; ipv6: number | null };
const pastByDatabase = new WeakMap<Db, Map<string, MonthFigures>>();
/** Figures of ended months, per database (so tests and processes never share them). */
function pastFigures(db: Db): Map<string, MonthFigures> {
  let m = pastByDatabase.get(db);
  if (!m) pastByDatabase.set(db, (m = new Map()));
  if (m.size > 5000) m.clear();
  return m;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export async function overview(db: Db, principal: Principal, ctx: { now: Date; timeZone?: string; nextSweepAt?: Date | null }): Promise<Overview> {
  requirePermission(principal, 'read');
  const tz = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const asOf = localDay(ctx.now, tz);
  const month = monthOf(asOf);
  const firstMonth = addMonthsToMonth(month, -11);
  const lastMonthEnd = monthEnd(addMonthsToMonth(month, -1));
  const scope = departmentScope(principal, sql`d.path`);
  const inScope = scope ? sql`and ${scope}` : sql``;
  const months = Array.from({ length: 12 }, (_, i) => addMonthsToMonth(firstMonth, i));
  // Months that have ended do not change: their three figures are kept per database and scope, so a
  // landing page reads the rollups of the current month only (the first view after a start reads all).
  const cache = pastFigures(db);
  const scopeKey = principal.role === 'department' ? (principal.departmentPath ?? '-') : '*';
  const cached = (m: Month) => (m === month ? undefined : cache.get(`${scopeKey}|${m}`));
  const needed = months.filter((m) => !cached(m));
  const neededEnds = needed.map((m) => endOfDay(m === month ? asOf : monthEnd(m), tz).toISOString());
  const fromDay = monthStart(needed[0]!);
  const probeScope = scope ? sql`join systems s on s.id = p.system_id join departments d on d.id = s.department_id where ${scope} and` : sql`where`;
  const [counts, previous, availability, avail30, cloud, ipv6, cases, overdueItems, sweep, campaigns, neverProbed] = await Promise.all([
    db.execute(sql`
      select s.status::text as status, count(*)::int as n
      from systems s join departments d on d.id = s.department_id
      where s.lifecycle <> 'retired' ${inScope}
      group by s.status`),
    db.execute(sql`
      select h.status, count(*)::int as n from (
        select distinct on (h.system_id) h.system_id, h.status
        from status_history h join systems s on s.id = h.system_id join departments d on d.id = s.department_id
        where h.as_of <= ${lastMonthEnd}::date ${inScope}
        order by h.system_id, h.as_of desc, h.id desc
      ) h group by h.status`),
    db.execute(sql`
      select to_char(p.day, 'YYYY-MM') as month, sum(p.ok)::float8 as ok, sum(p.probes)::float8 as probes
      from probe_days p ${probeScope} p.day >= ${fromDay}::date and p.day <= ${asOf}::date
      group by 1`),
    db.execute(sql`
      select sum(p.ok)::float8 as ok, sum(p.probes)::float8 as probes
      from probe_days p ${probeScope} p.day > ${addDays(asOf, -30)}::date and p.day <= ${asOf}::date`),
    // 上云率 at each month end: systems existing then (and not yet retired) that must be on the cloud.
    db.execute(sql`
      select m.i, count(*) filter (where s.cloud_required)::int as required,
        count(*) filter (where s.cloud_required and s.deployment = 'gov_cloud')::int as on_cloud
      from unnest(${`{${neededEnds.join(',')}}`}::timestamptz[]) with ordinality as m(at, i)
      join systems s on s.created_at < m.at and (s.retired_at is null or s.retired_at >= m.at)
      join departments d on d.id = s.department_id
      where true ${inScope}
      group by m.i`),
    // IPv6 支持率 at each month end: internet-facing systems with an endpoint whose latest grade by then is `ready`.
    db.execute(sql`
      with m as (select at, i from unnest(${`{${neededEnds.join(',')}}`}::timestamptz[]) with ordinality as m(at, i)),
      grades as (
        select endpoint_id, at, grade from ipv6_changes
        union all
        select endpoint_id, ipv6_at, ipv6->>'grade' from endpoint_state where ipv6 ? 'grade' and ipv6_at is not null
      ),
      latest as (
        select distinct on (m.i, g.endpoint_id) m.i, g.endpoint_id, g.grade
        from m join grades g on g.at < m.at
        order by m.i, g.endpoint_id, g.at desc
      ),
      ready as (
        select distinct l.i, e.system_id from latest l join endpoints e on e.id = l.endpoint_id where l.grade = 'ready'
      )
      select m.i, count(*)::int as facing, count(r.system_id)::int as ready
      from m join systems s on s.network = 'internet' and s.created_at < m.at and (s.retired_at is null or s.retired_at >= m.at)
      join departments d on d.id = s.department_id
      left join ready r on r.i = m.i and r.system_id = s.id
      where true ${inScope}
      group by m.i`),
    db.execute(sql`
      select f.status, count(*)::int as n,
        count(*) filter (where (f.status in ('notified', 'reopened') and f.deadline < ${asOf}::date)
          or (f.status = 'answered' and f.answer->>'action' <> 'keep' and (f.answer->>'dueBy') is not null and (f.answer->>'dueBy')::date < ${asOf}::date))::int as overdue
      from findings f join departments d on d.id = f.department_id
      where true ${inScope}
      group by f.status`),
    db.execute(sql`
      select f.id, s.code, s.name, d.name as department_name, f.status, to_char(f.deadline, 'YYYY-MM-DD') as deadline, f.verdict
      from findings f join systems s on s.id = f.system_id join departments d on d.id = f.department_id
      where ((f.status in ('notified', 'reopened') and f.deadline < ${asOf}::date)
          or (f.status = 'answered' and f.answer->>'action' <> 'keep' and (f.answer->>'dueBy') is not null and (f.answer->>'dueBy')::date < ${asOf}::date)) ${inScope}
      order by f.deadline, f.id limit 10`),
    db.execute(sql`
      select w.id, w.status, w.created_at, w.finished_at, w.targets,
        (select coalesce(json_object_agg(o.outcome, o.n), '{}'::json)::text from (
          select coalesce(t.outcome, 'unknown') as outcome, count(*)::int as n from sweep_targets t
          where t.sweep_id = w.id and t.state = 'done' group by 1) o) as outcomes
      from sweeps w where coalesce(w.slot, '') not like 'portal:%'
      order by w.id desc limit 1`),
    db.execute(sql`
      select c.id, c.name, to_char(c.deadline, 'YYYY-MM-DD') as deadline, count(i.id)::int as items,
        count(i.id) filter (where i.state = 'pending')::int as pending
      from campaigns c left join campaign_items i on i.campaign_id = c.id
        left join departments d on d.id = i.department_id
      where c.status = 'open' and c.deadline >= ${asOf}::date and c.deadline <= ${addDays(asOf, CAMPAIGN_SOON_DAYS)}::date ${scope ? sql`and (d.id is null or ${scope})` : sql``}
      group by c.id order by c.deadline, c.id limit 10`),
    db.execute(sql`
      select count(*)::int as n from systems s join departments d on d.id = s.department_id
      where s.lifecycle in ('construction', 'live', 'decommissioning') ${inScope}
        and exists (select 1 from endpoints e where e.system_id = s.id)
        and not exists (select 1 from endpoint_state es where es.system_id = s.id and es.last_probe_at is not null)`),
  ]);

  const nowCounts = new Map(rowsOf<{ status: string; n: unknown }>(counts).map((r) => [r.status, num(r.n)]));
  const prevRows = rowsOf<{ status: string; n: unknown }>(previous);
  const prevCounts = new Map(prevRows.map((r) => [r.status, num(r.n)]));
  const verdicts = STATUSES.map((status) => ({ status, now: nowCounts.get(status) ?? 0, previous: prevRows.length ? (prevCounts.get(status) ?? 0) : null }));

  const availByMonth = new Map(rowsOf<{ month: string; ok: unknown; probes: unknown }>(availability).map((r) => [r.month, num(r.probes) ? num(r.ok) / num(r.probes) : null]));
  const [a30] = rowsOf<{ ok: unknown; probes: unknown }>(avail30);
  const byIndex = <T>(rows: T[], key: (r: T) => unknown) => new Map(rows.map((r) => [num(key(r)) - 1, r]));
  const cloudRows = byIndex(rowsOf<{ i: unknown; required: unknown; on_cloud: unknown }>(cloud), (r) => r.i);
  const ipv6Rows = byIndex(rowsOf<{ i: unknown; facing: unknown; ready: unknown }>(ipv6), (r) => r.i);
  const computed = new Map(
    needed.map((m, i) => {
      const c = cloudRows.get(i);
      const v = ipv6Rows.get(i);
      return [
        m,
        {
          availability: availByMonth.get(m) ?? null,
          cloud: c && num(c.required) ? num(c.on_cloud) / num(c.required) : null,
          ipv6: v && num(v.facing) ? num(v.ready) / num(v.facing) : null,
        },
      ];
    }),
  );
  for (const [m, f] of computed) if (m !== month) cache.set(`${scopeKey}|${m}`, f);
  const figure = (m: Month) => cached(m) ?? computed.get(m)!;
  const cloudSeries = months.map((m) => ({ month: m, rate: figure(m).cloud }));
  const ipv6Series = months.map((m) => ({ month: m, rate: figure(m).ipv6 }));

  const byState: Record<string, number> = {};
  let overdue = 0;
  for (const r of rowsOf<{ status: string; n: unknown; overdue: unknown }>(cases)) {
    byState[r.status] = num(r.n);
    overdue += num(r.overdue);
  }

  const [sw] = rowsOf<Record<string, unknown>>(sweep);
  let lastSweep: Overview['lastSweep'] = null;
  if (sw) {
    const outcomes = JSON.parse(String(sw.outcomes ?? '{}')) as Record<string, number>;
    const done = Object.values(outcomes).reduce((s, n) => s + n, 0);
    lastSweep = {
      id: num(sw.id),
      status: String(sw.status),
      createdAt: new Date(String(sw.created_at)),
      finishedAt: sw.finished_at ? new Date(String(sw.finished_at)) : null,
      targets: num(sw.targets),
      done,
      failed: done - (outcomes.ok ?? 0),
      outcomes,
    };
  }

  const campaignList = rowsOf<Record<string, unknown>>(campaigns).map((r) => ({
    id: num(r.id),
    name: String(r.name),
    deadline: String(r.deadline),
    daysLeft: Math.round((Date.parse(String(r.deadline)) - Date.parse(asOf)) / 86_400_000),
    items: num(r.items),
    pending: num(r.pending),
  }));

  const next: NextStep[] = [];
  if (overdue) next.push({ kind: 'cases_overdue', count: overdue, href: '/findings?overdue=1' });
  if (byState.open) next.push({ kind: 'cases_to_notify', count: byState.open, href: '/findings?status=open' });
  if (lastSweep?.failed) next.push({ kind: 'sweep_failures', count: lastSweep.failed, sweepId: lastSweep.id, href: `/sweeps/${lastSweep.id}` });
  const insufficient = nowCounts.get('insufficient_evidence') ?? 0;
  if (insufficient) {
    for (const [gap, count] of await evidenceGapCounts(db, principal, asOf, tz)) {
      next.push({ kind: 'evidence_gap', gap, count, href: '/inventory?status=insufficient_evidence' });
    }
  }
  const never = num(rowsOf<{ n: unknown }>(neverProbed)[0]?.n);
  if (never) next.push({ kind: 'never_probed', count: never, href: '/sweeps' });
  for (const c of campaignList) if (c.pending) next.push({ kind: 'campaign_pending', count: c.pending, name: c.name, deadline: c.deadline, href: `/campaigns/${c.id}` });

  return {
    asOf,
    month,
    verdicts,
    total: [...nowCounts.values()].reduce((s, n) => s + n, 0),
    rates: {
      availability: { now: a30 && num(a30.probes) ? num(a30.ok) / num(a30.probes) : null, months: months.map((m) => ({ month: m, rate: figure(m).availability })) },
      ipv6: { now: ipv6Series[11]!.rate, months: ipv6Series },
      cloud: { now: cloudSeries[11]!.rate, months: cloudSeries },
    },
    cases: {
      byState,
      overdue,
      overdueItems: rowsOf<Record<string, unknown>>(overdueItems).map((r) => ({
        id: num(r.id),
        systemCode: String(r.code),
        systemName: String(r.name),
        departmentName: String(r.department_name),
        status: String(r.status),
        deadline: String(r.deadline),
        verdict: String(r.verdict),
      })),
    },
    lastSweep,
    nextSweepAt: ctx.nextSweepAt ?? null,
    campaigns: campaignList,
    next,
  };
}

/**
 * Why systems are `insufficient_evidence`, counted by gap: the classifier is run again on their
 * evidence (the stored verdict keeps reasons, not gaps), so the counts say exactly what it would.
 */
export async function evidenceGapCounts(db: Db, principal: Principal, asOf: Day, timeZone: string): Promise<Array<['probe_days' | 'probes_stale' | 'usage_source', number]>> {
  const scope = departmentScope(principal, sql`d.path`);
  const ids = rowsOf<{ id: unknown }>(
    await db.execute(sql`
      select s.id from systems s join departments d on d.id = s.department_id
      where s.status = 'insufficient_evidence' and s.lifecycle <> 'retired' ${scope ? sql`and ${scope}` : sql``}
      order by s.id limit ${GAP_SAMPLE}`),
  ).map((r) => num(r.id));
  if (!ids.length) return [];
  const policy = await activePolicy(db);
  const loaded = await loadSystemEvidence(db, { asOf, policy, systemIds: ids, timeZone });
  const counts = new Map<'probe_days' | 'probes_stale' | 'usage_source', number>();
  for (const l of loaded) {
    for (const g of classify(l.evidence, policy, asOf).gaps) counts.set(g.code, (counts.get(g.code) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/** The evidence gaps of one system now (for its page), through the same classifier. */
export async function systemEvidenceGaps(db: Db, principal: Principal, code: string, ctx: { now: Date; timeZone?: string }) {
  const systemId = (await scopedSystem(db, principal, code)).row.id;
  const tz = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const asOf = localDay(ctx.now, tz);
  const policy = await activePolicy(db);
  const [loaded] = await loadSystemEvidence(db, { asOf, policy, systemIds: [systemId], timeZone: tz });
  return loaded ? classify(loaded.evidence, policy, asOf).gaps : [];
}

export type OverviewStatus = Status;
