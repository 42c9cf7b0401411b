import { alias } from 'drizzle-orm/pg-core';
import { addInspectionFailures } from './inspection-monthly.js';
import { asc, eq, sql } from 'drizzle-orm';
import { canonicalJson } from '../../reports/canonical.js';
import { ANSWERED_OUTCOMES, REPRESENTATIVE_ROLES, FLAG_CODES, REASON_CODES, STATUSES, type FlagCode, type Ipv6Grade, type ReasonCode, type Status, IPV6_GRADES } from '../../reports/codes.js';
import { addMonthsToMonth, isMonth, monthEnd, monthOf, monthStart, type Day, type Month } from '../../reports/dates.js';
import type { AnswerKind, FindingState } from '../../reports/findings.js';
import {
  buildMonthlyReport,
  inputsHash,
  renderReport,
  type MonthHistoryPoint,
  type MonthlyReportInput,
  type RenderedReport,
  type ReportDepartment,
  type ReportFinding,
  type ReportFormat,
  type SnapshotReason,
  type SystemMonthSnapshot,
} from '../../reports/monthly/index.js';
import type { Lang } from '../../i18n/index.js';
import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { departments, monthlyReports } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { activePolicy } from './policies.js';
import { rowsOf } from '../db/sql.js';
import { classify } from '../../reports/classify.js';
import type { Policy } from '../../reports/policy.js';
import { loadSystemEvidence } from './evidence.js';
import { loadResourceReportInput } from '../resources/report.js';
import { DEFAULT_TIME_ZONE, endOfDay, localDay } from '../../probes/time.js';

/**
 * The monthly report loader: fills `MonthlyReportInput` from the database as of a month's last day
 * (TZ, default Asia/Shanghai) and keeps past months reproducible.
 *
 *  - statuses, reasons and flags per system at month end: the latest status_history row with
 *    `as_of <= month end` (the classifier appends one whenever any of them changes);
 *  - availability: the month's probe_days rollups (raw probe_results are never read);
 *  - 上云率 and networks: the inventory; IPv6 grade: the latest measurement of each system's
 *    representative endpoint (`representativeRole`: portal, else app, else api)
 *    (endpoint_state keeps only the latest one, so a month rendered long after its end shows the grade
 *    measured since — the stored input freezes whatever the first rendering saw);
 *  - findings: state at month end, from their timestamps;
 *  - 12-month trend: stored reports where they exist, otherwise status_history; months that ended
 *    before the first classification are gaps.
 *
 * The first time a past month is rendered its input and `inputsHash` are stored in monthly_reports;
 * later requests render the stored input, so every rendering of a past month has the same bytes and the
 * next month's "previous month" figures are the ones that were published. The current month is
 * computed as of today and never stored.
 */

export interface MonthlyOptions {
  now: Date;
  timeZone?: string;
  issuer?: string | null;
}

export interface MonthlyResult {
  input: MonthlyReportInput;
  inputsHash: string;
  /** True when the input came from (or was just written to) monthly_reports. */
  stored: boolean;
}

const parent = alias(departments, 'parent');

const isReason = (c: unknown): c is ReasonCode => typeof c === 'string' && (REASON_CODES as readonly string[]).includes(c);
const isFlag = (c: unknown): c is FlagCode => typeof c === 'string' && (FLAG_CODES as readonly string[]).includes(c);
const isStatus = (c: unknown): c is Status => typeof c === 'string' && (STATUSES as readonly string[]).includes(c);
const isGrade = (g: unknown): g is Ipv6Grade => typeof g === 'string' && (IPV6_GRADES as readonly string[]).includes(g);

/** Checks a requested month; returns the day the figures are taken (month end, or today for the current month). */
export async function checkReportMonth(db: Db, month: string, opts: MonthlyOptions): Promise<{ month: Month; asOf: Day; current: boolean; dataStart: Day }> {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isMonth(month)) throw new AppError('validation_failed', `month must be YYYY-MM, got ${JSON.stringify(month)}`, [{ path: 'month', message: 'must be a month YYYY-MM, e.g. 2026-10' }]);
  const today = localDay(opts.now, tz);
  const thisMonth = monthOf(today);
  if (month > thisMonth) throw new AppError('unprocessable', `month ${month} has not started yet (today is ${today})`, [{ path: 'month', message: 'is in the future' }]);
  const [row] = rowsOf<{ start: string | null }>(
    await db.execute(sql`
      select to_char(least(
        (select min(created_at) at time zone ${tz} from systems)::date,
        (select min(day) from probe_days)
      ), 'YYYY-MM-DD') as start`),
  );
  const dataStart = row?.start ?? null;
  if (!dataStart) throw new AppError('unprocessable', `no data for ${month}: the inventory is empty`, [{ path: 'month', message: 'no data yet' }]);
  if (monthEnd(month) < dataStart) {
    throw new AppError('unprocessable', `no data for ${month}: the earliest data is from ${dataStart} (month ${monthOf(dataStart)})`, [{ path: 'month', message: `before the first data (${dataStart})` }]);
  }
  const current = month === thisMonth;
  return { month, asOf: current ? today : monthEnd(month), current, dataStart };
}

