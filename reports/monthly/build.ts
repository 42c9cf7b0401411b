import { canonicalJson, compareCodeUnits, sha256Hex, type JsonValue } from '../canonical.js';
import { FLAG_CODES, REASON_CODES, STATUSES, type FlagCode, type Status } from '../codes.js';
import { addDays, addMonthsToMonth, assertDay, assertMonth, monthOf, type Day, type Month } from '../dates.js';
import { progressOf } from '../findings.js';
import { buildResourcesReport, type ResourcesReport } from '../resources-report.js';
import type { MonthHistoryPoint, MonthlyReportInput, ReportDepartment, ReportFinding, SnapshotReason, SystemMonthSnapshot } from './input.js';
import { median } from '../inspection/accessibility.js';

/**
 * The monthly report as data, independent of language and format. Renderers (HTML, Markdown, CSV, XLSX,
 * JSON) turn it into bytes; the same report always gives the same bytes.
 */
export interface MonthlyReport {
  kind: 'xuncha.monthly-report';
  version: 1;
  meta: {
    month: Month;
    previousMonth: Month;
    asOf: Day;
    policyVersion: string;
    /** SHA-256 of the canonical JSON of the input (`inputsHash`). */
    inputsHash: string;
    generatedFrom: { [key: string]: JsonValue };
    issuer: string | null;
    /** False for the first report (no previous snapshot): month-on-month figures are null. */
    hasPrevious: boolean;
    availabilityMin: number;
  };
  overview: Overview;
  /** Departments owning at least one system (now or last month) or finding, ranked (see `rankUnits`). */
  departments: UnitRow[];
  /** Counties/districts/zones plus the city level (市直), ranked the same way. */
  regions: UnitRow[];
  problems: Problems;
  /** Portals failing a veto item of the national website inspection, by county/district (site inspection, issue 11). */
  inspection: InspectionTable;
  /** 适老化 and accessibility of portals by county/district: informational, never a verdict reason. */
  accessibility: AccessibilityTable;
  requirements: Requirements;
  /** 12 months ending with the reported month, oldest first. */
  history: HistoryPoint[];
  /** 云资源利用率 (issue 12); null when the input carries no cloud resources. */
  resources: ResourcesReport | null;
}

export interface InspectionTable {
  /** Regions with a failing portal this month or last, ranked by failing portals now. */
  regions: Array<{ region: UnitRef; failing: Figure; portals: string[] }>;
  total: Figure;
}

export interface AccessibilityRow {
  /** Live portals with any accessibility figure this month. */
  portals: number;
  /** Portals axe-core ran on, and those of them with critical or serious violations. */
  measured: number;
  criticalOrSerious: number;
  /** Median share of homepage images with alt text, over the portals with images. */
  medianAltShare: number | null;
  /** Share of the portals inspected whose 适老化/关怀版 entry exists and opens. */
  careEntryShare: number | null;
}

export interface AccessibilityTable {
  regions: Array<{ region: UnitRef } & AccessibilityRow>;
  total: AccessibilityRow;
}

/** A count now, last month and the change. */
export interface Figure {
  now: number;
  previous: number | null;
  delta: number | null;
}

/** A rate (0–1) with its parts, last month's rate and the change in rate points (0.012 = 1.2 percentage points). */
export interface RateFigure {
  numerator: number;
  denominator: number;
  rate: number | null;
  previousRate: number | null;
  delta: number | null;
}

export interface Overview {
  systems: Figure & { new: number | null; retired: number | null };
  statusCounts: Record<Status, Figure>;
  zombie: Figure & { new: number | null; cleared: number | null };
  semiZombie: Figure & { new: number | null; cleared: number | null };
  /** 上云率: on the government cloud ÷ systems that should be (`cloudRequired`). */
  cloud: RateFigure;
  /** IPv6 支持率: grade `ready` ÷ internet-facing systems (unmeasured ones count as not ready). */
  ipv6: RateFigure & { measured: number; secondLevelAvg: number | null; thirdLevelAvg: number | null };
  /** Successful probes ÷ probes over the month, all systems. */
  availability: RateFigure & { measuredSystems: number; systemsBelow: number };
  cleanup: { total: number; done: number; doneThisMonth: number; inProgress: number; overdue: number; openedThisMonth: number };
  flags: Record<FlagCode, number>;
}

