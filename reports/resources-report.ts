import { compareCodeUnits } from './canonical.js';
import { addMonthsToMonth, monthEnd, monthStart, type Day, type Month } from './dates.js';

/**
 * The 云资源利用率 section of the monthly report, as data (pure). The loader gives every cloud resource with
 * its monthly utilisation; everything here is summed from those rows, so the department, county, trend
 * and reclaimable figures always add up to the same totals in every format.
 */

export interface ResourceMonth {
  month: Month;
  /** Mean daily CPU average (percent) over the month's days with evidence; null without any. */
  cpuAvg: number | null;
  /** Mean daily memory use (percent) over the days with evidence. */
  memPct: number | null;
  evidenceDays: number;
}

export interface ResourceReportRow {
  externalId: string;
  name?: string | null;
  kind: string;
  /** Null for an orphan (no system). */
  systemCode: string | null;
  systemName?: string | null;
  departmentCode: string | null;
  vcpu: number;
  memoryGb: number;
  storageGb: number;
  monthlyCost?: number | null;
  since?: Day | null;
  until?: Day | null;
  /** Idle as of the report day (policy `resources`): reclaimable (可回收). */
  idle: boolean;
  /** Up to 12 months ending with the report month; months without a row have no evidence. */
  months: ResourceMonth[];
}

export interface ResourceReportInput {
  resources: ResourceReportRow[];
}

export interface ResourceUnitRef {
  code: string;
  name: string | null;
  shortName: string | null;
  cityLevel: boolean;
}

export interface ResourceUse {
  /** Resources allocated in the month. */
  resources: number;
  allocatedVcpu: number;
  /** vCPU of the resources with evidence in the month (the rate's denominator). */
  measuredVcpu: number;
  /** Σ vCPU × mean CPU %: the cores in use on average. */
  usedVcpu: number;
  cpuRate: number | null;
  allocatedMemoryGb: number;
  measuredMemoryGb: number;
  usedMemoryGb: number;
  memRate: number | null;
}

export interface ResourceUseRow extends ResourceUse {
  unit: ResourceUnitRef;
  region: ResourceUnitRef | null;
}

export interface ReclaimableFigures {
  count: number;
  vcpu: number;
  memoryGb: number;
  storageGb: number;
  /** Sum of the known monthly costs (yuan). */
  monthlyCost: number;
}

export interface ReclaimableRow extends ReclaimableFigures {
  rank: number;
  /** Null: resources tied to no system (orphans). */
  unit: ResourceUnitRef | null;
}

export interface OrphanResource {
  externalId: string;
  name: string | null;
  kind: string;
  vcpu: number;
  memoryGb: number;
  storageGb: number;
  monthlyCost: number | null;
  idle: boolean;
}

export interface ResourcesReport {
  month: Month;
  totals: ResourceUse;
  departments: ResourceUseRow[];
  regions: ResourceUseRow[];
  /** 12 months ending with the report month, oldest first. */
  history: Array<ResourceUse & { month: Month }>;
  reclaimable: { total: ReclaimableFigures; departments: ReclaimableRow[] };
  orphans: OrphanResource[];
}