/**
 * The report input of a month: the stored one for a past month already reported, otherwise loaded (and,
 * for a past month, stored).
 */
export async function monthlyReportInput(db: Db, month: string, opts: MonthlyOptions): Promise<MonthlyResult> {
  const checked = await checkReportMonth(db, month, opts);
  if (!checked.current) {
    const stored = await storedInput(db, checked.month);
    if (stored) return stored;
  }
  const input = normalise(await loadMonthlyInput(db, checked.month, checked.asOf, checked.dataStart, checked.current, opts));
  const hash = inputsHash(input);
  if (checked.current) return { input, inputsHash: hash, stored: false };
  await db
    .insert(monthlyReports)
    .values({ month: checked.month, policyVersion: input.policyVersion, inputsHash: hash, input, generatedAt: opts.now })
    .onConflictDoNothing({ target: monthlyReports.month });
  // Another request may have stored it first: the stored one wins, for everyone.
  return (await storedInput(db, checked.month)) ?? { input, inputsHash: hash, stored: false };
}

async function storedInput(db: Db, month: Month): Promise<MonthlyResult | null> {
  const [row] = await db.select().from(monthlyReports).where(eq(monthlyReports.month, month));
  if (!row) return null;
  const input = row.input as MonthlyReportInput;
  const hash = inputsHash(input);
  if (hash !== row.inputsHash) throw new AppError('internal', `the stored input of the ${month} report no longer matches its hash ${row.inputsHash}`);
  return { input, inputsHash: hash, stored: true };
}

/** JSON round trip through canonical JSON: what is stored is exactly what is rendered. */
function normalise(input: MonthlyReportInput): MonthlyReportInput {
  return JSON.parse(canonicalJson(input)) as MonthlyReportInput;
}

export interface RenderedMonthly extends RenderedReport {
  inputsHash: string;
  stored: boolean;
  month: Month;
}

export async function renderMonthlyReport(db: Db, q: { month: string; lang: Lang; format: ReportFormat }, opts: MonthlyOptions): Promise<RenderedMonthly> {
  const r = await monthlyReportInput(db, q.month, opts);
  const rendered = await renderReport(buildMonthlyReport(r.input), q.format, q.lang);
  return { ...rendered, inputsHash: r.inputsHash, stored: r.stored, month: r.input.month };
}

// ---------------------------------------------------------------------------------------------------
// Loading.

interface SystemRow {
  id: number;
  code: string;
  name: string;
  departmentCode: string;
  lifecycle: SystemMonthSnapshot['lifecycle'];
  createdDay: Day;
  retiredDay: Day | null;
  cloudRequired: boolean;
  deployment: SystemMonthSnapshot['deployment'];
  network: SystemMonthSnapshot['network'];
}