export interface UnitRef {
  code: string;
  /** Full name (全称); for the city-level pseudo region, null (renderers print 市直部门). */
  name: string | null;
  shortName: string | null;
  cityLevel: boolean;
}

export interface UnitRow {
  rank: number;
  unit: UnitRef;
  /** County/district of a department row; null on region rows. */
  region: UnitRef | null;
  systems: Figure;
  counts: Record<Status, number>;
  zombie: Figure;
  semiZombie: Figure;
  /** zombie + semi-zombie now: the ranking key. */
  problems: number;
  cloud: RateFigure;
  ipv6: RateFigure;
  availability: RateFigure;
  cleanup: { done: number; inProgress: number; overdue: number };
}

export interface ProblemSystem {
  code: string;
  name: string;
  department: UnitRef;
  region: UnitRef;
  status: 'zombie' | 'semi_zombie';
  /** True when the system was not in this status last month. */
  isNew: boolean;
  reasons: SnapshotReason[];
  /** Earliest `since` of its reasons. */
  since: Day | null;
}

export interface UnitCount {
  unit: UnitRef;
  count: number;
  systems: string[];
}

export interface Problems {
  zombies: ProblemSystem[];
  semiZombies: ProblemSystem[];
  overdueUnits: UnitCount[];
  flagUnits: Record<FlagCode, UnitCount[]>;
}

export type RequirementKind = 'zombie' | 'semi_zombie' | 'overdue' | 'cloud' | 'ipv6' | 'mlps' | 'evidence' | 'recheck';

export interface RequirementItem {
  kind: RequirementKind;
  count: number;
  /** Units named by the requirement, in ranking order. */
  units: UnitRef[];
}

export interface Requirements {
  rectifyBy: Day;
  recheckOn: Day;
  items: RequirementItem[];
}

export interface HistoryPoint {
  month: Month;
  /** Null when no figures exist for the month. */
  statusCounts: Record<Status, number> | null;
  cloud: { onCloud: number; required: number; rate: number | null } | null;
  ipv6: { ready: number; internetFacing: number; rate: number | null } | null;
}

/**
 * SHA-256 (hex) of the canonical JSON of the input, with its lists put in a fixed order first (systems by
 * code, findings by id…): the same input gives the same hash however the loader ordered its rows. Store
 * it with the report.
 */
export function inputsHash(input: MonthlyReportInput): string {
  return sha256Hex(canonicalJson(canonicalInput(input)));
}

/** The input with every list in a fixed order; the report is built from this, so row order never matters. */
export function canonicalInput(input: MonthlyReportInput): MonthlyReportInput {
  const snap = (s: SystemMonthSnapshot): SystemMonthSnapshot => ({
    ...s,
    reasons: [...s.reasons].sort((a, b) => REASON_CODES.indexOf(a.code) - REASON_CODES.indexOf(b.code) || compareCodeUnits(a.since ?? '', b.since ?? '') || compareCodeUnits(canonicalJson(a), canonicalJson(b))),
    flags: [...s.flags].sort(compareCodeUnits),
  });
  return {
    ...input,
    departments: sortByCode(input.departments),
    systems: sortByCode(input.systems).map(snap),
    previousSystems: sortByCode(input.previousSystems).map(snap),
    history: [...input.history].sort((a, b) => compareCodeUnits(a.month, b.month)),
    findings: [...input.findings].sort((a, b) => compareCodeUnits(a.id, b.id)),
    ...(input.resources ? { resources: { resources: [...input.resources.resources].sort((a, b) => compareCodeUnits(a.externalId, b.externalId)) } } : {}),
  };
}

