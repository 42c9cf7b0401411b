import type { JsonValue } from '../canonical.js';
import type { DepartmentKind, DepartmentLevel, Deployment, FlagCode, Ipv6Grade, Lifecycle, Network, ReasonCode, Status } from '../codes.js';
import type { Day, Month } from '../dates.js';
import type { ResourceReportInput } from '../resources-report.js';
import type { AnswerKind, FindingState } from '../findings.js';
import type { MessageKey, MessageParams } from '../../i18n/index.js';

/**
 * Everything the monthly report to 数字临沂建设专项小组 is computed from. The loader fills it from the
 * database; `buildMonthlyReport` is pure, and `inputsHash(input)` (SHA-256 of its canonical JSON) is stored
 * with the report so a report can be proven to come from a given input.
 *
 * Conventions: days are Asia/Shanghai calendar days; arrays may come in any order (the report sorts
 * everything itself); optional fields may be omitted or null.
 */
export interface MonthlyReportInput {
  /** The reported month, 'YYYY-MM'. */
  month: Month;
  /** Day the figures were taken (normally the month's last day). Used for "overdue", default deadlines and the xlsx document dates. */
  asOf: Day;
  /** Version of the classification policy the statuses were computed with (printed on the report). */
  policyVersion: string;
  /**
   * Identifiers of what the loader read: classification run id, sweep ids, evidence hashes… Free-form
   * JSON, part of the inputs hash and printed in the JSON rendering.
   */
  generatedFrom: { [key: string]: JsonValue };
  /** Sender printed under the title, e.g. '临沂市大数据局'. */
  issuer?: string | null;
  /** Availability threshold for "systems below threshold" (default 0.95, the policy's `semiZombie.availabilityMin`). */
  availabilityMin?: number | null;
  departments: ReportDepartment[];
  /** Month-end snapshot of every system for `month`, retired ones included (to count "retired this month"). */
  systems: SystemMonthSnapshot[];
  /** Month-end snapshot for the previous month; empty for the first report (month-on-month figures are then "—"). */
  previousSystems: SystemMonthSnapshot[];
  /**
   * Up to 12 months ending with `month`, for the trend charts. Months missing from the list are shown
   * as gaps. The points for `month` and the previous month are recomputed from the snapshots, so the
   * loader may omit them.
   */
  history: MonthHistoryPoint[];
  /**
   * Findings for clean-up progress: every finding still open at the start of the month or opened or
   * closed during it (passing all findings is fine: closed ones before the month count as "done").
   */
  findings: ReportFinding[];
  /** 三、工作要求 deadlines. Defaults: rectifyBy = asOf + 30 days; recheckOn = the day after rectifyBy. */
  requirements?: { rectifyBy?: Day | null; recheckOn?: Day | null } | null;
  /** Cloud resources and their monthly utilisation, for the 云资源利用率 section (issue 12); absent: no section. */
  resources?: ResourceReportInput | null;
}

export interface ReportDepartment {
  code: string;
  /** 全称, used when naming units. */
  name: string;
  /** 简称, used in tables when given. */
  shortName?: string | null;
  level: DepartmentLevel;
  kind: DepartmentKind;
  parentCode: string | null;
  /**
   * County/district (or development zone) the department belongs to, when the loader knows it better than
   * the tree. Otherwise the region is the topmost `county`-level department on the way up the tree
   * (e.g. 兰山区人民政府 for 兰山区教育和体育局); departments with none belong to the city level (市直).
   */
  regionCode?: string | null;
}

/** One system at month end. `status`, `reasons` and `flags` come from the stored classification. */
export interface SystemMonthSnapshot {
  code: string;
  name: string;
  departmentCode: string;
  lifecycle: Lifecycle;
  status: Status;
  reasons: SnapshotReason[];
  flags: FlagCode[];
  /** Portals: the veto items of the national website inspection failed at month end (site inspection, issue 11). */
  inspectionFailures?: string[] | null;
  /** Portals: 适老化 and accessibility at month end (informational, never a verdict); absent when never measured. */
  accessibility?: PortalAccessibility | null;
  cloudRequired: boolean;
  deployment: Deployment;
  network: Network;
  /** Latest IPv6 measurement (internet-facing systems); null when never measured. */
  ipv6: { grade: Ipv6Grade; secondLevelRate?: number | null; thirdLevelRate?: number | null } | null;
  /**
   * Sum of the month's daily probe rollups; null when not probed in the month. `ok` counts the probes
   * the server answered (`serverAnswered`: ok, http_error, tls_error, challenged).
   */
  availability: { probes: number; ok: number } | null;
}

/** A portal's accessibility figures for the report's county table (site inspection and the axe-core check). */
export interface PortalAccessibility {
  /** axe-core ran on the homepage. */
  axeMeasured: boolean;
  /** It found critical or serious violations (null: not measured). */
  criticalOrSerious: boolean | null;
  /** Share of homepage images with alt text (null: no images, or no site inspection). */
  altShare: number | null;
  /** A 适老化/关怀版/长者模式/无障碍 entry exists and opens (null: no site inspection). */
  careEntryOpens: boolean | null;
}

/** A stored classification reason (the `message` of `Reason` renders it in the reader's language). */
export interface SnapshotReason {
  code: ReasonCode;
  since?: Day | null;
  message?: { key: MessageKey; params: MessageParams } | null;
}

export interface MonthHistoryPoint {
  month: Month;
  /** Systems per status at month end (retired systems not counted). */
  statusCounts: Record<Status, number>;
  /** 上云率 = onCloud ÷ required (cloudRequired systems). */
  cloud: { onCloud: number; required: number };
  /** IPv6 支持率 = ready ÷ internet-facing systems. */
  ipv6: { ready: number; internetFacing: number };
}

export interface ReportFinding {
  id: string;
  systemCode: string;
  departmentCode: string;
  status: FindingState;
  verdict: 'zombie' | 'semi_zombie';
  openedOn: Day;
  deadline: Day | null;
  answer: { kind: AnswerKind; dueBy?: Day | null } | null;
  closedOn: Day | null;
}