/** Loads the input of `month` as of `asOf`; `live` when `asOf` is today (findings as they are now). */
export async function loadMonthlyInput(db: Db, month: Month, asOf: Day, dataStart: Day, live: boolean, opts: MonthlyOptions): Promise<MonthlyReportInput> {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const policy = await activePolicy(db);
  const previousMonth = addMonthsToMonth(month, -1);

  const [deptRows, systemRowsRaw, ipv6Rows, historyRows, storedRows] = await Promise.all([
    (async () =>
      db
        .select({ code: departments.code, name: departments.name, shortName: departments.shortName, level: departments.level, kind: departments.kind, parentCode: parent.code })
        .from(departments)
        .leftJoin(parent, eq(parent.id, departments.parentId))
        .orderBy(asc(departments.id)))(),
    db.execute(sql`
      select s.id, s.code, s.name, d.code as department_code, s.lifecycle::text as lifecycle,
        to_char(s.created_at at time zone ${tz}, 'YYYY-MM-DD') as created_day,
        to_char(s.retired_at at time zone ${tz}, 'YYYY-MM-DD') as retired_day,
        s.cloud_required, s.deployment::text as deployment, s.network::text as network
      from systems s join departments d on d.id = s.department_id
      where s.created_at < ${endOfDay(asOf, tz).toISOString()}::timestamptz`),
    // IPv6 results of portals up to asOf: the history of changes, and each endpoint's latest result.
    db.execute(sql`
      select e.system_id, e.position, e.id as endpoint_id, e.role::text as role, to_char(x.at at time zone ${tz}, 'YYYY-MM-DD') as day, x.grade, x.second_level, x.third_level
      from endpoints e join (
        select endpoint_id, at, grade, second_level_rate as second_level, third_level_rate as third_level from ipv6_changes
        union all
        select endpoint_id, ipv6_at, ipv6->>'grade', (ipv6->>'secondLevelRate')::float8, (ipv6->>'thirdLevelRate')::float8
        from endpoint_state where ipv6 ? 'grade' and ipv6_at is not null
      ) x on x.endpoint_id = e.id
      join (select system_id, ${representativeSql} as role from endpoints group by system_id) r on r.system_id = e.system_id and r.role = e.role::text
      where x.at < ${endOfDay(asOf, tz).toISOString()}::timestamptz
      order by e.system_id, e.position, e.id, x.at`),
    // Narrow rows of every status change up to asOf, for the month-end statuses of the trend.
    db.execute(sql`
      select system_id, to_char(as_of, 'YYYY-MM-DD') as as_of, status
      from status_history where as_of <= ${asOf}::date
      order by system_id, as_of, id`),
    db.select({ month: monthlyReports.month, input: monthlyReports.input }).from(monthlyReports),
  ]);

  const systemRows: SystemRow[] = rowsOf<Record<string, unknown>>(systemRowsRaw).map((r) => ({
    id: Number(r.id),
    code: String(r.code),
    name: String(r.name),
    departmentCode: String(r.department_code),
    lifecycle: String(r.lifecycle) as SystemRow['lifecycle'],
    createdDay: String(r.created_day),
    retiredDay: r.retired_day ? String(r.retired_day) : null,
    cloudRequired: r.cloud_required === true || r.cloud_required === 't',
    deployment: String(r.deployment) as SystemRow['deployment'],
    network: String(r.network) as SystemRow['network'],
  }));
  const ipv6AsOf = ipv6Timeline(rowsOf<Record<string, unknown>>(ipv6Rows));
  const stored = new Map<Month, MonthlyReportInput>(storedRows.map((r) => [r.month, r.input as MonthlyReportInput]));

  const departmentsList: ReportDepartment[] = deptRows.map((d) => ({ code: d.code, name: d.name, shortName: d.shortName, level: d.level, kind: d.kind, parentCode: d.parentCode }));

  const current = await snapshot(db, systemRows, ipv6AsOf(asOf), asOf, month);
  await refreshReasonFigures(db, current.systems, systemRows, policy, asOf, tz);
  await addInspectionFailures(db, current.systems, systemRows, asOf, policy);

  // Months ending before the first classification have no figures (gaps), rather than "all unknown".
  const history = rowsOf<Record<string, unknown>>(historyRows);
  const firstVerdict = history.reduce<Day | null>((m, r) => (m === null || String(r.as_of) < m ? String(r.as_of) : m), null);
  const hasFigures = (end: Day) => end >= dataStart && firstVerdict !== null && end >= firstVerdict;

  // Previous month: the published one when it was reported; otherwise loaded; none before the figures began.
  let previousSystems: SystemMonthSnapshot[] = [];
  let previousFrom = 'none';
  const prevEnd = monthEnd(previousMonth);
  if (stored.has(previousMonth)) {
    previousSystems = stored.get(previousMonth)!.systems;
    previousFrom = 'stored_report';
  } else if (hasFigures(prevEnd)) {
    previousSystems = (await snapshot(db, systemRows.filter((s) => s.createdDay <= prevEnd), ipv6AsOf(prevEnd), prevEnd, previousMonth)).systems;
    await addInspectionFailures(db, previousSystems, systemRows, prevEnd, policy);
    previousFrom = 'status_history';
  }

  const trendPoints = trend(month, hasFigures, systemRows, ipv6AsOf, history, stored);
  const findingsList = await monthFindings(db, asOf, live, tz);

  // The policy printed on the report: the version most month-end verdicts came from.
  const versions = new Map<string, number>();
  for (const v of current.policyVersions) versions.set(v, (versions.get(v) ?? 0) + 1);
  const ranked = [...versions].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1));
  const policyVersion = ranked[0]?.[0] ?? policy.version;

  return {
    month,
    asOf,
    policyVersion,
    generatedFrom: {
      loader: 'xuncha.monthly/1',
      snapshot: `status_history as_of <= ${asOf}`,
      availability: `probe_days ${monthStart(month)}..${asOf}`,
      policyVersions: [...versions.keys()].sort(),
      previous: previousFrom,
      dataStart,
    },
    issuer: opts.issuer ?? null,
    availabilityMin: policy.semiZombie.availabilityMin,
    departments: departmentsList,
    systems: current.systems,
    previousSystems,
    history: trendPoints,
    findings: findingsList,
    // 云资源利用率 (issue 12): absent when the ledger is empty.
    ...(await resourcesInput(db, month, asOf, policy)),
  };
}