/** Portals failing any veto item of the website inspection, per region, with last month's count. */
function inspectionTable(current: SystemMonthSnapshot[], previous: SystemMonthSnapshot[], hasPrevious: boolean, regionOf: (departmentCode: string) => UnitRef): InspectionTable {
  const failing = (s: SystemMonthSnapshot) => isLive(s) && (s.inspectionFailures?.length ?? 0) > 0;
  const rows = new Map<string, { region: UnitRef; now: number; before: number; portals: string[] }>();
  const row = (s: SystemMonthSnapshot) => {
    const region = regionOf(s.departmentCode);
    let r = rows.get(region.code);
    if (!r) rows.set(region.code, (r = { region, now: 0, before: 0, portals: [] }));
    return r;
  };
  for (const s of current.filter(failing)) {
    const r = row(s);
    r.now++;
    r.portals.push(s.name);
  }
  if (hasPrevious) for (const s of previous.filter(failing)) row(s).before++;
  const fig = (now: number, before: number): Figure => ({ now, previous: hasPrevious ? before : null, delta: hasPrevious ? now - before : null });
  const regions = [...rows.values()]
    .sort((a, b) => b.now - a.now || (a.region.cityLevel === b.region.cityLevel ? compareCodeUnits(a.region.code, b.region.code) : a.region.cityLevel ? 1 : -1))
    .map((r) => ({ region: r.region, failing: fig(r.now, r.before), portals: r.portals.sort(compareCodeUnits) }));
  const now = regions.reduce((a, r) => a + r.failing.now, 0);
  const before = [...rows.values()].reduce((a, r) => a + r.before, 0);
  return { regions, total: fig(now, before) };
}

/** Accessibility of live portals per region (this month only: informational, no change on last month). */
function accessibilityTable(current: SystemMonthSnapshot[], regionOf: (departmentCode: string) => UnitRef): AccessibilityTable {
  const measured = current.filter((s) => isLive(s) && s.accessibility);
  const row = (list: SystemMonthSnapshot[]): AccessibilityRow => {
    const a = list.map((s) => s.accessibility!);
    const care = a.filter((x) => x.careEntryOpens !== null);
    return {
      portals: a.length,
      measured: a.filter((x) => x.axeMeasured).length,
      criticalOrSerious: a.filter((x) => x.criticalOrSerious === true).length,
      medianAltShare: median(a.flatMap((x) => (x.altShare === null ? [] : [x.altShare]))),
      careEntryShare: care.length ? round4(care.filter((x) => x.careEntryOpens).length / care.length) : null,
    };
  };
  const groups = new Map<string, { region: UnitRef; list: SystemMonthSnapshot[] }>();
  for (const s of measured) {
    const region = regionOf(s.departmentCode);
    const g = groups.get(region.code) ?? { region, list: [] };
    g.list.push(s);
    groups.set(region.code, g);
  }
  const regions = [...groups.values()]
    .sort((a, b) => (a.region.cityLevel === b.region.cityLevel ? compareCodeUnits(a.region.code, b.region.code) : a.region.cityLevel ? 1 : -1))
    .map((g) => ({ region: g.region, ...row(g.list) }));
  return { regions, total: row(measured) };
}

const CITY_LEVEL: UnitRef = { code: '_city', name: null, shortName: null, cityLevel: true };
const round4 = (x: number) => Math.round(x * 10000) / 10000;
const isLive = (s: SystemMonthSnapshot) => s.lifecycle !== 'retired';
const zeroCounts = (): Record<Status, number> => ({ active: 0, semi_zombie: 0, zombie: 0, insufficient_evidence: 0, exempt: 0 });