export interface UnitLookup {
  ref(code: string): ResourceUnitRef;
  regionOf(code: string): ResourceUnitRef;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

function allocatedIn(r: ResourceReportRow, month: Month): boolean {
  return (!r.since || r.since <= monthEnd(month)) && (!r.until || r.until >= monthStart(month));
}

function use(rows: readonly ResourceReportRow[], month: Month): ResourceUse {
  let resources = 0;
  let allocatedVcpu = 0;
  let measuredVcpu = 0;
  let usedVcpu = 0;
  let allocatedMemoryGb = 0;
  let measuredMemoryGb = 0;
  let usedMemoryGb = 0;
  for (const r of rows) {
    if (!allocatedIn(r, month)) continue;
    resources++;
    allocatedVcpu += r.vcpu;
    allocatedMemoryGb += r.memoryGb;
    const m = r.months.find((x) => x.month === month);
    if (!m || m.evidenceDays <= 0) continue;
    if (m.cpuAvg !== null) {
      measuredVcpu += r.vcpu;
      usedVcpu += (r.vcpu * m.cpuAvg) / 100;
    }
    if (m.memPct !== null) {
      measuredMemoryGb += r.memoryGb;
      usedMemoryGb += (r.memoryGb * m.memPct) / 100;
    }
  }
  return {
    resources,
    allocatedVcpu: r2(allocatedVcpu),
    measuredVcpu: r2(measuredVcpu),
    usedVcpu: r2(usedVcpu),
    cpuRate: measuredVcpu > 0 ? r4(usedVcpu / measuredVcpu) : null,
    allocatedMemoryGb: r2(allocatedMemoryGb),
    measuredMemoryGb: r2(measuredMemoryGb),
    usedMemoryGb: r2(usedMemoryGb),
    memRate: measuredMemoryGb > 0 ? r4(usedMemoryGb / measuredMemoryGb) : null,
  };
}

function reclaim(rows: readonly ResourceReportRow[]): ReclaimableFigures {
  const idle = rows.filter((r) => r.idle);
  return {
    count: idle.length,
    vcpu: r2(idle.reduce((s, r) => s + r.vcpu, 0)),
    memoryGb: r2(idle.reduce((s, r) => s + r.memoryGb, 0)),
    storageGb: r2(idle.reduce((s, r) => s + r.storageGb, 0)),
    monthlyCost: r2(idle.reduce((s, r) => s + (r.monthlyCost ?? 0), 0)),
  };
}

function groupBy(rows: readonly ResourceReportRow[], key: (r: ResourceReportRow) => string | null): Map<string, ResourceReportRow[]> {
  const m = new Map<string, ResourceReportRow[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

const byUseDesc = (a: ResourceUseRow, b: ResourceUseRow) => b.allocatedVcpu - a.allocatedVcpu || compareCodeUnits(a.unit.code, b.unit.code);

/** Builds the section (pure). Resources not allocated in the month count in no figure of that month. */
export function buildResourcesReport(input: ResourceReportInput, month: Month, units: UnitLookup): ResourcesReport {
  const rows = [...input.resources].sort((a, b) => compareCodeUnits(a.externalId, b.externalId));
  const current = rows.filter((r) => allocatedIn(r, month));
  const departments = [...groupBy(current, (r) => r.departmentCode)]
    .map(([code, rs]) => ({ unit: units.ref(code), region: units.regionOf(code), ...use(rs, month) }))
    .sort(byUseDesc);
  const regionKey = (r: ResourceReportRow) => (r.departmentCode === null ? null : units.regionOf(r.departmentCode).code);
  const regionRefs = new Map<string, ResourceUnitRef>();
  for (const r of current) if (r.departmentCode !== null) regionRefs.set(units.regionOf(r.departmentCode).code, units.regionOf(r.departmentCode));
  const regions = [...groupBy(current, regionKey)].map(([code, rs]) => ({ unit: regionRefs.get(code)!, region: null, ...use(rs, month) })).sort(byUseDesc);

  const history: ResourcesReport['history'] = [];
  for (let i = 11; i >= 0; i--) {
    const m = addMonthsToMonth(month, -i);
    history.push({ month: m, ...use(rows, m) });
  }

  const reclaimableRows: ReclaimableRow[] = [...groupBy(current.filter((r) => r.idle), (r) => r.departmentCode ?? '')]
    .map(([code, rs]) => ({ rank: 0, unit: code === '' ? null : units.ref(code), ...reclaim(rs) }))
    .sort((a, b) => b.vcpu - a.vcpu || b.count - a.count || b.memoryGb - a.memoryGb || compareCodeUnits(a.unit?.code ?? '\uffff', b.unit?.code ?? '\uffff'))
    .map((r, i) => ({ ...r, rank: i + 1 }));

  const orphans: OrphanResource[] = current
    .filter((r) => r.systemCode === null)
    .map((r) => ({ externalId: r.externalId, name: r.name ?? null, kind: r.kind, vcpu: r.vcpu, memoryGb: r.memoryGb, storageGb: r.storageGb, monthlyCost: r.monthlyCost ?? null, idle: r.idle }));

  return {
    month,
    totals: use(rows, month),
    departments,
    regions,
    history,
    reclaimable: { total: reclaim(current), departments: reclaimableRows },
    orphans,
  };
}