async function resourcesInput(db: Db, month: Month, asOf: Day, policy: Policy): Promise<{ resources?: NonNullable<MonthlyReportInput['resources']> }> {
  const resources = await loadResourceReportInput(db, month, asOf, policy);
  return resources ? { resources } : {};
}

/** Month-end snapshot of the given systems: latest verdict up to `asOf` and the month's availability. */
/**
 * IPv6 results per system as of any day: the portal endpoint first in order that had a result by
 * then, and its latest result up to that day. Rows come sorted by system, endpoint order and time.
 */
function ipv6Timeline(rows: Record<string, unknown>[]): (day: Day) => Map<number, SystemMonthSnapshot['ipv6']> {
  const bySystem = new Map<number, Array<{ endpoint: number; day: Day; value: NonNullable<SystemMonthSnapshot['ipv6']> }>>();
  for (const r of rows) {
    if (!isGrade(r.grade)) continue;
    const id = Number(r.system_id);
    const list = bySystem.get(id) ?? [];
    list.push({
      endpoint: Number(r.endpoint_id),
      day: String(r.day),
      value: {
        grade: r.grade,
        secondLevelRate: r.second_level === null || r.second_level === undefined ? null : Number(r.second_level),
        thirdLevelRate: r.third_level === null || r.third_level === undefined ? null : Number(r.third_level),
      },
    });
    bySystem.set(id, list);
  }
  return (day) => {
    const out = new Map<number, SystemMonthSnapshot['ipv6']>();
    for (const [id, list] of bySystem) {
      let found: (typeof list)[number] | undefined;
      for (const row of list) {
        if (found && row.endpoint !== found.endpoint) break; // a later endpoint in order: the first one answers
        if (row.day <= day) found = row;
      }
      if (found) out.set(id, found.value);
    }
    return out;
  };
}

/**
 * The figures in a report's text are the report day's (issue 9 item 7): a stored verdict keeps the
 * reasons of the day its status last changed, with that day's availability, days not updated… So the
 * named systems' reasons are re-derived from the stored evidence as of `asOf`, and each stored reason
 * takes the message (and start day) of the same code from that day. The verdict itself (status, which
 * reasons) stays the stored one; a reason the evidence no longer shows keeps its stored text.
 */
async function refreshReasonFigures(db: Db, snapshots: SystemMonthSnapshot[], rows: SystemRow[], policy: Policy, asOf: Day, tz: string): Promise<void> {
  const named = snapshots.filter((s) => s.reasons.length > 0 && (s.status === 'zombie' || s.status === 'semi_zombie' || s.status === 'exempt'));
  if (named.length === 0) return;
  const idOf = new Map(rows.map((r) => [r.code, r.id]));
  const loaded = await loadSystemEvidence(db, { asOf, policy, timeZone: tz, systemIds: named.map((s) => idOf.get(s.code)!).filter((id) => id !== undefined) });
  const fresh = new Map(loaded.map((l) => [l.evidence.system.code, classify(l.evidence, policy, asOf)]));
  for (const s of named) {
    const c = fresh.get(s.code);
    if (!c) continue;
    s.reasons = s.reasons.map((r) => {
      const now = c.reasons.find((x) => x.code === r.code);
      return now ? { code: r.code, since: now.since, message: { key: now.message.key, params: now.message.params } } : r;
    });
  }
}

/** Per system (grouped endpoints): the role of its representative endpoint (REPRESENTATIVE_ROLES, best first). */
const representativeSql = sql.raw(`(case ${REPRESENTATIVE_ROLES.map((r) => `when bool_or(role::text = '${r}') then '${r}'`).join(' ')} end)`);