/** Builds the report model. Pure: the same input gives the same report. */
export function buildMonthlyReport(raw: MonthlyReportInput): MonthlyReport {
  const input = canonicalInput(raw);
  assertMonth(input.month, 'month');
  assertDay(input.asOf, 'asOf');
  const month = input.month;
  const previousMonth = addMonthsToMonth(month, -1);
  const hasPrevious = input.previousSystems.length > 0;
  const availabilityMin = input.availabilityMin ?? 0.95;

  const units = new UnitDirectory(input.departments);
  const current = sortByCode(input.systems);
  const previous = sortByCode(input.previousSystems);
  const prevByCode = new Map(previous.map((s) => [s.code, s]));
  const findings = [...input.findings].sort((a, b) => compareCodeUnits(a.id, b.id));

  const now = aggregate(current.filter(isLive), availabilityMin);
  const before = hasPrevious ? aggregate(previous.filter(isLive), availabilityMin) : null;

  // Systems, new and retired.
  const newSystems = hasPrevious ? current.filter((s) => isLive(s) && !prevByCode.has(s.code)).length : null;
  const retired = hasPrevious
    ? current.filter((s) => !isLive(s) && (() => {
        const p = prevByCode.get(s.code);
        return !p || isLive(p);
      })()).length
    : null;

  const transitions = (status: 'zombie' | 'semi_zombie') => {
    if (!hasPrevious) return { new: null, cleared: null };
    const nowSet = new Set(current.filter((s) => isLive(s) && s.status === status).map((s) => s.code));
    const prevSet = new Set(previous.filter((s) => isLive(s) && s.status === status).map((s) => s.code));
    return { new: [...nowSet].filter((c) => !prevSet.has(c)).length, cleared: [...prevSet].filter((c) => !nowSet.has(c)).length };
  };

  const progress = findings.map((f) => ({ f, p: progressOf(f, input.asOf) }));
  const cleanup = {
    total: findings.length,
    done: progress.filter((x) => x.p === 'done').length,
    doneThisMonth: findings.filter((f) => f.status === 'closed' && f.closedOn !== null && monthOf(f.closedOn) === month).length,
    inProgress: progress.filter((x) => x.p === 'in_progress').length,
    overdue: progress.filter((x) => x.p === 'overdue').length,
    openedThisMonth: findings.filter((f) => monthOf(f.openedOn) === month).length,
  };

  const statusCounts = {} as Record<Status, Figure>;
  for (const st of STATUSES) statusCounts[st] = figure(now.counts[st], before?.counts[st] ?? null);
  const flags = {} as Record<FlagCode, number>;
  for (const fl of FLAG_CODES) flags[fl] = current.filter((s) => isLive(s) && s.flags.includes(fl)).length;

  const overview: Overview = {
    systems: { ...figure(now.systems, before?.systems ?? null), new: newSystems, retired },
    statusCounts,
    zombie: { ...figure(now.counts.zombie, before?.counts.zombie ?? null), ...transitions('zombie') },
    semiZombie: { ...figure(now.counts.semi_zombie, before?.counts.semi_zombie ?? null), ...transitions('semi_zombie') },
    cloud: rateFigure(now.onCloud, now.cloudRequired, before ? [before.onCloud, before.cloudRequired] : null),
    ipv6: {
      ...rateFigure(now.ipv6Ready, now.internetFacing, before ? [before.ipv6Ready, before.internetFacing] : null),
      measured: now.ipv6Measured,
      secondLevelAvg: now.secondN ? round4(now.secondSum / now.secondN) : null,
      thirdLevelAvg: now.thirdN ? round4(now.thirdSum / now.thirdN) : null,
    },
    availability: {
      ...rateFigure(now.ok, now.probes, before ? [before.ok, before.probes] : null),
      measuredSystems: now.availMeasured,
      systemsBelow: now.below,
    },
    cleanup,
    flags,
  };

  // Per department and per region.
  const deptOf = (s: { departmentCode: string }) => s.departmentCode;
  const regionOf = (s: { departmentCode: string }) => units.regionOf(s.departmentCode).code;
  const departments = rankUnits(
    unitRows(current, previous, findings, deptOf, (code) => units.ref(code), input.asOf, hasPrevious, availabilityMin).map((r) => ({
      ...r,
      region: units.regionOf(r.unit.code),
    })),
  );
  const regions = rankUnits(unitRows(current, previous, findings, regionOf, (code) => units.regionRef(code), input.asOf, hasPrevious, availabilityMin));
  const deptRank = new Map(departments.map((r) => [r.unit.code, r.rank]));
  const byRank = (a: { department: UnitRef; code: string }, b: { department: UnitRef; code: string }) =>
    (deptRank.get(a.department.code) ?? 1e9) - (deptRank.get(b.department.code) ?? 1e9) || compareCodeUnits(a.code, b.code);

  const problemSystems = (status: 'zombie' | 'semi_zombie'): ProblemSystem[] =>
    current
      .filter((s) => isLive(s) && s.status === status)
      .map((s) => {
        const p = prevByCode.get(s.code);
        const reasons = s.reasons;
        const sinces = reasons.map((r) => r.since).filter((d): d is Day => !!d).sort();
        return {
          code: s.code,
          name: s.name,
          department: units.ref(s.departmentCode),
          region: units.regionOf(s.departmentCode),
          status,
          isNew: hasPrevious && (!p || !isLive(p) || p.status !== status),
          reasons,
          since: sinces[0] ?? null,
        };
      })
      .sort(byRank);

  const overdueByDept = new Map<string, ReportFinding[]>();
  for (const { f, p } of progress) if (p === 'overdue') pushTo(overdueByDept, f.departmentCode, f);
  const nameOfSystem = new Map(current.map((s) => [s.code, s.name]));
  const overdueUnits = [...overdueByDept]
    .map(([code, fs]) => ({ unit: units.ref(code), count: fs.length, systems: fs.map((f) => nameOfSystem.get(f.systemCode) ?? f.systemCode) }))
    .sort(byCount);

  const flagUnits = {} as Record<FlagCode, UnitCount[]>;
  for (const fl of FLAG_CODES) {
    const by = new Map<string, string[]>();
    for (const s of current) if (isLive(s) && s.flags.includes(fl)) pushTo(by, s.departmentCode, s.name);
    flagUnits[fl] = [...by].map(([code, systems]) => ({ unit: units.ref(code), count: systems.length, systems })).sort(byCount);
  }

  const problems: Problems = { zombies: problemSystems('zombie'), semiZombies: problemSystems('semi_zombie'), overdueUnits, flagUnits };

  const rectifyBy = input.requirements?.rectifyBy ?? addDays(input.asOf, 30);
  const recheckOn = input.requirements?.recheckOn ?? addDays(rectifyBy, 1);
  assertDay(rectifyBy, 'requirements.rectifyBy');
  assertDay(recheckOn, 'requirements.recheckOn');
  const unitsOf = (systems: ProblemSystem[]) => uniqueUnits(systems.map((s) => s.department));
  const items: RequirementItem[] = [];
  const push = (kind: RequirementKind, count: number, us: UnitRef[]) => {
    if (count > 0) items.push({ kind, count, units: us });
  };
  push('zombie', problems.zombies.length, unitsOf(problems.zombies));
  push('semi_zombie', problems.semiZombies.length, unitsOf(problems.semiZombies));
  push('overdue', overview.cleanup.overdue, overdueUnits.map((u) => u.unit));
  push('cloud', flags.not_on_gov_cloud, flagUnits.not_on_gov_cloud.map((u) => u.unit));
  push('ipv6', flags.ipv6_not_ready, flagUnits.ipv6_not_ready.map((u) => u.unit));
  push('mlps', flags.mlps_missing, flagUnits.mlps_missing.map((u) => u.unit));
  const insufficientUnits = uniqueUnits(current.filter((s) => isLive(s) && s.status === 'insufficient_evidence').map((s) => units.ref(s.departmentCode)));
  push('evidence', now.counts.insufficient_evidence, sortUnitsByRank(insufficientUnits, deptRank));
  items.push({ kind: 'recheck', count: 0, units: [] });

  return {
    kind: 'xuncha.monthly-report',
    version: 1,
    meta: {
      month,
      previousMonth,
      asOf: input.asOf,
      policyVersion: input.policyVersion,
      inputsHash: inputsHash(input),
      generatedFrom: input.generatedFrom,
      issuer: input.issuer ?? null,
      hasPrevious,
      availabilityMin,
    },
    overview,
    departments,
    regions,
    problems,
    inspection: inspectionTable(current, previous, hasPrevious, (code) => units.regionOf(code)),
    accessibility: accessibilityTable(current, (code) => units.regionOf(code)),
    requirements: { rectifyBy, recheckOn, items },
    history: buildHistory(input, month, now, before),
    resources: input.resources ? buildResourcesReport(input.resources, month, { ref: (c) => units.ref(c), regionOf: (c) => units.regionOf(c) }) : null,
  };
}

// ---------------------------------------------------------------------------------------------------

function pushTo<K, V>(m: Map<K, V[]>, key: K, value: V): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

function sortByCode<T extends { code: string }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => compareCodeUnits(a.code, b.code));
}

function figure(now: number, previous: number | null): Figure {
  return { now, previous, delta: previous === null ? null : now - previous };
}

function rate(num: number, den: number): number | null {
  return den > 0 ? round4(num / den) : null;
}

function rateFigure(num: number, den: number, prev: [number, number] | null): RateFigure {
  const r = rate(num, den);
  const pr = prev ? rate(prev[0], prev[1]) : null;
  return { numerator: num, denominator: den, rate: r, previousRate: pr, delta: r !== null && pr !== null ? round4(r - pr) : null };
}

interface Aggregate {
  systems: number;
  counts: Record<Status, number>;
  cloudRequired: number;
  onCloud: number;
  internetFacing: number;
  ipv6Ready: number;
  ipv6Measured: number;
  secondSum: number;
  secondN: number;
  thirdSum: number;
  thirdN: number;
  probes: number;
  ok: number;
  availMeasured: number;
  below: number;
}

function aggregate(systems: readonly SystemMonthSnapshot[], availabilityMin: number): Aggregate {
  const a: Aggregate = {
    systems: 0,
    counts: zeroCounts(),
    cloudRequired: 0,
    onCloud: 0,
    internetFacing: 0,
    ipv6Ready: 0,
    ipv6Measured: 0,
    secondSum: 0,
    secondN: 0,
    thirdSum: 0,
    thirdN: 0,
    probes: 0,
    ok: 0,
    availMeasured: 0,
    below: 0,
  };
  for (const s of systems) {
    a.systems++;
    a.counts[s.status]++;
    if (s.cloudRequired) {
      a.cloudRequired++;
      if (s.deployment === 'gov_cloud') a.onCloud++;
    }
    if (s.network === 'internet') {
      a.internetFacing++;
      if (s.ipv6 && s.ipv6.grade !== 'unmeasured') {
        a.ipv6Measured++;
        if (s.ipv6.grade === 'ready') a.ipv6Ready++;
        if (typeof s.ipv6.secondLevelRate === 'number') {
          a.secondSum += s.ipv6.secondLevelRate;
          a.secondN++;
        }
        if (typeof s.ipv6.thirdLevelRate === 'number') {
          a.thirdSum += s.ipv6.thirdLevelRate;
          a.thirdN++;
        }
      }
    }
    if (s.availability && s.availability.probes > 0) {
      a.availMeasured++;
      a.probes += s.availability.probes;
      a.ok += s.availability.ok;
      if (s.availability.ok / s.availability.probes < availabilityMin) a.below++;
    }
  }
  return a;
}