/** Probes of a probe_days row that the server answered (ANSWERED_OUTCOMES, the one definition). */
const answeredSql = sql.raw(ANSWERED_OUTCOMES.map((o) => `coalesce((outcomes->>'${o}')::int, 0)`).join(' + '));

async function snapshot(db: Db, rows: SystemRow[], ipv6: Map<number, SystemMonthSnapshot['ipv6']>, asOf: Day, month: Month): Promise<{ systems: SystemMonthSnapshot[]; policyVersions: string[] }> {
  const [verdictRows, availabilityRows] = await Promise.all([
    db.execute(sql`
      select distinct on (system_id) system_id, status, reasons, flags, policy_version
      from status_history where as_of <= ${asOf}::date
      order by system_id, as_of desc, id desc`),
    db.execute(sql`
      select system_id, sum(probes)::float8 as probes, sum(least(probes, greatest(ok, ${answeredSql})))::float8 as ok
      from probe_days where day >= ${monthStart(month)}::date and day <= ${asOf}::date
      group by system_id`),
  ]);
  const verdicts = new Map<number, Record<string, unknown>>();
  for (const r of rowsOf<Record<string, unknown>>(verdictRows)) verdicts.set(Number(r.system_id), r);
  const availability = new Map<number, { probes: number; ok: number }>();
  for (const r of rowsOf<Record<string, unknown>>(availabilityRows)) {
    const probes = Number(r.probes);
    if (probes > 0) availability.set(Number(r.system_id), { probes, ok: Number(r.ok) });
  }
  const policyVersions: string[] = [];
  const systems = rows.map((s): SystemMonthSnapshot => {
    const v = verdicts.get(s.id);
    if (v) policyVersions.push(String(v.policy_version));
    const reasons: SnapshotReason[] = (Array.isArray(v?.reasons) ? (v!.reasons as Array<Record<string, unknown>>) : [])
      .filter((r) => isReason(r.code))
      .map((r) => ({
        code: r.code as ReasonCode,
        since: typeof r.since === 'string' ? r.since : null,
        message: r.message && typeof r.message === 'object' ? (r.message as SnapshotReason['message']) : null,
      }));
    const retired = s.retiredDay !== null && s.retiredDay <= asOf;
    return {
      code: s.code,
      name: s.name,
      departmentCode: s.departmentCode,
      // The inventory keeps no lifecycle history: a system retired after the month was still running then.
      lifecycle: retired ? 'retired' : s.lifecycle === 'retired' ? 'live' : s.lifecycle,
      status: v && isStatus(v.status) ? v.status : 'insufficient_evidence',
      reasons,
      flags: Array.isArray(v?.flags) ? (v!.flags as unknown[]).filter(isFlag) : [],
      cloudRequired: s.cloudRequired,
      deployment: s.deployment,
      network: s.network,
      ipv6: ipv6.get(s.id) ?? null,
      availability: availability.get(s.id) ?? null,
    };
  });
  return { systems, policyVersions };
}

/** Trend points for the ten months before the previous one (the report recomputes the last two). */
function trend(
  month: Month,
  hasFigures: (monthEnd: Day) => boolean,
  systems: SystemRow[],
  ipv6AsOf: (day: Day) => Map<number, SystemMonthSnapshot['ipv6']>,
  historyRows: Record<string, unknown>[],
  stored: Map<Month, MonthlyReportInput>,
): MonthHistoryPoint[] {
  const months: Month[] = [];
  for (let i = 11; i >= 2; i--) months.push(addMonthsToMonth(month, -i));
  // Status changes per system, ascending.
  const changes = new Map<number, { asOf: Day; status: string }[]>();
  for (const r of historyRows) {
    const id = Number(r.system_id);
    const list = changes.get(id);
    const item = { asOf: String(r.as_of), status: String(r.status) };
    if (list) list.push(item);
    else changes.set(id, [item]);
  }
  const out: MonthHistoryPoint[] = [];
  for (const m of months) {
    const end = monthEnd(m);
    const published = stored.get(m);
    if (!published && !hasFigures(end)) continue;
    const point: MonthHistoryPoint = {
      month: m,
      statusCounts: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>,
      cloud: { onCloud: 0, required: 0 },
      ipv6: { ready: 0, internetFacing: 0 },
    };
    if (published) {
      for (const s of published.systems) {
        if (s.lifecycle === 'retired') continue;
        point.statusCounts[s.status]++;
        if (s.cloudRequired) {
          point.cloud.required++;
          if (s.deployment === 'gov_cloud') point.cloud.onCloud++;
        }
        if (s.network === 'internet') {
          point.ipv6.internetFacing++;
          if (s.ipv6?.grade === 'ready') point.ipv6.ready++;
        }
      }
    } else {
      const ipv6 = ipv6AsOf(end);
      for (const s of systems) {
        if (s.createdDay > end || (s.retiredDay !== null && s.retiredDay <= end)) continue;
        let status: Status = 'insufficient_evidence';
        for (const c of changes.get(s.id) ?? []) {
          if (c.asOf > end) break;
          if (isStatus(c.status)) status = c.status;
        }
        point.statusCounts[status]++;
        if (s.cloudRequired) {
          point.cloud.required++;
          if (s.deployment === 'gov_cloud') point.cloud.onCloud++;
        }
        if (s.network === 'internet') {
          point.ipv6.internetFacing++;
          if (ipv6.get(s.id)?.grade === 'ready') point.ipv6.ready++;
        }
      }
    }
    out.push(point);
  }
  return out;
}

/** Findings opened by `asOf`, in the state they were in at its end (or as they are now, for today). */
async function monthFindings(db: Db, asOf: Day, live: boolean, tz: string): Promise<ReportFinding[]> {
  const end = endOfDay(asOf, tz).toISOString();
  const res = await db.execute(sql`
    select f.id, s.code as system_code, d.code as department_code, f.status, f.verdict, f.answer, to_char(f.deadline, 'YYYY-MM-DD') as deadline,
      to_char(f.opened_at at time zone ${tz}, 'YYYY-MM-DD') as opened_on,
      to_char(f.closed_at at time zone ${tz}, 'YYYY-MM-DD') as closed_on,
      (f.closed_at < ${end}::timestamptz) as closed_by, (f.answered_at < ${end}::timestamptz) as answered_by, (f.notified_at < ${end}::timestamptz) as notified_by
    from findings f join systems s on s.id = f.system_id join departments d on d.id = f.department_id
    where f.opened_at < ${end}::timestamptz`);
  const yes = (v: unknown) => v === true || v === 't';
  return rowsOf<Record<string, unknown>>(res).map((r) => {
    const a = r.answer && typeof r.answer === 'object' ? (r.answer as { action?: string; dueBy?: string | null }) : null;
    let status: FindingState;
    if (live) status = String(r.status) as FindingState;
    else if (yes(r.closed_by)) status = 'closed';
    else if (yes(r.answered_by)) status = 'answered';
    else if (yes(r.notified_by)) status = 'notified';
    else status = 'open';
    const answered = status === 'answered' || status === 'closed' || status === 'reopened';
    return {
      id: String(r.id),
      systemCode: String(r.system_code),
      departmentCode: String(r.department_code),
      status,
      verdict: String(r.verdict) === 'zombie' ? 'zombie' : 'semi_zombie',
      openedOn: String(r.opened_on),
      deadline: status === 'open' ? null : String(r.deadline),
      answer: answered && a?.action ? { kind: a.action as AnswerKind, dueBy: a.dueBy ?? null } : null,
      closedOn: status === 'closed' && r.closed_on ? String(r.closed_on) : null,
    };
  });
}

/** The monthly report for a principal: it names every unit of the city, so not for one department. */
export async function monthlyReportFor(
  db: Db,
  principal: Principal,
  q: { month: string; lang: Lang; format: ReportFormat },
  opts: MonthlyOptions,
): Promise<RenderedMonthly> {
  requirePermission(principal, 'reports.city');
  return renderMonthlyReport(db, q, opts);
}

/**
 * The months a report can be made for, newest first: from the month of the first data (the first system
 * registered or the first probe day) to the current month. Empty when there is no data yet.
 */
export async function reportMonths(db: Db, principal: Principal, opts: MonthlyOptions): Promise<Month[]> {
  requirePermission(principal, 'reports.city');
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const [row] = rowsOf<{ start: string | null }>(
    await db.execute(sql`
      select to_char(least(
        (select min(created_at) at time zone ${tz} from systems)::date,
        (select min(day) from probe_days)
      ), 'YYYY-MM-DD') as start`),
  );
  if (!row?.start) return [];
  const first = monthOf(row.start);
  const out: Month[] = [];
  for (let m = monthOf(localDay(opts.now, tz)); m >= first && out.length < 120; m = addMonthsToMonth(m, -1)) out.push(m);
  return out;
}