type UnitRowDraft = Omit<UnitRow, 'rank'>;

function unitRows(
  current: SystemMonthSnapshot[],
  previous: SystemMonthSnapshot[],
  findings: ReportFinding[],
  keyOf: (s: { departmentCode: string }) => string,
  refOf: (key: string) => UnitRef,
  asOf: Day,
  hasPrevious: boolean,
  availabilityMin: number,
): UnitRowDraft[] {
  const group = <T extends { departmentCode: string }>(xs: T[]) => {
    const m = new Map<string, T[]>();
    for (const x of xs) pushTo(m, keyOf(x), x);
    return m;
  };
  const cur = group(current.filter(isLive));
  const prev = group(previous.filter(isLive));
  const fin = group(findings);
  const keys = [...new Set([...cur.keys(), ...prev.keys(), ...fin.keys()])].sort(compareCodeUnits);
  return keys.map((key) => {
    const n = aggregate(cur.get(key) ?? [], availabilityMin);
    const p = hasPrevious ? aggregate(prev.get(key) ?? [], availabilityMin) : null;
    const fs = fin.get(key) ?? [];
    const prog = fs.map((f) => progressOf(f, asOf));
    return {
      unit: refOf(key),
      region: null,
      systems: figure(n.systems, p?.systems ?? null),
      counts: n.counts,
      zombie: figure(n.counts.zombie, p?.counts.zombie ?? null),
      semiZombie: figure(n.counts.semi_zombie, p?.counts.semi_zombie ?? null),
      problems: n.counts.zombie + n.counts.semi_zombie,
      cloud: rateFigure(n.onCloud, n.cloudRequired, p ? [p.onCloud, p.cloudRequired] : null),
      ipv6: rateFigure(n.ipv6Ready, n.internetFacing, p ? [p.ipv6Ready, p.internetFacing] : null),
      availability: rateFigure(n.ok, n.probes, p ? [p.ok, p.probes] : null),
      cleanup: { done: prog.filter((x) => x === 'done').length, inProgress: prog.filter((x) => x === 'in_progress').length, overdue: prog.filter((x) => x === 'overdue').length },
    };
  });
}

/**
 * Ranking: most problem systems (zombie + semi-zombie) first, then most zombies, most overdue findings,
 * lowest 上云率 (units with no cloud-required system after those with one), most systems, then code.
 */
export function rankUnits(rows: UnitRowDraft[]): UnitRow[] {
  return [...rows]
    .sort(
      (a, b) =>
        b.problems - a.problems ||
        b.zombie.now - a.zombie.now ||
        b.cleanup.overdue - a.cleanup.overdue ||
        (a.cloud.rate ?? 2) - (b.cloud.rate ?? 2) ||
        b.systems.now - a.systems.now ||
        compareCodeUnits(a.unit.code, b.unit.code),
    )
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

function byCount(a: UnitCount, b: UnitCount): number {
  return b.count - a.count || compareCodeUnits(a.unit.code, b.unit.code);
}

function uniqueUnits(us: UnitRef[]): UnitRef[] {
  const seen = new Set<string>();
  return us.filter((u) => (seen.has(u.code) ? false : (seen.add(u.code), true)));
}

function sortUnitsByRank(us: UnitRef[], rank: Map<string, number>): UnitRef[] {
  return [...us].sort((a, b) => (rank.get(a.code) ?? 1e9) - (rank.get(b.code) ?? 1e9) || compareCodeUnits(a.code, b.code));
}

class UnitDirectory {
  private readonly byCode: Map<string, ReportDepartment>;
  private readonly regionCache = new Map<string, UnitRef>();
  constructor(departments: readonly ReportDepartment[]) {
    this.byCode = new Map(sortByCode(departments).map((d) => [d.code, d]));
  }

  ref(code: string): UnitRef {
    const d = this.byCode.get(code);
    return { code, name: d?.name ?? code, shortName: d?.shortName ?? null, cityLevel: false };
  }

  /** A region key back to its reference (the city-level pseudo region included). */
  regionRef(code: string): UnitRef {
    return code === CITY_LEVEL.code ? CITY_LEVEL : this.ref(code);
  }

  regionOf(code: string): UnitRef {
    const cached = this.regionCache.get(code);
    if (cached) return cached;
    let region: UnitRef = CITY_LEVEL;
    const start = this.byCode.get(code);
    if (start?.regionCode) {
      region = this.ref(start.regionCode);
    } else {
      const seen = new Set<string>();
      let cur = start;
      while (cur && !seen.has(cur.code)) {
        seen.add(cur.code);
        if (cur.level === 'county') region = this.ref(cur.code);
        cur = cur.parentCode ? this.byCode.get(cur.parentCode) : undefined;
      }
    }
    this.regionCache.set(code, region);
    return region;
  }
}

function buildHistory(input: MonthlyReportInput, month: Month, now: Aggregate, before: Aggregate | null): HistoryPoint[] {
  const given = new Map<Month, MonthHistoryPoint>();
  for (const p of [...input.history].sort((a, b) => compareCodeUnits(a.month, b.month))) given.set(p.month, p);
  const fromAggregate = (m: Month, a: Aggregate): MonthHistoryPoint => ({
    month: m,
    statusCounts: a.counts,
    cloud: { onCloud: a.onCloud, required: a.cloudRequired },
    ipv6: { ready: a.ipv6Ready, internetFacing: a.internetFacing },
  });
  given.set(month, fromAggregate(month, now));
  if (before) given.set(addMonthsToMonth(month, -1), fromAggregate(addMonthsToMonth(month, -1), before));

  const out: HistoryPoint[] = [];
  for (let i = 11; i >= 0; i--) {
    const m = addMonthsToMonth(month, -i);
    const p = given.get(m);
    if (!p) {
      out.push({ month: m, statusCounts: null, cloud: null, ipv6: null });
      continue;
    }
    const counts = zeroCounts();
    for (const st of STATUSES) counts[st] = p.statusCounts[st] ?? 0;
    out.push({
      month: m,
      statusCounts: counts,
      cloud: { ...p.cloud, rate: rate(p.cloud.onCloud, p.cloud.required) },
      ipv6: { ...p.ipv6, rate: rate(p.ipv6.ready, p.ipv6.internetFacing) },
    });
  }
  return out;
}
